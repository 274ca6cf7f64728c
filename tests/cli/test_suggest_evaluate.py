"""`diptych suggest --evaluate`: suggesters scored against an annotator's
spans and links, on the seeds with our reference annotation
(bench/data/seeds/annotations.jsonl) and on a constructed one-sentence text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main
from tui.core.session import AnnotationSession
from tui.core.store import Store

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "bench" / "data" / "seeds" / "annotations.jsonl"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def gold_db(tmp_path) -> Path:
    db = tmp_path / "g.db"
    assert invoke("import", REPO / "seeds", "--db", db).exit_code == 0
    res = invoke("--annotator", "gold", "import", REFERENCE, "--db", db)
    assert res.exit_code == 0, res.output
    return db


def rows(payload: dict) -> dict[tuple[str, str], dict]:
    return {(r["suggester"], r["label"]): r for r in payload["scores"]}


def test_evaluate_the_rules_against_the_seed_reference_as_json(gold_db):
    res = invoke("suggest", "--evaluate", "--no-model", "-f", "json", "--db", gold_db)
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    assert payload["annotator"] == "gold" and payload["documents"] == 2
    ref_lines = REFERENCE.read_text(encoding="utf-8").splitlines()
    assert payload["reference_spans"] == len(ref_lines)
    assert payload["reference_pairs"] == sum(
        1 for line in ref_lines for r in json.loads(line)["relations"] if r["label"] == "attributed_to"
        and json.loads(line)["label"] == "CLAIM")
    got = rows(payload)
    claim = got[("attribution-cues", "CLAIM")]
    assert claim["reference"] == sum(1 for line in ref_lines if json.loads(line)["label"] == "CLAIM")
    assert 0 < claim["recall"] <= claim["recall_overlap"] <= 1
    assert ("rule-names", "SOURCE") in got and ("(any)", "SOURCE") in got
    assert ("attribution-cues", "CLAIM→SOURCE") in got


def test_evaluate_table_and_one_story(gold_db):
    res = invoke("suggest", "--evaluate", "--no-model", "--story", "seeds", "--db", gold_db)
    assert res.exit_code == 0, res.output
    assert "reference: gold's" in res.output and "P ≥50%" in res.output
    assert "attribution-cues  CLAIM→SOURCE" in res.output


def test_evaluate_counts_a_constructed_sentence_exactly(tmp_path):
    db = tmp_path / "c.db"
    text = "The mayor said taxes will rise. Critics disagree."  # constructed
    store = Store.open(db)
    doc, _ = store.add_document("council", text, title="t")
    store.close()
    session = AnnotationSession.open(db, annotator="gold")
    try:
        claim = session.tag(doc.id, 15, 30, "CLAIM")
        source = session.tag(doc.id, 0, 9, "SOURCE")
        session.link(claim.id, source.id, "attributed_to")
    finally:
        session.close()
    res = invoke("suggest", "--evaluate", "--no-model", "-f", "json", "--db", db)
    got = rows(json.loads(res.output))
    assert got[("attribution-cues", "CLAIM")]["precision"] == 1.0
    assert got[("attribution-cues", "CLAIM")]["recall"] == 1.0
    assert got[("attribution-cues", "CLAIM→SOURCE")]["recall"] == 1.0
    assert got[("attribution-cues", "SOURCE")]["exact_found"] == 1


def test_evaluate_against_nobody_says_who_there_is(gold_db):
    res = CliRunner().invoke(main, ["suggest", "--evaluate", "--no-model", "--annotator", "zed", "--db", str(gold_db)])
    assert res.exit_code == 1
    assert "'zed' has no annotations" in res.output and "gold" in res.output
