"""Review: per-annotator queues and document status, adjudication into a gold
set, and inter-annotator agreement.

Every function here takes either a ``Store`` or an ``AnnotationSession`` (it
uses ``.store`` when there is one) and never talks to SQLite itself.

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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from .errors import ReviewError, SpanError
from .formats import is_exported
from .models import Annotation, Relation, Story
from .store import annotation_row, new_id, now, relation_row

GOLD = "gold"
ALL_LABELS = "ALL"
STATUS_TODO, STATUS_IN_PROGRESS, STATUS_DONE = "todo", "in_progress", "done"
# Statuses that mean "this annotator has looked at the document".
WORKED_STATUSES = (STATUS_IN_PROGRESS, STATUS_DONE)


def _store(source: Any) -> Any:
    return getattr(source, "store", source)


# ================================================================= queues


@dataclass(frozen=True)
class QueueItem:
    story_id: int
    doc_id: int
    status: str  # "todo" | "in_progress" | "done"
    title: str = ""


@dataclass(frozen=True)
class StoryStatus:
    story_id: int
    title: str
    done: int
    in_progress: int
    total: int
    annotations: int = 0  # this annotator's live annotations in the story

    @property
    def status(self) -> str:
        """``done`` when every document is done, ``todo`` when none was started."""
        if self.total and self.done == self.total:
            return STATUS_DONE
        if self.done or self.in_progress:
            return STATUS_IN_PROGRESS
        return STATUS_TODO


def queue(source: Any, annotator: str, story_id: int | None = None) -> list[QueueItem]:
    """Every document (of one story, or of all in story order) with this annotator's status."""
    store = _store(source)
    statuses = store.doc_statuses(annotator)
    stories = [story_id] if story_id is not None else [s.id for s in store.stories()]
    return [QueueItem(sid, d.id, statuses.get(d.id, STATUS_TODO), d.title)
            for sid in stories for d in store.documents(sid)]


def progress(source: Any, annotator: str | None = None, story_id: int | None = None) -> tuple[int, int]:
    """``(done, total)``: of a queue already built, or of ``queue(source, annotator, story_id)``."""
    items = source if isinstance(source, list) else queue(source, _need(annotator), story_id)
    return sum(1 for i in items if i.status == STATUS_DONE), len(items)


def first_with_work(source: Any, annotator: str | None = None, story_id: int | None = None) -> QueueItem | None:
    """The first document not done: in progress counts as work left. None when all are done."""
    items = source if isinstance(source, list) else queue(source, _need(annotator), story_id)
    return next((i for i in items if i.status != STATUS_DONE), None)


def step(items: Sequence[QueueItem], doc_id: int | None, delta: int = 1, *,
         skip_done: bool = False) -> QueueItem | None:
    """The item ``delta`` places from ``doc_id`` (``]`` is +1, ``[`` is -1); None past either end.

    With ``doc_id`` None (or not in the queue), +1 gives the first item and -1 the last.
    """
    pool = [i for i in items if not skip_done or i.status != STATUS_DONE or i.doc_id == doc_id]
    index = next((n for n, i in enumerate(pool) if i.doc_id == doc_id), None)
    if index is None:
        if not pool:
            return None
        return pool[0] if delta > 0 else pool[-1]
    target = index + delta
    return pool[target] if 0 <= target < len(pool) else None


def story_statuses(source: Any, annotator: str) -> list[StoryStatus]:
    """Per story: how many documents this annotator finished, started and has."""
    return [StoryStatus(r["id"], r["title"], r["done"], r["in_progress"], r["documents"], r["annotations"])
            for r in _store(source).story_counts(annotator)]


def resume_point(source: Any, annotator: str) -> tuple[QueueItem, int] | None:
    """Where to reopen: the saved position (document and offset) if that document
    still exists, else the first document with work left at offset 0."""
    store = _store(source)
    items = queue(store, annotator)
    pos = store.position(annotator)
    if pos is not None:
        for item in items:
            if item.doc_id == pos.get("doc_id"):
                return item, int(pos.get("offset") or 0)
    item = first_with_work(items)
    return (item, 0) if item is not None else None


def _need(annotator: str | None) -> str:
    if annotator is None:
        raise TypeError("annotator is required unless a queue list is given")
    return annotator


# ================================================================= adjudication


