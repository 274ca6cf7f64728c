"""Label Studio: tasks and labeling config checked by label-studio-sdk, round trip, losses, bad input."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from tui.core.errors import IngestError
from tui.core.formats import ExportStats, iter_records
from tui.core.formats import labelstudio as ls
from tui.core.formats.records import LinkedRelation, Record, WriteContext
from tui.core.models import Annotation, Document, Relation, Suggestion
from tui.core.schema import DEFAULT_SCHEMA, AttributeSpec
from tui.core.session import AnnotationSession

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _at(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


@pytest.fixture
def seeded(tmp_path: Path):
    """The two seed articles; alice: CLAIM/SOURCE with attributes and a note, attributed_to,
    MOTIVE motive_of ACTOR, a cross-document same_as; bob: an accepted suggestion."""
    s = AnnotationSession.open(tmp_path / "d.db", annotator="alice", schema=DEFAULT_SCHEMA)
    docs = []
    for path in sorted(SEEDS.glob("*.txt")):
        doc, _ = s.store.add_document("Ex-Afghan forces", path.read_text(encoding="utf-8"), title=path.stem,
                                      url=f"https://example.org/{path.stem}", outlet="Seed")
        docs.append(doc)
    a, b = docs
    claim = s.tag(a.id, *_at(a.text, "joining the Islamic State in order to fight the Taliban"), "CLAIM",
                  attrs={"certainty": "reported", "stance": "neutral"}, note="check the report\nsecond line")
    source = s.tag(a.id, *_at(a.text, "a new report"), "SOURCE", attrs={"type": "document", "named": "no"})
    s.link(claim.id, source.id)
    motive = s.tag(b.id, *_at(b.text, "to fight Taliban"), "MOTIVE", attrs={"category": "security"})
    actor = s.tag(b.id, *_at(b.text, "Taliban"), "ACTOR", attrs={"type": "group"})
    s.link(motive.id, actor.id, "motive_of")
    other = s.tag(b.id, *_at(b.text, "reportedly joining Islamic State"), "CLAIM")
    s.link(claim.id, other.id, "same_as")
    bob = AnnotationSession(s.store, "bob", DEFAULT_SCHEMA)
    bob.tag(a.id, *_at(a.text, "Some observers"), "SOURCE", origin="suggestion:spacy@3.8")
    yield {"session": s, "docs": docs}
    s.close()


def _suggestions(doc):
    """A cue pair (CLAIM head, SOURCE tail) and a lone span from one suggester."""
    out = []
    if "a new report" in doc.text:
        out += [Suggestion(*_at(doc.text, "are joining the Islamic State"), "CLAIM", "cues", "2", 0.8,
                           group="g1", role="head", relation="attributed_to"),
                Suggestion(*_at(doc.text, "a new report"), "SOURCE", "cues", "2", 0.7, group="g1", role="tail")]
    out.append(Suggestion(*_at(doc.text, "Taliban"), "ACTOR", "spacy", "3.8", 1.0))
    out.append(Suggestion(0, 5, "PERSON?", "spacy", "3.8", 0.5))  # not in the schema
    return out


def _export(store, schema=DEFAULT_SCHEMA, suggestions=lambda doc: []) -> tuple[bytes, ExportStats]:
    stats = ExportStats("labelstudio")
    buf = io.BytesIO()
    ls.write(iter_records(store), buf, WriteContext(stats, schema, suggestions=suggestions))
    return buf.getvalue(), stats


def _region_results(task_part: dict) -> list[dict]:
    return [r for r in task_part["result"] if r["type"] != "relation"]


# ------------------------------------------------------------------ the consumer: label-studio-sdk


@pytest.fixture(scope="module")
def interface():
    sdk = pytest.importorskip("label_studio_sdk.label_interface",
                              reason="label-studio-sdk is not installed (test extra: label-studio-sdk>=2.0.19,<2.1)")
    li = sdk.LabelInterface(ls.labeling_config(DEFAULT_SCHEMA))
    li.validate()  # schema, unique names, every toName exists
    return li


def test_labeling_config_has_our_labels_colours_choices_note_and_relations(interface) -> None:
    assert sorted(interface.get_control("label").labels) == sorted(DEFAULT_SCHEMA.names)
    root = ET.fromstring(ls.labeling_config(DEFAULT_SCHEMA))
    assert {e.get("value"): e.get("background") for e in root.iter("Label")}["CLAIM"] == "#f2c94c"
    assert [e.get("value") for e in root.iter("Relation")] == [r.name for r in DEFAULT_SCHEMA.relations]
    for (label, attr), name in ls.attribute_controls(DEFAULT_SCHEMA).items():
        control = interface.get_control(name)
        assert control.attr["perRegion"] == "true" and control.attr["whenLabelValue"] == label
        assert tuple(control.labels) == next(a.choices for a in DEFAULT_SCHEMA.label(label).attributes
                                             if a.name == attr)
    # SOURCE and ACTOR both have "type", with different choices: one control each
    assert interface.get_control("SOURCE_type") and interface.get_control("ACTOR_type")
    assert interface.get_control("certainty").attr["whenTagName"] == "label"
    assert interface.get_control("note").tag == "TextArea"


def test_every_task_annotation_and_prediction_validates(seeded, interface) -> None:
    raw, stats = _export(seeded["session"].store, suggestions=_suggestions)
    tasks = json.loads(raw)
    assert len(tasks) == 2 and all(t["annotations"] for t in tasks)
    relation_types = {e.get("value") for e in ET.fromstring(interface.config).iter("Relation")}
    n_annotations = n_predictions = 0
    for task in tasks:
        # validate_task() itself calls validate_annotation() without its argument (SDK 2.0.19), so the
        # task's data is checked alone and each annotation and prediction on its own.
        assert interface.validate_task({"data": task["data"]})
        for part in task["annotations"] + task["predictions"]:
            assert interface.validate_prediction(part, return_errors=True) == []
            assert interface.validate_annotation(part)
            regions = {r["id"]: r for r in part["result"] if r["type"] == "labels"}
            for r in _region_results(part):
                # per-region results share their region's id and offsets, as Label Studio writes them
                assert r["id"] in regions
                assert (r["value"]["start"], r["value"]["end"]) == (regions[r["id"]]["value"]["start"],
                                                                    regions[r["id"]]["value"]["end"])
                if r["type"] == "labels":
                    assert task["data"]["text"][r["value"]["start"]:r["value"]["end"]] == r["value"]["text"]
            for rel in (r for r in part["result"] if r["type"] == "relation"):
                assert set(rel["labels"]) <= relation_types  # the SDK does not check relation labels
        n_annotations += len(task["annotations"])
        n_predictions += len(task["predictions"])
    assert n_annotations == 3 and n_predictions == 3
    pred = next(p for p in tasks[0]["predictions"] if p["model_version"] == "cues@2")
    assert pred["score"] == 0.75 and [r["type"] for r in pred["result"]] == ["labels", "labels", "relation"]
    assert stats.losses["suggestions with labels outside the schema"] == 2


def test_the_validator_is_not_vacuous(interface) -> None:
    region = {"id": "s1", "from_name": "label", "to_name": "text", "type": "labels",
              "value": {"start": 0, "end": 3, "text": "The", "labels": ["CLAIM"]}}
    bad_choice = {"id": "s1", "from_name": "SOURCE_type", "to_name": "text", "type": "choices",
                  "value": {"start": 0, "end": 3, "choices": ["person"]}}  # an ACTOR type, not a SOURCE one
    assert interface.validate_annotation({"result": [region]})
    assert not interface.validate_annotation({"result": [region, bad_choice]})
    assert not interface.validate_annotation({"result": [dict(region, value={**region["value"], "labels": ["X"]})]})
    assert not interface.validate_annotation({"result": [region, {"type": "relation", "from_id": "s1",
                                                                  "to_id": "s9", "direction": "right"}]})


# ------------------------------------------------------------------ shape, determinism, round trip


def test_shape_and_same_bytes_twice(seeded) -> None:
    store = seeded["session"].store
    raw, stats = _export(store)
    assert raw == _export(store)[0]
    assert raw.startswith(b"[\n{") and raw.endswith(b"}\n]\n")
    lines = raw.decode().splitlines()[1:-1]
    for line in lines:  # one task a line, keys sorted
        obj = json.loads(line.rstrip(","))
        assert line.rstrip(",") == json.dumps(obj, ensure_ascii=False, sort_keys=True)
    first = json.loads(raw)[0]
    doc = seeded["docs"][0]
    assert first["data"]["text"] == doc.text
    assert {k: first["data"][k] for k in ("doc_id", "title", "outlet", "url", "story", "text_sha256")} == {
        "doc_id": doc.id, "title": doc.title, "outlet": "Seed", "url": doc.url, "story": "Ex-Afghan forces",
        "text_sha256": doc.text_sha256}
    assert [a["meta"]["annotator"] for a in first["annotations"]] == ["alice", "bob"]
    assert first["meta"] == {"annotators": ["alice", "bob"]}
    alice = first["annotations"][0]["result"]
    assert [r["id"] for r in alice if r["type"] == "labels"] == ["s1", "s2"]
    assert {(r["from_name"], r["id"]) for r in alice if r["type"] in ("choices", "textarea")} == {
        ("certainty", "s1"), ("stance", "s1"), ("note", "s1"), ("SOURCE_type", "s2"), ("named", "s2")}
    bob = first["annotations"][1]["result"][0]
    assert bob["origin"] == "prediction" and bob["diptych_origin"] == "suggestion:spacy@3.8"
    assert stats.records == 2 and stats.spans == 6 and stats.relations == 2


def test_round_trip_gives_back_spans_attributes_notes_origins_and_relations(seeded) -> None:
    store = seeded["session"].store
    raw, stats = _export(store, suggestions=_suggestions)
    back = ls.read("ls.json", raw, DEFAULT_SCHEMA)
    records = list(iter_records(store))
    assert [(r.annotator, r.text) for r in back] == [(r.annotator, r.document.text) for r in records]
    for got, rec in zip(back, records):
        assert got.fmt == "labelstudio" and got.story == "Ex-Afghan forces"
        assert got.meta["title"] == rec.document.title and got.meta["url"] == rec.document.url
        assert "doc_id" not in got.extra_meta and "text" not in got.extra_meta
        assert [(s.start, s.end, s.label, s.attrs, s.note, s.origin) for s in got.spans] == [
            (a.start, a.end, a.label, a.attrs, a.note, a.origin) for a in rec.spans]
        assert [((r.head.start, r.head.end, r.head.label), (r.child.start, r.child.end, r.child.label), r.label)
                for r in got.relations] == [
            ((lr.head.start, lr.head.end, lr.head.label), (lr.tail.start, lr.tail.end, lr.tail.label),
             lr.relation.type) for lr in rec.relations if lr.tail_doc is None]
    assert "prediction(s) not imported" in back[0].note
    assert stats.losses == {"cross-document relations": 1, "suggestions with labels outside the schema": 2}


# ------------------------------------------------------------------ losses


def test_cross_document_relation_is_counted_not_written(seeded) -> None:
    raw, stats = _export(seeded["session"].store)
    assert stats.losses == {"cross-document relations": 1}
    labels = [r["labels"] for t in json.loads(raw) for a in t["annotations"] for r in a["result"]
              if r["type"] == "relation"]
    assert sorted(labels) == [["attributed_to"], ["motive_of"]]
    assert "cross-document relations" in ls.CANNOT_CARRY


def test_attribute_value_outside_the_schema_is_counted(seeded) -> None:
    """Annotated under one schema, exported under another that no longer offers ACTOR type "group"."""
    labels = tuple(replace(spec, attributes=(AttributeSpec("type", ("person", "state")),)) if spec.name == "ACTOR"
                   else spec for spec in DEFAULT_SCHEMA.labels)
    narrower = replace(DEFAULT_SCHEMA, labels=labels)
    raw, stats = _export(seeded["session"].store, schema=narrower)
    assert stats.losses["attribute values outside the schema"] == 1
    actor = [r for t in json.loads(raw) for x in t["annotations"] for r in x["result"]
             if r["type"] == "labels" and r["value"]["labels"] == ["ACTOR"]]
    assert len(actor) == 1  # the span itself is written, without the value
    assert not [r for t in json.loads(raw) for x in t["annotations"] for r in x["result"]
                if r.get("from_name") == "ACTOR_type"]
    for what in stats.losses:
        assert what in ls.CANNOT_CARRY


def test_relation_attributes_are_counted() -> None:
    text = "The mayor said taxes will rise."
    doc = Document(1, 1, text, "sha")
    claim = Annotation("c", 1, "alice", "CLAIM", *_at(text, "taxes will rise"), "taxes will rise")
    source = Annotation("s", 1, "alice", "SOURCE", *_at(text, "The mayor"), "The mayor")
    rel = Relation("r", "c", "s", "attributed_to", "alice", attrs={"confidence": "high"})
    stats = ExportStats("labelstudio")
    buf = io.BytesIO()
    ls.write([Record(doc, "council", "alice", (source, claim), (LinkedRelation(rel, claim, source),))], buf,
             WriteContext(stats, DEFAULT_SCHEMA))
    assert stats.losses == {"relation attributes": 1}
    result = json.loads(buf.getvalue())[0]["annotations"][0]["result"]
    assert result[-1] == {"type": "relation", "from_id": "s2", "to_id": "s1", "direction": "right",
                          "labels": ["attributed_to"]}


def test_nothing_to_export_is_an_empty_list() -> None:
    buf = io.BytesIO()
    ls.write([], buf, WriteContext(ExportStats("labelstudio"), DEFAULT_SCHEMA))
    assert buf.getvalue() == b"[]\n" and ls.read("e.json", buf.getvalue(), DEFAULT_SCHEMA) == []
