"""Export annotations: Prodigy, doccano and flat JSONL, and a spaCy DocBin.

The exchange formats are a contract shared with the importer (see
``briefs/formats.md``): keys sorted, records ordered by (story, document,
annotator), spans by (start, end, label, id), and nothing that changes between
two databases holding the same annotations (no timestamps, no relation creation
order), so export -> import into an empty database -> export is byte-identical.

Exports stream: stories one at a time, and per document only that document's
annotations are in memory, so a million annotations cost no more memory than
the largest document. (The spaCy DocBin is the exception: it is one msgpack
blob, so it holds the token arrays of everything it writes.)

spaCy is imported lazily, only to tokenise, so that importing this module stays
cheap and core stays usable without the model.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, Any

from .errors import ExportError
from .models import Annotation, Document, Relation, Story
from .text import slug

FORMATS = ("prodigy", "doccano", "flat", "spacy")
DEFAULT_FORMAT = "prodigy"
EXPORT_DIR = Path("annotations")
# Relations are fetched per story in chunks of documents: each id is bound twice
# (head or tail), and SQLite allows 32766 bound parameters.
_DOC_ID_CHUNK = 10000

Progress = Callable[[int, int], None]


# ---------------------------------------------------------------- tokens


@cache
def _blank_english() -> Any:
    import spacy  # lazy: only exports that need tokens pay for spaCy

    return spacy.blank("en")


def make_doc(text: str) -> Any:
    """A spaCy ``Doc`` of ``text`` from the blank English tokenizer (no model)."""
    return _blank_english().make_doc(text)


class TokenIndex:
    """Token boundaries of one text, for mapping character spans to tokens."""

    __slots__ = ("starts", "ends")

    def __init__(self, starts: list[int], ends: list[int]) -> None:
        self.starts = starts
        self.ends = ends

    @classmethod
    def of_doc(cls, doc: Any) -> "TokenIndex":
        from spacy.attrs import IDX, LENGTH

        if not len(doc):
            return cls([], [])
        # One array call instead of a Token object per token: several times faster.
        idx, length = doc.to_array([IDX, LENGTH]).T.tolist()
        return cls(idx, [s + n for s, n in zip(idx, length)])

    @classmethod
    def of_text(cls, text: str) -> "TokenIndex":
        return cls.of_doc(make_doc(text))

    def __len__(self) -> int:
        return len(self.starts)

    def span(self, start: int, end: int) -> tuple[int, int, bool]:
        """``(token_start, token_end, aligned)`` for the characters ``[start, end)``.

        ``token_end`` is inclusive (as Prodigy has it). When the span does not
        start and end on token boundaries, the indices cover every token it
        touches and ``aligned`` is False.
        """
        if not self.starts:
            return 0, 0, False
        ts = max(bisect_right(self.starts, start) - 1, 0)
        if start >= self.ends[ts] and ts + 1 < len(self.starts):
            ts += 1  # the span starts in the whitespace after token ts
        te = min(bisect_left(self.ends, end), len(self.ends) - 1)
        if self.starts[te] >= end and te > ts:
            te -= 1  # the span ends in the whitespace before token te
        aligned = self.starts[ts] == start and self.ends[te] == end
        return ts, te, aligned


# ---------------------------------------------------------------- hashing


def _signed32(digest: bytes) -> int:
    return int.from_bytes(digest[:4], "big", signed=True)


def input_hash(doc: Document) -> int:
    """Stable signed 32-bit hash of a text: the first 4 bytes of its SHA-256."""
    return _signed32(bytes.fromhex(doc.text_sha256[:8]))


def task_hash(doc: Document, spans: Iterable[Annotation]) -> int:
    """Stable signed 32-bit hash of a text plus its (start, end, label) spans, sorted."""
    keys = sorted((a.start, a.end, a.label) for a in spans)
    payload = doc.text_sha256 + json.dumps(keys, ensure_ascii=False)
    return _signed32(hashlib.sha256(payload.encode("utf-8")).digest())


def dumps(obj: Any, *, ascii_only: bool = False) -> str:
    """One JSONL line as the contract wants it (no newline). ``ascii_only``
    escapes every non-ASCII character: the same data, safe to show on a
    terminal (DEL, C1 controls and bidi overrides in articles stay inert)."""
    return json.dumps(obj, ensure_ascii=ascii_only, sort_keys=True)


# ---------------------------------------------------------------- records


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
        from .text import display_text

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
    """
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


# ---------------------------------------------------------------- shapes


def document_meta(doc: Document, story: str) -> dict[str, Any]:
    return {"doc_id": doc.id, "story": story, "title": doc.title, "outlet": doc.outlet, "url": doc.url,
            "author": doc.author, "published": doc.published, "text_sha256": doc.text_sha256}


