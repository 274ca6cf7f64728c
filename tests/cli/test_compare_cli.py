"""`diptych compare`: the seed story compared as a table, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main
from tui.core.align import alignment  # the cache calls align_story through this module
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession

from seed_passages import NABIL_CLAIM, SMALL_000, SMALL_001, STORY, span_of

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"


def invoke(*args: str):
    return CliRunner().invoke(main, list(map(str, args)), catch_exceptions=False)


@pytest.fixture
def seed_db(tmp_path: Path) -> Path:
    """The seed story as the importer makes it, annotated by alice (and a little by bob)."""
    db = tmp_path / "compare.db"
    res = invoke("import", SEEDS, "--story", STORY, "--db", db)
    assert res.exit_code == 0, res.output
    session = AnnotationSession.open(db, annotator="alice", schema=DEFAULT_SCHEMA)
    try:
        d0, d1 = session.documents(session.stories()[0].id)
        assert d0.source_path.endswith("000_26c581c9b022c814.txt")
        claim0 = session.tag(d0.id, *span_of(d0.text, SMALL_000), "CLAIM", attrs={"certainty": "reported"})
        wsj0 = session.tag(d0.id, *span_of(d0.text, "The Wall Street Journal"), "SOURCE",
                           attrs={"type": "media outlet", "named": "yes"})
        session.link(claim0.id, wsj0.id, "attributed_to")
        claim1 = session.tag(d1.id, *span_of(d1.text, SMALL_001), "CLAIM", attrs={"certainty": "reported"})
        wsj1 = session.tag(d1.id, *span_of(d1.text, "the Wall Street Journal"), "SOURCE",
                           attrs={"type": "media outlet", "named": "yes"})
        session.link(claim1.id, wsj1.id, "attributed_to")
        nabil = session.tag(d1.id, *span_of(d1.text, "Rahmatullah Nabil"), "SOURCE",
                            attrs={"type": "named person", "named": "yes"})
        claim2 = session.tag(d1.id, *span_of(d1.text, NABIL_CLAIM), "CLAIM", attrs={"certainty": "asserted"})
        session.link(claim2.id, nabil.id, "attributed_to")
        bob = AnnotationSession(session.store, "bob", DEFAULT_SCHEMA)
        bob.tag(d0.id, *span_of(d0.text, "in order to secure a regular income"), "MOTIVE",
                attrs={"category": "economic"})
    finally:
        session.close()
    return db


def _ids(db: Path) -> tuple[int, int]:
    session = AnnotationSession.open(db, annotator="alice", schema=DEFAULT_SCHEMA, readonly=True)
    try:
        d0, d1 = session.documents(session.stories()[0].id)
        return d0.id, d1.id
    finally:
        session.close()


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split(" | ")]


def test_table_shows_both_outlets_carrying_the_claim_and_citing_wsj(seed_db):
    res = invoke("compare", "--db", seed_db, "--story", STORY, "--annotator", "alice")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == f"Story: {STORY}"
    assert lines[1].startswith("  [1] intelnews.org: ")
    assert "Annotations: alice's" in lines[2:6] and lines[lines.index("Annotations: alice's") + 1] == ""
    header = next(line for line in lines if line.startswith("claim "))
    assert _cells(header)[1:] == ["intelnews.org", "Sputnik News"]
    c1 = next(line for line in lines if line.startswith("C1 "))
    assert "relatively small, but growing" in c1
    assert _cells(c1)[1:] == ["yes", "yes"]  # both outlets carry the claim
    c2 = next(line for line in lines if line.startswith("C2 "))
    assert _cells(c2)[1:] == ["-", "yes"]
    wsj = next(line for line in lines if line.startswith("Wall Street Journal "))
    assert _cells(wsj)[1:] == ["1: The Wall Street Journal", "1: the Wall Street Journal"]
    nabil = next(line for line in lines if line.startswith("Rahmatullah Nabil "))
    assert _cells(nabil)[1:] == ["-", "1: Rahmatullah Nabil"]
    assert "Passages only one outlet has" in res.stdout
    assert "economic" not in res.stdout  # bob's motive is not alice's


def test_json_claims_sources_and_attribution(seed_db):
    d0, d1 = _ids(seed_db)
    res = invoke("compare", "--db", seed_db, "--story", STORY, "--annotator", "alice", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["story"] == STORY and data["annotators"] == ["alice"] and data["all_annotators"] is False
    assert [o["outlet"] for o in data["outlets"]] == ["intelnews.org", "Sputnik News"]
    small = next(c for c in data["claims"] if "small, but growing" in c["text"])
    assert small["carried_by"] == [d0, d1]
    assert small["outlets"][str(d0)]["attribution"] == ["Wall Street Journal"]
    assert small["outlets"][str(d1)]["attribution"] == ["Wall Street Journal"]
    assert small["outlets"][str(d1)]["quotes"] == [SMALL_001]
    assert small["outlets"][str(d0)]["certainty"] == ["reported"]
    nabil_claim = next(c for c in data["claims"] if c["text"] == NABIL_CLAIM)
    assert nabil_claim["carried_by"] == [d1]
    assert nabil_claim["outlets"][str(d1)]["attribution"] == ["Rahmatullah Nabil"]
    groups = {g["name"]: g["cited_by"] for g in data["source_groups"]}
    assert groups == {"Wall Street Journal": [d0, d1], "Rahmatullah Nabil": [d1]}
    named = [(s["outlet"], s["quote"], s["named"], s["type"]) for s in data["sources"]]
    assert ("Sputnik News", "Rahmatullah Nabil", "yes", "named person") in named
    assert data["motives"] == []
    assert {p["outlet"] for p in data["only_in"]} == {"intelnews.org", "Sputnik News"}


def test_csv_long_format(seed_db):
    d0, d1 = _ids(seed_db)
    res = invoke("compare", "--db", seed_db, "--story", STORY, "--annotator", "alice", "-f", "csv")
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert list(rows[0]) == ["table", "row", "doc_id", "outlet", "field", "value"]

    def value(table: str, row: str, doc: int | str, fld: str) -> str:
        hits = [r["value"] for r in rows
                if (r["table"], r["row"], r["doc_id"], r["field"]) == (table, row, str(doc), fld)]
        assert len(hits) == 1, (table, row, doc, fld, hits)
        return hits[0]

    small = next(r["row"] for r in rows if r["table"] == "claims" and r["field"] == "text"
                 and "small, but growing" in r["value"])
    assert value("claims", small, d0, "carried") == value("claims", small, d1, "carried") == "yes"
    assert value("claims", small, d0, "attribution") == "Wall Street Journal"
    assert value("claims", small, d1, "attribution") == "Wall Street Journal"
    assert value("source_groups", "Rahmatullah Nabil", d0, "count") == "0"
    assert value("source_groups", "Rahmatullah Nabil", d1, "count") == "1"
    assert value("source_groups", "Wall Street Journal", d0, "count") == "1"
    assert value("source_groups", "Wall Street Journal", d1, "count") == "1"


def test_output_file_story_by_id_and_root_options(seed_db, tmp_path):
    out = tmp_path / "reports" / "cmp.csv"
    res = invoke("--db", seed_db, "--annotator", "alice", "compare", "--story", "1", "-f", "csv", "-o", out)
    assert res.exit_code == 0, res.output
    assert res.stdout == ""
    assert f"to {out}" in res.stderr
    again = invoke("compare", "--db", seed_db, "--story", STORY, "--annotator", "alice", "-f", "csv", "-o", "-")
    assert out.read_text(encoding="utf-8") == again.stdout


def test_all_annotators_pools_everyone(seed_db):
    res = invoke("compare", "--db", seed_db, "--all-annotators", "-f", "json")  # the only story
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["annotators"] == ["alice", "bob"] and data["all_annotators"] is True
    assert [m["category"] for m in data["motives"]] == ["economic"]
    assert len(data["claims"]) == 2


def test_annotator_without_annotations_gets_a_note(seed_db):
    res = invoke("--annotator", "carol", "compare", "--db", seed_db, "--story", STORY, "-f", "json")
    assert res.exit_code == 1  # named explicitly, and unknown: an error
    assert "'carol' has no annotations" in res.stderr and "alice, bob" in res.stderr
    # Nobody named: the login name, which has no annotations here.
    res = CliRunner(env={"LOGNAME": "carol", "USER": "carol", "LNAME": None, "USERNAME": None}).invoke(
        main, ["compare", "--db", str(seed_db), "--story", STORY, "-f", "json"], catch_exceptions=False)
    assert res.exit_code == 0
    assert "note: carol has no annotations in this story; alice, bob do" in res.stderr
    assert json.loads(res.stdout)["claims"] == []


def test_bad_story_is_a_clear_error(seed_db):
    res = invoke("compare", "--db", seed_db, "--story", "No such story")
    assert res.exit_code == 1
    assert res.stdout == ""
    assert "[D010] no story 'No such story'" in res.stderr
    assert f"1: {STORY}" in res.stderr  # the hint lists the stories there are


def test_missing_database_and_conflicting_options(tmp_path, seed_db):
    res = invoke("compare", "--db", tmp_path / "none.db", "--story", STORY)
    assert res.exit_code == 1 and "no such database" in res.stderr
    assert not (tmp_path / "none.db").exists()
    res = CliRunner().invoke(main, ["compare", "--db", str(seed_db), "--annotator", "a", "--all-annotators"])
    assert res.exit_code == 2 and "not both" in res.output


def test_second_run_reads_the_alignment_from_the_cache(seed_db, monkeypatch):
    made: list[int] = []
    real = alignment.align_story

    def counting(*args, **kwargs):
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(alignment, "align_story", counting)
    first = invoke("compare", "--db", seed_db, "--story", STORY, "--annotator", "alice", "-f", "json")
    assert first.exit_code == 0 and len(made) == 1
    second = invoke("compare", "--db", seed_db, "--story", STORY, "--annotator", "alice", "-f", "json")
    assert second.exit_code == 0 and len(made) == 1, "the cached alignment was recomputed"
    assert second.stdout == first.stdout


def test_compare_is_headless(seed_db):
    code = f"""
