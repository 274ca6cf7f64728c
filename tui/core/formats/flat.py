"""Flat JSONL: one annotation a line, placed by W3C-style quote and position selectors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .records import Record


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

