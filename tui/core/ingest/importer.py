"""Import articles (.txt) and annotations (.jsonl) into a Store.

A bad file changes nothing: it is read, decoded and validated completely
first (``txt`` / ``jsonl``, which write nothing). A validated file is then
written in bounded chunks (``Store.write_chunked``, at most a few thousand rows
or 50 ms per transaction) so that nobody's save waits behind a long import:
its documents, their flagged regions, and every annotator's spans and
relations. Each file's import has an id; every event it writes carries it (its
batch is ``<id>-<n>``, one per annotator), so each annotator undoes the whole
import as one step. Its manifest says how much it meant to write; an import
killed between chunks is reported unfinished (``Store.unfinished_imports``),
and running the same import again reuses its id and writes only the rest.

Re-importing is safe: a text already stored (same SHA-256) is never stored
again, an annotator's span already present (same document, start, end and
label) is never stored twice, nor is a relation already present.

Text is stored NFC with LF line ends whatever the format (``normalise``).

Stories: ``--story`` when given; else, for JSONL, the record's ``meta.story``;
else the name of the folder that was imported, or the folder holding the file.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..errors import DiptychError
from ..models import Annotation, Document, Relation
from ..store import Store, annotation_row, new_id, now, relation_row, sha256_text
from ..anchoring import make_selector, reanchor
from ..text import display_text
from .identity import AnnotatorGuard
from .files import (FileResult, ImportOptions, ImportTarget, _failed, collect_targets, path_text, read_limited,
                    sniff_format)
from .jsonl import parse_jsonl
from .normalise import normalise_parsed
from ..formats.registry import REGISTRY
from ..formats.incoming import DOC_FIELDS, DocRecord, FlatRecord, ParsedJsonl, RelIn, SpanIn, SpanRef
from .regions import detect_regions
from .resume import write_import
from .txt import decode_text, extract_metadata


def import_paths(store: Store, paths: Iterable[str | os.PathLike], options: ImportOptions
                 ) -> Iterator[FileResult | str]:
    """Import every path; yields notes (str) and one FileResult per file, in order."""
    targets, failures, notes = collect_targets(paths, options.fmt)
    yield from notes
    yield from failures
    for target in targets:
        yield import_file(store, target, options)


def import_file(store: Store, target: ImportTarget, options: ImportOptions) -> FileResult:
    """Import one file; never raises for bad input or a failed write: see ``.status``/``.error``."""
    shown = path_text(target.path)  # a name that is not UTF-8 is shown and stored with \xNN escapes
    fmt = target.fmt if target.fmt != "auto" else options.fmt
    try:
        if fmt in REGISTRY and REGISTRY[fmt].reader == "folder":
            reader = importlib.import_module(f"tui.core.formats.{REGISTRY[fmt].module}")
            return _import_parsed(store, target, options, shown, fmt,
                                  reader.read_folder(target.path, options.schema))
        data = read_limited(target.path, options.max_size, shown)
        if fmt == "auto":
            fmt = sniff_format(target.path, data)
        if fmt == "txt":
            return _import_txt(store, target, options, shown, data)
        if fmt in REGISTRY and REGISTRY[fmt].reader == "file":
            reader = importlib.import_module(f"tui.core.formats.{REGISTRY[fmt].module}")
            return _import_parsed(store, target, options, shown, fmt, reader.read(shown, data, options.schema))
        return _import_jsonl(store, target, options, shown, data)
    except DiptychError as err:
        return _failed(shown, err, "" if fmt == "auto" else fmt)


def _import_txt(store: Store, target: ImportTarget, options: ImportOptions, shown: str, data: bytes) -> FileResult:
    text, normalised = decode_text(shown, data)
    meta = extract_metadata(text, stem=path_text(target.path.stem))
    regions = detect_regions(text)
    result = FileResult(path=shown, fmt="txt", regions=regions)
    existing = store.document_by_hash(sha256_text(text))
    if existing is not None:
        result.status = "skipped"
        result.documents.append(existing)
        story = store.story(existing.story_id)
        result.story = story.title if story else ""
        return result
    doc_meta: dict = {"imported_as": "txt", "title_from": meta.title_rule}
    if normalised:
        doc_meta["normalised"] = normalised
    doc, created = store.add_document(
        options.story or target.story, text, title=meta.title, outlet=meta.outlet, url=meta.url,
        author=meta.author, published=meta.published, source_path=shown, meta=doc_meta, regions=regions)
    result.documents.append(doc)
    story = store.story(doc.story_id)
    result.story = story.title if story else ""
    result.new_documents = int(created)
    result.status = "imported" if created else "skipped"
    return result


def _import_jsonl(store: Store, target: ImportTarget, options: ImportOptions, shown: str,
                  data: bytes) -> FileResult:
    text, _ = decode_text(shown, data, nfc=False)
    return _import_parsed(store, target, options, shown, "jsonl", parse_jsonl(shown, text, options.schema))


def _import_parsed(store: Store, target: ImportTarget, options: ImportOptions, shown: str, fmt: str,
                   parsed: ParsedJsonl | list[DocRecord]) -> FileResult:
    """Write what a format module read (documents with spans, or flat records)."""
    parsed = normalise_parsed(shown, parsed)  # NFC + LF for every format, spans moved (or refused)
    writer = _JsonlWriter(store, options, target, shown)
    writer.result.fmt = fmt
    writer.write(parsed)
    result = writer.result
    if not (result.new_documents or result.spans_new or result.relations_new):
        result.status = "skipped"
    return result


def _short(text: str, width: int = 40) -> str:
    flat = " ".join(display_text(text, keep_newlines=False).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@dataclass
class _Pending:
    """A relation waiting for every span of the file to be placed."""

    rel: RelIn
    annotator: str
    ids: dict[str, str]  # the record's span ids -> annotation ids
    offsets: dict[tuple[int, int, str], str]  # the record's (start, end, label) -> annotation id
    head_id: str | None = None  # fixed head (a flat record's own annotation)


class _JsonlWriter:
    """Writes one parsed file: documents and the plan in one transaction, spans in chunks."""

    def __init__(self, store: Store, options: ImportOptions, target: ImportTarget, shown: str) -> None:
        self.store, self.options, self.target, self.shown = store, options, target, shown
        self.result = FileResult(path=shown, fmt="jsonl")
        self.changes: dict[str, list[tuple[str, str, dict | None]]] = {}
        self.span_counts: dict[str, int] = {}
        self.live: dict[tuple[int, str], dict[tuple[int, int, str], str]] = {}
        self.used_ids: set[str] = set()
        self.by_file_id: dict[tuple[str, str], str] = {}  # (annotator, id in the file) -> annotation id
        self.pending: list[_Pending] = []
        self.rel_keys: dict[str, set[tuple[str, str, str]]] = {}
        self.used_rel_ids: set[str] = set()
        self._docs: list[Document] | None = None
        self._seen_docs: set[int] = set()
        self.who = AnnotatorGuard(store, options.annotator, shown)  # the policy on writing as others

    def write(self, parsed: ParsedJsonl) -> None:
        # The write policy is checked for every record before anything is written, so a
        # refused file leaves nothing behind; planning then holds no lock (reads, and one
        # short transaction per new document), and the spans' rows go in chunks.
        self.who.check_all([(rec.annotator, rec.line) for rec in parsed.documents]
                           + [(flat.annotator, flat.line) for flat in parsed.flats])
        for rec in parsed.documents:
            self._record(rec)
        for flat in parsed.flats:
            self._flat(flat)
        for p in self.pending:
            self._relation(p)
        self.result.warnings.extend(self.who.warnings(self.span_counts))
        write_import(self.store, self.options, self.shown, self.changes, self.span_counts, self.result)

    # -------------------------------------------------------------- documents & spans

    def _record(self, rec: DocRecord) -> None:
        fields = dict(rec.meta)
        missing = [k for k in DOC_FIELDS if k not in fields]
        if missing:
            found = extract_metadata(rec.text)
            for key in missing:
                fields[key] = getattr(found, key)
        story = self.options.story or rec.story or self.target.story
        doc, created = self.store.add_document(story, rec.text, source_path=self.shown, meta=rec.extra_meta,
                                               regions=detect_regions(rec.text), **fields)
        self._touch(doc, created)
        if rec.note:
            self.result.warnings.append(f"{self.shown}:{rec.line}: {rec.note}")
        annotator = self.who.decide(rec.annotator, rec.line)
        ids: dict[str, str] = {}
        offsets: dict[tuple[int, int, str], str] = {}
        for span in rec.spans:
            ann_id = self._span(doc, annotator, span, f"import:{rec.fmt}")
            if span.id is not None:
                if span.id in ids:
                    self.result.warnings.append(
                        f"{self.shown}:{rec.line}: span id {span.id!r} is used twice; relations naming it "
                        "attach to its first span")
                ids.setdefault(span.id, ann_id)
                self.by_file_id.setdefault((annotator, span.id), ann_id)
            offsets.setdefault((span.start, span.end, span.label), ann_id)
        for rel in rec.relations:
            self.pending.append(_Pending(rel, annotator, ids, offsets))

    def _touch(self, doc: Document, created: bool = False) -> None:
        if doc.id not in self._seen_docs:
            self._seen_docs.add(doc.id)
            self.result.documents.append(doc)
            self.result.new_documents += int(created)

    def _span(self, doc: Document, annotator: str, span: SpanIn, origin: str) -> str:
        """The annotation id for ``span``: an existing one, or a new one queued for writing."""
        key = (doc.id, annotator)
        if key not in self.live:
            self.live[key] = {(a.start, a.end, a.label): a.id for a in self.store.annotations(doc.id, annotator)}
        live = self.live[key]
        where = (span.start, span.end, span.label)
        if where in live:
            self.result.spans_existing += 1
            return live[where]
        ann_id = span.id if span.id and span.id not in self.used_ids \
            and self.store.row("annotation", span.id) is None else new_id()
        self.used_ids.add(ann_id)
        sel = make_selector(doc.text, span.start, span.end)
        stamp = now()
        ann = Annotation(id=ann_id, doc_id=doc.id, annotator=annotator, label=span.label, start=span.start,
                         end=span.end, quote=sel["exact"], prefix=sel["prefix"], suffix=sel["suffix"],
                         attrs=dict(span.attrs), note=span.note, origin=span.origin or origin,
                         created_at=stamp, updated_at=stamp)
        self.changes.setdefault(annotator, []).append(("annotation", ann_id, annotation_row(ann)))
        self.span_counts[annotator] = self.span_counts.get(annotator, 0) + 1
        live[where] = ann_id
        self.result.spans_new += 1
        return ann_id

    def _flat(self, flat: FlatRecord) -> None:
        span = flat.span
        annotator = self.who.decide(flat.annotator, flat.line)
        where = f"{self.shown}:{flat.line}: {span.label} “{_short(flat.exact)}”"
        doc, why = self._find_document(flat)
        if doc is None:
            self.result.orphans.append(f"{where}: {why}")
            return
        self._touch(doc)
        place: tuple[int, int] | None = (span.start, span.end)
        if doc.text[span.start:span.end] != flat.exact:
            place = reanchor(doc.text, {"exact": flat.exact, "prefix": flat.prefix, "suffix": flat.suffix},
                             span.start, span.end)
            if place is None:
                self.result.orphans.append(
                    f"{where}: not found in document {doc.id}, whose text differs from the one annotated")
                return
            self.result.warnings.append(f"{where}: moved from {span.start}-{span.end} to "
                                        f"{place[0]}-{place[1]} in document {doc.id}")
        placed = SpanIn(span.line, span.where, place[0], place[1], span.label, span.id, span.attrs, span.note,
                        span.origin)
        origin = "import:flat" if self.result.fmt == "jsonl" else f"import:{self.result.fmt}"
        ann_id = self._span(doc, annotator, placed, origin)
        if span.id is not None:
            self.by_file_id.setdefault((annotator, span.id), ann_id)
        for rel in flat.relations:
            self.pending.append(_Pending(rel, annotator, {}, {}, head_id=ann_id))

    def _documents(self) -> list[Document]:
        if self._docs is None:
            self._docs = self.store.documents()
        return self._docs

    def _find_document(self, flat: FlatRecord) -> tuple[Document | None, str]:
        """The document a flat record belongs to: by text hash, else by URL, else by title.

        A URL that is given but matches no document settles it: the record is an
        orphan, never matched by title instead (two outlets' articles are both
        titled "Update" often enough). A title only narrows several URL matches.
        """
        if flat.text_sha256:
            doc = self.store.document_by_hash(flat.text_sha256)
            if doc is not None:
                return doc, ""
        unknown_hash = " and no document has its text_sha256" if flat.text_sha256 else ""
        if flat.url:
            candidates = [d for d in self._documents() if d.url == flat.url]
            if not candidates:
                return None, (f"no document has its url {_short(flat.url, 60)}{unknown_hash}; it was not "
                              "matched by title, which another outlet's article may share")
            if len(candidates) > 1 and flat.title:
                candidates = [d for d in candidates if d.title == flat.title] or candidates
            if len(candidates) == 1:
                return candidates[0], ""
            return None, f"{len(candidates)} documents match its url; it was not attached to any"
        candidates = [d for d in self._documents() if d.title == flat.title] if flat.title else []
        if len(candidates) == 1:
            return candidates[0], ""
        if candidates:
            return None, f"{len(candidates)} documents match its title and it gives no url; it was not attached to any"
        return None, "no document has its text (text_sha256), url or title"

    # -------------------------------------------------------------- relations

    def _relation(self, p: _Pending) -> None:
        rel = p.rel
        where = f"{self.shown}:{rel.line}: {rel.where} ({rel.label})"
        head = p.head_id or self._local(rel.head, p)
        child = self._local(rel.child, p) if rel.child.text_sha256 is None else None
        if child is None:
            child = self._elsewhere(rel.child, p.annotator)
        if head is None or child is None:
            end = "head" if head is None else "child"
            self.result.warnings.append(f"{where}: left out; its {end} span is neither in this file nor "
                                        f"among {p.annotator}'s annotations")
            return
        if head == child:
            self.result.warnings.append(f"{where}: left out; it links a span to itself")
            return
        keys = self.rel_keys.get(p.annotator)
        if keys is None:
            keys = {(r.head_id, r.tail_id, r.type) for r in self.store.relations(annotator=p.annotator)}
            self.rel_keys[p.annotator] = keys
        if (head, child, rel.label) in keys:
            self.result.relations_existing += 1
            return
        keys.add((head, child, rel.label))
        rel_id = rel.id if rel.id and rel.id not in self.used_rel_ids \
            and self.store.row("relation", rel.id) is None else new_id()
        self.used_rel_ids.add(rel_id)
        row = relation_row(Relation(id=rel_id, head_id=head, tail_id=child, type=rel.label,
                                    annotator=p.annotator, created_at=now()))
        self.changes.setdefault(p.annotator, []).append(("relation", rel_id, row))
        self.result.relations_new += 1

    def _local(self, ref: SpanRef, p: _Pending) -> str | None:
        """A span of the relation's own record, by offsets (when given) or id."""
        if ref.start is not None:
            if ref.label is not None:
                found = p.offsets.get((ref.start, ref.end, ref.label))
                if found:
                    return found
            else:
                hits = [a for (s, e, _lab), a in p.offsets.items() if (s, e) == (ref.start, ref.end)]
                if len(hits) == 1:
                    return hits[0]
        if ref.id is not None:
            return p.ids.get(ref.id)
        return None

    def _elsewhere(self, ref: SpanRef, annotator: str) -> str | None:
        """A span elsewhere in the file or already stored, of the same annotator."""
        if ref.id is not None:
            found = self.by_file_id.get((annotator, ref.id))
            if found:
                return found
            row = self.store.row("annotation", ref.id)
            if row is not None and row["annotator"] == annotator and row["deleted_at"] is None:
                return ref.id
        if ref.text_sha256 is not None and ref.start is not None:
            doc = self.store.document_by_hash(ref.text_sha256)
            if doc is not None:
                key = (doc.id, annotator)
                if key not in self.live:
                    self.live[key] = {(a.start, a.end, a.label): a.id
                                      for a in self.store.annotations(doc.id, annotator)}
                hits = [a for (s, e, lab), a in self.live[key].items()
                        if (s, e) == (ref.start, ref.end) and ref.label in (None, lab)]
                if len(hits) == 1:
                    return hits[0]
        return None
