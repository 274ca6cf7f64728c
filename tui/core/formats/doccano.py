"""doccano JSONL: the sequence-labelling ``label`` list and the relation-extraction
``entities`` / ``relations``, in the shape doccano 1.8's importer parses.

doccano reads ``entities[].id`` and ``relations[].from_id`` / ``to_id`` as integers
(an id it cannot convert makes it drop the record's spans without a word), so ids
are numbered per record: entities 1..n in span order, relations 1..m. Offsets are
code points, as doccano counts them; every line is ASCII-escaped JSON so that no
encoding guess on doccano's side can shift them.

What doccano cannot hold is counted in ``ctx.stats`` (never dropped silently):
relations into another document, span attributes and notes, and origins other than
"manual" (span ids are renumbered, so they are not carried either). Overlapping spans and several annotators
in one file are warnings: doccano keeps overlaps only in a project that allows them,
and it imports a file as one user.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from ..models import Annotation
from .records import Record, WriteContext, document_meta, dumps

CANNOT_CARRY = ("cross-document relations", "span attributes", "span notes", "span ids", "span origins")

EXAMPLE = (
    '{"annotator": "alice", "entities": [{"end_offset": 9, "id": 1, "label": "SOURCE", "start_offset": 0}, '
    '{"end_offset": 30, "id": 2, "label": "CLAIM", "start_offset": 15}], '
    '"label": [[0, 9, "SOURCE"], [15, 30, "CLAIM"]], "meta": {"doc_id": 1, "story": "council", …}, '
    '"relations": [{"from_id": 2, "id": 1, "to_id": 1, "type": "attributed_to"}], '
    '"text": "The mayor said taxes will rise. Critics disagree."}'
)


def doccano_record(rec: Record) -> dict[str, Any]:
    """One doccano line; relations to other documents have no place in it and are left out."""
    number = {a.id: i for i, a in enumerate(rec.spans, 1)}
    inside = [lr for lr in rec.relations if lr.tail_doc is None]
    return {"text": rec.document.text,
            "label": [[a.start, a.end, a.label] for a in rec.spans],
            "entities": [{"id": number[a.id], "start_offset": a.start, "end_offset": a.end, "label": a.label}
                         for a in rec.spans],
            "relations": [{"id": i, "from_id": number[lr.head.id], "to_id": number[lr.tail.id],
                           "type": lr.relation.type} for i, lr in enumerate(inside, 1)],
            "meta": document_meta(rec.document, rec.story), "annotator": rec.annotator}


def overlapping(spans: Iterable[Annotation]) -> int:
    """How many spans overlap an earlier one (spans sorted by start)."""
    count, reach = 0, -1
    for a in sorted(spans, key=lambda a: (a.start, a.end)):
        if a.start < reach:
            count += 1
        reach = max(reach, a.end)
    return count


def write(records: Iterable[Record], out: IO[bytes], ctx: WriteContext) -> None:
    stats = ctx.stats
    annotators: set[str] = set()
    overlaps = 0
    for rec in records:
        annotators.add(rec.annotator)
        line = doccano_record(rec)
        stats.spans += len(rec.spans)
        stats.relations += len(line["relations"])
        stats.lose("cross-document relations", len(rec.relations) - len(line["relations"]))
        stats.lose("span attributes", sum(1 for a in rec.spans if a.attrs))
        stats.lose("span notes", sum(1 for a in rec.spans if a.note))
        stats.lose("span origins", sum(1 for a in rec.spans if a.origin and a.origin != "manual"))
        overlaps += overlapping(rec.spans)
        # Always ASCII: doccano guesses a file's encoding, and a wrong guess would move offsets.
        out.write(dumps(line, ascii_only=True).encode("ascii") + b"\n")
        stats.records += 1
    if overlaps:
        stats.warn(f"{overlaps} span(s) overlap another span of the same record: doccano keeps them only in "
                   "a project created with \"Allow overlapping spans\"")
    if len(annotators) > 1:
        stats.warn(f"the file holds {len(annotators)} annotators' spans; "
                   "doccano imports a file as one user: export one file per annotator with --annotator")
