"""The fact aligner's pair scoring: do two sentences of different outlets state
the same fact, and how (the kind of the pair)?

Evidence, strongest first:

* a shared run of words (``VERBATIM_RUN`` or more, or the whole of two short
  sentences): verbatim;
* a quotation of one found in the other, with or without its speaker tag: quote;
* content words weighted by their rarity in the story (IDF), with numbers and
  dates in one form (:mod:`tui.core.align.evidence`), compared sentence to
  sentence and clause to clause (one outlet's sentence often holds two of
  another's facts), plus shared named entities and a little for a similar
  place in the article: paraphrase.

And against: two different named speakers make two facts, never a pair; a
statement and its denial are a ``contradiction``; the same fact with other
numbers is ``numbers`` (a possible contradiction, flagged).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz

from tui.core.align.evidence import denies, is_content, numbers, speakers, tokens
from tui.core.align.scoring import _DOUBLE_QUOTE, _dice, _entities, _quote_strength
from tui.core.align.units import Unit
from tui.core.align.words import _normalise, _words

KIND_VERBATIM = "verbatim"
KIND_QUOTE = "quote"
KIND_PARAPHRASE = "paraphrase"
KIND_NUMBERS = "numbers"  # the same fact with other numbers: a possible contradiction
KIND_CONTRADICTION = "contradiction"  # a statement and its denial
KINDS = (KIND_VERBATIM, KIND_QUOTE, KIND_PARAPHRASE, KIND_NUMBERS, KIND_CONTRADICTION)
# Kinds that say "the same fact" (the others flag a disagreement on one).
SAME_FACT_KINDS = frozenset({KIND_VERBATIM, KIND_QUOTE, KIND_PARAPHRASE})

VERBATIM_RUN = 8  # words in a row, for "verbatim"
SHORT_WORDS = 4  # a sentence under this many words pairs only when near-identical
_NEAR_IDENTICAL = 0.85
_ORDER_WEIGHT = 0.05
_DENIAL_FACTOR = 1.5

# Clause boundaries inside a sentence: semicolons, colons, dashes, and a comma
# before a conjunction that starts a new statement.
_CLAUSE_BREAK = re.compile(
    r"\s*[;:\u2013\u2014]\s*|,\s+(?=(?:and|but|while|whereas|because|as|after|thus|so|although|though)\b)"
    r"|\s+-\s+"
)


@dataclass
class Fact:
    unit: Unit
    forms: list[str]  # folded, stemmed, numbers as #value
    content: frozenset[str]
    numbers: frozenset[str]
    entities: frozenset[str]
    quotes: list[str]
    norm: str
    speakers: frozenset[str]
    denies: bool
    clauses: list[frozenset[str]]  # content of each clause (more than one only)
    rank: float  # place in its article, 0..1
    weight: float = 0.0


def fact_features(text: str, unit: Unit, rank: float) -> Fact:
    chunk = text[unit.start : unit.end]
    toks = tokens(text, unit.start, unit.end)
    forms = [f for _, _, f in toks]
    content = frozenset(f for f in forms if is_content(f))
    clauses: list[frozenset[str]] = []
    pos = 0
    for m in list(_CLAUSE_BREAK.finditer(chunk)) + [None]:
        end = m.start() if m else len(chunk)
        part = frozenset(f for _, _, f in tokens(chunk, pos, end) if is_content(f))
        if len(part) >= 3:
            clauses.append(part)
        pos = m.end() if m else pos
    quotes = []
    for m in _DOUBLE_QUOTE.finditer(chunk):
        q = _normalise(m.group(1) or m.group(2))
        if len(q) >= 8 and len(q.split()) >= 2:
            quotes.append(q)
    words = _words(text, unit.start, unit.end)
    return Fact(
        unit=unit,
        forms=forms,
        content=content,
        numbers=numbers(forms),
        entities=frozenset(_entities(text, words)),
        quotes=quotes,
        norm=" ".join(f for _, _, f in words),
        speakers=speakers(chunk),
        denies=denies(chunk),
        clauses=clauses if len(clauses) > 1 else [],
        rank=rank,
    )


def set_weights(facts: list[Fact]) -> tuple[dict[str, float], dict[str, int]]:
    """IDF over the story's sentences (words every outlet uses say little about
    which sentences belong together); sets each fact's weight."""
    df: dict[str, int] = defaultdict(int)
    for f in facts:
        for t in f.content:
            df[t] += 1
    n = len(facts)
    idf = {t: math.log((n + 1) / (c + 1)) + 1.0 for t, c in df.items()}
    for f in facts:
        f.weight = math.fsum(idf[t] for t in f.content)
    return idf, df


_EXACT_RUN_CELLS = 40_000  # above this many word pairs, runs are found by hashed n-grams


