"""Pair scoring: what each sentence offers as evidence (stems, content words,
entities, quotations, word 4-grams), the score and kind of a sentence pair, and
which pairs are worth scoring at all."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from rapidfuzz import fuzz

from tui.core.align.units import Unit
from tui.core.align.words import STOPWORDS, _normalise, _stem, _words

KIND_VERBATIM = "verbatim"
KIND_PARAPHRASE = "paraphrase"

# Character ratio above which two sentences are near-identical whatever the
# shingles say (typos, spelling variants).
_NEAR_IDENTICAL = 0.85
_SHINGLE = 4

_DOUBLE_QUOTE = re.compile(r"\u201c([^\u201c\u201d]{3,}?)\u201d|\"([^\"\n]{3,}?)\"")


# --------------------------------------------------------------------------- features


@dataclass
class _Feat:
    unit: Unit
    stems: list[str]  # stems of all words, in order
    content: frozenset[str]
    entities: frozenset[str]
    quotes: list[str]
    norm: str
    shingles: dict[tuple[str, ...], list[int]]  # shingle -> positions
    weight: float = 0.0  # sum of the IDF of the content words, set once IDF is known


def _entities(text: str, words: list[tuple[int, int, str]]) -> set[str]:
    """Capitalised runs and acronyms; multiword runs also give their initials."""
    out: set[str] = set()
    run: list[str] = []
    caps_streak = 0

    def flush() -> None:
        if run:
            out.add(" ".join(run))
            if len(run) > 1:
                out.add("".join(w[0] for w in run))
            run.clear()

    for s, e, f in words:
        raw = text[s:e]
        is_caps = raw.isupper() and len(raw) > 1
        caps_streak = caps_streak + 1 if is_caps else 0
        # A lead written in capitals ("SMALL BUT GROWING NUMBERS") is not a name.
        if caps_streak >= 3:
            run.clear()
            continue
        if raw[:1].isupper() and f not in STOPWORDS:
            run.append(_stem(f))
            if is_caps and len(raw) <= 6:
                out.add(f)
        else:
            flush()
    flush()
    return out


def _features(text: str, unit: Unit) -> _Feat:
    words = _words(text, unit.start, unit.end)
    stems = [_stem(f) for _, _, f in words]
    content = frozenset(
        st for st, (_, _, f) in zip(stems, words) if f not in STOPWORDS and (len(f) > 1 or f.isdigit())
    )
    shingles: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i in range(len(stems) - _SHINGLE + 1):
        gram = tuple(stems[i : i + _SHINGLE])
        # Function-word runs ("one of the most") are not shared wording.
        if sum(1 for g in gram if g not in STOPWORDS) >= 2:
            shingles[gram].append(i)
    chunk = text[unit.start : unit.end]
    quotes = []
    for m in _DOUBLE_QUOTE.finditer(chunk):
        q = _normalise(m.group(1) or m.group(2))
        if len(q) >= 8 and len(q.split()) >= 2:
            quotes.append(q)
    return _Feat(
        unit=unit,
        stems=stems,
        content=content,
        entities=frozenset(_entities(text, words)),
        quotes=quotes,
        norm=" ".join(f for _, _, f in words),
        shingles=dict(shingles),
    )


# --------------------------------------------------------------------------- scoring


def _coverage_by_shingles(fa: _Feat, fb: _Feat) -> tuple[float, float, int]:
    shared = fa.shingles.keys() & fb.shingles.keys()
    if not shared:
        return 0.0, 0.0, 0
    cov_a: set[int] = set()
    cov_b: set[int] = set()
    for g in shared:
        for i in fa.shingles[g]:
            cov_a.update(range(i, i + _SHINGLE))
        for i in fb.shingles[g]:
            cov_b.update(range(i, i + _SHINGLE))
    return len(cov_a) / max(1, len(fa.stems)), len(cov_b) / max(1, len(fb.stems)), max(len(cov_a), len(cov_b))


def _quote_strength(fa: _Feat, fb: _Feat) -> float:
    """How strongly a quotation in one sentence appears in the other (0 = not)."""
    best = 0.0
    for src, other in ((fa, fb), (fb, fa)):
        for q in src.quotes:
            if len(q) > len(other.norm):
                continue
            if fuzz.partial_ratio(q, other.norm, score_cutoff=90) >= 90:
                n = len(q.split())
                best = max(best, 0.5 + 0.5 * min(1.0, n / 8))
    return best


def _dice(a: Iterable[str], b: Iterable[str], weight: dict[str, float] | None = None) -> float:
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0
    w = (lambda t: weight.get(t, 1.0)) if weight else (lambda t: 1.0)
    shared = math.fsum(w(t) for t in sa & sb)
    return 2.0 * shared / (math.fsum(w(t) for t in sa) + math.fsum(w(t) for t in sb))


def _paraphrase(fa: _Feat, fb: _Feat, idf: dict[str, float]) -> float:
    total = fa.weight + fb.weight
    content = 2.0 * math.fsum(idf[t] for t in fa.content & fb.content) / total if total else 0.0
    if fa.entities and fb.entities:
        return 0.8 * content + 0.2 * _dice(fa.entities, fb.entities)
    return content


def _score_pair(
    fa: _Feat, fb: _Feat, idf: dict[str, float], tv: float, tp: float
) -> tuple[float, str] | None:
    cov_a, cov_b, covered = _coverage_by_shingles(fa, fb)
    # Five shared words at least: one shared 4-gram is a phrase, not a passage.
    verbatim = max(cov_a, cov_b) if covered >= _SHINGLE + 1 else 0.0
    ratio = fuzz.ratio(fa.norm, fb.norm) / 100.0
    if ratio >= _NEAR_IDENTICAL:
        verbatim = max(verbatim, ratio)
    para = _paraphrase(fa, fb, idf)
    quote = _quote_strength(fa, fb)
    # A two-word quote alone could be coincidence; ask for some topical overlap.
    if quote and quote < 0.7 and para < tp / 2:
        quote = 0.0
    if verbatim >= tv or quote:
        return max(verbatim, para, quote), KIND_VERBATIM
    if para >= tp:
        return para, KIND_PARAPHRASE
    return None


def _candidates(feats: list[_Feat], df: dict[str, int]) -> set[tuple[int, int]]:
    """Sentence pairs (across documents) worth scoring: a shared 4-gram, or two
    shared content words that are not everywhere in the story."""
    # Terms in more sentences than this do not propose pairs (they still
    # score): bounded, so the cost stays near-linear in the story's length.
    cap = min(60, max(20, int(0.05 * len(feats))))
    postings: dict[str, list[int]] = defaultdict(list)
    grams: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for idx, f in enumerate(feats):
        for t in f.content:
            if df[t] <= cap:
                postings[t].append(idx)
        for g in f.shingles:
            grams[g].append(idx)
    out: set[tuple[int, int]] = set()
    for members in grams.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                i, j = members[x], members[y]
                if feats[i].unit.doc_id != feats[j].unit.doc_id:
                    out.add((i, j))
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for members in postings.values():
        for x in range(len(members)):
            fi = feats[members[x]].unit.doc_id
            for y in range(x + 1, len(members)):
                if feats[members[y]].unit.doc_id != fi:
                    shared[(members[x], members[y])] += 1
    out.update(k for k, c in shared.items() if c >= 2)
    return out
