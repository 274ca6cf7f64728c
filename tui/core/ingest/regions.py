"""Flagged regions of a text: repeated passages and boilerplate (comment forms,
credit and source lines, bylines, datelines).

Nothing is removed from a text: these spans are stored as regions so the reader
can dim them and suggestions and alignment can skip them."""

from __future__ import annotations


from ..boilerplate import boilerplate_spans, is_comment_form
from ..text import paragraphs

Span = tuple[int, int]


# A run of repeated lines shorter than this is left alone: a repeated byline
# or "Photo:" caption is not a duplicated article.
MIN_REPEAT_CHARS = 40


def _norm(line: str) -> str:
    return " ".join(line.split())


def is_boilerplate(line: str) -> bool:
    """A comment-form line ("Post a Comment"): never a title, URL or author line."""
    return is_comment_form(line)


def boilerplate_regions(text: str) -> list[Span]:
    """Spans of comment forms, outlet/credit/source lines, bylines, datelines,
    URLs and copyright lines (:mod:`tui.core.boilerplate`, the same
    recogniser the aligner uses); consecutive such lines form one span."""
    return boilerplate_spans(text)


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


