"""doccano JSONL: the ``label`` list and the relation-extraction ``entities``/``relations``."""

from __future__ import annotations

from typing import Any

from .records import Record, document_meta


def doccano_record(rec: Record) -> dict[str, Any]:
    """doccano JSONL; relations to other documents have no place in it and are left out."""
    return {"text": rec.document.text,
            "label": [[a.start, a.end, a.label] for a in rec.spans],
            "entities": [{"id": a.id, "start_offset": a.start, "end_offset": a.end, "label": a.label}
                         for a in rec.spans],
            "relations": [{"id": lr.relation.id, "from_id": lr.head.id, "to_id": lr.tail.id,
                           "type": lr.relation.type} for lr in rec.relations if lr.tail_doc is None],
            "meta": document_meta(rec.document, rec.story), "annotator": rec.annotator}

