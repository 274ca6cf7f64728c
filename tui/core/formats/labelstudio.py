"""Label Studio: one JSON file, a list of tasks, and the labeling config that goes with it.

One task per document: ``data`` holds the text and the document's meta, ``annotations``
one entry per annotator, ``predictions`` the document's cached suggestions. In a
result list every span is a ``labels`` region (id ``s1``, ``s2``… by position, so the
same annotations give the same bytes); its attributes are per-region ``choices``
results and its note a per-region ``textarea`` result, both sharing the region's id,
as Label Studio writes them for ``perRegion="true"`` controls. Relations are
``relation`` results between two regions of one annotation.

Label Studio keeps an annotation's author as an integer user id (``completed_by``), so
the annotator's name goes into the annotation's ``meta`` and, because Label Studio
keeps a task's ``meta`` through import and export, also into the task's
``meta.annotators`` (in annotation order). An accepted suggestion's origin is kept in
``diptych_origin`` on its region (Label Studio itself only knows "manual" and
"prediction").

``labeling_config(schema)`` gives the XML the tasks validate against; reading is in
``labelstudio_read`` (re-exported here as ``read``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from typing import IO, Any

from ..models import Annotation, Document
from .labelstudio_read import read
from .records import Record, WriteContext, document_meta, dumps

__all__ = ["CANNOT_CARRY", "EXAMPLE", "attribute_controls", "labeling_config", "read", "task", "write"]

LABELS = "label"  # the Labels control
TEXT = "text"  # the Text object, and the data key it shows
NOTE = "note"  # the per-region TextArea
_RESERVED = frozenset((LABELS, TEXT, NOTE))

CANNOT_CARRY: tuple[str, ...] = (
    "cross-document relations",
    "relation attributes",
    "attribute values outside the schema",
    "suggestions with labels outside the schema",
)

EXAMPLE = """\
[
{"annotations": [{"meta": {"annotator": "alice"}, "result": [
  {"from_name": "label", "id": "s1", "origin": "manual", "to_name": "text", "type": "labels",
   "value": {"end": 9, "labels": ["SOURCE"], "start": 0, "text": "The mayor"}},
  {"from_name": "label", "id": "s2", "origin": "manual", "to_name": "text", "type": "labels",
   "value": {"end": 30, "labels": ["CLAIM"], "start": 15, "text": "taxes will rise"}},
  {"from_name": "certainty", "id": "s2", "origin": "manual", "to_name": "text", "type": "choices",
   "value": {"choices": ["reported"], "end": 30, "start": 15}},
  {"direction": "right", "from_id": "s2", "labels": ["attributed_to"], "to_id": "s1", "type": "relation"}]}],
 "data": {"doc_id": 1, "story": "council", "text": "The mayor said taxes will rise.", "title": "Taxes", ...},
 "meta": {"annotators": ["alice"]}, "predictions": []}
]
"""

# The schema's ANSI colour names as the hex Label Studio wants for a label's background.
_HEX = {
    "black": "#4d4d4d", "red": "#e0474c", "green": "#3aa757", "yellow": "#f2c94c", "blue": "#3b82f6",
    "magenta": "#c25dd6", "cyan": "#22b8cf", "white": "#c8c8c8", "bright_black": "#8c8c8c",
    "bright_red": "#ff7b7f", "bright_green": "#7ee08f", "bright_yellow": "#fff176", "bright_blue": "#82b1ff",
    "bright_magenta": "#ea99f5", "bright_cyan": "#84ffff", "bright_white": "#eeeeee",
}


def attribute_controls(schema: Any) -> dict[tuple[str, str], str]:
    """(label, attribute) -> the name of its Choices control.

    Control names must be unique in a config, and two labels may share an attribute
    name with different choices (SOURCE type, ACTOR type): such an attribute, or one
    named like our other controls, is called ``LABEL_attribute``; any other keeps its
    own name (``certainty``).
    """
    owners: dict[str, int] = {}
    for spec in schema.labels:
        for attr in spec.attributes:
            owners[attr.name] = owners.get(attr.name, 0) + 1
    names: dict[tuple[str, str], str] = {}
    for spec in schema.labels:
        for attr in spec.attributes:
            plain = owners[attr.name] == 1 and attr.name not in _RESERVED
            names[(spec.name, attr.name)] = attr.name if plain else f"{spec.name}_{attr.name}"
    return names


def labeling_config(schema: Any) -> str:
    """The labeling config (XML) for ``schema``: the labels with their colours, a
    per-region Choices per attribute (shown when a region of that label is selected),
    a per-region TextArea for the note, and the relation types."""
    view = ET.Element("View")
    labels = ET.SubElement(view, "Labels", name=LABELS, toName=TEXT)
    for spec in schema.labels:
        ET.SubElement(labels, "Label", value=spec.name, background=_HEX.get(spec.color, "#f2c94c"))
    ET.SubElement(view, "Text", name=TEXT, value=f"${TEXT}")
    if schema.relations:
        relations = ET.SubElement(view, "Relations")
        for rel in schema.relations:
            ET.SubElement(relations, "Relation", value=rel.name)
    controls = attribute_controls(schema)
    for spec in schema.labels:
        if not spec.attributes:
            continue
        when = {"visibleWhen": "region-selected", "whenTagName": LABELS, "whenLabelValue": spec.name}
        box = ET.SubElement(view, "View", when)
        for attr in spec.attributes:
            ET.SubElement(box, "Header", value=f"{spec.name}: {attr.name}", size="6")
            choices = ET.SubElement(box, "Choices", {"name": controls[(spec.name, attr.name)], "toName": TEXT,
                                                     "perRegion": "true", "choice": "single",
                                                     "showInline": "true", **when})
            for choice in attr.choices:
                ET.SubElement(choices, "Choice", value=choice)
    box = ET.SubElement(view, "View", visibleWhen="region-selected")
    ET.SubElement(box, "Header", value="Note", size="6")
    ET.SubElement(box, "TextArea", name=NOTE, toName=TEXT, perRegion="true", editable="true",
                  maxSubmissions="1", rows="2", placeholder="note")
    ET.indent(view, space="  ")
    return ET.tostring(view, encoding="unicode") + "\n"


# ------------------------------------------------------------------ writing


def write(records: Iterable[Record], out: IO[bytes], ctx: WriteContext) -> None:
    """A JSON list, one task a line: same annotations, same bytes."""
    first = True
    out.write(b"[")
    for doc, story, recs in _by_document(records):
        line = dumps(task(doc, story, recs, ctx), ascii_only=ctx.ascii_only)
        out.write((b"\n" if first else b",\n") + line.encode("utf-8"))
        first = False
        ctx.stats.records += 1
    out.write(b"]\n" if first else b"\n]\n")


def _by_document(records: Iterable[Record]) -> Iterator[tuple[Document, str, list[Record]]]:
    """Consecutive records of one document (they come ordered by story, document, annotator)."""
    group: list[Record] = []
    for rec in records:
        if group and rec.document.id != group[0].document.id:
            yield group[0].document, group[0].story, group
            group = []
        group.append(rec)
    if group:
        yield group[0].document, group[0].story, group


def task(doc: Document, story: str, recs: list[Record], ctx: WriteContext) -> dict[str, Any]:
    """The Label Studio task of one document and its annotators' records."""
    return {"data": {TEXT: doc.text, **document_meta(doc, story)},
            "annotations": [_annotation(rec, ctx) for rec in recs],
            "predictions": _predictions(doc, ctx),
            "meta": {"annotators": [rec.annotator for rec in recs]}}