def longest_run(a: list[str], b: list[str]) -> int:
    """Length of the longest run of words both lists contain in the same order.

    Exact (dynamic programming) for ordinary sentences; for very long ones
    (a text with no full stops) linear: runs of shared ``VERBATIM_RUN``-grams,
    enough to tell a verbatim passage from none."""
    if len(a) * len(b) > _EXACT_RUN_CELLS:
        k = VERBATIM_RUN
        grams = {tuple(b[j : j + k]) for j in range(len(b) - k + 1)}
        best = run = 0
        for i in range(len(a) - k + 1):
            run = run + 1 if tuple(a[i : i + k]) in grams else 0
            best = max(best, run + k - 1 if run else 0)
        return best
    best = 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b):
            if x == y:
                cur[j + 1] = prev[j] + 1
                if cur[j + 1] > best:
                    best = cur[j + 1]
        prev = cur
    return best


def _weighted(a: frozenset[str], b: frozenset[str], idf: dict[str, float]) -> float:
    total = math.fsum(idf.get(t, 1.0) for t in a) + math.fsum(idf.get(t, 1.0) for t in b)
    return 2.0 * math.fsum(idf.get(t, 1.0) for t in a & b) / total if total else 0.0


def _content(fa: Fact, fb: Fact, idf: dict[str, float], drop: frozenset[str] = frozenset()) -> float:
    """Weighted overlap of the two sentences, or of their best clauses."""
    best = _weighted(fa.content - drop, fb.content - drop, idf)
    for ca in fa.clauses or [fa.content]:
        for cb in fb.clauses or [fb.content]:
            if ca is fa.content and cb is fb.content:
                continue
            best = max(best, _weighted(ca - drop, cb - drop, idf))
    return best


def _compatible_speakers(fa: Fact, fb: Fact) -> bool:
    return not fa.speakers or not fb.speakers or bool(fa.speakers & fb.speakers)


def score_facts(fa: Fact, fb: Fact, idf: dict[str, float], threshold: float) -> tuple[float, str] | None:
    """Score and kind of a sentence pair, or None when they are not one fact."""
    if not _compatible_speakers(fa, fb):
        return None  # the same words from two speakers are two statements
    n_a, n_b = len(fa.forms), len(fb.forms)
    run = longest_run(fa.forms, fb.forms)
    # Only a near-identical ratio counts: the cutoff lets rapidfuzz stop early on long texts.
    ratio = fuzz.ratio(fa.norm, fb.norm, score_cutoff=100 * _NEAR_IDENTICAL) / 100.0
    whole = run >= 2 and run >= min(n_a, n_b) and abs(n_a - n_b) <= 1
    verbatim = run >= VERBATIM_RUN or whole or (ratio >= _NEAR_IDENTICAL and min(n_a, n_b) >= VERBATIM_RUN)
    quote = _quote_strength(fa, fb)
    if min(n_a, n_b) < SHORT_WORDS and not (whole or ratio >= _NEAR_IDENTICAL or quote):
        return None  # "God help us." pairs with itself, not with every sentence saying "God"
    differing_numbers = bool(fa.numbers and fb.numbers and not fa.numbers & fb.numbers)
    content = _content(fa, fb, idf, fa.numbers | fb.numbers if differing_numbers else frozenset())
    para = 0.8 * content + 0.2 * _dice(fa.entities, fb.entities) if fa.entities and fb.entities else content
    if para > 0:
        para += _ORDER_WEIGHT * (1.0 - abs(fa.rank - fb.rank))
    # A two-word quote alone could be coincidence; ask for some topical overlap.
    if quote and quote < 0.7 and para < threshold / 2:
        quote = 0.0
    if not (verbatim or quote or para >= threshold):
        return None
    # Character ratios of unrelated sentences sit near 0.4: only a near-identical
    # ratio, like a long run, is evidence of its own.
    shared = run / max(1, min(n_a, n_b)) if verbatim else 0.0
    score = round(min(1.0, max(para, quote, ratio if ratio >= _NEAR_IDENTICAL else 0.0, shared)), 4)
    if fa.denies != fb.denies:
        # A denial repeats what it denies: ask for much more than a loose overlap.
        if not (verbatim or quote or para >= _DENIAL_FACTOR * threshold):
            return None
        return score, KIND_CONTRADICTION
    if differing_numbers:
        return score, KIND_NUMBERS
    if verbatim:
        return score, KIND_VERBATIM
    if quote:
        return score, KIND_QUOTE
    return score, KIND_PARAPHRASE


def fact_candidates(facts: list[Fact], df: dict[str, int]) -> set[tuple[int, int]]:
    """Pairs (across documents) worth scoring: two shared content words that are
    not everywhere in the story (one, for a short sentence), or a quotation."""
    cap = min(60, max(20, int(0.05 * len(facts))))
    postings: dict[str, list[int]] = defaultdict(list)
    for idx, f in enumerate(facts):
        for t in f.content:
            if df[t] <= cap:
                postings[t].append(idx)
        for q in f.quotes:
            postings["\u201c" + " ".join(q.split()[:2])].append(idx)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for members in postings.values():
        for x in range(len(members)):
            fi = facts[members[x]].unit.doc_id
            for y in range(x + 1, len(members)):
                if facts[members[y]].unit.doc_id != fi:
                    shared[(members[x], members[y])] += 1
    out = set()
    for (i, j), c in shared.items():
        if c >= 2 or min(len(facts[i].forms), len(facts[j].forms)) < SHORT_WORDS:
            out.add((i, j))
    return out
