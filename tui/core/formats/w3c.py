"""W3C Web Annotation (JSON-LD): one ``AnnotationCollection`` of the spans and relations.

Shape. One JSON-LD document, not JSON Lines: the Web Annotation Protocol serves
collections and pages, and JSON-LD processors (pyld, rdflib, Jena) read one
document, not a stream of them. For the line-minded reader each Annotation sits
on its own line inside ``first.items``; ``read`` also accepts JSON Lines of
Annotations, a bare ``AnnotationPage``, a list of Annotations or one Annotation.

    {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "AnnotationCollection",
     "id": "urn:diptych:collection:<sha256 of the items>", "label": "...", "total": N,
     "first": {"type": "AnnotationPage", "id": "<collection id>:page:1", "partOf": ..., "startIndex": 0,
               "items": [ <Annotation>, ... ]}}

A span is an Annotation, motivation ``tagging``:
- ``id`` ``urn:diptych:<text_sha256>:<annotator>:<annotation id>`` (annotator and id
  percent-encoded): the same after export, import into an empty database, export;
- ``creator`` the annotator, a Person with a ``name``; ``generator`` a Software agent
  whose ``name`` is the origin, for every origin but ``manual`` (an accepted
  suggestion: ``suggestion:<suggester>@<version>``);
- ``body``: a TextualBody purpose ``tagging`` whose value is the label; one purpose
  ``classifying`` per attribute, value ``name=choice``; one purpose ``commenting``
  for the note;
- ``target``: ``source`` is the document URL, or ``urn:sha256:<text_sha256>`` when it
  has none (a string: what Hypothesis-style clients read), ``label`` the document
  title, and the selectors [TextQuoteSelector {exact, prefix, suffix},
  TextPositionSelector {start, end}] (code points into the text).

A relation is an Annotation, motivation ``linking``, whose ``target`` is the ids of
the head and the tail span annotations, head first (JSON order: RDF readers see
two unordered targets), and whose tagging body is the relation type. The two may
be in different documents, so cross-document relations are carried.

The text is not in the Web Annotation model: import the articles first; spans
are placed by text_sha256 (from the id or a ``urn:sha256:`` source), else url,
else title, checked against the quote and re-anchored by it when the text moved.

Reading returns a ``ParsedJsonl`` of ``FlatRecord``s (as the flat JSONL format
does), not a list of DocRecords, since there is no text to make documents from.
The reader itself is ``w3c_read``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any
from urllib.parse import quote

from ..models import Annotation, Document
from .records import Record, WriteContext
from .w3c_read import read

__all__ = ["CANNOT_CARRY", "CONTEXT", "EXAMPLE", "annotation_urn", "read", "write"]

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CANNOT_CARRY = ("document text", "document metadata other than url and title", "relation attributes")

URN = "urn:diptych:"
AGENT_URN = URN + "annotator:"
ORIGIN_URN = URN + "origin:"
COLLECTION_URN = URN + "collection:"
_ITEMS = "\x00items\x00"  # placeholder replaced by the streamed items


def _q(part: str) -> str:
    return quote(part, safe="")


def annotation_urn(text_sha256: str, annotator: str, ann_id: str) -> str:
    """The stable id of a span's Annotation: ids only, nothing that changes between databases."""
    return f"{URN}{text_sha256}:{_q(annotator)}:{_q(ann_id)}"


def relation_urn(text_sha256: str, annotator: str, rel_id: str) -> str:
    return f"{URN}{text_sha256}:{_q(annotator)}:relation:{_q(rel_id)}"


def _creator(annotator: str) -> dict[str, str]:
    return {"id": AGENT_URN + _q(annotator), "type": "Person", "name": annotator}


def _source(doc: Document) -> str:
    return doc.url or f"urn:sha256:{doc.text_sha256}"


def _text_body(value: str, purpose: str, **extra: str) -> dict[str, str]:
    return {"type": "TextualBody", "purpose": purpose, "value": value, **extra}


def span_annotation(doc: Document, annotator: str, a: Annotation) -> dict[str, Any]:
    body = [_text_body(a.label, "tagging")]
    body += [_text_body(f"{name}={a.attrs[name]}", "classifying") for name in sorted(a.attrs)]
    if a.note:
        body.append(_text_body(a.note, "commenting", format="text/plain"))
    quote_sel: dict[str, Any] = {"type": "TextQuoteSelector", "exact": a.quote}
    if a.prefix:
        quote_sel["prefix"] = a.prefix
    if a.suffix:
        quote_sel["suffix"] = a.suffix
    target: dict[str, Any] = {"source": _source(doc), "selector": [
        quote_sel, {"type": "TextPositionSelector", "start": a.start, "end": a.end}]}
    if doc.title:
        target["label"] = doc.title
    item: dict[str, Any] = {"id": annotation_urn(doc.text_sha256, annotator, a.id), "type": "Annotation",
                            "motivation": "tagging", "creator": _creator(annotator), "body": body,
                            "target": target}
    if a.origin and a.origin != "manual":
        item["generator"] = {"id": ORIGIN_URN + _q(a.origin), "type": "Software", "name": a.origin}
    return item