def _annotation(rec: Record, ctx: WriteContext) -> dict[str, Any]:
    schema, stats = ctx.schema, ctx.stats
    table = _attribute_table(schema)
    known = set(schema.names)
    text = rec.document.text
    result: list[dict[str, Any]] = []
    ids: dict[str, str] = {}
    for n, a in enumerate(rec.spans, 1):
        rid = ids[a.id] = f"s{n}"
        origin = "manual" if a.origin == "manual" else "prediction"
        region: dict[str, Any] = {"id": rid, "from_name": LABELS, "to_name": TEXT, "type": "labels",
                                  "origin": origin,
                                  "value": {"start": a.start, "end": a.end, "text": text[a.start:a.end],
                                            "labels": [a.label]}}
        if a.origin != "manual":
            region["diptych_origin"] = a.origin
        result.append(region)
        if a.label not in known:
            stats.warn(f"label {a.label!r} is not in the schema: add it to the labeling config before importing")
        result.extend(_attribute_results(a, rid, origin, table, stats))
        if a.note:
            result.append({"id": rid, "from_name": NOTE, "to_name": TEXT, "type": "textarea", "origin": origin,
                           "value": {"start": a.start, "end": a.end, "text": [a.note]}})
        stats.spans += 1
    for lr in rec.relations:
        if lr.tail_doc is not None:
            stats.lose("cross-document relations")
            continue
        if lr.relation.attrs:
            stats.lose("relation attributes", len(lr.relation.attrs))
        result.append({"type": "relation", "from_id": ids[lr.head.id], "to_id": ids[lr.tail.id],
                       "direction": "right", "labels": [lr.relation.type]})
        stats.relations += 1
    return {"result": result, "meta": {"annotator": rec.annotator}}