@dataclass(frozen=True)
class SpanComparison:
    """One distinct (start, end, label) across the compared annotators.

    ``status``: ``match`` when every compared annotator has exactly this span;
    ``partial`` when some but not all have it, or another annotator has an
    overlapping span with the same label; ``only`` when nobody else has
    anything like it. ``ids`` are the annotation ids, in ``annotators`` order.
    """

    start: int
    end: int
    label: str
    annotators: tuple[str, ...]
    status: str
    ids: tuple[str, ...] = ()
    quote: str = ""


def compare_spans(annotations_by_annotator: Mapping[str, Iterable[Annotation]]) -> list[SpanComparison]:
    """Compare several annotators' spans on one document, ordered by (start, end, label).

    Every key of the mapping is a compared annotator, also one with no spans.
    """
    compared = set(annotations_by_annotator)
    groups: dict[tuple[int, int, str], dict[str, Annotation]] = {}
    for who, anns in annotations_by_annotator.items():
        for a in anns:
            groups.setdefault((a.start, a.end, a.label), {}).setdefault(who, a)
    # For "partial": who has an overlapping same-label span, found by a sweep per label.
    overlapping: dict[tuple[int, int, str], set[str]] = {k: set() for k in groups}
    by_label: dict[str, list[tuple[int, int, str]]] = {}
    for key in groups:
        by_label.setdefault(key[2], []).append(key)
    for keys in by_label.values():
        keys.sort()
        for i, k in enumerate(keys):
            for other in keys[i + 1:]:
                if other[0] >= k[1]:
                    break
                overlapping[k].update(groups[other])
                overlapping[other].update(groups[k])
    out = []
    for key in sorted(groups):
        members = groups[key]
        who = tuple(sorted(members))
        others = overlapping[key] - set(who)
        if len(compared) > 1 and set(who) == compared:
            status = "match"
        elif len(who) > 1 or others:
            status = "partial"
        else:
            status = "only"
        out.append(SpanComparison(key[0], key[1], key[2], who, status, tuple(members[w].id for w in who),
                                  members[who[0]].quote))
    return out


@dataclass(frozen=True)
class GoldCopy:
    created: tuple[Annotation, ...]
    existing: tuple[Annotation, ...]  # already in gold with the same span and label
    relations: tuple[Relation, ...]
    batch: str | None  # the undoable event batch; None when nothing changed


def copy_to_gold(target: Any, doc_id: int, source: str | Iterable[str], *, gold: str = GOLD,
                 actor: str | None = None, session_id: str | None = None) -> GoldCopy:
    """Accept spans into the gold annotator set, as one undoable step.

    ``source`` is an annotator name (their whole version of the document) or
    annotation ids on that document. Copies get new ids and origin
    ``gold:from:<annotator>``; a span gold already has (same start, end, label)
    is not copied twice. Relations of the source annotator between accepted
    spans are copied too, also when the other end was accepted earlier (in
    this document or another one), so the order of accepting does not matter.

    ``target`` is an ``AnnotationSession`` (the event is logged as its annotator,
    so its undo reverses the copy) or a ``Store`` (logged as ``actor``, default
    the gold name).
    """
    store = _store(target)
    actor = actor or getattr(target, "annotator", None) or gold
    session_id = session_id if session_id is not None else getattr(target, "session_id", "")
    if isinstance(source, str):
        if source == gold:
            raise ReviewError(f"{gold!r} is the gold set itself; choose another annotator's version")
        picked = store.annotations(doc_id, source)
    else:
        picked = [_live_on(store, ann_id, doc_id) for ann_id in source]
    gold_on: dict[int, dict[tuple[int, int, str], Annotation]] = {}

    def gold_span(doc: int, key: tuple[int, int, str]) -> Annotation | None:
        if doc not in gold_on:
            gold_on[doc] = {(g.start, g.end, g.label): g for g in store.annotations(doc, gold)}
        return gold_on[doc].get(key)

    stamp = now()
    mapping: dict[str, Annotation] = {}  # source annotation id -> its gold counterpart
    created: list[Annotation] = []
    existing: list[Annotation] = []
    changes: list[tuple[str, str, dict | None]] = []
    for a in sorted(picked, key=lambda x: (x.start, x.end, x.label, x.id)):
        key = (a.start, a.end, a.label)
        if a.annotator == gold:
            mapping[a.id] = a
            existing.append(a)
            continue
        found = gold_span(doc_id, key)
        if found is not None:
            mapping[a.id] = found
            if found not in existing:
                existing.append(found)
            continue
        copy = replace(a, id=new_id(), annotator=gold, origin=f"gold:from:{a.annotator}", status="active",
                       created_at=stamp, updated_at=stamp, deleted_at=None)
        gold_on[doc_id][key] = copy
        mapping[a.id] = copy
        created.append(copy)
        changes.append(("annotation", copy.id, annotation_row(copy)))

    relations: list[Relation] = []
    authors = sorted({a.annotator for a in picked if a.annotator != gold})
    gold_links = {(r.head_id, r.tail_id, r.type) for r in store.relations(annotator=gold, doc_ids=[doc_id])}
    for author in authors:
        for rel in store.relations(annotator=author, doc_ids=[doc_id]):
            if rel.head_id not in mapping and rel.tail_id not in mapping:
                continue
            ends = [mapping.get(rel.head_id) or _gold_twin(store, rel.head_id, gold_span),
                    mapping.get(rel.tail_id) or _gold_twin(store, rel.tail_id, gold_span)]
            if ends[0] is None or ends[1] is None:
                continue  # the other end is not in gold (yet): accepting it later links them
            link = (ends[0].id, ends[1].id, rel.type)
            if link in gold_links:
                continue
            gold_links.add(link)
            copy = Relation(id=new_id(), head_id=link[0], tail_id=link[1], type=rel.type, annotator=gold,
                            attrs=dict(rel.attrs), created_at=stamp)
            relations.append(copy)
            changes.append(("relation", copy.id, relation_row(copy)))
    batch = None
    if changes:
        names = ", ".join(authors) or gold
        batch = store.write_batch(actor, session_id, changes,
                                  f"accept {len(created)} span(s) from {names} into {gold}")
    return GoldCopy(tuple(created), tuple(existing), tuple(relations), batch)