def _problem(rec: Record, a: Annotation) -> SpanProblem:
    return SpanProblem(rec.document.id, rec.document.title, rec.annotator, a.id, a.label, a.start, a.end,
                       rec.document.text[a.start:a.end])


def prodigy_record(rec: Record, tokens: TokenIndex, doc_cache: _DocCache | None = None,
                   stats: ExportStats | None = None) -> dict[str, Any]:
    doc = rec.document
    positions: dict[str, tuple[int, int]] = {}
    spans = []
    for a in rec.spans:
        ts, te, aligned = tokens.span(a.start, a.end)
        if not aligned and stats is not None:
            stats.misaligned.append(_problem(rec, a))
        positions[a.id] = (ts, te)
        spans.append({"id": a.id, "start": a.start, "end": a.end, "label": a.label, "text": doc.text[a.start:a.end],
                      "token_start": ts, "token_end": te, "attrs": a.attrs, "note": a.note, "origin": a.origin,
                      "selector": {"exact": a.quote, "prefix": a.prefix, "suffix": a.suffix}})
    relations = []
    for lr in rec.relations:
        item: dict[str, Any] = {"head": lr.head.id, "child": lr.tail.id, "label": lr.relation.type,
                                "head_span": _span_ref(lr.head, positions[lr.head.id])}
        if lr.tail_doc is None:
            item["child_span"] = _span_ref(lr.tail, positions[lr.tail.id])
        else:
            # Token positions of a cross-document child are in *its* document's tokens.
            other = doc_cache.tokens(lr.tail_doc) if doc_cache is not None else TokenIndex.of_text(lr.tail_doc.text)
            ts, te, _ = other.span(lr.tail.start, lr.tail.end)
            item["child_span"] = _span_ref(lr.tail, (ts, te))
            item["child_doc"] = {"text_sha256": lr.tail_doc.text_sha256, "start": lr.tail.start,
                                 "end": lr.tail.end, "label": lr.tail.label}
        relations.append(item)
    return {"text": doc.text, "meta": document_meta(doc, rec.story), "_input_hash": input_hash(doc),
            "_task_hash": task_hash(doc, rec.spans), "spans": spans, "relations": relations,
            "_annotator_id": rec.annotator, "answer": "accept"}


def _span_ref(a: Annotation, tokens: tuple[int, int]) -> dict[str, Any]:
    return {"start": a.start, "end": a.end, "label": a.label, "token_start": tokens[0], "token_end": tokens[1]}


def doccano_record(rec: Record) -> dict[str, Any]:
    """doccano JSONL; relations to other documents have no place in it and are left out."""
    return {"text": rec.document.text,
            "label": [[a.start, a.end, a.label] for a in rec.spans],
            "entities": [{"id": a.id, "start_offset": a.start, "end_offset": a.end, "label": a.label}
                         for a in rec.spans],
            "relations": [{"id": lr.relation.id, "from_id": lr.head.id, "to_id": lr.tail.id,
                           "type": lr.relation.type} for lr in rec.relations if lr.tail_doc is None],
            "meta": document_meta(rec.document, rec.story), "annotator": rec.annotator}


def flat_records(rec: Record) -> Iterator[dict[str, Any]]:
    doc = rec.document
    links: dict[str, list[dict[str, str]]] = {}
    for lr in rec.relations:
        links.setdefault(lr.head.id, []).append({"child": lr.tail.id, "label": lr.relation.type})
    for a in rec.spans:
        yield {"id": a.id, "doc_id": doc.id, "story": rec.story, "title": doc.title, "url": doc.url,
               "text_sha256": doc.text_sha256, "annotator": rec.annotator, "label": a.label,
               "start": a.start, "end": a.end,
               "selector": {"type": "TextQuoteSelector", "exact": a.quote, "prefix": a.prefix, "suffix": a.suffix},
               "position": {"type": "TextPositionSelector", "start": a.start, "end": a.end},
               "attrs": a.attrs, "note": a.note, "origin": a.origin,
               "relations": sorted(links.get(a.id, []), key=lambda r: (r["label"], r["child"]))}


# ---------------------------------------------------------------- writers


