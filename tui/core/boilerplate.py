"""Lines that are not the article's content: comment forms, outlet / credit /
source lines, bylines, datelines, URLs, copyright notices.

One recogniser for every outlet, used by the importer (it flags these lines as
``boilerplate`` regions) and by the aligner (so a story imported before a
pattern was added, or text aligned without regions, is treated the same):
"Source: The New York Times" is boilerplate exactly as "Source: Fox News" is.
Nothing is removed from a text; these are spans to dim and to skip."""

from __future__ import annotations

import re

Span = tuple[int, int]

# Comment-form and sharing leftovers, matched against a whole (trimmed) line.
COMMENT_FORM_RE = re.compile(
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

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_NAME_WORD = r"(?:[A-Z][\w.'\u2019-]*|and|&|of|the|de|van|von|al|bin)"

# Outlet, credit and source lines ("Source: Fox News", "Photo: Reuters").
_CREDIT_RE = re.compile(
    r"^(?:(?:sources?|credits?|photo(?:graph)?(?:\s+credit)?|image(?:\s+credit)?|picture|video|courtesy|via|author)"
    r"\s*[:|\u2013\u2014-]|(?:additional\s+)?(?:reporting|editing|writing|filed|compiled|written)\s+by\b:?)"
    r"\s*\S.{0,80}$",
    re.IGNORECASE,
)
# "By Jane Doe", "By Jane Doe and John Roe, Reuters" (names only: "By Tuesday ships..." is content).
_BYLINE_RE = re.compile(r"^by\s+" + _NAME_WORD + r"(?:[\s,|]+" + _NAME_WORD + r"){0,8}\s*$", re.IGNORECASE)
_BYLINE_CASE_RE = re.compile(r"^[Bb][Yy]\s+[A-Z]")
_COPYRIGHT_RE = re.compile(r"^(?:\u00a9|\(c\)\s|copyright\b).{0,120}$|^all rights reserved\.?$", re.IGNORECASE)
_URL_RE = re.compile(r"^(?:(?:url|link)\s*:\s*)?https?://\S+$", re.IGNORECASE)
_DATE = (rf"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
         rf"|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})")
_TIME = r"(?:\s*(?:,|at|\|)?\s*\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,4}|GMT[+-]?\d*)?)?"
# "Published: Nov 1, 2021", "Updated 3:45 pm ET", a line that is only a date.
_DATELINE_RE = re.compile(
    rf"^(?:(?:first\s+|last\s+)?(?:published|updated|posted|modified)\b(?:\s+on)?\s*:?\s*.{{0,60}}|{_DATE}{_TIME})$",
    re.IGNORECASE,
)
# A bare author name: 2-4 capitalised words, no digits (only next to a URL or credit line).
_BARE_NAME_RE = re.compile(r"^[A-Z][\w.'\u2019-]+(?:\s+[A-Z][\w.'\u2019-]+){1,3}$")
# "KABUL, Afghanistan (Reuters) — " opening a paragraph: the dateline, not the sentence.
_DATELINE_PREFIX_RE = re.compile(
    r"^[A-Z][A-Z.'\u2019 -]{2,30}(?:,\s*[A-Z][\w.' -]{1,30})?\s*(?:\([A-Za-z .&]{2,30}\))?\s*[\u2013\u2014-]{1,2}\s+(?=\S)"
)


def is_comment_form(line: str) -> bool:
    return bool(COMMENT_FORM_RE.match(line.strip()))


def line_kind(line: str) -> str | None:
    """What a whole line of boilerplate is ("comment form", "credit", "byline",
    "dateline", "url", "copyright"), or None for content."""
    s = " ".join(line.split())
    if not s:
        return None
    if COMMENT_FORM_RE.match(s):
        return "comment form"
    if _URL_RE.match(s):
        return "url"
    if _CREDIT_RE.match(s) and not s.endswith((".", "!", "?")) or _CREDIT_RE.match(s) and len(s.split()) <= 8:
        return "credit"
    if _BYLINE_RE.match(s) and _BYLINE_CASE_RE.match(s):
        return "byline"
    if _COPYRIGHT_RE.match(s):
        return "copyright"
    if _DATELINE_RE.match(s) and len(s.split()) <= 10:
        return "dateline"
    return None


def _lines(text: str) -> list[Span]:
    """Non-blank lines, whitespace-trimmed."""
    out = []
    for m in re.finditer(r"[^\n]+", text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out


def boilerplate_lines(text: str) -> list[tuple[int, int, str]]:
    """Every boilerplate line of ``text`` as ``(start, end, kind)``; also a bare
    name line beside a URL or credit line ("byline"), and the dateline that
    opens a paragraph ("KABUL (Reuters) -", kind "dateline", the prefix only)."""
    lines = _lines(text)
    kinds = [line_kind(text[s:e]) for s, e in lines]
    out: list[tuple[int, int, str]] = []
    for k, ((s, e), kind) in enumerate(zip(lines, kinds)):
        if kind is None and _BARE_NAME_RE.match(text[s:e]):
            # Next to it means on the line just before or after: no blank line between.
            near = [kinds[j] for j in (k - 1, k + 1) if 0 <= j < len(lines)
                    and text[min(lines[j][1], e):max(lines[j][0], s)].count("\n") == 1]
            if any(n in ("url", "credit") for n in near):
                kind = "byline"
        if kind is not None:
            out.append((s, e, kind))
        elif m := _DATELINE_PREFIX_RE.match(text[s:e]):
            out.append((s, s + len(m.group().rstrip()), "dateline"))
    return out


def boilerplate_spans(text: str) -> list[Span]:
    """:func:`boilerplate_lines` as spans, consecutive whole lines merged."""
    out: list[Span] = []
    for s, e, _kind in boilerplate_lines(text):
        if out and text[out[-1][1] : s].strip() == "" and out[-1][1] <= s:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out
