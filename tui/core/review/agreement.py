"""Inter-annotator agreement.

Agreement, as ``diptych agreement`` prints it, for each pair of annotators and
each label, over the documents both of them worked on (a document counts for
an annotator who has a live annotation on it or marked it in progress / done):

- exact span F1: a span matches when the other has the same start, end and
  label; P = matched / |B|, R = matched / |A|, F1 = 2PR / (P + R)
  (= 2 matched / (|A| + |B|));
- overlapping span F1: a span of A counts as found when some span of B with
  the same label shares at least one character (and vice versa);
  P = B spans found / |B|, R = A spans found / |A|, F1 = 2PR / (P + R);
- Cohen's kappa on tokens: every non-space token of spaCy's English tokenizer
  is, for each annotator, in or out of a span of that label (in = shares a
  character); kappa = (po - pe) / (1 - pe).

The ``ALL`` row pools the labels: spans must match in label too, and the kappa
is over (token, label) items. A figure is ``None`` where it is undefined (no
spans on either side; kappa when both annotators are constant).
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ..errors import ReviewError
from ..formats import is_exported
from ..models import Annotation, Story
from .queues import ALL_LABELS, WORKED_STATUSES, _store


@dataclass(frozen=True)
class PairAgreement:
    a: str
    b: str
    label: str  # a label, or ALL_LABELS for all labels pooled
    documents: int  # documents both annotators worked on
    spans_a: int
    spans_b: int
    exact_matches: int
    exact_f1: float | None
    overlap_f1: float | None
    kappa: float | None
    tokens: int  # non-space tokens compared (per label)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def f1(precision_num: int, precision_den: int, recall_num: int, recall_den: int) -> float | None:
    """Harmonic mean of P = pn/pd and R = rn/rd; None when neither side has spans."""
    if precision_den == 0 and recall_den == 0:
        return None
    p = precision_num / precision_den if precision_den else 0.0
    r = recall_num / recall_den if recall_den else 0.0
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def span_f1(spans_a: Iterable[tuple], spans_b: Iterable[tuple], *, overlap: bool = False) -> float | None:
    """F1 between two annotators' spans of one label, as ``(doc, start, end)`` tuples."""
    a, b = list(spans_a), list(spans_b)
    if not overlap:
        m = sum((Counter(a) & Counter(b)).values())
        return f1(m, len(b), m, len(a))
    found_a = sum(1 for s in a if any(_overlaps(s, t) for t in b))
    found_b = sum(1 for t in b if any(_overlaps(t, s) for s in a))
    return f1(found_b, len(b), found_a, len(a))


def _overlaps(s: tuple, t: tuple) -> bool:
    return s[0] == t[0] and s[1] < t[2] and t[1] < s[2]


