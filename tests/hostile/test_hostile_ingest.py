"""Hostile imports of issue #15: values nested hundreds deep, file and folder
names that are not UTF-8, flat records from another outlet sharing a title, and
one article in NFC, NFD and CRLF. Each input is made in tmp_path (special names
and deep nesting cannot be committed sensibly); the corpus holds the plain ones.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_kit import CORPUS, DIPTYCH, HERE, REPO, assert_kept, snapshot, unsafe

from tui.app import DiptychApp
from tui.cli import main
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession
from tui.core.store import Store

sys.path.insert(0, str(HERE))
import make_corpus  # noqa: E402  (the generator is the spec of the corpus files)


def invoke(*args: object):
    return CliRunner().invoke(main, ["import", *map(str, args)])


class Nested:
    """A value nested ``depth`` objects deep, written as JSON text by hand: json.dumps
    itself runs out of stack on what this test feeds the importer."""

    def __init__(self, depth: int) -> None:
        self.depth = depth

    def json(self) -> str:
        return '{"k": ' * self.depth + '"bottom"' + "}" * self.depth


def dumps(value: object) -> str:
    if isinstance(value, Nested):
        return value.json()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(dumps(v) for v in value) + "]"
    return json.dumps(value)


def nested(depth: int) -> Nested:
    return Nested(depth)


def jsonl(path: Path, *records: dict) -> Path:
    path.write_text("".join(dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


ARTICLE = "Deep values\n\nOfficials said the army collapsed."


# ------------------------------------------------------------------ 2. deep nesting

@pytest.mark.parametrize("depth", [40, 970, 980])
def test_deep_meta_is_refused_naming_file_line_and_field(db: Path, tmp_path: Path, depth: int) -> None:
    f = jsonl(tmp_path / "deep.jsonl", {"text": "A first, flat record."},
              {"text": ARTICLE, "meta": {"title": "Deep", "extra": nested(depth)}})
    before = snapshot(db)
    res = invoke(f, "--db", db)
    assert res.exit_code == 1
    assert "Traceback" not in res.output and isinstance(res.exception, SystemExit)
    assert f"{f}:2: meta.extra.k.k.k" in res.output
    assert "nested more than 32 levels deep" in res.output
    assert snapshot(db) == before


def test_deep_attrs_and_deep_label_studio_tasks_are_refused(db: Path, tmp_path: Path) -> None:
    span = {"start": 0, "end": 4, "label": "CLAIM", "attrs": {"certainty": nested(50)}}
    f = jsonl(tmp_path / "attrs.jsonl", {"text": ARTICLE, "spans": [span]})
    res = invoke(f, "--db", db)
    assert res.exit_code == 1 and f"{f}:1: spans[0].attrs.certainty.k" in res.output
    task = {"data": {"text": ARTICLE, "meta": nested(900)}, "annotations": []}
    g = tmp_path / "tasks.json"
    g.write_text(dumps([task]), encoding="utf-8")
    res = invoke(g, "--db", db)
    assert res.exit_code == 1 and f"{g}:1: task 1: data.meta.k.k" in res.output, res.output


def test_shallow_meta_still_imports(db: Path, tmp_path: Path) -> None:
    f = jsonl(tmp_path / "ok.jsonl", {"text": ARTICLE, "meta": {"title": "Fine", "extra": nested(20)}})
    res = invoke(f, "--db", db)
    assert res.exit_code == 0, res.output


async def test_the_reader_opens_a_story_whose_stored_meta_is_deep(tmp_path: Path) -> None:
    """Written before the limit existed (straight into SQLite): the story still opens."""
    path = tmp_path / "old.db"
    with Store.open(path) as st:
        doc, _ = st.add_document("Old story", ARTICLE, title="Old")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE documents SET meta = ? WHERE id = ?", [dumps({"extra": nested(970)}), doc.id])
    conn.commit()
    conn.close()
    session = AnnotationSession.open(path, annotator="alice", schema=DEFAULT_SCHEMA)
    app = DiptychApp(session, story_id=session.stories()[0].id, suggest=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "AnnotateScreen"
        await pilot.press("tab", "j", "o")  # the other pane, a line down, the story list
        await pilot.pause()
    with Store.open(path, readonly=True) as st:
        assert st.document(doc.id).text == ARTICLE


# ------------------------------------------------------------------ 3. names that are not UTF-8

def _bytes_tree(root: Path) -> tuple[Path, Path]:
    """A folder with a good file, a file named b"bad\\xff.txt" and a file after it; and
    a folder named b"fold\\xfeer" holding one article."""
    arts = root / "arts"
    arts.mkdir()
    (arts / "a_good.txt").write_text("Good title\n\nA good article.\n", encoding="utf-8")
    with open(os.fsencode(arts) + b"/bad\xff.txt", "wb") as fh:
        fh.write("Bad name title\n\nAn article whose file name is not UTF-8.\n".encode())
    (arts / "z_last.txt").write_text("Last title\n\nThe last article.\n", encoding="utf-8")
    folder = os.fsencode(root) + b"/fold\xfeer"
    os.mkdir(folder)
    with open(folder + b"/in.txt", "wb") as fh:
        fh.write(b"In a bad folder\n\nText here.\n")
    return arts, Path(os.fsdecode(folder))


def test_names_that_are_not_utf8_import_with_every_good_file(db: Path, tmp_path: Path) -> None:
    arts, folder = _bytes_tree(tmp_path)
    before = snapshot(db)
    proc = subprocess.run([str(DIPTYCH), "import", str(arts), str(folder), "--db", str(db)], capture_output=True,
                          cwd=tmp_path, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and not unsafe(out) and not unsafe(err)
    both = out + err
    assert "bad\\xff.txt: the name is not valid UTF-8" in both
    assert "fold\\xfeer: the name is not valid UTF-8" in both
    assert out.rstrip().endswith("imported 4, skipped 0, failed 0")
    assert_kept(before, snapshot(db), may_add=True)
    with Store.open(db, readonly=True) as st:
        stored = {d.source_path: (d.title, st.story(d.story_id).title) for d in st.documents()}
    assert stored[f"{arts}/a_good.txt"][0] == "Good title"
    assert stored[f"{arts}/z_last.txt"][0] == "Last title"
    assert stored[f"{arts}/bad\\xff.txt"] == ("Bad name title", "arts")
    assert stored[f"{tmp_path}/fold\\xfeer/in.txt"] == ("In a bad folder", "fold\\xfeer")


def test_a_jsonl_file_with_a_bad_name_imports_and_exports(db: Path, tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/rec\xe9.jsonl"
    with open(name, "wb") as fh:
        fh.write(json.dumps({"text": ARTICLE, "spans": [{"start": 0, "end": 4, "label": "CLAIM"}]}).encode() + b"\n")
    res = invoke(os.fsdecode(name), "--db", db)
    assert res.exit_code == 0, res.output
    assert "rec\\xe9.jsonl" in res.output
    out = tmp_path / "out.jsonl"
    assert CliRunner().invoke(main, ["export", "--db", str(db), "-o", str(out)]).exit_code == 0
    json_lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert any(r["text"] == ARTICLE for r in json_lines)


# ------------------------------------------------------------------ 5. flat records and titles

MATCHING = CORPUS / "matching"


def test_a_flat_record_with_another_outlets_url_is_an_orphan_not_a_title_match(db: Path) -> None:
    assert invoke(MATCHING / "update_outlet_x.jsonl", "--db", db).exit_code == 0
    before = snapshot(db)
    res = invoke(MATCHING / "flat_update_outlet_y.jsonl", "--db", db)
    assert res.exit_code == 0, res.output
    assert "orphan (not attached): " in res.output
    assert "no document has its url https://y.example/update and no document has its text_sha256" in res.output
    assert "not matched by title" in res.output
    assert snapshot(db) == before  # nothing attached to outlet X's "Update"


def test_the_same_record_with_its_own_outlets_url_is_attached(db: Path) -> None:
    assert invoke(MATCHING / "update_outlet_x.jsonl", "--db", db).exit_code == 0
    res = invoke(MATCHING / "flat_update_outlet_x.jsonl", "--db", db)
    assert res.exit_code == 0 and "orphan" not in res.output, res.output
    with Store.open(db, readonly=True) as st:
        (ann,) = st.annotations(annotator="xena")
        doc = st.document(ann.doc_id)
    assert doc.url == "https://x.example/update" and doc.text[ann.start:ann.end] == "the council met"


# ------------------------------------------------------------------ 6. one normalisation for every format

NORMALISE = CORPUS / "normalise"


def test_one_article_as_nfc_nfd_and_crlf_is_one_document_with_spans_on_the_same_characters(db: Path) -> None:
    seen = {}
    for name in ("same_nfc.jsonl", "same_nfd.jsonl", "same_crlf.jsonl"):
        res = invoke(NORMALISE / name, "--db", db)
        assert res.exit_code == 0, res.output
        with Store.open(db, readonly=True) as st:
            docs = [d for d in st.documents() if d.title == "Café report"]
            assert len(docs) == 1, f"{name} made a second document"
            seen[name] = sorted((a.label, docs[0].text[a.start:a.end]) for a in st.annotations(docs[0].id, "norm"))
    text = docs[0].text
    assert text == make_corpus.SAME_NFC and unicodedata.is_normalized("NFC", text) and "\r" not in text
    assert seen["same_nfc.jsonl"] == seen["same_nfd.jsonl"] == seen["same_crlf.jsonl"]
    assert ("CLAIM", "café in Kandahar") in seen["same_nfc.jsonl"]
    assert ("CLAIM", "reopened, officials said.\nÅngström") in seen["same_nfc.jsonl"]
    assert ("MOTIVE", "Ångström-level detail") in seen["same_nfc.jsonl"]
    with Store.open(db, readonly=True) as st:
        assert len(st.annotations(docs[0].id, "norm")) == 4  # the second and third files added none


def test_a_span_inside_a_merged_character_is_refused(db: Path) -> None:
    before = snapshot(db)
    res = invoke(NORMALISE / "span_inside_accent.jsonl", "--db", db)
    assert res.exit_code == 1
    assert "span_inside_accent.jsonl:1: spans[0]: span" in res.output
    assert "starts inside a character that normalisation merges" in res.output
    assert snapshot(db) == before


def test_txt_in_nfd_is_the_same_document_as_jsonl_in_nfc(db: Path, tmp_path: Path) -> None:
    f = tmp_path / "same.txt"
    f.write_bytes(unicodedata.normalize("NFD", make_corpus.SAME_NFC).replace("\n", "\r\n").encode())
    assert invoke(f, "--db", db).exit_code == 0
    assert invoke(NORMALISE / "same_nfc.jsonl", "--db", db).exit_code == 0
    with Store.open(db, readonly=True) as st:
        assert [d.text for d in st.documents() if "Kandahar reopened" in d.text] == [make_corpus.SAME_NFC]


def test_label_studio_text_is_normalised_with_its_spans(db: Path, tmp_path: Path) -> None:
    text = unicodedata.normalize("NFD", make_corpus.SAME_NFC)
    start = text.index("café".replace("é", "e\u0301"))
    end = text.index(" in Kandahar")
    task = {"data": {"text": text}, "annotations": [{"completed_by": "lara", "result": [
        {"id": "a", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": start, "end": end, "labels": ["CLAIM"]}}]}]}
    f = tmp_path / "tasks.json"
    f.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    res = invoke(f, "--db", db)
    assert res.exit_code == 0, res.output
    with Store.open(db, readonly=True) as st:
        (doc,) = [d for d in st.documents() if "Kandahar reopened" in d.text]
        assert doc.text == make_corpus.SAME_NFC
        assert [doc.text[a.start:a.end] for a in st.annotations(doc.id)] == ["café"]