def _attribute_results(a: Annotation, rid: str, origin: str, table: dict[tuple[str, str], tuple[str, tuple]],
                       stats: Any) -> list[dict[str, Any]]:
    out = []
    for name in sorted(a.attrs):
        value = a.attrs[name]
        control, choices = table.get((a.label, name), ("", ()))
        if value not in choices:
            # No per-region Choices offers this value: Label Studio would refuse it.
            stats.lose("attribute values outside the schema")
            continue
        out.append({"id": rid, "from_name": control, "to_name": TEXT, "type": "choices", "origin": origin,
                    "value": {"start": a.start, "end": a.end, "choices": [value]}})
    return out


def _attribute_table(schema: Any) -> dict[tuple[str, str], tuple[str, tuple[str, ...]]]:
    """(label, attribute) -> (its Choices control, its choices)."""
    controls = attribute_controls(schema)
    return {(spec.name, attr.name): (controls[(spec.name, attr.name)], attr.choices)
            for spec in schema.labels for attr in spec.attributes}


def _predictions(doc: Document, ctx: WriteContext) -> list[dict[str, Any]]:
    """The cached suggestions, one prediction per suggester@version, with the cue pairs'
    relations (head to tail, when the schema has the relation)."""
    known = set(ctx.schema.names)
    relation_types = {r.name for r in ctx.schema.relations}
    by_model: dict[str, dict[tuple[int, int, str], Any]] = {}
    outside = 0
    for s in ctx.suggestions(doc):
        if s.label not in known:
            outside += 1
            continue
        by_model.setdefault(f"{s.suggester}@{s.version}", {}).setdefault((s.start, s.end, s.label), s)
    ctx.stats.lose("suggestions with labels outside the schema", outside)
    out = []
    for model in sorted(by_model):
        suggestions = [by_model[model][k] for k in sorted(by_model[model])]
        result: list[dict[str, Any]] = []
        scores = []
        for n, s in enumerate(suggestions, 1):
            score = min(1.0, max(0.0, float(s.score)))
            scores.append(score)
            result.append({"id": f"p{n}", "from_name": LABELS, "to_name": TEXT, "type": "labels",
                           "score": score, "value": {"start": s.start, "end": s.end,
                                                     "text": doc.text[s.start:s.end], "labels": [s.label]}})
        for n, head in enumerate(suggestions, 1):
            if head.role != "head" or not head.group or head.relation not in relation_types:
                continue
            for m, tail in enumerate(suggestions, 1):
                if tail.role == "tail" and tail.group == head.group:
                    result.append({"type": "relation", "from_id": f"p{n}", "to_id": f"p{m}",
                                   "direction": "right", "labels": [head.relation]})
        out.append({"model_version": model, "score": round(sum(scores) / len(scores), 6), "result": result})
    return out