def cohen_kappa(both: int, only_a: int, only_b: int, neither: int) -> float | None:
    """Cohen's kappa of two binary raters from their 2x2 table; None if undefined."""
    n = both + only_a + only_b + neither
    if n == 0:
        return None
    po = (both + neither) / n
    pa, pb = (both + only_a) / n, (both + only_b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    if pe >= 1.0:
        return None  # both annotators constant: no chance correction possible
    return (po - pe) / (1 - pe)


def token_marks(tokens: Sequence[tuple[int, int]], spans: Iterable[tuple[int, int]]) -> list[bool]:
    """For each token ``(start, end)``, whether any span shares a character with it."""
    marks = [False] * len(tokens)
    starts = [t[0] for t in tokens]
    for s, e in spans:
        # tokens with start < e and end > s
        hi = bisect_left(starts, e)
        lo = max(bisect_right(starts, s) - 1, 0)
        for i in range(lo, hi):
            if tokens[i][1] > s:
                marks[i] = True
    return marks


def _word_tokens(text: str) -> list[tuple[int, int]]:
    from ..formats.tokens import make_doc  # lazy: spaCy only when agreement runs

    from spacy.attrs import IDX, IS_SPACE, LENGTH

    doc = make_doc(text)
    if not len(doc):
        return []
    return [(i, i + n) for i, n, space in doc.to_array([IDX, LENGTH, IS_SPACE]).tolist() if not space]


@dataclass
class _Tally:
    documents: int = 0
    spans_a: int = 0
    spans_b: int = 0
    exact: int = 0
    found_a: int = 0
    found_b: int = 0
    both: int = 0
    only_a: int = 0
    only_b: int = 0
    neither: int = 0

    @property
    def tokens(self) -> int:
        return self.both + self.only_a + self.only_b + self.neither

    def add(self, other: "_Tally") -> None:
        for k in ("spans_a", "spans_b", "exact", "found_a", "found_b", "both", "only_a", "only_b", "neither"):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def result(self, a: str, b: str, label: str, documents: int) -> PairAgreement:
        return PairAgreement(
            a, b, label, documents, self.spans_a, self.spans_b, self.exact,
            f1(self.exact, self.spans_b, self.exact, self.spans_a),
            f1(self.found_b, self.spans_b, self.found_a, self.spans_a),
            cohen_kappa(self.both, self.only_a, self.only_b, self.neither), self.tokens)


def agreement(source: Any, *, annotators: Sequence[str] | None = None, story: Story | None = None,
              labels: Sequence[str] | None = None) -> list[PairAgreement]:
    """Pairwise, per-label agreement (see the module docstring), ordered by pair, label, ALL last."""
    store = _store(source)
    known = store.annotators()
    if annotators:
        chosen = list(dict.fromkeys(annotators))
        unknown = [a for a in chosen if a not in known]
        if unknown:
            raise ReviewError(f"no annotations by {', '.join(unknown)}",
                              hint=f"annotators with annotations: {', '.join(known) or 'none yet'}")
    else:
        chosen = list(known)
    statuses = {who: store.doc_statuses(who) for who in chosen}
    stories = [story] if story is not None else store.stories()
    tallies: dict[tuple[str, str, str], _Tally] = {}
    shared_docs: Counter[tuple[str, str]] = Counter()
    pair_tokens: Counter[tuple[str, str]] = Counter()
    worked_any: set[str] = set()
    seen_labels: set[str] = set()
    for st in stories:
        for doc in store.documents(st.id):
            spans: dict[str, list[Annotation]] = {w: [] for w in chosen}
            for a in store.annotations(doc_id=doc.id):
                if a.annotator in spans and is_exported(a):
                    spans[a.annotator].append(a)
            worked = [w for w in chosen if spans[w] or statuses[w].get(doc.id) in WORKED_STATUSES]
            worked_any.update(worked)
            if len(worked) < 2:
                continue
            doc_labels = {a.label for w in worked for a in spans[w]}
            seen_labels |= doc_labels
            wanted = list(labels) if labels else sorted(doc_labels)
            tokens = _word_tokens(doc.text)
            for a, b in itertools.combinations(worked, 2):
                pair = tuple(sorted((a, b)))
                shared_docs[pair] += 1
                pair_tokens[pair] += len(tokens)
                for label in wanted:
                    tally = _doc_tally(tokens, spans[pair[0]], spans[pair[1]], label, doc.id)
                    tallies.setdefault((pair[0], pair[1], label), _Tally()).add(tally)
    if not annotators:
        chosen = [w for w in chosen if w in worked_any]
    if len(chosen) < 2:
        where = f" in story “{story.title}”" if story is not None else ""
        raise ReviewError(f"agreement needs two annotators who worked on the same documents{where}; "
                          f"found {', '.join(chosen) or 'none'}",
                          hint="pass --annotators A B, or annotate (or mark done) with a second annotator")
    label_list = list(labels) if labels else sorted(seen_labels)
    out: list[PairAgreement] = []
    for a, b in itertools.combinations(sorted(chosen), 2):
        docs = shared_docs[(a, b)]
        pooled = _Tally()
        for label in label_list:
            tally = tallies.get((a, b, label), _Tally())
            # Documents where neither used this label were not tallied for it:
            # all their tokens are agreed "outside".
            tally.neither += pair_tokens[(a, b)] - tally.tokens
            pooled.add(tally)
            out.append(tally.result(a, b, label, docs))
        out.append(pooled.result(a, b, ALL_LABELS, docs))
    return out


def _doc_tally(tokens: Sequence[tuple[int, int]], anns_a: list[Annotation], anns_b: list[Annotation],
               label: str, doc_id: int) -> _Tally:
    a = [(doc_id, x.start, x.end) for x in anns_a if x.label == label]
    b = [(doc_id, x.start, x.end) for x in anns_b if x.label == label]
    t = _Tally(spans_a=len(a), spans_b=len(b))
    t.exact = sum((Counter(a) & Counter(b)).values())
    t.found_a = sum(1 for s in a if any(_overlaps(s, o) for o in b))
    t.found_b = sum(1 for s in b if any(_overlaps(s, o) for o in a))
    ma = token_marks(tokens, [(s[1], s[2]) for s in a])
    mb = token_marks(tokens, [(s[1], s[2]) for s in b])
    for x, y in zip(ma, mb):
        if x and y:
            t.both += 1
        elif x:
            t.only_a += 1
        elif y:
            t.only_b += 1
        else:
            t.neither += 1
    return t


def agreement_table(results: Sequence[PairAgreement]) -> str:
    """Plain-text table (no markup: annotator and label names are shown as given)."""
    header = ("A", "B", "label", "docs", "spans A", "spans B", "exact", "exact F1", "overlap F1", "kappa", "tokens")
    rows = [header]
    for r in results:
        rows.append((r.a, r.b, r.label, str(r.documents), str(r.spans_a), str(r.spans_b), str(r.exact_matches),
                     _fmt(r.exact_f1), _fmt(r.overlap_f1), _fmt(r.kappa), str(r.tokens)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    numeric = set(range(3, len(header)))
    lines = []
    for n, row in enumerate(rows):
        cells = [c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"

