"""Cue records (:class:`CueSpan`, :class:`Cue`) and the token-range helpers
both cue kinds use: trimming, quotation marks, clause segments, sentence and
line bounds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from .lexicon import _CLOSE_QUOTES, _DELIMS, _OPEN_QUOTES, _STRAIGHT_QUOTES, SCORE_CUE


@dataclass(frozen=True)
class CueSpan:
    start: int  # character offsets into doc.text
    end: int
    label: str
    score: float = SCORE_CUE
    # (name, value) pairs carried into the suggestion: certainty, refers_to.
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass
class Cue:
    """One head (CLAIM or MOTIVE) and its tails (SOURCE / ACTOR), or lone tails."""

    head: CueSpan | None
    tails: list[CueSpan] = field(default_factory=list)
    relation: str = ""


def _is_quote(tok: Any) -> bool:
    t = tok.text
    return t in _OPEN_QUOTES or t in _CLOSE_QUOTES or t in _STRAIGHT_QUOTES


def _is_delim(tok: Any) -> bool:
    return tok.text in _DELIMS or tok.is_space


def _is_trim(tok: Any) -> bool:
    return tok.is_punct or tok.is_space or tok.text in _DELIMS


def _sentence_bounds(sent: Any) -> tuple[int, int]:
    """Token range of a sentence without its surrounding whitespace tokens."""
    a, b = sent.start, sent.end
    doc = sent.doc
    while a < b and doc[a].is_space:
        a += 1
    while b > a and doc[b - 1].is_space:
        b -= 1
    return a, b


def _trim(doc: Any, a: int, b: int, *, drop_leading: Iterable[str] = ()) -> tuple[int, int] | None:
    """Strip punctuation (keeping quote marks whose partner is inside) and
    leading filler words from the token range [a, b)."""
    lead = {w.lower() for w in drop_leading}
    changed = True
    while changed and a < b:
        changed = False
        while a < b and (_is_trim(doc[a]) or doc[a].lower_ in lead):
            tok = doc[a]
            if tok.text in _OPEN_QUOTES and any(doc[k].text in _CLOSE_QUOTES for k in range(a + 1, b)):
                break
            if tok.text in _STRAIGHT_QUOTES and any(doc[k].text == tok.text for k in range(a + 1, b)):
                break
            a += 1
            changed = True
        while b > a and _is_trim(doc[b - 1]):
            tok = doc[b - 1]
            if tok.text in _CLOSE_QUOTES and any(doc[k].text in _OPEN_QUOTES for k in range(a, b - 1)):
                break
            if tok.text in _STRAIGHT_QUOTES and any(doc[k].text == tok.text for k in range(a, b - 1)):
                break
            b -= 1
            changed = True
    # A span that is exactly one quotation: keep its content only.
    if b - a >= 3 and _is_quote(doc[a]) and _is_quote(doc[b - 1]) and not any(
        _is_quote(doc[k]) for k in range(a + 1, b - 1)
    ):
        return _trim(doc, a + 1, b - 1)
    return (a, b) if a < b else None


def _unbalanced_close(doc: Any, a: int, b: int) -> bool:
    depth = 0
    for k in range(a, b):
        t = doc[k].text
        if t in _OPEN_QUOTES:
            depth += 1
        elif t in _CLOSE_QUOTES:
            if depth == 0:
                return True
            depth -= 1
    return False


def _chars(doc: Any, a: int, b: int) -> tuple[int, int]:
    """Character range of tokens [a, b), without a sentence-final period glued
    to the last token ("ISIS-K." is one token in spaCy's English tokenizer)."""
    start = doc[a].idx
    last = doc[b - 1]
    end = last.idx + len(last.text)
    if len(last.text) > 1 and last.text.endswith(".") and "." not in last.text[:-1]:
        end -= 1
    return start, end


def _span(doc: Any, a: int, b: int, label: str, score: float, **trim_kw: Any) -> CueSpan | None:
    rng = _trim(doc, a, b, **trim_kw)
    if rng is None:
        return None
    a, b = rng
    if a > 0 and doc[a - 1].text in _OPEN_QUOTES and _unbalanced_close(doc, a, b):
        rng = (a - 1, b)  # '“several other men” he knew': keep the quotation whole
    start, end = _chars(doc, *rng)
    if end <= start:
        return None
    return CueSpan(start, end, label, score)


def _np_bounds(tok: Any, lo: int, hi: int) -> tuple[int, int]:
    """The noun phrase headed by ``tok``: the words around it that descend from
    it, without crossing a clause delimiter or quote mark, inside [lo, hi).
    (The parser may attach an appositive across the verb, so ``right_edge``
    alone would swallow the verb phrase.)"""
    doc = tok.doc
    a = tok.i
    while a - 1 >= lo and tok.is_ancestor(doc[a - 1]) and not (_is_delim(doc[a - 1]) or _is_quote(doc[a - 1])):
        a -= 1
    b = tok.i + 1
    while b < hi and tok.is_ancestor(doc[b]) and not (_is_delim(doc[b]) or _is_quote(doc[b])):
        b += 1
    return a, b


def _subtree_end(tok: Any, hi: int) -> int:
    """End of the contiguous run of ``tok``'s descendants to its right;
    punctuation the parser hung elsewhere may sit inside the run."""
    doc = tok.doc
    end = tok.i + 1
    k = end
    while k < hi:
        t = doc[k]
        if tok.is_ancestor(t):
            k += 1
            end = k
        elif t.is_punct and not t.text == ".":
            k += 1
        else:
            break
    return end


def _segment_of(doc: Any, i: int, lo: int, hi: int) -> tuple[int, int]:
    """Tokens around ``i`` between clause delimiters or quote marks."""
    a = i
    while a > lo and not (_is_delim(doc[a - 1]) or _is_quote(doc[a - 1])):
        a -= 1
    b = i + 1
    while b < hi and not (_is_delim(doc[b]) or _is_quote(doc[b])):
        b += 1
    return a, b


def _line_bounds(doc: Any, i: int) -> tuple[int, int]:
    """Tokens of the line (paragraph) holding token ``i``."""
    a = i
    while a > 0 and not (doc[a - 1].is_space and "\n" in doc[a - 1].text):
        a -= 1
    b = i + 1
    while b < len(doc) and not (doc[b].is_space and "\n" in doc[b].text):
        b += 1
    return a, b


def _opening_quote_before(doc: Any, close_i: int) -> int | None:
    """The opening quote matching the closing quote at ``close_i``, searched
    back within the same line (a quotation may span several sentences)."""
    lo, _ = _line_bounds(doc, close_i)
    closer = doc[close_i].text
    for k in range(close_i - 1, lo - 1, -1):
        t = doc[k].text
        if closer in _STRAIGHT_QUOTES:
            if t == closer:
                return k
        elif t in _OPEN_QUOTES:
            return k
        elif t in _CLOSE_QUOTES:
            return None  # another quotation ends first: give up rather than guess
    return None


def _parsed(doc: Any) -> bool:
    return bool(doc.has_annotation("DEP"))
