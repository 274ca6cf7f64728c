"""Per-annotator review queues: which documents are to do, in progress or done, and where to resume."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

GOLD = "gold"
ALL_LABELS = "ALL"
STATUS_TODO, STATUS_IN_PROGRESS, STATUS_DONE = "todo", "in_progress", "done"
# Statuses that mean "this annotator has looked at the document".
WORKED_STATUSES = (STATUS_IN_PROGRESS, STATUS_DONE)


def _store(source: Any) -> Any:
    return getattr(source, "store", source)




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


