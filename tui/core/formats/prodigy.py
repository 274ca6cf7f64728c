"""Prodigy-shaped JSONL: text, meta, token-indexed spans and relations, input and task hashes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from ..models import Annotation, Document
from .records import ExportStats, Record, _DocCache, _problem, document_meta
from .tokens import TokenIndex


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