def write_jsonl(store: Any, out: IO[bytes], fmt: str = DEFAULT_FORMAT, *, annotator: str | None = None,
                story: Story | None = None, progress: Progress | None = None,
                ascii_only: bool = False) -> ExportStats:
    """Stream ``fmt`` (prodigy, doccano or flat) as UTF-8 JSONL into a binary file."""
    if fmt not in ("prodigy", "doccano", "flat"):
        raise ExportError(f"{fmt!r} is not a JSONL format", hint="use prodigy, doccano or flat (or spacy for a DocBin)")
    stats = ExportStats(fmt)
    doc_cache = _DocCache(store)
    tokens_for: tuple[int, TokenIndex] | None = None
    for rec in iter_records(store, annotator=annotator, story=story, progress=_counting(progress, stats),
                            doc_cache=doc_cache):
        stats.spans += len(rec.spans)
        stats.relations += len(rec.relations)
        if fmt == "prodigy":
            # Several annotators' records of one document share its tokens.
            if tokens_for is None or tokens_for[0] != rec.document.id:
                tokens_for = (rec.document.id, TokenIndex.of_text(rec.document.text))
            lines = [prodigy_record(rec, tokens_for[1], doc_cache, stats)]
        elif fmt == "doccano":
            lines = [doccano_record(rec)]
            stats.relations -= sum(1 for lr in rec.relations if lr.tail_doc is not None)
        else:
            lines = list(flat_records(rec))
        for obj in lines:
            out.write(dumps(obj, ascii_only=ascii_only).encode("utf-8") + b"\n")
            stats.records += 1
    return stats


def _counting(progress: Progress | None, stats: ExportStats) -> Progress:
    def tick(done: int, total: int) -> None:
        stats.documents += 1
        if progress is not None:
            progress(done, total)

    return tick


def build_docbin(store: Any, *, annotator: str | None = None, story: Story | None = None,
                 progress: Progress | None = None) -> tuple[Any, ExportStats]:
    """A spaCy ``DocBin``: one Doc per (document, annotator), spans in ``doc.spans[label]``
    and all of them in ``doc.spans["sc"]``; ``doc.user_data`` holds ``meta`` and ``annotator``.

    A span that does not start and end on token boundaries cannot be a spaCy
    Span: it is left out and listed in ``stats.misaligned``.
    """
    from spacy.tokens import DocBin  # lazy

    stats = ExportStats("spacy")
    docbin = DocBin(store_user_data=True)
    base: tuple[int, Any] | None = None
    for rec in iter_records(store, annotator=annotator, story=story, progress=_counting(progress, stats)):
        if base is None or base[0] != rec.document.id:
            base = (rec.document.id, make_doc(rec.document.text))
        doc = base[1].copy()
        groups: dict[str, list[Any]] = {}
        every: list[Any] = []
        for a in rec.spans:
            span = doc.char_span(a.start, a.end, label=a.label, span_id=a.id, alignment_mode="strict")
            if span is None:
                stats.misaligned.append(_problem(rec, a))
                continue
            groups.setdefault(a.label, []).append(span)
            every.append(span)
            stats.spans += 1
        for label in sorted(groups):
            doc.spans[label] = groups[label]
        doc.spans["sc"] = every
        doc.user_data["meta"] = document_meta(rec.document, rec.story)
        doc.user_data["annotator"] = rec.annotator
        docbin.add(doc)
        stats.records += 1
    return docbin, stats


def export(store: Any, fmt: str, out: IO[bytes], *, annotator: str | None = None, story: Story | None = None,
           progress: Progress | None = None, ascii_only: bool = False) -> ExportStats:
    """Write ``fmt`` into an open binary stream (a file or stdout's buffer)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    if fmt == "spacy":
        docbin, stats = build_docbin(store, annotator=annotator, story=story, progress=progress)
        out.write(docbin.to_bytes())
        return stats
    return write_jsonl(store, out, fmt, annotator=annotator, story=story, progress=progress, ascii_only=ascii_only)


def export_to_path(store: Any, fmt: str, path: str | os.PathLike, **kwargs: Any) -> ExportStats:
    """Export into a file, atomically: a failed export never leaves a half-written file."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror}", hint="pass -o with a path in a writable folder") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            stats = export(store, fmt, fh, **kwargs)
        os.replace(tmp, path)
    except OSError as exc:
        _unlink(tmp)
        raise ExportError(f"cannot write {path}: {exc.strerror}", hint="check free space and permissions") from None
    except BaseException:
        _unlink(tmp)
        raise
    return stats


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def default_output_path(fmt: str, story: Story | None = None) -> Path:
    """``annotations/<story-or-all>-<format>.jsonl`` (``.spacy`` for a DocBin)."""
    if story is None:
        stem = "all"
    else:
        stem = slug(story.title, f"story-{story.id}")
    return EXPORT_DIR / f"{stem}-{fmt}{'.spacy' if fmt == 'spacy' else '.jsonl'}"


__all__ = [
    "DEFAULT_FORMAT", "FORMATS", "ExportStats", "LinkedRelation", "Record", "SpanProblem", "TokenIndex",
    "build_docbin", "default_output_path", "document_meta", "doccano_record", "dumps", "export",
    "export_to_path", "flat_records", "input_hash", "is_exported", "iter_records", "make_doc",
    "prodigy_record", "task_hash", "write_jsonl",
]
