"""Which token spans the trained span categoriser looks at.

spaCy's stock n-gram suggester only proposes short spans, but a CLAIM is a
clause of ten to fifty words. Scoring every span up to that length would be
thousands per sentence, so the candidates are: every n-gram up to
``max_short`` tokens (names, "the paper", short motives), plus every span
inside one sentence that starts and ends at a clause edge (the sentence's
edges, punctuation, quote marks, "that", "because", "to", ...), up to
``max_long`` tokens. A reported clause almost always begins and ends at such
an edge, so few real spans are lost; :func:`coverage` says how many.

Sentence edges are found from the tokens themselves (., !, ? and line
breaks), never from a parser, so training (on bare tokenised docs) and
suggesting see the same candidates.

spaCy is imported lazily; :func:`register` must run before a pipeline using
the suggester is built or loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

SUGGESTER = "diptych.clause_spans.v1"

# Words after which a clause may start (the span starts at the next token).
_OPENERS = frozenset({
    "that", "whether", "if", "because", "since", "as", "so", "to", "for", "of", "by", "and", "but",
    "while", "although", "though", "said", "says", "told", "added", "according", "when", "after",
    "in", "fearing", "amid",
})
_SENTENCE_END = frozenset({".", "!", "?"})


def _sentences(words: list[str]) -> list[tuple[int, int]]:
    """(start, end) token ranges split at ., !, ? and line breaks."""
    out, start = [], 0
    for i, w in enumerate(words):
        if i < start:
            continue  # a closing quote already taken into the previous sentence
        if w in _SENTENCE_END or "\n" in w:
            # A closing quote right after the full stop stays in the sentence.
            end = i + 1
            while end < len(words) and words[end] in ("”", "\"", "’", "'", ")"):
                end += 1
            if end > start:
                out.append((start, end))
            start = end
    if start < len(words):
        out.append((start, len(words)))
    return out


def candidate_spans(words: list[str], *, max_short: int = 6, max_long: int = 60) -> list[tuple[int, int]]:
    """(start, end) token spans, sorted and unique, for one doc's token texts."""
    n = len(words)
    found: set[tuple[int, int]] = set()
    blank = [w.strip() == "" for w in words]
    for i in range(n):
        if blank[i]:
            continue
        for length in range(1, max_short + 1):
            if i + length > n or blank[i + length - 1]:
                break
            found.add((i, i + length))
    for a, b in _sentences(words):
        starts, ends = {a}, {b}
        for i in range(a, b):
            w = words[i]
            if not w[:1].isalnum():
                starts.update((i, i + 1))
                ends.update((i, i + 1))
            elif w.lower() in _OPENERS:
                # "in order to ...", "because ...": a motive starts at the word, a claim after it.
                starts.update((i, i + 1))
                ends.add(i)
            elif w.endswith(".") and len(w) > 1:
                # "ISIS-K." is one token: a full stop the sentence split cannot see.
                starts.add(i + 1)
                ends.add(i + 1)
        starts = sorted(s for s in starts if a <= s < b and not blank[s])
        ends = sorted(e for e in ends if a < e <= b and not blank[e - 1])
        for s in starts:
            for e in ends:
                if s < e <= s + max_long:
                    found.add((s, e))
    return sorted(found)


def coverage(words: list[str], gold: Iterable[tuple[int, int]], **limits: int) -> tuple[int, int]:
    """(covered, total): how many of the gold token spans are candidates."""
    cands = set(candidate_spans(words, **limits))
    gold = list(gold)
    return sum(1 for g in gold if g in cands), len(gold)


def register() -> None:
    """Register the suggester with spaCy's registry (idempotent)."""
    from spacy.util import registry

    if SUGGESTER in registry.misc.get_all():
        return

    @registry.misc(SUGGESTER)
    def make_clause_suggester(max_short: int = 6, max_long: int = 60) -> Any:
        def suggest(docs: Iterable[Any], *, ops: Any = None) -> Any:
            import numpy
            from thinc.api import get_current_ops
            from thinc.types import Ragged

            ops = ops or get_current_ops()
            spans: list[list[tuple[int, int]]] = []
            lengths = []
            for doc in docs:
                cands = candidate_spans([t.text for t in doc], max_short=max_short, max_long=max_long)
                spans.append(cands)
                lengths.append(len(cands))
            flat = [pair for doc_spans in spans for pair in doc_spans]
            data = numpy.asarray(flat, dtype="i") if flat else numpy.zeros((0, 2), dtype="i")
            return Ragged(ops.asarray(data, dtype="i"), ops.asarray(lengths, dtype="i"))

        return suggest
