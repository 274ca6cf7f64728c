"""Words as the aligner compares them: folded, stemmed, with their spans; and the
word-level difference of two aligned sentences."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves said says say told according one two many
    much may might must shall ve ll re s t d m o
    """.split()
)

_WORD = re.compile(r"\w+(?:['\u2019]\w+)*")


# --------------------------------------------------------------------------- text helpers


def _fold(word: str) -> str:
    """Lower-case, one apostrophe, no possessive: the form words are compared in."""
    w = word.lower().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return w


@lru_cache(maxsize=1 << 16)
def _stem(w: str) -> str:
    """A deliberately crude suffix stripper: enough to meet number/tense variants."""
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 5 and w.endswith("ing"):
        return w[:-3]
    if len(w) > 4 and w.endswith("ed"):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def _words(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """Words of ``text[start:end]`` as (abs_start, abs_end, folded form)."""
    end = len(text) if end is None else end
    return [(m.start(), m.end(), _fold(m.group())) for m in _WORD.finditer(text, start, end)]


def _normalise(text: str) -> str:
    """Letters and digits only, lower case, single spaces: for character ratios."""
    return " ".join(_fold(m.group()) for m in _WORD.finditer(text))


# --------------------------------------------------------------------------- word diff


def word_diff(
    text_a: str, span_a: tuple[int, int], text_b: str, span_b: tuple[int, int]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Words of ``text_a[span_a]`` not in ``text_b[span_b]`` and the reverse, as
    absolute ``(start, end)`` spans (adjacent differing words merged).

    Words are compared folded (case, apostrophes, possessives); a word that only
    moved (deleted here, inserted there) is not a difference, since outlets
    reorder clauses."""
    wa, wb = _words(text_a, *span_a), _words(text_b, *span_b)
    only_a: list[int] = []
    only_b: list[int] = []
    for op in Levenshtein.opcodes([f for _, _, f in wa], [f for _, _, f in wb]):
        if op.tag in ("replace", "delete"):
            only_a.extend(range(op.src_start, op.src_end))
        if op.tag in ("replace", "insert"):
            only_b.extend(range(op.dest_start, op.dest_end))
    # Moved words: present among the differences of both sides.
    pool: dict[str, int] = defaultdict(int)
    for i in only_b:
        pool[wb[i][2]] += 1
    moved_a: set[int] = set()
    for i in only_a:
        if pool[wa[i][2]] > 0:
            pool[wa[i][2]] -= 1
            moved_a.add(i)
    pool = defaultdict(int)
    for i in moved_a:
        pool[wa[i][2]] += 1
    moved_b: set[int] = set()
    for i in only_b:
        if pool[wb[i][2]] > 0:
            pool[wb[i][2]] -= 1
            moved_b.add(i)
    return (
        _merge_runs(wa, [i for i in only_a if i not in moved_a]),
        _merge_runs(wb, [i for i in only_b if i not in moved_b]),
    )


def _merge_runs(words: list[tuple[int, int, str]], indices: list[int]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    last = -2
    for i in sorted(indices):
        s, e, _ = words[i]
        if spans and i == last + 1:
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
        last = i
    return spans
