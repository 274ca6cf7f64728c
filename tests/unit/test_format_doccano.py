"""doccano export: integer ids, ASCII, counted losses; read back; doccano 1.8's own parser on it."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path

import pytest

from tui.core.errors import IngestError
from tui.core.formats import write_jsonl
from tui.core.ingest.jsonl import parse_jsonl
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession
from tui.core.store import Store
from seed_passages import seed_store, span_of as _at

REPO = Path(__file__).resolve().parents[2]
# `make test` installs doccano there; elsewhere point DIPTYCH_DOCCANO_PYTHON at a Python that has it.
DOCCANO_PYTHON = Path(os.environ.get("DIPTYCH_DOCCANO_PYTHON", REPO / ".venv-doccano" / "bin" / "python"))
PARSE = Path(__file__).parent / "consumers" / "doccano_parse.py"



@pytest.fixture
def store(tmp_path: Path):
    store, first, second = seed_store(tmp_path / "d.db")
    alice = AnnotationSession(store, "alice")
    claim = alice.tag(first.id, *_at(first.text, "joining the Islamic State"), "CLAIM",
                      attrs={"certainty": "reported"}, note="check")
    source = alice.tag(first.id, *_at(first.text, "a new report"), "SOURCE")
    alice.link(claim.id, source.id)
    inner = alice.tag(first.id, *_at(first.text, "Islamic State"), "SOURCE")  # inside the claim: overlaps
    alice.link(claim.id, inner.id, "attributed_to")
    other = alice.tag(second.id, 0, second.text.index(" ", 20), "CLAIM")
    alice.link(claim.id, other.id, "same_as")
    AnnotationSession(store, "bob").tag(first.id, *_at(first.text, "Islamic State"), "SOURCE")
    yield store
    store.close()


def _export(store: Store):
    buf = io.BytesIO()
    stats = write_jsonl(store, buf, "doccano")
    return buf.getvalue(), stats


def test_ids_are_integers_per_record_and_relations_point_at_them(store: Store) -> None:
    raw, stats = _export(store)
    assert raw.isascii()
    for line in raw.decode("ascii").splitlines():
        rec = json.loads(line)
        ids = [e["id"] for e in rec["entities"]]
        assert ids == list(range(1, len(ids) + 1))
        for e in rec["entities"]:  # doccano's checks: offsets inside the text, start < end
            assert 0 <= e["start_offset"] < e["end_offset"] <= len(rec["text"])
        assert [r["id"] for r in rec["relations"]] == list(range(1, len(rec["relations"]) + 1))
        for r in rec["relations"]:
            assert type(r["from_id"]) is int and type(r["to_id"]) is int
            assert {r["from_id"], r["to_id"]} <= set(ids)
        assert rec["label"] == [[e["start_offset"], e["end_offset"], e["label"]] for e in rec["entities"]]
    assert stats.relations == 2


def test_losses_and_warnings_are_counted(store: Store) -> None:
    _, stats = _export(store)
    assert stats.losses == {"cross-document relations": 1, "span attributes": 1, "span notes": 1}
    assert any("overlap" in w and w.startswith("1 span") for w in stats.warnings)
    assert any("2 annotators" in w and "--annotator" in w for w in stats.warnings)


def test_round_trip_gives_back_spans_and_relations(store: Store, tmp_path: Path) -> None:
    raw, _ = _export(store)
    parsed = parse_jsonl("x.jsonl", raw.decode("ascii"), DEFAULT_SCHEMA).documents
    alice = parsed[0]
    assert [(s.label, alice.text[s.start:s.end], s.id) for s in alice.spans] == [
        ("CLAIM", "joining the Islamic State", None), ("SOURCE", "Islamic State", None),
        ("SOURCE", "a new report", None)]
    rels = [(r.label, alice.text[r.head.start:r.head.end], alice.text[r.child.start:r.child.end])
            for r in alice.relations]
    assert sorted(rels) == [("attributed_to", "joining the Islamic State", "Islamic State"),
                            ("attributed_to", "joining the Islamic State", "a new report")]


def test_old_string_ids_still_read() -> None:
    line = json.dumps({"text": "The mayor said so.", "entities": [
        {"id": "a", "start_offset": 0, "end_offset": 9, "label": "SOURCE"},
        {"id": "b", "start_offset": 10, "end_offset": 17, "label": "CLAIM"}],
        "relations": [{"id": "r", "from_id": "b", "to_id": "a", "type": "attributed_to"}]})
    doc = parse_jsonl("old.jsonl", line, DEFAULT_SCHEMA).documents[0]
    assert [s.id for s in doc.spans] == ["a", "b"]
    assert (doc.relations[0].head.id, doc.relations[0].child.id, doc.relations[0].id) == ("b", "a", "r")


def test_relation_to_a_missing_integer_id_names_line_and_field() -> None:
    line = json.dumps({"text": "The mayor said so.", "entities": [
        {"id": 1, "start_offset": 0, "end_offset": 9, "label": "SOURCE"}],
        "relations": [{"id": 1, "from_id": 7, "to_id": 1, "type": "attributed_to"}]})
    with pytest.raises(IngestError) as info:
        parse_jsonl("bad.jsonl", "\n" + line, DEFAULT_SCHEMA)
    assert "bad.jsonl:2" in str(info.value) and "relations[0].from_id" in str(info.value)


def _doccano(path: Path) -> dict:
    # `make test` (and so CI) installs doccano: there a missing doccano is a failure, not a skip.
    missing = pytest.fail if os.environ.get("CI") else pytest.skip
    if not DOCCANO_PYTHON.exists():
        missing(f"doccano is not installed at {DOCCANO_PYTHON} (make .venv-doccano/.installed, "
                "or set DIPTYCH_DOCCANO_PYTHON to a Python with doccano)")
    done = subprocess.run([str(DOCCANO_PYTHON), str(PARSE), str(path)], capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0 and "ModuleNotFoundError" in done.stderr:
        missing(f"doccano cannot be imported with {DOCCANO_PYTHON}: {done.stderr.splitlines()[-1]}")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_doccanos_own_relation_extraction_importer_accepts_every_span_and_relation(store: Store,
                                                                                      tmp_path: Path) -> None:
    raw, stats = _export(store)
    path = tmp_path / "x.jsonl"
    path.write_bytes(raw)
    got = _doccano(path)
    assert got["errors"] == []
    assert (got["examples"], got["spans"], got["relations"]) == (stats.records, stats.spans, stats.relations)
    assert got["unresolved_relations"] == 0
    expected = [[rec["text"][e["start_offset"]:e["end_offset"]], e["label"]]
                for rec in map(json.loads, raw.decode().splitlines()) for e in rec["entities"]]
    assert sorted(got["span_texts"]) == sorted(expected)


def test_doccano_drops_string_ids_which_is_why_they_are_integers(tmp_path: Path) -> None:
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps({"text": "The mayor said so.", "entities": [
        {"id": "9f1c", "start_offset": 0, "end_offset": 9, "label": "SOURCE"}], "relations": []}) + "\n")
    assert _doccano(path)["spans"] == 0
