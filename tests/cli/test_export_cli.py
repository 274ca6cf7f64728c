"""`diptych export` through click: output paths, streams, messages, errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main
from tui.commands import exporting
from tui.core.session import AnnotationSession
from tui.core.store import Store

TEXT = "The mayor said taxes will rise. Critics disagree."


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    store = Store.open(path)
    doc, _ = store.add_document("Council: Taxes", TEXT, title="Taxes \x1b[31mred\x1b[0m")
    other, _ = store.add_document("Other", "Another story entirely.", title="Other")
    alice = AnnotationSession(store, "alice")
    alice.tag(doc.id, 15, 30, "CLAIM")
    alice.tag(doc.id, 5, 9, "SOURCE")  # "ayor": not on token boundaries
    AnnotationSession(store, "bob").tag(other.id, 0, 7, "CLAIM")
    store.close()
    return path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.glob("annotations/*"))}


def test_stdout_gets_only_data_and_messages_go_to_stderr(db: Path) -> None:
    result = run("export", "--db", str(db), "-o", "-")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout_bytes.decode("utf-8").splitlines()
    assert [json.loads(x)["_annotator_id"] for x in lines] == ["alice", "bob"]
    assert "exported 2 records (3 spans, 0 relations) from 2 documents as prodigy to stdout" in result.stderr
    assert "exported" not in result.stdout


def test_default_output_path_for_all_and_for_a_story(db: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = run("export", "--db", str(db))
    assert result.exit_code == 0, result.stderr
    assert list(files(work)) == ["annotations/all-prodigy.jsonl"]
    assert len(files(work)["annotations/all-prodigy.jsonl"].splitlines()) == 2
    assert "to annotations/all-prodigy.jsonl" in result.stderr
    result = run("export", "--db", str(db), "--story", "Council: Taxes", "--format", "flat")
    assert result.exit_code == 0, result.stderr
    assert list(files(work)) == ["annotations/all-prodigy.jsonl", "annotations/council-taxes-flat.jsonl"]
    rows = [json.loads(x) for x in files(work)["annotations/council-taxes-flat.jsonl"].splitlines()]
    assert [r["label"] for r in rows] == ["SOURCE", "CLAIM"]


def test_story_by_id_and_group_level_db_option(db: Path) -> None:
    result = run("--db", str(db), "export", "--story", "2", "--format", "doccano", "-o", "-")
    assert result.exit_code == 0, result.stderr
    recs = [json.loads(x) for x in result.stdout.splitlines()]
    assert [(r["annotator"], r["meta"]["story"]) for r in recs] == [("bob", "Other")]


def test_spacy_export_reports_left_out_spans_safely(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.spacy"
    result = run("export", "--db", str(db), "--format", "spacy", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "1 span do not start and end on spaCy token boundaries and were LEFT OUT of the DocBin" in result.stderr
    assert "doc 1" in result.stderr and "alice, SOURCE 5-9: “ayor”" in result.stderr
    # the title's escape sequence is shown as a visible glyph, never sent raw
    assert "\x1b" not in result.stderr and "␛[31mred" in result.stderr
    import spacy
    from spacy.tokens import DocBin

    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    assert [[s.text for s in d.spans["sc"]] for d in docs] == [["taxes will rise"], ["Another"]]


def test_prodigy_mentions_misaligned_spans_as_a_note(db: Path) -> None:
    result = run("export", "--db", str(db), "-o", "-")
    assert "note: 1 span do not start and end on spaCy token boundaries" in result.stderr


def test_unknown_story_annotator_and_missing_db_fail_cleanly(db: Path, tmp_path: Path) -> None:
    result = run("export", "--db", str(db), "--story", "nope", "-o", "-")
    assert result.exit_code == 1 and "[D010] no story 'nope'" in result.stderr
    assert "1: Council: Taxes, 2: Other" in result.stderr
    result = run("export", "--db", str(db), "--annotator", "carol", "-o", "-")
    assert result.exit_code == 1 and "'carol' has no annotations" in result.stderr and "alice, bob" in result.stderr
    missing = tmp_path / "missing.db"
    result = run("export", "--db", str(missing), "-o", "-")
    assert result.exit_code == 1 and "no such database" in result.stderr
    assert not missing.exists()
    assert result.stdout == ""


def test_failed_export_leaves_existing_file_alone(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "keep.jsonl"
    out.write_text("previous\n")
    result = run("export", "--db", str(db), "--story", "nope", "-o", str(out))
    assert result.exit_code == 1
    assert out.read_text() == "previous\n"


def test_progress_goes_to_its_stream_only_after_the_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(exporting, "PROGRESS_DELAY", 0.0)
    bar = exporting._Progress(stream, 2)
    bar(1, 4)
    bar(4, 4)
    bar.close()
    text = stream.getvalue()
    assert "story 1/2" in text and "4/4 documents" in text and text.endswith("\r\x1b[K")
    quiet = io.StringIO()
    monkeypatch.setattr(exporting, "PROGRESS_DELAY", 3600.0)
    slow = exporting._Progress(quiet, 1)
    slow(1, 1)
    slow.close()
    assert quiet.getvalue() == ""