def _items(rec: Record, ctx: WriteContext) -> Iterator[dict[str, Any]]:
    doc = rec.document
    for a in rec.spans:
        yield span_annotation(doc, rec.annotator, a)
    for lr in rec.relations:
        if lr.relation.attrs:
            ctx.stats.lose("relation attributes")
        tail_doc = lr.tail_doc or doc
        yield {"id": relation_urn(doc.text_sha256, rec.annotator, lr.relation.id), "type": "Annotation",
               "motivation": "linking", "creator": _creator(rec.annotator),
               "body": [_text_body(lr.relation.type, "tagging")],
               "target": [annotation_urn(doc.text_sha256, rec.annotator, lr.head.id),
                          annotation_urn(tail_doc.text_sha256, rec.annotator, lr.tail.id)]}


def write(records: Iterable[Record], out: IO[bytes], ctx: WriteContext) -> None:
    """Stream the collection into ``out``.

    The collection's id is the SHA-256 of its items, so the items are spooled
    (in memory up to 8 MiB, then in a temporary file) before the envelope that
    names them is written: memory stays bounded, output stays deterministic.
    """
    digest = hashlib.sha256()
    total = 0
    docs: set[str] = set()
    stories: list[str] = []
    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as spool:
        for rec in records:
            docs.add(rec.document.text_sha256)
            if rec.story not in stories:
                stories.append(rec.story)
            ctx.stats.spans += len(rec.spans)
            ctx.stats.relations += len(rec.relations)
            for item in _items(rec, ctx):
                line = _dumps(item, ctx.ascii_only)
                spool.write(((",\n" if total else "\n") + line).encode("utf-8"))
                # The id names the data, not its escaping: -a gives the same id.
                digest.update((line if not ctx.ascii_only else _dumps(item, False)).encode("utf-8") + b"\n")
                total += 1
        ctx.stats.records += total
        ctx.stats.lose("document text", len(docs))
        if docs:
            ctx.stats.warn("the article texts (and their story, outlet, author, date) are not in a Web "
                           "Annotation file: import the same articles into the target database before this file")
        coll_id = COLLECTION_URN + digest.hexdigest()
        label = "Diptych annotations" + (": " + "; ".join(s for s in stories if s) if any(stories) else "")
        envelope: dict[str, Any] = {"@context": CONTEXT, "id": coll_id, "type": "AnnotationCollection",
                                    "label": label, "total": total}
        if total:
            # The model wants a first page only when there are annotations, and a page
            # with one or more items.
            envelope["first"] = {"id": f"{coll_id}:page:1", "type": "AnnotationPage", "partOf": coll_id,
                                 "startIndex": 0, "items": [_ITEMS]}
        head, _, tail = _dumps(envelope, ctx.ascii_only).partition(_dumps(_ITEMS, False))
        out.write(head.encode("utf-8"))
        spool.seek(0)
        shutil.copyfileobj(spool, out)
        out.write(("\n" if total else "").encode("utf-8") + tail.encode("utf-8") + b"\n")


def _dumps(obj: Any, ascii_only: bool) -> str:
    return json.dumps(obj, ensure_ascii=ascii_only, sort_keys=True)


EXAMPLE = """\
{"@context": "http://www.w3.org/ns/anno.jsonld", "first": {"id": "urn:diptych:collection:9f…:page:1", "items": [
{"body": [{"purpose": "tagging", "type": "TextualBody", "value": "CLAIM"}, {"purpose": "classifying", \
"type": "TextualBody", "value": "certainty=reported"}], "creator": {"id": "urn:diptych:annotator:alice", \
"name": "alice", "type": "Person"}, "id": "urn:diptych:3a…:alice:5c…", "motivation": "tagging", \
"target": {"label": "Taxes", "selector": [{"exact": "taxes will rise", "prefix": "The mayor said ", \
"suffix": ". Critics disagree.", "type": "TextQuoteSelector"}, {"end": 30, "start": 15, \
"type": "TextPositionSelector"}], "source": "https://example.org/a"}, "type": "Annotation"},
{"body": [{"purpose": "tagging", "type": "TextualBody", "value": "attributed_to"}], "creator": {…}, \
"id": "urn:diptych:3a…:alice:relation:7d…", "motivation": "linking", \
"target": ["urn:diptych:3a…:alice:5c…", "urn:diptych:3a…:alice:8e…"], "type": "Annotation"}
], "partOf": "urn:diptych:collection:9f…", "startIndex": 0, "type": "AnnotationPage"}, \
"id": "urn:diptych:collection:9f…", "label": "Diptych annotations: council", "total": 2, \
"type": "AnnotationCollection"}
"""
