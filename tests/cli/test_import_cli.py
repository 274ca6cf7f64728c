"""`diptych import` end to end: real database files, CliRunner, every bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main
from tui.core.store import Store

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
DATA = REPO / "tests" / "data" / "ingest"
TEXT = "Officials said the army collapsed. Analysts blamed corruption."


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "d.db"


def invoke(*args: str):
    return CliRunner().invoke(main, ["import", *map(str, args)], catch_exceptions=False)


def state(db: Path) -> dict | None:
    """Everything an import may write (None when the file was never created)."""
    if not db.exists():
        return None
    with Store.open(db, readonly=True) as st:
        return {
            "stats": st.stats(),
            "docs": [(d.id, d.story_id, d.text_sha256, d.title, d.url) for d in st.documents()],
            "annotations": [(a.id, a.doc_id, a.annotator, a.label, a.start, a.end)
                            for a in st.annotations(include_deleted=True)],
            "relations": [(r.id, r.head_id, r.tail_id) for r in st.relations(include_deleted=True)],
            "events": len(st.events()),
        }


def jsonl(path: Path, *records) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_seeds_twice_gives_two_documents_in_one_story(db):
    first = invoke(SEEDS, "--db", db)
    assert first.exit_code == 0, first.output
    assert first.output.count("imported: ") == 2
    assert first.output.strip().endswith("imported 2, skipped 0, failed 0")

    second = invoke(SEEDS, "--db", db)
    assert second.exit_code == 0
    assert second.output.count("skipped: ") == 2 and "already present as document" in second.output
    assert second.output.strip().endswith("imported 0, skipped 2, failed 0")

    with Store.open(db, readonly=True) as st:
        (story,) = st.stories()
        assert story.title == "seeds"
        docs = st.documents()
        assert len(docs) == 2
        for d in docs:
            assert d.title and d.outlet and d.story_id == story.id
        intel, sputnik = sorted(docs, key=lambda d: d.source_path)
        assert intel.url == "https://intelnews.org/2021/11/01/01-3098/"
        assert (intel.outlet, intel.author) == ("intelnews.org", "Joseph Fitsanakis")
        assert sputnik.outlet == "Sputnik News"
        # The repeated half of seed 000 is flagged, not deleted.
        lines = intel.text.split("\n")
        (rep,) = [r for r in st.regions(intel.id) if r.kind == "repeated"]
        assert intel.text[rep.start:rep.end] == "\n".join(lines[6:11])
        assert intel.text == (SEEDS / "000_26c581c9b022c814.txt").read_text(encoding="utf-8")
        # Its repeated headline, and its "Source: Sputnik News" line as boilerplate.
        assert [(r.kind, sputnik.text[r.start:r.end]) for r in st.regions(sputnik.id)][1:] == [
            ("boilerplate", "Source: Sputnik News")]
        assert [r.kind for r in st.regions(sputnik.id)] == ["repeated", "boilerplate"]


def test_story_option_and_lone_files(db, tmp_path):
    res = invoke(SEEDS / "001_b99049fc623f2364.txt", "--story", "Afghan defectors", "--db", db)
    assert res.exit_code == 0 and "in story “Afghan defectors”" in res.output
    with Store.open(db, readonly=True) as st:
        assert [s.title for s in st.stories()] == ["Afghan defectors"]


def test_root_options_are_honoured(db):
    res = CliRunner().invoke(main, ["--db", str(db), "import", str(SEEDS)])
    assert res.exit_code == 0 and db.exists()


def make_bad(tmp_path: Path, kind: str) -> tuple[Path, list[str], list[str]]:
    """A bad input of ``kind``: (path, extra args, words the error must contain)."""
    if kind == "binary":
        p = tmp_path / "photo.txt"
        p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
        return p, [], ["photo.txt", "binary", "PNG"]
    if kind == "nul":
        p = tmp_path / "nul.txt"
        shutil.copy(DATA / "nul_byte.txt", p)
        return p, [], ["nul.txt:1", "NUL byte at byte offset 15"]
    if kind == "utf8":
        p = tmp_path / "latin1.txt"
        shutil.copy(DATA / "invalid_utf8.txt", p)
        return p, [], ["latin1.txt:3", "invalid UTF-8 at byte offset 28", "What to do: save the file as UTF-8"]
    if kind == "empty":
        p = tmp_path / "empty.txt"
        p.write_bytes(b"")
        return p, [], ["empty.txt", "empty"]
    if kind == "big":
        p = tmp_path / "big.txt"
        p.write_text("A long article. " * 200_000)  # ~3.2 MB, generated here, never committed
        return p, ["--max-size", "1MB"], ["big.txt", "over the limit of 1 MB", "--max-size 5MB"]
    if kind == "malformed":
        p = tmp_path / "bad.jsonl"
        shutil.copy(DATA / "malformed.jsonl", p)
        return p, [], ["bad.jsonl:3", "not valid JSON"]
    if kind == "outside":
        p = jsonl(tmp_path / "out.jsonl", {"text": TEXT, "spans": [{"start": 0, "end": 9, "label": "SOURCE"}]},
                  {"text": TEXT + " More.", "spans": [{"start": 50, "end": 500, "label": "CLAIM"}]})
        return p, [], ["out.jsonl:2", "spans[0]", "outside the text"]
    if kind == "start_ge_end":
        p = jsonl(tmp_path / "order.jsonl", {"text": TEXT, "spans": [{"start": 9, "end": 9, "label": "SOURCE"}]})
        return p, [], ["order.jsonl:1", "start 9 is not before end 9"]
    if kind == "types":
        p = jsonl(tmp_path / "types.jsonl", {"text": TEXT, "spans": [{"start": "0", "end": 9, "label": "SOURCE"}]})
        return p, [], ["types.jsonl:1", "spans[0].start must be an integer, got a string"]
    if kind == "not_object":
        p = tmp_path / "list.jsonl"
        p.write_text('{"text": "fine"}\n["not", "an", "object"]\n')
        return p, [], ["list.jsonl:2", "expected a JSON object"]
    raise AssertionError(kind)


BAD_KINDS = ["binary", "nul", "utf8", "empty", "big", "malformed", "outside", "start_ge_end", "types",
             "not_object"]


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_bad_input_fails_clearly_and_changes_nothing(db, tmp_path, kind):
    assert invoke(SEEDS, "--db", db).exit_code == 0
    before = state(db)
    path, extra, words = make_bad(tmp_path, kind)
    res = invoke(path, "--db", db, *extra)
    assert res.exit_code == 1
    assert "failed: [D020]" in res.stderr
    for w in words:
        assert w in res.stderr, (w, res.stderr)
    assert res.stdout.strip().endswith("imported 0, skipped 0, failed 1")
    assert state(db) == before


def test_one_bad_file_does_not_stop_the_others(db, tmp_path):
    folder = tmp_path / "story"
    folder.mkdir()
    shutil.copy(SEEDS / "000_26c581c9b022c814.txt", folder / "a.txt")
    shutil.copy(DATA / "invalid_utf8.txt", folder / "b.txt")
    jsonl(folder / "c.jsonl", {"text": TEXT, "spans": [{"start": 0, "end": 9, "label": "SOURCE"}]})
    res = invoke(folder, "--db", db, "--annotator", "dana")
    assert res.exit_code == 1
    assert "imported: " in res.stdout and "failed: [D020]" in res.stderr and "b.txt:3" in res.stderr
    assert res.stdout.strip().endswith("imported 2, skipped 0, failed 1")
    with Store.open(db, readonly=True) as st:
        assert len(st.documents()) == 2 and [s.title for s in st.stories()] == ["story"]
        assert [(a.annotator, a.origin) for a in st.annotations()] == [("dana", "import:prodigy")]


def test_missing_path_and_empty_folder_fail(db, tmp_path):
    (tmp_path / "empty").mkdir()
    res = invoke(tmp_path / "nope.txt", tmp_path / "empty", "--db", db)
    assert res.exit_code == 1
    assert "no such file" in res.stderr and "no .txt or .jsonl files" in res.stderr
    assert res.stdout.strip().endswith("imported 0, skipped 0, failed 2")


def test_bad_max_size_is_a_usage_error(db):
    res = CliRunner().invoke(main, ["import", str(SEEDS), "--db", str(db), "--max-size", "lots"])
    assert res.exit_code == 2 and "not a size" in res.output and not db.exists()


def test_jsonl_reimport_says_nothing_new(db, tmp_path):
    f = jsonl(tmp_path / "a.jsonl", {"text": TEXT, "_annotator_id": "erin", "meta": {"story": "S"},
                                     "spans": [{"start": 0, "end": 9, "label": "SOURCE"}]})
    first = invoke(f, "--db", db)
    assert first.exit_code == 0 and "1 span(s) (1 new" in first.output
    second = invoke(f, "--db", db)
    assert second.exit_code == 0
    assert "skipped (nothing new)" in second.output and "1 already present" in second.output
    assert second.output.strip().endswith("imported 0, skipped 1, failed 0")
    with Store.open(db, readonly=True) as st:
        assert [a.annotator for a in st.annotations()] == ["erin"]
        assert [s.title for s in st.stories()] == ["S"]


def test_format_option_forces_text(db, tmp_path):
    f = tmp_path / "article.jsonl"
    f.write_text('{"this is": "an article that happens to look like JSON"}\nSecond line.\n')
    assert invoke(f, "--db", db).exit_code == 1
    res = invoke(f, "--db", db, "--format", "txt")
    assert res.exit_code == 0 and "imported: " in res.output


def test_orphans_are_listed(db, tmp_path):
    invoke(SEEDS, "--db", db)
    f = jsonl(tmp_path / "flat.jsonl", {
        "annotator": "alice", "label": "CLAIM", "start": 0, "end": 12, "url": "https://nowhere.example/",
        "selector": {"exact": "Not anywhere", "prefix": "", "suffix": ""}})
    res = invoke(f, "--db", db)
    assert res.exit_code == 0
    assert "orphan (not attached): " in res.output and "flat.jsonl:1: CLAIM “Not anywhere”" in res.output
    assert res.output.strip().endswith("imported 0, skipped 1, failed 0; 1 orphaned span(s) not attached (listed above)")


def test_file_content_never_reaches_the_terminal_raw(db, tmp_path):
    f = tmp_path / "evil\x1b[2Jname.txt"
    shutil.copy(DATA / "hostile_markup.txt", f)
    res = invoke(f, "--db", db)
    assert res.exit_code == 0
    assert "\x1b" not in res.output and "\x07" not in res.output
    assert "␛[31m" in res.output  # the title's escape shown as a visible picture
    with Store.open(db, readonly=True) as st:
        (doc,) = st.documents()
        assert "\x1b[31m" in doc.text  # stored exactly as given


def test_bom_and_crlf_are_normalised_and_recorded(db, tmp_path):
    res = invoke(DATA / "bom_crlf.txt", "--db", db)
    assert res.exit_code == 0
    with Store.open(db, readonly=True) as st:
        (doc,) = st.documents()
        assert doc.text.startswith("A short title\n") and "\r" not in doc.text
        assert doc.meta["normalised"] == ["bom", "newlines"] and doc.title == "A short title"
