"""Flagged regions of a text: repeated passages and comment-form boilerplate.

Nothing is removed from a text: these spans are stored as regions so the reader
can dim them and suggestions and alignment can skip them."""

from __future__ import annotations

import re

from ..text import paragraphs

Span = tuple[int, int]


# Comment-form and sharing leftovers, matched against a whole (trimmed) line.
_BOILERPLATE_RE = re.compile(
    r"""^(?:
        no\ comments?\s*:?
      | \d+\ comments?\s*:?
      | comments?\s*(?:\(\d+\))?\s*:?
      | post\ a\ comment
      | (?:leave|add|write|post)\ a\ (?:comment|reply)\s*:?
      | leave\ a\ reply\s*(?:cancel\ reply)?
      | subscribe\ to:?\ post\ comments(?:\ \(atom\))?
      | newer\ post | older\ post
      | you\ must\ be\ logged\ in\ to\ post\ a\ comment\.?
      | share\ this(?:\ article|\ story)?\s*:?
      | like\ this\s*:?
      | loading\.\.\.|loading…
      | related(?:\ (?:posts|articles|stories))?\s*:?
      | advertisement
      | click\ here\ to\ (?:comment|subscribe|reply)\b.*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

# A run of repeated lines shorter than this is left alone: a repeated byline
# or "Photo:" caption is not a duplicated article.
MIN_REPEAT_CHARS = 40


def _norm(line: str) -> str:
    return " ".join(line.split())


def is_boilerplate(line: str) -> bool:
    return bool(_BOILERPLATE_RE.match(line.strip()))


def boilerplate_regions(text: str) -> list[Span]:
    """Spans of comment-form leftovers; consecutive such lines form one span."""
    out: list[Span] = []
    lines = paragraphs(text)
    run: list[Span] = []
    for s, e in lines + [(-1, -1)]:
        if s >= 0 and is_boilerplate(text[s:e]):
            run.append((s, e))
            continue
        if run:
            out.append((run[0][0], run[-1][1]))
            run = []
    return out


def repeated_regions(text: str) -> list[Span]:
    """Spans of paragraphs that repeat an earlier one (the first copy is the original).

    Paragraphs are non-blank lines compared after collapsing whitespace.
    Consecutive repeats form one span, kept when it holds at least
    ``MIN_REPEAT_CHARS`` characters of text.
    """
    seen: set[str] = set()
    out: list[Span] = []
    run: list[Span] = []

    def close() -> None:
        if run and sum(e - s for s, e in run) >= MIN_REPEAT_CHARS:
            out.append((run[0][0], run[-1][1]))
        run.clear()

    for s, e in paragraphs(text):
        key = _norm(text[s:e])
        if key in seen and not is_boilerplate(key):
            run.append((s, e))
        else:
            close()
            seen.add(key)
    close()
    return out


def detect_regions(text: str) -> list[tuple[int, int, str]]:
    """All flagged regions of a text as ``(start, end, kind)``, sorted."""
    regions = [(s, e, "repeated") for s, e in repeated_regions(text)]
    regions += [(s, e, "boilerplate") for s, e in boilerplate_regions(text)]
    return sorted(regions)


