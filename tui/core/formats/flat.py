"""Flat JSONL: one annotation a line, placed by W3C-style quote and position selectors."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from .records import Record, WriteContext, dumps

# Everything an annotation holds travels; the text stays behind (records find their
# document by text hash, URL or title, so the articles are imported first).
CANNOT_CARRY = ("document text",)
EXAMPLE = (
    '{"annotator": "alice", "attrs": {"certainty": "reported"}, "doc_id": 1, "end": 30, "id": "5c…", '
    '"label": "CLAIM", "note": "", "origin": "manual", "position": {"end": 30, "start": 15, '
    '"type": "TextPositionSelector"}, "relations": [{"child": "8e…", "label": "attributed_to"}], '
    '"selector": {"exact": "taxes will rise", "prefix": "The mayor said ", "suffix": ". Critics disagree.", '
    '"type": "TextQuoteSelector"}, "start": 15, "story": "council", "text_sha256": "3a…", "title": "Taxes", '
    '"url": ""}'
)


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



def write(records: Iterable[Record], out: IO[bytes], ctx: WriteContext) -> None:
    for rec in records:
        ctx.stats.spans += len(rec.spans)
        ctx.stats.relations += len(rec.relations)
        for obj in flat_records(rec):
            out.write(dumps(obj, ascii_only=ctx.ascii_only).encode("utf-8") + b"\n")
            ctx.stats.records += 1
