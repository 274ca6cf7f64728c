"""Row shapes: ids, timestamps, and conversion between SQLite rows and model objects."""

from __future__ import annotations

import contextlib
import hashlib
import json
import uuid
from datetime import datetime, timezone

from ..models import Annotation, Document, Relation

ENTITY_TABLES = {"annotation": "annotations", "relation": "relations", "decision": "decisions"}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def new_id() -> str:
    return uuid.uuid4().hex


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stored_json(text: str | None) -> dict:
    """A stored JSON object (meta, attrs). Imports refuse values nested deeper than
    a few dozen levels, but an older or hand-edited database may hold one that
    json's recursive decoder cannot read from deep in the UI's stack: read as
    empty then (the row itself is left as stored), so opening a story never crashes."""
    if not text or text == "{}":
        return {}  # most rows: skip the decoder
    try:
        value = json.loads(text)
    except RecursionError:
        return {}
    return value if isinstance(value, dict) else {}


def _document(r: dict) -> Document:
    return Document(id=r["id"], story_id=r["story_id"], text=r["text"], text_sha256=r["text_sha256"],
                    title=r["title"], outlet=r["outlet"], url=r["url"], author=r["author"],
                    published=r["published"], lang=r["lang"], source_path=r["source_path"],
                    imported_at=r["imported_at"], meta=_stored_json(r["meta"]))


def _annotation(r: dict) -> Annotation:
    return Annotation(id=r["id"], doc_id=r["doc_id"], annotator=r["annotator"], label=r["label"],
                      start=r["start"], end=r["end"], quote=r["quote"], prefix=r["prefix"], suffix=r["suffix"],
                      attrs=_stored_json(r["attrs"]), note=r["note"], origin=r["origin"],
                      status=r["status"], created_at=r["created_at"], updated_at=r["updated_at"],
                      deleted_at=r["deleted_at"])


# The annotations table's columns in the order of Annotation's fields.
ANNOTATION_COLUMNS = ("id", "doc_id", "annotator", "label", "start", "end", "quote", "prefix", "suffix", "attrs",
                      "note", "origin", "status", "created_at", "updated_at", "deleted_at")
ANNOTATION_SELECT = ", ".join(f'"{c}"' for c in ANNOTATION_COLUMNS)
_ATTRS = ANNOTATION_COLUMNS.index("attrs")
_REPEATED = ("annotator", "label", "origin", "status", "created_at", "updated_at")
assert ANNOTATION_COLUMNS == tuple(Annotation.__dataclass_fields__), "columns and fields out of step"


def annotations_of_rows(rows: list[tuple]) -> list[Annotation]:
    """Annotations from rows of ``SELECT ANNOTATION_SELECT``, many at a time.

    A frozen dataclass's __init__ sets each of its 16 fields through
    object.__setattr__; an export or a document with 200,000 spans reads that
    many rows, so the instance's __dict__ is filled directly instead (three
    times faster). The objects are the same as the constructor's: Annotation has
    no __post_init__ and no slots, and tests/unit/test_store.py compares the two.
    """
    new, cls, names, at = object.__new__, Annotation, ANNOTATION_COLUMNS, _ATTRS
    # Names, labels and stamps repeat from row to row: one string each, not one per
    # row (a third of the memory of 200,000 annotations).
    shared: dict[str, str] = {}
    repeated = [(c, ANNOTATION_COLUMNS.index(c)) for c in _REPEATED]
    out = []
    for r in rows:
        a = new(cls)
        d = a.__dict__
        d.update(zip(names, r))
        d["attrs"] = _stored_json(r[at])
        for name, i in repeated:
            v = r[i]
            if v is not None:
                d[name] = shared.setdefault(v, v)
        out.append(a)
    return out


def _relation(r: dict) -> Relation:
    return Relation(id=r["id"], head_id=r["head_id"], tail_id=r["tail_id"], type=r["type"],
                    annotator=r["annotator"], attrs=_stored_json(r["attrs"]),
                    created_at=r["created_at"], deleted_at=r["deleted_at"])


def annotation_row(a: Annotation) -> dict:
    """The row form of an annotation, as stored and as logged in events."""
    return {"id": a.id, "doc_id": a.doc_id, "annotator": a.annotator, "label": a.label, "start": a.start,
            "end": a.end, "quote": a.quote, "prefix": a.prefix, "suffix": a.suffix,
            "attrs": json.dumps(a.attrs, sort_keys=True), "note": a.note, "origin": a.origin,
            "status": a.status, "created_at": a.created_at, "updated_at": a.updated_at,
            "deleted_at": a.deleted_at}


def relation_row(r: Relation) -> dict:
    return {"id": r.id, "head_id": r.head_id, "tail_id": r.tail_id, "type": r.type, "annotator": r.annotator,
            "attrs": json.dumps(r.attrs, sort_keys=True), "created_at": r.created_at, "deleted_at": r.deleted_at}


def _strip_volatile(row: dict | None) -> dict | None:
    # Timestamps of deletion differ between a write and its replay; presence matters.
    if row is None:
        return None
    out = dict(row)
    if "deleted_at" in out:
        out["deleted_at"] = out["deleted_at"] is not None
    # attrs is JSON text; rows written by other code (an importer) may spell the
    # same object differently, which is not a change.
    if isinstance(out.get("attrs"), str):
        with contextlib.suppress(ValueError):
            out["attrs"] = json.loads(out["attrs"])
    return out


def _same_row(current: dict | None, expected: dict | None) -> bool:
    if expected is None:
        # "absent" and "hidden by deleted_at" are the same state to a user.
        return current is None or current.get("deleted_at") is not None
    return _strip_volatile(current) == _strip_volatile(expected)


def _dumps(row: dict | None) -> str | None:
    return None if row is None else json.dumps(row, sort_keys=True)


def _loads(text: str | None) -> dict | None:
    return None if text is None else json.loads(text)