import json, sys
from click.testing import CliRunner
from tui.cli import main
codes = [CliRunner().invoke(main, ["compare", "--db", {str(seed_db)!r}, "--annotator", "alice", "-f", f]).exit_code
         for f in ("table", "json", "csv")]
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich", "spacy"))
print(json.dumps({{"codes": codes, "loaded": loaded}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"codes": [0, 0, 0], "loaded": []}


def test_json_and_csv_list_every_aligned_pair(seed_db):
    d0, d1 = _ids(seed_db)
    res = invoke("compare", "--db", seed_db, "--story", STORY, "--annotator", "alice", "-f", "json")
    assert res.exit_code == 0, res.output
    pairs = json.loads(res.stdout)["aligned_pairs"]
    assert pairs, "the seed story has aligned sentences"
    texts = {}
    session = AnnotationSession.open(seed_db, annotator="alice", schema=DEFAULT_SCHEMA, readonly=True)
    try:
        for d in session.documents(session.stories()[0].id):
            texts[d.id] = d.text
    finally:
        session.close()
    for p in pairs:
        assert p["kind"] in ("verbatim", "quote", "paraphrase", "numbers", "contradiction")
        assert 0 < p["score"] <= 1
        for side in ("a", "b"):
            unit = p[side]
            # Offsets point into the stored text and the text shown is that span.
            assert texts[unit["doc_id"]][unit["start"]:unit["end"]] == unit["text"]
        assert (p["a"]["doc_id"], p["b"]["doc_id"]) == (d0, d1)
    quoted = next(p for p in pairs if p["a"]["text"].startswith("According to The Wall Street Journal"))
    assert quoted["kind"] == "quote" and quoted["b"]["text"].startswith("A “small but growing” number")

    res = invoke("compare", "--db", seed_db, "--story", STORY, "--annotator", "alice", "-f", "csv")
    rows = [r for r in csv.DictReader(io.StringIO(res.stdout)) if r["table"] == "aligned_pairs"]
    ids = {r["row"] for r in rows}
    assert ids == {p["id"] for p in pairs}
    first = pairs[0]
    got = {(r["doc_id"], r["field"]): r["value"] for r in rows if r["row"] == first["id"]}
    assert got[("", "kind")] == first["kind"]
    assert got[(str(d0), "start")] == str(first["a"]["start"])
    assert got[(str(d1), "text")] == first["b"]["text"]


def test_provenance_table_json_and_csv(seed_db):
    res = invoke("compare", "--db", seed_db, "--story", STORY, "--annotator", "alice", "--provenance",
                 "--width", "80")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == f"Provenance: {STORY}"
    top = next(i for i, line in enumerate(lines) if line.startswith("Taliban leaders · former Afghan republic"))
    while not lines[top].startswith("└─"):
        top += 1
    top -= 1
    assert lines[top + 1].startswith("└─ Wall Street Journal")
    assert lines[top + 2:top + 4] == ["   ├─ intelnews.org", "   └─ Sputnik News"]
    assert any(line.endswith("2 outlets, 1 independent origin: Wall Street Journal") for line in lines)
    assert all(len(line) <= 80 for line in lines)

    res = invoke("compare", "--db", seed_db, "--story", STORY, "--annotator", "alice", "--provenance", "-f", "json")
    data = json.loads(res.stdout)
    (shared,) = data["shared_claims"]
    assert shared["independent_origins"] == 1 and shared["origins"] == ["Wall Street Journal"]
    assert [c["source"] for c in shared["chains"]] == ["Wall Street Journal", "Wall Street Journal"]
    assert [c["text"] for c in data["single_outlet_claims"]] == [NABIL_CLAIM]

    res = invoke("compare", "--db", seed_db, "--story", STORY, "--annotator", "alice", "--provenance", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [(r["outlet"], r["source"], r["independent_origins"]) for r in rows if r["outlets"] == "2"] == [
        ("intelnews.org", "Wall Street Journal", "1"), ("Sputnik News", "Wall Street Journal", "1")]


def test_provenance_includes_suggested_claims_marked(seed_db):
    # The rules-only suggesters (no model) cache attribution cues, as `diptych suggest` does.
    res = invoke("suggest", "--db", seed_db, "--no-model")
    assert res.exit_code == 0, res.output
    res = invoke("compare", "--db", seed_db, "--story", STORY, "--annotator", "alice", "--provenance", "-f", "json")
    data = json.loads(res.stdout)
    claims = data["shared_claims"] + data["single_outlet_claims"]
    suggested = [c for c in claims if c["suggested"]]
    assert suggested and not any(c["suggested"] for c in claims if c["text"] == NABIL_CLAIM)
    # "claims the paper" / "says the paper": the paper is the Wall Street Journal.
    trained = next(c for c in suggested if c["text"].startswith("Some of those joining ISIS-K have been trained"))
    assert [ch["source"] for ch in trained["chains"]] == ["Wall Street Journal"]
    wsj = next(s for s in data["sources"] if s["name"] == "Wall Street Journal")
    assert wsj["cited_by"] == ["intelnews.org", "Sputnik News"]
