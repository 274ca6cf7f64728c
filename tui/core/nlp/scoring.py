"""How good a suggester is: precision and recall of its spans against an
annotator's, per suggester and label, exact and by overlap; and of its
attribution pairs against the annotator's ``attributed_to`` links.

Pure functions on plain tuples, so ``diptych suggest --evaluate`` (spans from
the database) and ``bench/bench_suggest_quality.py`` (spans from a JSONL
file) score alike.

Matching: *exact* means the same document, label, start and end. *Overlap*
means the same document and label and a shared stretch at least half as long
as the longer of the two spans (so a one-word suggestion inside a long claim
does not count, and neither does a claim that runs on to twice its length).
Precision counts suggested spans that match some reference span; recall counts
reference spans that some suggested span matches.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any, Callable, Hashable, Iterable

from ..models import LAYER_ATTRIBUTION, Suggestion

OVERLAP = 0.5
ANY_SUGGESTER = "(any)"  # every suggester's spans together
PAIRS = "CLAIM→SOURCE"  # the label of the attribution-pair rows

# (document key, start, end, label)
SpanKey = tuple[Hashable, int, int, str]
# (document key, (claim start, claim end), (source start, source end))
PairKey = tuple[Hashable, tuple[int, int], tuple[int, int]]


def overlaps(a: tuple[int, int], b: tuple[int, int], ratio: float = OVERLAP) -> bool:
    shared = min(a[1], b[1]) - max(a[0], b[0])
    longest = max(a[1] - a[0], b[1] - b[0])
    return shared > 0 and longest > 0 and shared / longest >= ratio


@dataclass(frozen=True)
class Score:
    suggester: str
    label: str
    suggested: int
    reference: int
    exact_found: int  # suggested spans matching a reference span exactly
    exact_recalled: int  # reference spans matched exactly
    overlap_found: int
    overlap_recalled: int

    @staticmethod
    def _ratio(n: int, d: int) -> float | None:
        return n / d if d else None

    @property
    def precision(self) -> float | None:
        return self._ratio(self.exact_found, self.suggested)

    @property
    def recall(self) -> float | None:
        return self._ratio(self.exact_recalled, self.reference)

    @property
    def precision_overlap(self) -> float | None:
        return self._ratio(self.overlap_found, self.suggested)

    @property
    def recall_overlap(self) -> float | None:
        return self._ratio(self.overlap_recalled, self.reference)

    def as_dict(self) -> dict:
        out = asdict(self)
        out.update(precision=self.precision, recall=self.recall, precision_overlap=self.precision_overlap,
                   recall_overlap=self.recall_overlap)
        return out


def _match(suggested: list, reference: list, near: Callable[[Any, Any], bool] | None) -> tuple[int, int]:
    """(suggested items found in the reference, reference items recalled): equal
    items when ``near`` is None, else items for which ``near`` holds."""
    if near is None:
        ref = set(reference)
        sug = set(suggested)
        return sum(1 for s in suggested if s in ref), sum(1 for r in reference if r in sug)
    found = sum(1 for s in suggested if any(near(s, r) for r in reference))
    recalled = sum(1 for r in reference if any(near(s, r) for s in suggested))
    return found, recalled


def _score(name: str, label: str, suggested: Iterable[tuple], reference: Iterable[tuple],
           near: Callable[[Any, Any], bool] = overlaps) -> Score:
    """Counts over documents: the tuples are (doc, item); ``near`` is the overlap test."""
    by_doc_s: dict[Hashable, list] = defaultdict(list)
    by_doc_r: dict[Hashable, list] = defaultdict(list)
    for doc, item in suggested:
        by_doc_s[doc].append(item)
    for doc, item in reference:
        by_doc_r[doc].append(item)
    counts = [0, 0, 0, 0]
    for doc in set(by_doc_s) | set(by_doc_r):
        s, r = sorted(set(by_doc_s[doc])), sorted(set(by_doc_r[doc]))
        for k, v in enumerate((*_match(s, r, None), *_match(s, r, near))):
            counts[k] += v
    n_s = sum(len(set(v)) for v in by_doc_s.values())
    n_r = sum(len(set(v)) for v in by_doc_r.values())
    return Score(name, label, n_s, n_r, *counts)


def score_spans(reference: Iterable[SpanKey], suggested: dict[str, Iterable[SpanKey]], *,
                labels: Iterable[str] | None = None) -> list[Score]:
    """One Score per (suggester, label) that either side has, plus the
    :data:`ANY_SUGGESTER` rows (all suggesters' spans together), sorted."""
    ref_by_label: dict[str, list] = defaultdict(list)
    for doc, a, b, label in reference:
        ref_by_label[label].append((doc, (a, b)))
    wanted = set(labels) if labels is not None else None
    out: list[Score] = []
    union: dict[str, list] = defaultdict(list)
    for name in sorted(suggested):
        by_label: dict[str, list] = defaultdict(list)
        for doc, a, b, label in suggested[name]:
            by_label[label].append((doc, (a, b)))
            union[label].append((doc, (a, b)))
        for label in sorted(by_label):
            if wanted is None or label in wanted:
                out.append(_score(name, label, by_label[label], ref_by_label.get(label, [])))
    for label in sorted(set(union) | set(ref_by_label)):
        if wanted is None or label in wanted:
            out.append(_score(ANY_SUGGESTER, label, union.get(label, []), ref_by_label.get(label, [])))
    return out


def score_pairs(reference: Iterable[PairKey], suggested: dict[str, Iterable[PairKey]]) -> list[Score]:
    """Attribution pairs: a suggested (claim, source) pair matches a reference
    link when both ends match (exactly, or each by overlap)."""
    ref = [(doc, (c, s)) for doc, c, s in reference]
    return [_score(name, PAIRS, [(doc, (c, s)) for doc, c, s in suggested[name]], ref, near=_pair_overlaps)
            for name in sorted(suggested)]


def _pair_overlaps(p: tuple, q: tuple) -> bool:
    return overlaps(p[0], q[0]) and overlaps(p[1], q[1])


def suggested_pairs(doc: Hashable, suggestions: Iterable[Suggestion]) -> dict[str, list[PairKey]]:
    """(claim, source) pairs of the attribution groups, per suggester."""
    groups: dict[tuple[str, str], list[Suggestion]] = defaultdict(list)
    for s in suggestions:
        if s.group and s.layer == LAYER_ATTRIBUTION:
            groups[(s.suggester, s.group)].append(s)
    out: dict[str, list[PairKey]] = defaultdict(list)
    for (name, _), members in sorted(groups.items()):
        claims = [m for m in members if m.role == "head" and m.label == "CLAIM"]
        sources = [m for m in members if m.role == "tail" and m.label == "SOURCE"]
        for c in claims:
            for s in sources:
                out[name].append((doc, (c.start, c.end), (s.start, s.end)))
    return out


def spans_of(doc: Hashable, suggestions: Iterable[Suggestion]) -> dict[str, list[SpanKey]]:
    """Suggested spans per suggester."""
    out: dict[str, list[SpanKey]] = defaultdict(list)
    for s in suggestions:
        out[s.suggester].append((doc, s.start, s.end, s.label))
    return out


def merge_by_suggester(parts: Iterable[dict[str, list]]) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for part in parts:
        for name, items in part.items():
            out[name].extend(items)
    return dict(out)


def format_table(scores: list[Score]) -> list[str]:
    """Plain-text table lines: suggester, label, counts, P/R exact and overlap."""
    def pct(x: float | None) -> str:
        return "   –" if x is None else f"{100 * x:3.0f}%"

    header = ("suggester", "label", "sugg", "ref", "P exact", "R exact", "P ≥50%", "R ≥50%")
    rows = [(s.suggester, s.label, str(s.suggested), str(s.reference), pct(s.precision), pct(s.recall),
             pct(s.precision_overlap), pct(s.recall_overlap)) for s in scores]
    widths = [max(len(r[k]) for r in (header, *rows)) for k in range(len(header))]
    lines = []
    for r in (header, *rows):
        lines.append("  ".join(c.ljust(w) if k < 2 else c.rjust(w) for k, (c, w) in enumerate(zip(r, widths))))
    return lines
