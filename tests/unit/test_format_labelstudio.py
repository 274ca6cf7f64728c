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
from seed_passages import span_of as _at

SEEDS = Path(__file__).resolve().parents[2] / "seeds"



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


# ------------------------------------------------------------------ reading Label Studio's own export

TEXT = "The mayor said taxes will rise. Critics disagree."


def _ls_export(**changes) -> list[dict]:
    """As Label Studio's "JSON" export writes it: ints for ids and users, timestamps, origins."""
    region = {"id": "Dx_aB91ISN", "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual",
              "value": {"start": 15, "end": 30, "text": "taxes will rise", "labels": ["CLAIM"]}}
    source = {"id": "t5sp3TyXPo", "from_name": "label", "to_name": "text", "type": "labels",
              "origin": "prediction", "value": {"start": 0, "end": 9, "text": "The mayor", "labels": ["SOURCE"]}}
    annotation = {
        "id": 9, "completed_by": 7, "was_cancelled": False, "ground_truth": False, "lead_time": 4.2,
        "created_at": "2024-06-24T10:00:00Z", "task": 1, "project": 3,
        "result": [
            {"id": "Dx_aB91ISN", "from_name": "certainty", "to_name": "text", "type": "choices", "origin": "manual",
             "value": {"start": 15, "end": 30, "text": "taxes will rise", "choices": ["hedged"]}},
            region, source,
            {"id": "Dx_aB91ISN", "from_name": "note", "to_name": "text", "type": "textarea", "origin": "manual",
             "value": {"start": 15, "end": 30, "text": ["ask the council"]}},
            # drawn from the source to the claim, arrow pointing left: the claim is the head
            {"type": "relation", "from_id": "t5sp3TyXPo", "to_id": "Dx_aB91ISN", "direction": "left",
             "labels": []},
            {"id": "zLSY-XLk64", "from_name": "quality", "to_name": "text", "type": "choices",
             "value": {"choices": ["good"]}},  # a task-level control of their own project
        ]}
    cancelled = {"id": 10, "completed_by": 8, "was_cancelled": True, "result": []}
    task = {"id": 1, "data": {"text": TEXT, "title": "Taxes", "source_file": "a.txt"}, "annotations":
            [annotation, cancelled], "predictions": [{"model_version": "m", "result": []}],
            "created_at": "2024-06-24T09:00:00Z", "inner_id": 1, "total_annotations": 1}
    task.update(changes)
    return [task]


def _read(tasks) -> list:
    raw = tasks if isinstance(tasks, bytes) else json.dumps(tasks, indent=1).encode()
    return ls.read("export.json", raw, DEFAULT_SCHEMA)


def test_reads_label_studio_export_with_its_own_fields() -> None:
    [rec] = _read(_ls_export())
    assert rec.annotator == "ls-user-7" and rec.text == TEXT and rec.meta == {"title": "Taxes"}
    assert rec.extra_meta == {"source_file": "a.txt"} and rec.story is None
    assert [(s.start, s.end, s.label, s.attrs, s.note, s.origin) for s in rec.spans] == [
        (15, 30, "CLAIM", {"certainty": "hedged"}, "ask the council", "manual"),
        (0, 9, "SOURCE", {}, "", "labelstudio:prediction")]
    [rel] = rec.relations
    assert (rel.head.start, rel.head.label, rel.child.start, rel.child.label, rel.label) == (
        15, "CLAIM", 0, "SOURCE", "attributed_to")  # no type given: the schema's CLAIM -> SOURCE type
    assert "annotation 2 (ls-user-8) was cancelled" in rec.note
    assert "1 prediction(s) not imported" in rec.note and "1 choices result(s) not imported" in rec.note


def test_annotator_from_task_meta_when_the_annotation_lost_its_meta() -> None:
    tasks = _ls_export(meta={"annotators": ["alice", "bob"]})
    assert [r.annotator for r in _read(tasks)] == ["alice"]
    tasks[0]["annotations"][0]["meta"] = {"annotator": "carol"}
    assert [r.annotator for r in _read(tasks)] == ["carol"]


def test_a_task_without_annotations_still_gives_its_document() -> None:
    [rec] = _read([{"data": {"text": TEXT}}])
    assert rec.spans == [] and rec.annotator is None and rec.text == TEXT