def _live_on(store: Any, ann_id: str, doc_id: int) -> Annotation:
    a = store.annotation(ann_id)
    if a is None or a.deleted_at is not None:
        raise SpanError(f"annotation {ann_id} no longer exists", hint="reload the comparison")
    if a.doc_id != doc_id:
        raise SpanError(f"annotation {ann_id} is on document {a.doc_id}, not {doc_id}")
    return a


def _gold_twin(store: Any, ann_id: str, gold_span: Any) -> Annotation | None:
    a = store.annotation(ann_id)
    if a is None or a.deleted_at is not None:
        return None
    return gold_span(a.doc_id, (a.start, a.end, a.label))


def remove_from_gold(target: Any, ann_ids: Iterable[str], *, gold: str = GOLD, actor: str | None = None,
                     session_id: str | None = None) -> str | None:
    """Reject spans already in gold: hide them and their relations, as one undoable step."""
    store = _store(target)
    actor = actor or getattr(target, "annotator", None) or gold
    session_id = session_id if session_id is not None else getattr(target, "session_id", "")
    stamp = now()
    changes: list[tuple[str, str, dict | None]] = []
    hidden: set[str] = set()
    docs: set[int] = set()
    for ann_id in ann_ids:
        a = store.annotation(ann_id)
        if a is None or a.deleted_at is not None or ann_id in hidden:
            continue
        if a.annotator != gold:
            raise SpanError(f"annotation {ann_id} belongs to {a.annotator}, not to {gold}",
                            hint="only spans in the gold set can be removed from it")
        hidden.add(ann_id)
        docs.add(a.doc_id)
        changes.append(("annotation", ann_id, annotation_row(replace(a, deleted_at=stamp, updated_at=stamp))))
    if not changes:
        return None
    for rel in store.relations(annotator=gold, doc_ids=sorted(docs)):
        if rel.head_id in hidden or rel.tail_id in hidden:
            changes.append(("relation", rel.id, relation_row(replace(rel, deleted_at=stamp))))
    return store.write_batch(actor, session_id, changes, f"reject {len(hidden)} span(s) from {gold}")


# ================================================================= agreement


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
    from .formats.tokens import make_doc  # lazy: spaCy only when agreement runs

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


__all__ = [
    "ALL_LABELS", "GOLD", "GoldCopy", "PairAgreement", "QueueItem", "ReviewError", "SpanComparison", "StoryStatus",
    "agreement", "agreement_table", "cohen_kappa", "compare_spans", "copy_to_gold", "f1", "first_with_work",
    "progress", "queue", "remove_from_gold", "resume_point", "span_f1", "step", "story_statuses", "token_marks",
]
