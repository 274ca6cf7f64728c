"""Sentence units: the documents to align, their sentences (with paragraphs), and
each sentence's role — ordinary text, a repeat of an earlier passage, a minor
line, or importer-flagged boilerplate."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from rapidfuzz import fuzz

from tui.core.align.words import _normalise
from tui.core.boilerplate import boilerplate_spans

ROLE_TEXT = "text"  # an ordinary sentence: aligned, counted in coverage
ROLE_REPEAT = "repeat"  # second copy of a passage in the same document
ROLE_MINOR = "minor"  # fewer than MIN_WORDS words: byline, URL, "Post a Comment"
ROLE_BOILERPLATE = "boilerplate"  # inside a region the importer flagged boilerplate

MIN_WORDS = 4

# Fraction of a sentence that must lie inside a flagged region to take its role.
_REGION_OVERLAP = 0.5
# A sentence this similar (rapidfuzz ratio) to an earlier one in the same
# document is a repeat of it.
_REPEAT_RATIO = 95.0

_ABBREV = frozenset(
    "mr mrs ms dr prof st jr sr gen col lt sgt capt gov sen rep rev inc ltd co corp "
    "no vs etc e.g i.e u.s u.k u.n jan feb mar apr jun jul aug sep sept oct nov dec".split()
)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class DocInput:
    """One document to align. Regions are ``(start, end)`` pairs."""

    doc_id: int
    text: str
    repeated: tuple[tuple[int, int], ...] = ()
    boilerplate: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Unit:
    """One sentence of one document; ``repeat_of`` is the index of its first copy."""

    doc_id: int
    index: int
    start: int
    end: int
    paragraph: int
    role: str = ROLE_TEXT
    repeat_of: int | None = None

    @property
    def id(self) -> str:
        return f"{self.doc_id}:{self.index}"


# --------------------------------------------------------------------------- text helpers


def _own_sentences(text: str) -> list[tuple[int, int]]:
    """Fallback splitter: end at . ! ? (plus closing quotes) before a capital."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in re.finditer(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]*[A-Z0-9])", text):
        before = text[start : m.start()].split()
        last = before[-1].lower().rstrip(".") if before else ""
        # "Mr. Smith", "U.S. forces", "J. Smith" are not sentence ends.
        if m.group().startswith(".") and (last in _ABBREV or len(last) == 1):
            continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def _sentence_source() -> tuple[Any, str]:
    """The shared splitter if ``tui.core.text`` offers one, else ours."""
    try:
        from tui.core import text as _text  # imported lazily: written by another module

        fn = getattr(_text, "sentences")
        if callable(fn):
            return fn, "text"
    except Exception:  # noqa: BLE001 - any failure means: use the fallback
        pass
    return _own_sentences, "own"


def sentence_spans(text: str) -> tuple[list[tuple[int, int]], list[int]]:
    """Sentence spans (whitespace-trimmed, never crossing a line break) and, for
    each, the index of its paragraph (a non-empty line)."""
    fn, _name = _sentence_source()
    try:
        raw = [(int(s), int(e)) for s, e in fn(text)]
    except Exception:  # noqa: BLE001 - a broken shared splitter must not break alignment
        raw = _own_sentences(text)
    # Lines are paragraphs in news text; a sentence never spans two of them.
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    pieces: list[tuple[int, int]] = []
    for s, e in sorted(raw):
        s, e = max(0, s), min(len(text), e)
        for m in re.finditer(r"[^\n]+", text[s:e]):
            a, b = s + m.start(), s + m.end()
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if a < b:
                pieces.append((a, b))
    # Paragraph number = rank of the non-empty line the sentence starts on.
    para_of_line: dict[int, int] = {}
    for line_no, ls in enumerate(line_starts):
        le = text.find("\n", ls)
        le = len(text) if le < 0 else le
        if text[ls:le].strip():
            para_of_line[line_no] = len(para_of_line)
    paras = [para_of_line.get(bisect_right(line_starts, a) - 1, 0) for a, _ in pieces]
    return pieces, paras


def _splitter_name() -> str:
    return _sentence_source()[1]


# --------------------------------------------------------------------------- input


def _coerce(doc: Any) -> DocInput:
    if isinstance(doc, DocInput):
        return doc
    if hasattr(doc, "id") and hasattr(doc, "text"):  # a models.Document
        return DocInput(int(doc.id), doc.text)
    items = tuple(doc)
    if len(items) < 2 or len(items) > 4:
        raise ValueError(
            f"align_story: each document must be (doc_id, text[, repeated[, boilerplate]]), got {len(items)} items"
        )
    doc_id, text = int(items[0]), items[1]
    if not isinstance(text, str):
        raise ValueError(f"align_story: text of document {doc_id} must be str, got {type(text).__name__}")
    repeated: list[tuple[int, int]] = []
    boiler: list[tuple[int, int]] = []
    for region in items[2] if len(items) > 2 and items[2] else ():
        # models.Region objects carry their kind; plain pairs are "repeated".
        if hasattr(region, "start"):
            target = boiler if getattr(region, "kind", "repeated") == "boilerplate" else repeated
            target.append((int(region.start), int(region.end)))
        else:
            repeated.append((int(region[0]), int(region[1])))
    for region in items[3] if len(items) > 3 and items[3] else ():
        if hasattr(region, "start"):
            boiler.append((int(region.start), int(region.end)))
        else:
            boiler.append((int(region[0]), int(region[1])))
    return DocInput(doc_id, text, tuple(sorted(repeated)), tuple(sorted(boiler)))


