"""What every format writes from: one Record per (document, annotator), read from the
store in a stable order, with its spans and the relations that leave them."""

from __future__ import annotations

import contextlib
import json
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..models import Annotation, Document, Relation, Story
from .tokens import TokenIndex

# Relations are fetched per story in chunks of documents: each id is bound twice
# (head or tail), and SQLite allows 32766 bound parameters.
_DOC_ID_CHUNK = 10000

Progress = Callable[[int, int], None]


def dumps(obj: Any, *, ascii_only: bool = False) -> str:
    """One JSONL line as the contract wants it (no newline). ``ascii_only``
    escapes every non-ASCII character: the same data, safe to show on a
    terminal (DEL, C1 controls and bidi overrides in articles stay inert)."""
    return json.dumps(obj, ensure_ascii=ascii_only, sort_keys=True)


@dataclass(frozen=True)
class LinkedRelation:
    relation: Relation
    head: Annotation
    tail: Annotation
    # The tail's document when it is not the head's (same_as / contradicts across articles).
    tail_doc: Document | None = None


@dataclass(frozen=True)
class Record:
    """One (document, annotator) pair with live annotations: one Prodigy line."""

    document: Document
    story: str
    annotator: str
    spans: tuple[Annotation, ...]
    relations: tuple[LinkedRelation, ...]


@dataclass(frozen=True)
class SpanProblem:
    """A span whose characters do not start and end on spaCy token boundaries."""

    doc_id: int
    title: str
    annotator: str
    ann_id: str
    label: str
    start: int
    end: int
    quote: str

    def describe(self) -> str:
        """One line for a terminal: article text shown safely (no control characters)."""
        from ..text import display_text

        quote = " ".join(self.quote.split())
        if len(quote) > 60:
            quote = quote[:59] + "…"
        title = f" “{display_text(self.title, keep_newlines=False)}”" if self.title else ""
        return (f"doc {self.doc_id}{title}, {display_text(self.annotator, keep_newlines=False)}, "
                f"{display_text(self.label, keep_newlines=False)} {self.start}-{self.end}: "
                f"“{display_text(quote, keep_newlines=False)}”")


@dataclass
class ExportStats:
    format: str
    documents: int = 0  # documents visited
    records: int = 0  # lines written (flat: one per span) or Docs in the DocBin
    spans: int = 0
    relations: int = 0
    # Spans off token boundaries. prodigy: kept, token indices expanded; spacy: left out.
    misaligned: list[SpanProblem] = field(default_factory=list)
    # What the format could not carry, counted ("cross-document relations": 2); the CLI
    # says so on stderr, never silently.
    losses: dict[str, int] = field(default_factory=dict)
    # Other things a user of the target tool must know (overlapping spans for doccano, ...).
    warnings: list[str] = field(default_factory=list)

    def lose(self, what: str, count: int = 1) -> None:
        if count:
            self.losses[what] = self.losses.get(what, 0) + count

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


@dataclass
class WriteContext:
    """What a format's writer gets besides the records.

    ``suggestions(doc)`` gives the cached suggestions of a document (empty when
    none were computed); ``document(doc_id)`` looks up another document (the far
    end of a cross-document relation).
    """

    stats: ExportStats
    schema: Any  # tui.core.schema.LabelSchema
    ascii_only: bool = False
    suggestions: Callable[[Document], list[Any]] = lambda doc: []
    document: Callable[[int], Document | None] = lambda doc_id: None


def is_exported(ann: Annotation) -> bool:
    """Deleted annotations and rejected suggestions are not spans."""
    return ann.deleted_at is None and ann.status != "rejected"


def _span_sort_key(a: Annotation) -> tuple[int, int, str, str]:
    return (a.start, a.end, a.label, a.id)




class _DocCache:
    """A few documents (and their tokens) looked up for cross-document relations."""

    def __init__(self, store: Any, size: int = 64) -> None:
        self._store = store
        self._docs: OrderedDict[int, Document] = OrderedDict()
        self._tokens: OrderedDict[int, TokenIndex] = OrderedDict()
        self._size = size

    def document(self, doc_id: int) -> Document | None:
        if doc_id in self._docs:
            self._docs.move_to_end(doc_id)
            return self._docs[doc_id]
        doc = self._store.document(doc_id)
        if doc is not None:
            self._docs[doc_id] = doc
            if len(self._docs) > self._size:
                self._docs.popitem(last=False)
        return doc

    def tokens(self, doc: Document) -> TokenIndex:
        if doc.id not in self._tokens:
            self._tokens[doc.id] = TokenIndex.of_text(doc.text)
            if len(self._tokens) > self._size:
                self._tokens.popitem(last=False)
        return self._tokens[doc.id]