def test_utf16_offsets_of_old_label_studio_are_mapped_to_code_points() -> None:
    text = "\U0001F4A9 The mayor said so."
    tasks = [{"data": {"text": text}, "annotations": [{"result": [
        {"id": "a", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 7, "end": 12, "text": "mayor", "labels": ["SOURCE"]}}]}]}]
    assert [(s.start, s.end) for s in _read(tasks)[0].spans] == [(6, 11)]


@pytest.mark.parametrize(("tasks", "message", "line"), [
    (b'{"data": {"text": "x"}}', "JSON list of tasks; this file is an object", 1),
    (b"", "this file is empty", 1),
    (b'[\n{"data": {"text": "x"}},\n{"data": ', "task 2: not valid JSON", 3),
    (b'[{"data": {"text": "x"}}] trailing', "text after the end", 1),
    ([{"annotations": []}], "task 1, data: must be an object, got null", 2),
    ([{"data": {"title": "no text"}}], "task 1, data.text: missing or empty", 2),
    ([{"data": {"text": "abc"}}, {"data": {"text": ""}}], "task 2, data.text: missing or empty", 7),
    (_ls_export(data={"text": "Too short."}), "task 1, annotations[0].result[1].value: span 15-30 is outside", 2),
])
def test_bad_input_names_file_task_and_line(tasks, message, line) -> None:
    with pytest.raises(IngestError) as err:
        _read(tasks)
    assert message in str(err.value) and str(err.value).startswith(f"[D020] export.json:{line}: ")


def _broken(index: int, **changes) -> list[dict]:
    tasks = _ls_export()
    result = tasks[0]["annotations"][0]["result"]
    result[index] = {**result[index], **changes}
    return tasks


@pytest.mark.parametrize(("tasks", "message"), [
    (_broken(4, to_id="nowhere"), "annotations[0].result[4].to_id: 'nowhere' is not the id of a labels region"),
    (_broken(4, labels=["sues"]), "result[4].labels: unknown relation type 'sues'"),
    (_broken(1, value={"start": 15, "end": 30, "labels": ["OPINION"]}), "result[1].value.labels: unknown label"),
    (_broken(1, value={"start": 15, "end": "30", "labels": ["CLAIM"]}), "result[1].value.end: must be an integer"),
    (_broken(1, value={"start": 30, "end": 15, "labels": ["CLAIM"]}), "start 30 is not before end 15"),
    (_broken(1, value={"start": 16, "end": 30, "text": "taxes will rise", "labels": ["CLAIM"]}),
     "result[1].value.text: 'taxes will rise' is not the text at 16-30"),
    (_broken(0, value={"choices": ["certain"]}), "result[0].value.choices: 'certain' is not a choice for CLAIM"),
    (_broken(0, id="elsewhere"), "result[0].id: 'elsewhere' is not the id of a labels region"),
    (_broken(0, from_name="SOURCE_type"), "'SOURCE_type' is an attribute of SOURCE, but region"),
    (_broken(2, id="Dx_aB91ISN"), "region id 'Dx_aB91ISN' is used by two labels results"),
])
def test_bad_results_name_task_annotation_and_result(tasks, message) -> None:
    with pytest.raises(IngestError) as err:
        _read(tasks)
    assert message in str(err.value) and "task 1, " in str(err.value)


def test_export_read_write_export_is_byte_identical(seeded, tmp_path: Path) -> None:
    """Through `diptych import`'s own path: the file is sniffed as Label Studio by its shape."""
    from tui.core.ingest import FileResult, ImportOptions, import_paths

    first, _ = _export(seeded["session"].store)
    path = tmp_path / "ls.json"
    path.write_bytes(first)
    again = AnnotationSession.open(tmp_path / "again.db", annotator="tester", schema=DEFAULT_SCHEMA)
    try:
        results = [r for r in import_paths(again.store, [path], ImportOptions(annotator="tester",
                                                                           schema=DEFAULT_SCHEMA))
                   if isinstance(r, FileResult)]
        assert [(r.fmt, r.status) for r in results] == [("labelstudio", "imported")]
        # The file carries alice's and bob's work; imported as "tester", that is said with counts.
        assert [w.split(": ", 1)[1] for w in results[0].warnings] == [
            "2 record(s) name annotator 'alice', not 'tester' whom this import runs as: 5 new span(s) written "
            "as 'alice' (this database's policy allows it)",
            "1 record(s) name annotator 'bob', not 'tester' whom this import runs as: 1 new span(s) written "
            "as 'bob' (this database's policy allows it)"]
        second, stats = _export(again.store)
    finally:
        again.close()
    assert second == first  # the cross-document same_as was lost in the first export already
    assert stats.losses == {}