def inputs_from(documents: Iterable[Any], regions: Iterable[Any] = ()) -> list[DocInput]:
    """``models.Document`` + ``models.Region`` records -> align_story input:
    each document with its ``repeated`` and ``boilerplate`` regions."""
    repeated: dict[int, list[tuple[int, int]]] = defaultdict(list)
    boiler: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for r in regions:
        (boiler if r.kind == "boilerplate" else repeated)[int(r.doc_id)].append((int(r.start), int(r.end)))
    return [
        DocInput(int(d.id), d.text, tuple(sorted(repeated[int(d.id)])), tuple(sorted(boiler[int(d.id)])))
        for d in documents
    ]


def _overlap(s: int, e: int, regions: Sequence[tuple[int, int]]) -> int:
    return sum(max(0, min(e, re_) - max(s, rs)) for rs, re_ in regions)


class _SeenSentences:
    """Earlier sentences of one document, to find a later copy of one: by the
    same words, else by fuzzy ratio among those sharing a word 3-gram (so the
    search stays near-linear in long documents)."""

    _COMMON = 50  # a 3-gram in more sentences than this proposes none

    def __init__(self) -> None:
        self.exact: dict[str, int] = {}
        self.norms: dict[int, str] = {}
        self.grams: dict[tuple[str, ...], list[int]] = defaultdict(list)

    @staticmethod
    def _grams(norm: str) -> set[tuple[str, ...]]:
        w = norm.split()
        return {tuple(w[k : k + 3]) for k in range(len(w) - 2)}

    def add(self, index: int, norm: str) -> None:
        self.exact.setdefault(norm, index)
        self.norms[index] = norm
        for g in self._grams(norm):
            self.grams[g].append(index)

    def find(self, norm: str, cutoff: float) -> int | None:
        if norm in self.exact:
            return self.exact[norm]
        candidates: set[int] = set()
        for g in self._grams(norm):
            posting = self.grams.get(g, ())
            if len(posting) <= self._COMMON:
                candidates.update(posting)
        best, best_score = None, cutoff
        for j in sorted(candidates):
            score = fuzz.ratio(norm, self.norms[j], score_cutoff=cutoff)
            if score >= best_score and (best is None or score > best_score):
                best, best_score = j, score
        return best


def _is_short_sentence(chunk: str) -> bool:
    """A short line that is still a sentence ("God help us.", a quoted cry), not
    a byline, URL or form label: two words or more, ending a sentence."""
    return (len(chunk.split()) >= 2 and "://" not in chunk
            and bool(re.search(r"[.!?][\"'\u201d\u2019)]*$", chunk.strip())))


def _units_for(doc: DocInput, *, short_sentences: bool = False) -> list[Unit]:
    """``short_sentences`` (the fact aligner): a sentence under MIN_WORDS words
    is ordinary text (paired only when near-identical), and boilerplate lines
    are recognised here too (tui.core.boilerplate), not only from the regions
    the importer stored, so a story imported before a pattern existed is read
    the same way."""
    spans, paras = sentence_spans(doc.text)
    if short_sentences:
        doc = DocInput(doc.doc_id, doc.text, doc.repeated,
                       tuple(sorted(set(doc.boilerplate) | set(boilerplate_spans(doc.text)))))
    norms = [_normalise(doc.text[s:e]) for s, e in spans]
    units: list[Unit] = []
    seen = _SeenSentences()  # first copies of ordinary sentences
    flagged: list[int] = []
    for i, ((s, e), para) in enumerate(zip(spans, paras)):
        length = max(1, e - s)
        role, rep = ROLE_TEXT, None
        if _overlap(s, e, doc.boilerplate) / length >= _REGION_OVERLAP:
            role = ROLE_BOILERPLATE
        elif _overlap(s, e, doc.repeated) / length >= _REGION_OVERLAP:
            role = ROLE_REPEAT
            flagged.append(i)
        elif len(doc.text[s:e].split()) < MIN_WORDS and not (short_sentences and _is_short_sentence(doc.text[s:e])):
            role = ROLE_MINOR
        else:
            rep = seen.find(norms[i], _REPEAT_RATIO)
            if rep is not None:
                role = ROLE_REPEAT
            else:
                seen.add(i, norms[i])
        units.append(Unit(doc.doc_id, i, s, e, para, role, rep))
    # Copies the importer flagged: find the first copy each repeats (looser
    # cutoff: the region says it is a copy), for counterpart look-ups.
    if flagged:
        for u in units:
            if u.role == ROLE_MINOR:
                seen.add(u.index, norms[u.index])
        for i in flagged:
            rep = seen.find(norms[i], 80.0)
            if rep is not None:
                units[i] = Unit(doc.doc_id, i, units[i].start, units[i].end, units[i].paragraph, ROLE_REPEAT, rep)
    return units