def _story_relations(store: Any, doc_ids: list[int], annotator: str | None) -> dict[str, list[Relation]]:
    by_head: dict[str, list[Relation]] = {}
    seen: set[str] = set()
    for i in range(0, len(doc_ids), _DOC_ID_CHUNK):
        for rel in store.relations(annotator=annotator, doc_ids=doc_ids[i:i + _DOC_ID_CHUNK]):
            if rel.id not in seen:
                seen.add(rel.id)
                by_head.setdefault(rel.head_id, []).append(rel)
    return by_head


def iter_records(store: Any, *, annotator: str | None = None, story: Story | None = None,
                 progress: Progress | None = None, doc_cache: _DocCache | None = None) -> Iterator[Record]:
    """(document, annotator) records with live annotations, in contract order.

    ``progress(done, total)`` is called after each document of each story.
    Every read happens inside one snapshot of the store (a read transaction),
    so an import committing chunks meanwhile is seen as far as it had committed
    when the export began, never a different amount per story or document.
    """
    snapshot = getattr(store, "snapshot", None)
    with snapshot() if snapshot is not None else contextlib.nullcontext():
        yield from _records(store, annotator, story, progress, doc_cache)


def _records(store: Any, annotator: str | None, story: Story | None, progress: Progress | None,
             doc_cache: _DocCache | None) -> Iterator[Record]:
    stories = [story] if story is not None else store.stories()
    doc_cache = doc_cache or _DocCache(store)
    for st in stories:
        docs = store.documents(st.id)
        relations = _story_relations(store, [d.id for d in docs], annotator)
        for n, doc in enumerate(docs, 1):
            anns = [a for a in store.annotations(doc_id=doc.id, annotator=annotator) if is_exported(a)]
            by_annotator: dict[str, list[Annotation]] = {}
            for a in anns:
                by_annotator.setdefault(a.annotator, []).append(a)
            by_id = {a.id: a for a in anns}
            for who in sorted(by_annotator):
                spans = sorted(by_annotator[who], key=_span_sort_key)
                linked = _link(store, spans, by_id, relations, who, doc, doc_cache)
                yield Record(doc, st.title, who, tuple(spans), tuple(linked))
            if progress is not None:
                progress(n, len(docs))


def _link(store: Any, spans: list[Annotation], by_id: dict[str, Annotation], relations: dict[str, list[Relation]],
          annotator: str, doc: Document, doc_cache: _DocCache) -> list[LinkedRelation]:
    out: list[tuple[tuple, LinkedRelation]] = []
    for index, head in enumerate(spans):
        for rel in relations.get(head.id, ()):
            if rel.annotator != annotator:
                continue
            tail = by_id.get(rel.tail_id)
            tail_doc = None
            if tail is None:
                tail = store.annotation(rel.tail_id)
                if tail is None or not is_exported(tail):
                    continue
                if tail.doc_id == doc.id:
                    continue  # same document but not exported (e.g. another annotator's)
                tail_doc = doc_cache.document(tail.doc_id)
                if tail_doc is None:
                    continue
            elif tail.annotator != annotator:
                continue
            out.append(((index, rel.type, tail.id, rel.id), LinkedRelation(rel, head, tail, tail_doc)))
    out.sort(key=lambda pair: pair[0])
    return [lr for _, lr in out]


def document_meta(doc: Document, story: str) -> dict[str, Any]:
    return {"doc_id": doc.id, "story": story, "title": doc.title, "outlet": doc.outlet, "url": doc.url,
            "author": doc.author, "published": doc.published, "text_sha256": doc.text_sha256}


def _problem(rec: Record, a: Annotation) -> SpanProblem:
    return SpanProblem(rec.document.id, rec.document.title, rec.annotator, a.id, a.label, a.start, a.end,
                       rec.document.text[a.start:a.end])



def _counting(progress: Progress | None, stats: ExportStats) -> Progress:
    def tick(done: int, total: int) -> None:
        stats.documents += 1
        if progress is not None:
            progress(done, total)

    return tick

