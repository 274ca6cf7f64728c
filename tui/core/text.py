"""Offsets, boundaries and safe display of article text (quote selectors and
re-anchoring are in ``tui.core.anchoring``).

Every offset here is a Python code-point offset into an article text that never
changes after import; spans are half-open ``(start, end)`` pairs.

Plain Python only: this module must never import textual or rich (cell widths
belong to the widgets, which measure with ``rich.cells``).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import cache
from typing import Sequence

Span = tuple[int, int]

# --------------------------------------------------------------------------- words


@cache
def _mark_class() -> str:
    """A regex character class body holding every combining mark (category M*).

    Python's ``re`` has no ``\\p{M}``, and ``\\w`` leaves out marks, so "e\\u0301"
    or Arabic with harakat would otherwise break inside a word. Built once, on
    first use, from the planes that hold marks.
    """
    ranges: list[list[int]] = []
    planes = [range(0x0300, 0x20000), range(0xE0100, 0xE01F0)]
    for plane in planes:
        for cp in plane:
            if unicodedata.category(chr(cp))[0] == "M":
                if ranges and ranges[-1][1] == cp - 1:
                    ranges[-1][1] = cp
                else:
                    ranges.append([cp, cp])
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges
    )


@cache
def _word_re() -> re.Pattern[str]:
    char = rf"(?:[^\W_]|[{_mark_class()}])"
    # Apostrophes and hyphens join word pieces ("Taliban’s", "take-over");
    # a dot or comma joins digits only ("3.5", "1,000").
    joiner = r"(?:['’\-‐‑]|(?<=\d)[.,](?=\d))"
    return re.compile(rf"{char}+(?:{joiner}{char}+)*")


def words(text: str) -> list[Span]:
    """Spans of the words in ``text``: runs of letters, digits and combining
    marks, joined across internal apostrophes and hyphens."""
    return [m.span() for m in _word_re().finditer(text)]


def _scan_from(text: str, offset: int) -> int:
    """A position at or before ``offset`` that is not inside a word (words never
    contain whitespace), so a regex scan from there sees whole words."""
    pos = max(0, min(offset, len(text)))
    while pos > 0 and not text[pos - 1].isspace():
        pos -= 1
    return pos


def word_at(text: str, offset: int) -> Span | None:
    """The word containing the character at ``offset``, or None (whitespace,
    punctuation, or ``offset`` at/after the end of the text)."""
    if not 0 <= offset < len(text):
        return None
    for m in _word_re().finditer(text, _scan_from(text, offset)):
        if m.start() > offset:
            return None
        if m.end() > offset:
            return m.span()
    return None


def next_word_start(text: str, offset: int) -> int:
    """Start of the first word that starts after ``offset``; ``len(text)`` if none."""
    current = word_at(text, offset)
    pos = current[1] if current else max(0, offset + 1)
    m = _word_re().search(text, min(pos, len(text)))
    return m.start() if m else len(text)


def prev_word_start(text: str, offset: int) -> int:
    """Start of the last word that starts before ``offset``; 0 if none.

    Inside a word (past its first character) that is the word's own start, as
    vim's ``b`` does.
    """
    offset = max(0, min(offset, len(text)))
    window = 256
    while True:
        lo = _scan_from(text, max(0, offset - window))
        last = None
        # endpos cuts a word that straddles ``offset`` but keeps its start right.
        for m in _word_re().finditer(text, lo, offset):
            last = m.start()
        if last is not None:
            return last
        if lo == 0:
            return 0
        window *= 4


# ----------------------------------------------------------------------- sentences

# Tokens ending in "." that rarely end a sentence. Kept short on purpose:
# "Inc." or "etc." often do end one, so they are not here.
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms mx dr prof sr jr st gen col lt sgt capt cpt maj cmdr adm rep sen gov
    pres rev hon fr mt ft vs approx dept est
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)
# Abbreviations only before a number ("No. 5", "Vol. 2"); "no." ends sentences.
_NUMBER_ABBREVIATIONS = frozenset("no nos vol fig pp art".split())
_TERMINAL_RE = re.compile(r"[.!?…]+|[。！？]")
_CLOSERS = frozenset("\"'”’»)]}")
_OPENERS = frozenset("\"'“‘«([{¿¡")


def _lines(text: str) -> list[Span]:
    """Non-blank lines, trimmed of surrounding whitespace."""
    spans = []
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        s, e = _trim(text, pos, end)
        if s < e:
            spans.append((s, e))
        if nl < 0:
            break
        pos = nl + 1
    return spans


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_abbreviation(text: str, line_start: int, dot: int, following: str) -> bool:
    """True when the "." at ``dot`` ends an abbreviation or an initial;
    ``following`` is the first character of what comes next."""
    i = dot
    while i > line_start and not text[i - 1].isspace():
        i -= 1
    token = text[i:dot].lstrip("".join(_OPENERS))
    if not token:
        return False
    if len(token) == 1 and token.isalpha():
        return True  # an initial: "J. Smith"
    if "." in token:
        return True  # "U.S.", "e.g.", "a.m."
    lower = token.lower()
    return lower in _ABBREVIATIONS or (lower in _NUMBER_ABBREVIATIONS and following.isdigit())


def _starts_sentence(ch: str) -> bool:
    # Scripts without case (Arabic, Hebrew, CJK) count as a capital.
    return ch.isupper() or ch.isdigit() or ch in _OPENERS or (ch.isalpha() and not ch.islower())


def sentences(text: str) -> list[Span]:
    """Rule-based sentence spans, trimmed of whitespace; never cross a newline.

    A sentence ends at ``. ! ? …`` (plus closing quotes/brackets) when followed
    by whitespace and a capital, digit or opening quote, or by the end of the
    line; not after abbreviations ("Mr.", "Aug."), initials ("J.") or dotted
    tokens ("U.S."). CJK full stops always end one. "the U.S. The next day" stays
    one sentence: the rule prefers missing a split to splitting a name.
    """
    spans: list[Span] = []
    for ls, le in _lines(text):
        start = ls
        for m in _TERMINAL_RE.finditer(text, ls, le):
            end = m.end()
            while end < le and text[end] in _CLOSERS:
                end += 1
            if m.group()[0] not in "。！？":
                if end < le and not text[end].isspace():
                    continue  # "3.5", "U.S" inside a token
                j = end
                while j < le and text[j].isspace():
                    j += 1
                if j < le and not _starts_sentence(text[j]):
                    continue
                if j < le and m.group() == "." and _is_abbreviation(text, ls, m.start(), text[j]):
                    continue
            s, e = _trim(text, start, end)
            if s < e:
                spans.append((s, e))
            start = end
        s, e = _trim(text, start, le)
        if s < e:
            spans.append((s, e))
    return spans


def paragraphs(text: str) -> list[Span]:
    """Each non-blank line is a paragraph (trimmed); blank lines separate them."""
    return _lines(text)


def span_containing(spans: Sequence[Span], offset: int) -> Span | None:
    """The span of a sorted, non-overlapping list that contains ``offset``."""
    i = bisect_right(spans, (offset, float("inf"))) - 1
    if i >= 0 and spans[i][0] <= offset < spans[i][1]:
        return spans[i]
    return None


def sentence_at(text: str, offset: int) -> Span | None:
    """The sentence containing ``offset``; None between sentences."""
    return span_containing(sentences(text), offset)


def paragraph_at(text: str, offset: int) -> Span | None:
    """The paragraph containing ``offset``; None on blank lines and newlines."""
    return span_containing(paragraphs(text), offset)


# ----------------------------------------------------------------------- selection

# Punctuation that never starts or ends an annotation on its own.
_LEAD_STRIP = frozenset(",;:.!?…-–—/")
_TAIL_STRIP = frozenset(",;:-–—/")
_PAIRS = {"“": "”", "‘": "’", "«": "»", "(": ")", "[": "]", "{": "}", '"': '"', "'": "'"}
_CLOSE_TO_OPEN = {v: k for k, v in _PAIRS.items()}


def snap_to_words(text: str, start: int, end: int) -> Span:
    """Grow a selection to whole words and trim what surrounds them.

    An end that falls inside a word extends to the word's end, a start inside a
    word back to its start. Then whitespace is trimmed, leading ``, ; : . ! ?``
    and dashes are dropped, trailing ``, ; :`` and dashes too (a final ``.``, ``!``
    or ``?`` stays: a sentence selection keeps its full stop), and a quote or
    bracket at either end is dropped unless its partner is inside the
    selection. A selection with no word character collapses to ``(s, s)``.
    """
    n = len(text)
    start, end = sorted((max(0, min(start, n)), max(0, min(end, n))))
    if start == end:
        return start, end
    w = word_at(text, start)
    if w and w[0] < start:
        start = w[0]
    w = word_at(text, end - 1)
    if w and w[1] > end:
        end = w[1]
    changed = True
    while changed and start < end:
        changed = False
        s, e = _trim(text, start, end)
        if (s, e) != (start, end):
            start, end, changed = s, e, True
            continue
        first, last = text[start], text[end - 1]
        if first in _LEAD_STRIP:
            start, changed = start + 1, True
        elif last in _TAIL_STRIP:
            end, changed = end - 1, True
        elif first in _PAIRS and (end - start < 2 or _PAIRS[first] not in text[start + 1 : end]):
            start, changed = start + 1, True
        elif last in _CLOSE_TO_OPEN and (end - start < 2 or _CLOSE_TO_OPEN[last] not in text[start : end - 1]):
            end, changed = end - 1, True
    if not _word_re().search(text, start, end):
        return start, start
    return start, end


# ------------------------------------------------------------------------ display

# One visible placeholder for invisible format characters (bidi controls,
# zero-width spaces/joiners, BOM, other Unicode "Cf" and line/paragraph
# separators): shown as "¤", one cell, so an annotator sees that something is
# there and every code point keeps a place on screen.
PLACEHOLDER = "¤"
# Tab is shown as one arrow cell, not expanded, so offsets and cells stay 1:1.
TAB_GLYPH = "→"
# C1 controls (U+0080-U+009F) have no control picture of their own.
C1_GLYPH = "␦"
# A lone UTF-16 surrogate cannot be encoded for the terminal at all.
SURROGATE_GLYPH = "\ufffd"
# Shown before a combining mark that has no base character (safe_text only).
DOTTED_CIRCLE = "◌"


@cache
def display_char(ch: str) -> str:
    """How one code point of article text is shown on a terminal.

    - ``"\\n"`` is returned unchanged (callers break lines on it);
    - other C0 controls become Unicode control pictures (ESC -> "␛",
      CR -> "␍", NUL -> "␀"), DEL -> "␡", C1 controls -> "␦";
    - tab -> "→" (one cell);
    - bidi controls (U+200E/F, U+202A-202E, U+2066-2069, U+061C), zero-width
      characters (U+200B-200D, U+2060, U+FEFF), every other format character
      (category Cf) and U+2028/U+2029 -> "¤";
    - soft hyphen -> "-", lone surrogates -> U+FFFD;
    - everything else is unchanged (combining marks, wide CJK, emoji, RTL
      letters: their width is the widget's business).
    """
    o = ord(ch)
    if ch == "\n":
        return ch
    if ch == "\t":
        return TAB_GLYPH
    if o < 0x20:
        return chr(0x2400 + o)
    if o == 0x7F:
        return "␡"
    if 0x80 <= o < 0xA0:
        return C1_GLYPH
    if o == 0xAD:
        return "-"
    if o < 0x300:
        return ch
    category = unicodedata.category(ch)
    if category == "Cf" or category in ("Zl", "Zp"):
        return PLACEHOLDER
    if category == "Cs":
        return SURROGATE_GLYPH
    return ch


def safe_text(value: object, *, keep_newlines: bool = False) -> str:
    """``value`` (any object, shown as ``str(value)``) made safe for a terminal.

    The one entry point for every string from data (article text, titles,
    annotator names, notes, attribute values, schema choices, paths, error
    messages that quote any of these) on its way to a terminal, whether through
    ``click.echo``, a Textual widget or a notification. ESC, every other C0
    control, DEL, C1 controls (U+009B is an 8-bit CSI), bidi overrides and
    isolates and the other invisible format characters become visible
    pictures (see :func:`display_char`), so no escape or control sequence that
    came from data can reach the terminal. With ``keep_newlines`` a newline
    stays a line break; otherwise it shows as "␤" (one-line labels). A
    combining mark at the very start gets a dotted circle to sit on.
    """
    text = value if isinstance(value, str) else str(value)
    out = []
    for ch in text:
        if ch == "\n" and not keep_newlines:
            out.append("␤")
        else:
            out.append(display_char(ch))
    if text and unicodedata.category(text[0])[0] == "M":
        out.insert(0, DOTTED_CIRCLE)
    return "".join(out)


def display_text(text: str, *, keep_newlines: bool = True) -> str:
    """:func:`safe_text` with newlines kept by default (the older name, used by
    the widgets and commands for labels, titles and annotation lists)."""
    return safe_text(text, keep_newlines=keep_newlines)


def safe_json(dumped: str) -> str:
    """A JSON document (from ``json.dumps(..., ensure_ascii=False)``) with every
    character a terminal may interpret written as a ``\\uXXXX`` escape.

    ``json.dumps`` escapes C0 controls itself but leaves C1 controls and bidi
    or other format characters raw; they can only occur inside JSON strings,
    where the escape means the same character, so the data read back is
    exactly the same while the terminal sees only plain text.
    """
    out = []
    for ch in dumped:
        if ch == "\n" or display_char(ch) == ch:
            out.append(ch)
        elif ord(ch) > 0xFFFF:
            o = ord(ch) - 0x10000
            out.append(f"\\u{0xD800 + (o >> 10):04x}\\u{0xDC00 + (o & 0x3FF):04x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


def excerpt(text: str, width: int) -> str:
    """One line of at most ``width`` characters for showing a quote: whitespace
    folded, unsafe characters made visible, an ellipsis where it was cut."""
    flat = display_text(" ".join(text.split()), keep_newlines=False)
    return flat if len(flat) <= width else flat[: width - 1] + "…"


# File names are limited in bytes (255 on Linux), and a CJK character is 3 bytes
# in UTF-8: a stem stays within this many, leaving room for "-<format>.<ending>"
# and the temporary name an atomic write uses beside it.
SLUG_MAX_BYTES = 120


def slug(title: str, fallback: str, limit: int = 80, max_bytes: int = SLUG_MAX_BYTES) -> str:
    """A file-name stem from a title: lower case, word characters and dots, at most
    ``limit`` characters and ``max_bytes`` UTF-8 bytes (titles come from articles
    and can be any length, in any script)."""
    stem = re.sub(r"[^\w.]+", "-", title.lower()).strip("-.")[:limit]
    while len(stem.encode("utf-8", "surrogateescape")) > max_bytes:
        stem = stem[:-1]
    return stem.strip("-.") or fallback
