"""What ``diptych train`` learns from: one annotator's live spans per document
of the database (or of one story), as :class:`~tui.core.nlp.training.TrainDoc`.

Sits above the store and nlp (it reads one, feeds the other); spaCy is not imported.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from .errors import TrainingError
from .nlp.training import TrainDoc, TrainSpan
from .store import Store


def annotated_docs(store: Store, annotator: str, story: str | int | None = None) -> list[TrainDoc]:
    """Documents in which ``annotator`` has at least one live span, keyed
    ``doc:<id>`` (so the held-out split is stable while documents are added)."""
    chosen = store.resolve_story(story) if story is not None else None
    docs = {d.id: d for d in store.documents(chosen.id if chosen else None)}
    spans: dict[int, set[TrainSpan]] = defaultdict(set)
    for ann in store.annotations(annotator=annotator, story_id=chosen.id if chosen else None):
        if ann.doc_id in docs and ann.end > ann.start:
            spans[ann.doc_id].add(TrainSpan(ann.start, ann.end, ann.label))
    return [TrainDoc(f"doc:{doc_id}", docs[doc_id].text,
                     tuple(sorted(found, key=lambda s: (s.start, s.end, s.label))))
            for doc_id, found in sorted(spans.items())]


def annotators_with_docs(store: Store) -> list[tuple[str, int]]:
    """(annotator, documents with spans) for everyone who annotated, most first."""
    per = Counter()
    seen = set()
    for ann in store.annotations():
        if (ann.annotator, ann.doc_id) not in seen:
            seen.add((ann.annotator, ann.doc_id))
            per[ann.annotator] += 1
    return sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))


def training_docs(store: Store, annotator: str, story: str | int | None = None,
                  min_docs: int = 2) -> list[TrainDoc]:
    """:func:`annotated_docs`, refused with a :class:`TrainingError` naming who
    has annotated enough when there are fewer than ``min_docs``."""
    docs = annotated_docs(store, annotator, story)
    if len(docs) < min_docs:
        others = ", ".join(f"{name} ({n} document{'s' if n != 1 else ''})"
                           for name, n in annotators_with_docs(store) if name != annotator)
        where = f" in story {story!r}" if story is not None else ""
        raise TrainingError(
            f"{annotator!r} has annotated {len(docs)} document(s){where}; training needs at least {min_docs} "
            "(some to learn from, at least one held out to score on)",
            hint=("annotate more documents first" + (f", or train on another annotator's: --annotator NAME "
                                                      f"(annotated: {others})" if others else "")))
    return docs
