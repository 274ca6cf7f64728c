"""Adjudication: comparing annotators' spans and copying chosen ones into the gold set."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import ConflictError, ReviewError, SpanError
from ..models import Annotation, Relation
from ..store import annotation_row, new_id, now, os_user, relation_row, write_policy
from .queues import GOLD, _store


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


def _gold_writer(target: Any, gold: str, actor: str | None, session_id: str | None,
                 what: str) -> tuple[Any, str, str, str]:
    """(store, actor, session id, login) of a gold write, after the policy allowed it."""
    store = _store(target)
    actor = actor or getattr(target, "annotator", None) or gold
    session_id = session_id if session_id is not None else getattr(target, "session_id", "")
    login = getattr(target, "os_user", None) or os_user()
    policy = write_policy(store)
    for name in dict.fromkeys((gold, actor)):
        policy.check(login, name, what=f"{what} {gold}")
    return store, actor, session_id, login


def copy_to_gold(target: Any, doc_id: int, source: str | Iterable[str], *, gold: str = GOLD,
                 actor: str | None = None, session_id: str | None = None) -> GoldCopy:
    """Accept spans into the gold annotator set, as one undoable step.

    ``source`` is an annotator name (their whole version of the document) or
    annotation ids on that document. Copies get new ids and origin
    ``gold:from:<annotator>``; a span gold already has (same start, end, label)
    is not copied twice. Relations of the source annotator between accepted
    spans are copied too, also when the other end was accepted earlier (in
    this document or another one), so the order of accepting does not matter.

    ``target`` is an ``AnnotationSession`` (the event is logged as its annotator
    and OS user, so its undo reverses the copy, and only that reviewer's undo) or a
    ``Store`` (logged as ``actor``, default the gold name, and this login).
    The database's write policy must let the login write into ``gold``.

    Two reviewers may accept the same span at the same moment: the plan is
    checked again inside the write transaction (a ``write_batch`` guard), and
    made again from what gold holds then if the other got there first.
    """
    store, actor, session_id, login = _gold_writer(target, gold, actor, session_id, "accept spans into")
    if isinstance(source, str):
        if source == gold:
            raise ReviewError(f"{gold!r} is the gold set itself; choose another annotator's version")
        picked = store.annotations(doc_id, source)
    else:
        picked = [_live_on(store, ann_id, doc_id) for ann_id in source]
    for _attempt in range(_GOLD_ATTEMPTS):
        plan = _plan_gold(store, doc_id, picked, gold)
        if not plan.changes:
            return GoldCopy(tuple(plan.created), tuple(plan.existing), tuple(plan.relations), None)
        names = ", ".join(plan.authors) or gold
        try:
            batch = store.write_batch(actor, session_id, plan.changes,
                                      f"accept {len(plan.created)} span(s) from {names} into {gold}",
                                      guard=lambda plan=plan: _still_new(store, plan, gold), os_user=login)
        except _GoldMoved:
            continue  # another reviewer wrote into gold meanwhile: plan again from what is there now
        return GoldCopy(tuple(plan.created), tuple(plan.existing), tuple(plan.relations), batch)
    raise ConflictError(f"{gold} kept changing while accepting into it (other reviewers are busy)",
                        hint="accept again; nothing of this attempt was saved")


# Each retry follows a commit by another reviewer, so a few always suffice in practice.
_GOLD_ATTEMPTS = 5


class _GoldMoved(ConflictError):
    """Raised by the guard: gold got one of the planned spans or links meanwhile."""


@dataclass
class _GoldPlan:
    created: list[Annotation] = field(default_factory=list)
    existing: list[Annotation] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    changes: list[tuple[str, str, dict | None]] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)


def _plan_gold(store: Any, doc_id: int, picked: list[Annotation], gold: str) -> _GoldPlan:
    """What accepting ``picked`` would write, given what gold holds now."""
    plan = _GoldPlan()
    gold_on: dict[int, dict[tuple[int, int, str], Annotation]] = {}

    def gold_span(doc: int, key: tuple[int, int, str]) -> Annotation | None:
        if doc not in gold_on:
            gold_on[doc] = {(g.start, g.end, g.label): g for g in store.annotations(doc, gold)}
        return gold_on[doc].get(key)

    stamp = now()
    mapping: dict[str, Annotation] = {}  # source annotation id -> its gold counterpart
    for a in sorted(picked, key=lambda x: (x.start, x.end, x.label, x.id)):
        key = (a.start, a.end, a.label)
        if a.annotator == gold:
            mapping[a.id] = a
            plan.existing.append(a)
            continue
        found = gold_span(doc_id, key)
        if found is not None:
            mapping[a.id] = found
            if found not in plan.existing:
                plan.existing.append(found)
            continue
        copy = replace(a, id=new_id(), annotator=gold, origin=f"gold:from:{a.annotator}", status="active",
                       created_at=stamp, updated_at=stamp, deleted_at=None)
        gold_on[doc_id][key] = copy
        mapping[a.id] = copy
        plan.created.append(copy)
        plan.changes.append(("annotation", copy.id, annotation_row(copy)))

    plan.authors = sorted({a.annotator for a in picked if a.annotator != gold})
    gold_links = {(r.head_id, r.tail_id, r.type) for r in store.relations(annotator=gold, doc_ids=[doc_id])}
    for author in plan.authors:
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
            plan.relations.append(copy)
            plan.changes.append(("relation", copy.id, relation_row(copy)))
    return plan


def _still_new(store: Any, plan: _GoldPlan, gold: str) -> None:
    """The write_batch guard: inside the transaction (no other writer can commit
    now), gold must still lack every planned span, and every planned link's
    ends must still be live, or the plan is stale."""
    for a in plan.created:
        if store.live_span(a.doc_id, gold, a.start, a.end, a.label) is not None:
            raise _GoldMoved(f"{gold} already has {a.label} {a.start}-{a.end}")
    if not plan.relations:
        return
    docs = sorted({a.doc_id for a in plan.created} | {r.doc_id for r in _ends(store, plan)})
    links = {(r.head_id, r.tail_id, r.type) for r in store.relations(annotator=gold, doc_ids=docs)}
    planned = {a.id for a in plan.created}
    for rel in plan.relations:
        if (rel.head_id, rel.tail_id, rel.type) in links:
            raise _GoldMoved(f"{gold} already links these spans as {rel.type}")
        for end_id in (rel.head_id, rel.tail_id):
            if end_id not in planned and _live(store, end_id) is None:
                raise _GoldMoved(f"a span of {gold} this link needs was removed meanwhile")


def _ends(store: Any, plan: _GoldPlan) -> list[Annotation]:
    planned = {a.id for a in plan.created}
    ids = {i for r in plan.relations for i in (r.head_id, r.tail_id) if i not in planned}
    return [a for a in (_live(store, i) for i in ids) if a is not None]


def _live(store: Any, ann_id: str) -> Annotation | None:
    a = store.annotation(ann_id)
    return a if a is not None and a.deleted_at is None else None


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
    store, actor, session_id, login = _gold_writer(target, gold, actor, session_id, "remove spans from")
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
    return store.write_batch(actor, session_id, changes, f"reject {len(hidden)} span(s) from {gold}",
                             os_user=login)

