"""Quote selectors, and finding a span again in a text that changed.

A span is stored with a W3C TextQuoteSelector (its exact text and some context);
when a record meets a text that differs from the one it was made on (a flat or
W3C import), ``reanchor`` places it by that quote, or says it cannot.
Plain Python; rapidfuzz is imported only for the fuzzy last resort.
"""

from __future__ import annotations

from .text import Span, _trim


def make_selector(text: str, start: int, end: int, context: int = 32) -> dict[str, str]:
    """A W3C TextQuoteSelector: the exact quote plus up to ``context`` code
    points either side."""
    return {
        "exact": text[start:end],
        "prefix": text[max(0, start - context) : start],
        "suffix": text[end : end + context],
    }


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """How many code points of prefix (read backwards) and suffix (forwards)
    agree with the text around ``[start, end)``."""
    score = 0
    for a, b in zip(reversed(text[max(0, start - len(prefix)) : start]), reversed(prefix)):
        if a != b:
            break
        score += 1
    for a, b in zip(text[end : end + len(suffix)], suffix):
        if a != b:
            break
        score += 1
    return score


def _unique_best(candidates: list[tuple[int, int]], old_start: int) -> int | None:
    """Index of the candidate closest to ``old_start``, or None on a tie."""
    distances = sorted((abs(s - old_start), i) for i, (s, _e) in enumerate(candidates))
    if len(distances) > 1 and distances[0][0] == distances[1][0]:
        return None
    return distances[0][1]


FUZZY_THRESHOLD = 90.0


def reanchor(new_text: str, selector: dict[str, str], old_start: int, old_end: int) -> Span | None:
    """Place a quote selector in ``new_text``; None rather than a wrong place.

    Tried in order: the exact quote at the old offsets; the only occurrence of
    the exact quote; among several occurrences, those whose prefix/suffix agree
    best (more than half the stored context must agree), then the one nearest
    the old offset (a tie gives None); finally a fuzzy match (rapidfuzz partial ratio >=
    ``FUZZY_THRESHOLD``) in a window around the old offset, refused when a
    second, distinct place in the window matches as well.
    """
    exact = selector.get("exact", "")
    prefix = selector.get("prefix", "")
    suffix = selector.get("suffix", "")
    if not exact:
        return None
    if new_text[old_start:old_end] == exact:
        return old_start, old_end

    hits = []
    pos = new_text.find(exact)
    while pos >= 0:
        hits.append((pos, pos + len(exact)))
        pos = new_text.find(exact, pos + 1)
    if len(hits) == 1:
        return hits[0]
    if hits:
        scores = [_context_score(new_text, s, e, prefix, suffix) for s, e in hits]
        best = max(scores)
        # A stray matching space is no evidence: more than half the stored
        # context must agree before one copy is preferred to another.
        if best == 0 or best <= (len(prefix) + len(suffix)) / 2:
            return None
        top = [h for h, sc in zip(hits, scores) if sc == best]
        if len(top) == 1:
            return top[0]
        i = _unique_best(top, old_start)
        return None if i is None else top[i]
    return _fuzzy(new_text, exact, prefix, suffix, old_start)


def _fuzzy(new_text: str, exact: str, prefix: str, suffix: str, old_start: int) -> Span | None:
    from rapidfuzz import fuzz

    if len(exact) < 4:
        return None  # too short for a similarity score to mean anything
    margin = 2 * len(exact) + 256
    lo = max(0, old_start - margin)
    hi = min(len(new_text), old_start + len(exact) + margin)
    window = new_text[lo:hi]
    if len(window) < len(exact) // 2:
        return None
    first = fuzz.partial_ratio_alignment(exact, window, score_cutoff=FUZZY_THRESHOLD)
    if first is None:
        return None
    found = [(lo + first.dest_start, lo + first.dest_end)]
    # Blank out the first place and look again: a second good place means the
    # quote is ambiguous unless its context settles it.
    masked = window[: first.dest_start] + "\0" * (first.dest_end - first.dest_start) + window[first.dest_end :]
    second = fuzz.partial_ratio_alignment(exact, masked, score_cutoff=FUZZY_THRESHOLD)
    if second is not None:
        other = (lo + second.dest_start, lo + second.dest_end)
        if other[0] < found[0][1] and found[0][0] < other[1]:
            second = None
        else:
            found.append(other)
    if len(found) > 1:
        scores = [_context_score(new_text, s, e, prefix, suffix) for s, e in found]
        if scores[0] == scores[1]:
            return None
        found = [found[scores.index(max(scores))]]
    s, e = _trim(new_text, *found[0])
    return (s, e) if s < e else None
