"""The published JSON Schemas of the JSONL formats we read: our own exports pass, broken lines fail."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from tui.core.formats import export
from tui.core.session import AnnotationSession

SCHEMAS = Path(__file__).resolve().parents[2] / "tui" / "core" / "formats" / "schemas"


def schema(name: str) -> dict:
    data = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(data)
    return data


def errors(name: str, obj: dict) -> list[str]:
    return [e.message for e in jsonschema.Draft202012Validator(schema(name)).iter_errors(obj)]


@pytest.fixture
def exported(seeded_store) -> dict[str, list[dict]]:
    docs = seeded_store.documents()
    s = AnnotationSession(seeded_store, "alice")
    claim = s.tag(docs[0].id, 0, 40, "CLAIM", attrs={"certainty": "reported"}, note="check")
    source = s.tag(docs[0].id, 50, 60, "SOURCE")
    s.link(claim.id, source.id, "attributed_to")
    other = s.tag(docs[1].id, 0, 30, "CLAIM")
    s.link(claim.id, other.id, "same_as")
    out = {}
    for fmt in ("prodigy", "doccano", "flat"):
        buf = io.BytesIO()
        export(seeded_store, fmt, buf)
        out[fmt] = [json.loads(line) for line in buf.getvalue().splitlines()]
    return out


@pytest.mark.parametrize("fmt", ["prodigy", "doccano", "flat"])
def test_every_exported_line_passes_its_schema(exported, fmt: str) -> None:
    assert exported[fmt]
    for line in exported[fmt]:
        assert errors(fmt, line) == []


@pytest.mark.parametrize(("fmt", "line", "complaint"), [
    ("prodigy", {"spans": []}, "'text' is a required property"),
    ("prodigy", {"text": "a b", "spans": [{"start": 0, "end": 1}]}, "'label' is a required property"),
    ("prodigy", {"text": "a b", "spans": [{"start": -1, "end": 1, "label": "X"}]}, "-1 is less than the minimum"),
    ("prodigy", {"text": "a b", "relations": [{"label": "attributed_to"}]}, "is not valid under any"),
    ("doccano", {"text": "a b", "label": [[0, 1]]}, "is too short"),
    ("doccano", {"text": "a b", "entities": [{"start_offset": "0", "end_offset": 1, "label": "X"}]},
     "'0' is not of type 'integer'"),
    ("doccano", {"text": "a b", "relations": [{"from_id": 1, "type": "x"}]}, "'to_id' is a required property"),
    ("flat", {"label": "CLAIM", "start": 0, "end": 1, "title": "t"}, "'selector' is a required property"),
    ("flat", {"selector": {"exact": "a"}, "label": "CLAIM", "start": 0, "end": 1}, "is not valid under any"),
])
def test_a_broken_line_fails_with_a_message_naming_the_problem(fmt: str, line: dict, complaint: str) -> None:
    found = errors(fmt, line)
    assert any(complaint in message for message in found), found
