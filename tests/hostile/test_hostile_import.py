"""`diptych import` against hostile files: every file either imports exactly or is
refused with a message naming it (and the line / byte offset), the terminal never
gets raw control characters, and nothing already stored changes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_kit import ACCEPTED, DIPTYCH, HERE, REFUSED, REPO, TARGET, assert_kept, snapshot, unsafe

from tui.cli import main
from tui.core.ingest.normalise import normalise_text
from tui.core.store import Store

sys.path.insert(0, str(HERE))
import make_corpus  # noqa: E402  (the generator is the spec of the committed files)


def invoke(*args: object):
    return CliRunner().invoke(main, ["import", *map(str, args)])


def documents(db: Path) -> dict[str, object]:
    with Store.open(db, readonly=True) as st:
        return {d.source_path: d for d in st.documents()}


def check_terminal_output(result) -> None:
    """Whatever the file held, the terminal gets no raw control or bidi characters."""
    assert not unsafe(result.stdout), unsafe(result.stdout)
    assert not unsafe(result.stderr), unsafe(result.stderr)


# ------------------------------------------------------------------ the corpus itself

def test_committed_corpus_is_exactly_what_make_corpus_writes() -> None:
    want = make_corpus.expected()
    have = {str(p.relative_to(make_corpus.CORPUS)): p.read_bytes()
            for p in make_corpus.CORPUS.rglob("*") if p.is_file()}
    assert sorted(have) == sorted(want), "run: python tests/hostile/make_corpus.py"
    for name, data in want.items():
        assert have[name] == data, f"{name} differs from what make_corpus.py writes"
    readme = want["README.md"].decode()
    for name in want:
        if name != "README.md":
            assert f"`{name}`" in readme


# ------------------------------------------------------------------ accepted files

# The stored text of each accepted .txt: the file decoded as UTF-8, except for the
# documented normalisation (a leading BOM dropped; CRLF and lone CR become LF;
# Unicode NFC, which composes e.g. "e" + U+0301 and the Hangul jamo).
NORMALISED = {
    "crlf.txt": f"CRLF title\n\nFirst paragraph.\nThe word {TARGET} follows.\n",
    "lone_cr.txt": f"Lone CR title\n\nOld Mac line.\nThe word {TARGET} follows.\n",
    "mixed_newlines.txt": f"Mixed line ends\n\nA\nB\n\nC\n\nThe word {TARGET} follows.\n",
}
ACCEPTED_TXT = sorted(p.name for p in ACCEPTED.glob("*.txt"))


def expected_text(name: str) -> str:
    return NORMALISED.get(name) or unicodedata.normalize("NFC", (ACCEPTED / name).read_bytes().decode("utf-8"))


@pytest.mark.parametrize("name", ACCEPTED_TXT)
def test_accepted_text_is_stored_exactly_and_nothing_else_changes(db: Path, name: str) -> None:
    before = snapshot(db)
    path = ACCEPTED / name
    res = invoke(path, "--db", db, "--story", "hostile")
    assert res.exit_code == 0, res.output
    check_terminal_output(res)
    assert f"imported: {path}" in res.stdout and res.stdout.rstrip().endswith("imported 1, skipped 0, failed 0")
    doc = documents(db)[str(path)]
    assert doc.text == expected_text(name)
    assert "\r" not in doc.text and not doc.text.startswith("\ufeff")
    assert doc.text.count(TARGET) == 1
    after = snapshot(db)
    assert after["stats"]["documents"] == before["stats"]["documents"] + 1
    assert after["stats"]["annotations"] == before["stats"]["annotations"]
    assert_kept(before, after, may_add=True)
    # A second import of the same file is recognised and changes nothing at all.
    again = invoke(path, "--db", db, "--story", "elsewhere")
    assert again.exit_code == 0 and "skipped: " in again.stdout
    check_terminal_output(again)
    assert snapshot(db) == after


def test_hostile_jsonl_records_are_stored_exactly(db: Path) -> None:
    before = snapshot(db)
    path = ACCEPTED / "hostile_records.jsonl"
    res = invoke(path, "--db", db)
    assert res.exit_code == 0, res.output
    check_terminal_output(res)
    assert "2 document(s) (2 new" in res.stdout and "7 span(s) (7 new" in res.stdout
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]
    with Store.open(db, readonly=True) as st:
        for rec in records:
            # NUL, ESC, U+2028 kept; CR LF stored as LF (every format is normalised alike)
            doc = next(d for d in st.documents() if d.text == normalise_text(rec["text"]))
            assert st.story(doc.story_id).title == rec["meta"]["story"]
            for key in ("title", "outlet", "url"):
                if key in rec["meta"]:
                    assert getattr(doc, key) == rec["meta"][key]
            anns = st.annotations(doc.id, rec["_annotator_id"])
            assert sorted((a.start, a.end, a.label) for a in anns) == \
                sorted((s["start"], s["end"], s["label"]) for s in rec["spans"])
            for a in anns:
                assert a.quote == doc.text[a.start:a.end]
                span = next(s for s in rec["spans"] if (s["start"], s["end"]) == (a.start, a.end))
                assert a.quote == span["text"] and a.note == span.get("note", "")
    assert_kept(before, snapshot(db), may_add=True)


def test_duplicate_ids_are_stored_once_each_with_distinct_ids(db: Path) -> None:
    before = snapshot(db)
    path = ACCEPTED / "duplicate_ids.jsonl"
    res = invoke(path, "--db", db)
    assert res.exit_code == 0, res.output
    check_terminal_output(res)
    with Store.open(db, readonly=True) as st:
        anns = st.annotations(annotator="dup")
        rels = st.relations(annotator="dup")
    # Three distinct spans: the repeated document and the repeated span are not duplicated.
    assert sorted((a.quote, a.label) for a in anns) == [
        ("Analysts", "SOURCE"), ("The army collapsed", "CLAIM"), ("officials", "SOURCE")]
    assert len({a.id for a in anns}) == 3
    assert sum(a.id == "s1" for a in anns) == 1, "a file's id is kept once, never shared by two spans"
    by_id = {a.id: a for a in anns}
    # The relation names "s1" -> "s2": the first span called s1, and the span s2 (= the second s1).
    assert [(by_id[r.head_id].quote, by_id[r.tail_id].quote, r.type) for r in rels] == \
        [("The army collapsed", "officials", "attributed_to")]
    assert_kept(before, snapshot(db), may_add=True)
    after = snapshot(db)
    again = invoke(path, "--db", db)
    assert again.exit_code == 0 and "skipped (nothing new)" in again.stdout
    assert snapshot(db) == after


def test_duplicate_span_id_in_one_record_is_reported(db: Path) -> None:
    res = invoke(ACCEPTED / "duplicate_ids.jsonl", "--db", db)
    assert res.exit_code == 0
    assert "s1" in res.stdout and "note: " in res.stdout


def test_span_id_of_an_existing_annotation_never_overwrites_it(db: Path, tmp_path: Path) -> None:
    """A file reusing the id of someone else's stored annotation gets a new id."""
    with Store.open(db, readonly=True) as st:
        (theirs,) = [a for a in st.annotations() if a.label == "SOURCE"]
        doc = st.document(theirs.doc_id)
    before = snapshot(db)
    f = tmp_path / "collide.jsonl"
    f.write_text(json.dumps({"text": doc.text, "_annotator_id": "mallory", "spans": [
        {"id": theirs.id, "start": 0, "end": 10, "label": "MOTIVE"}]}) + "\n", encoding="utf-8")
    res = invoke(f, "--db", db)
    assert res.exit_code == 0, res.output
    with Store.open(db, readonly=True) as st:
        assert st.annotation(theirs.id) == theirs
        (mine,) = st.annotations(annotator="mallory")
        assert mine.id != theirs.id and (mine.start, mine.end, mine.label) == (0, 10, "MOTIVE")
    assert_kept(before, snapshot(db), may_add=True)


# ------------------------------------------------------------------ refused files

# What each refused file's message must say (after "PATH"), naming line and byte offset where they apply.
REFUSALS = {
    "binary_png.txt": [": this is a binary file (a PNG image), not text"],
    "binary_noise.txt": [":1: invalid UTF-8 at byte offset 3 "],
    "latin1.txt": [":1: invalid UTF-8 at byte offset 3 ", "What to do: save the file as UTF-8"],
    "mixed_encoding.txt": [":3: invalid UTF-8 at byte offset 42 "],
    "truncated_utf8.txt": [":2: invalid UTF-8 at byte offset 25 ", "unexpected end of data"],
    "overlong_utf8.txt": [":2: invalid UTF-8 at byte offset 24 "],
    "encoded_surrogate.txt": [":2: invalid UTF-8 at byte offset 23 "],
    "utf16le_bom.txt": [": the file is UTF-16", "iconv -f UTF-16 -t UTF-8"],
    "utf16le_nobom.txt": [":1: this is a binary file (NUL byte at byte offset 1)"],
    "nul_byte.txt": [":2: this is a binary file (NUL byte at byte offset 12)"],
    "many_controls.txt": [": this looks like a binary file (400 control characters"],
    "whitespace_only.txt": [": the file holds only whitespace"],
    "empty.txt": [": the file is empty"],
    "types_start_string.jsonl": [":1: spans[0].start must be an integer, got a string \"0\""],
    "types_start_bool.jsonl": [":1: spans[0].start must be an integer, got a boolean true"],
    "types_end_float.jsonl": [":1: spans[0].end must be an integer, got a number 9.0"],
    "types_end_null.jsonl": [":1: spans[0].end must be an integer, got null"],
    "types_label_number.jsonl": [":1: spans[0].label must be a string, got a number 3"],
    "types_spans_object.jsonl": [":1: spans must be a list, got an object"],
    "types_text_number.jsonl": [":1: text must be a string, got a number 42"],
    "types_meta_list.jsonl": [":1: meta must be an object, got a list"],
    "types_attrs_string.jsonl": [":1: spans[0].attrs must be an object, got a string"],
    "types_record_array.jsonl": [":2: expected a JSON object, got a list"],
    "types_huge_int.jsonl": [":1: spans[0].end"],
    "offset_past_end.jsonl": [":1: spans[0]: span 10-35 is outside the text (the text is 34 characters long)"],
    "offset_utf16_units.jsonl": [":1: spans[0]: span 5-7 is outside the text (the text is 5 characters long)",
                                 "offsets count Unicode code points"],
    "offset_bytes.jsonl": [":1: spans[0]: span 6-10 is outside the text (the text is 9 characters long)"],
    "negative_offset.jsonl": [":1: spans[0]: span -3-9 starts before the text"],
    "negative_doccano.jsonl": [":1: label[0]: span -1-9 starts before the text"],
    "negative_flat.jsonl": [":1: span -5-3 starts before the text"],
    "relation_past_end.jsonl": [":1: relations[0].head_span: span 10-99 is outside the text"],
    "bad_json_line2.jsonl": [":2: not valid JSON: Unterminated string"],
    "lone_surrogate.jsonl": [":1: a string holds an unpaired surrogate (\\ud800)"],
    "raw_nul.jsonl": [":1: this is a binary file (NUL byte at byte offset 14)"],
    "invalid_utf8.jsonl": [":2: invalid UTF-8 at byte offset 64 "],
    "deep_nesting.jsonl": [":1: [0][0][0]", "nested more than 32 levels deep"],
}
def test_every_refused_file_has_an_expected_message() -> None:
    assert sorted(REFUSALS) == sorted(p.name for p in REFUSED.iterdir())


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_refused_file_is_named_with_line_and_offset_and_nothing_changes(db: Path, name: str) -> None:
    before = snapshot(db)
    path = REFUSED / name
    res = invoke(path, "--db", db)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert res.exit_code == 1
    check_terminal_output(res)
    assert f"failed: [D020] {path}" in res.stderr
    for words in REFUSALS[name]:
        # ":LINE: ..." and ": ..." follow the file's name directly; other words anywhere.
        expect = f"{path}{words}" if words.startswith(":") else words
        assert expect in res.stderr, (expect, res.stderr)
    assert "What to do: " in res.stderr
    assert res.stdout.rstrip().endswith("imported 0, skipped 0, failed 1")
    assert snapshot(db) == before


def test_null_offset_message_says_null_once(db: Path) -> None:
    res = invoke(REFUSED / "types_end_null.jsonl", "--db", db)
    assert "got null" in res.stderr and "null null" not in res.stderr


def test_a_folder_of_hostile_files_imports_the_good_and_refuses_the_bad(db: Path, tmp_path: Path) -> None:
    """One command, both folders: per-file atomicity, one line per file, exit 1.
"""
    refused = tmp_path / "refused"
    shutil.copytree(REFUSED, refused)
    before = snapshot(db)
    res = invoke(ACCEPTED, refused, "--db", db)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    check_terminal_output(res)
    assert res.exit_code == 1
    failed = len(REFUSALS)
    assert res.stderr.count("failed: [D020]") == failed
    assert res.stdout.rstrip().endswith(f"imported 11, skipped 0, failed {failed}")
    docs = documents(db)
    for name in ACCEPTED_TXT:
        assert docs[str(ACCEPTED / name)].text == expected_text(name)
    assert not any(str(refused) in p for p in docs), "nothing of a refused file is stored"
    assert_kept(before, snapshot(db), may_add=True)


def test_hostile_file_and_folder_names_are_shown_as_text(db: Path, tmp_path: Path) -> None:
    story = "names\x1b[2J\u202e[red]"  # a folder's name becomes its story's title
    folder = tmp_path / story
    folder.mkdir()
    names = ["esc\x1b[2J\x1b]0;pwned\x07.txt", "c1\u009b31m.txt", "rlo\u202etxt.exe.txt",
             "[bold]markup[@click=app.quit]x.txt", "new\nline.txt"]
    for n in names:
        (folder / n).write_bytes((ACCEPTED / "markup.txt").read_bytes() + n.encode() + b"\n")  # distinct texts
    shutil.copy(REFUSED / "nul_byte.txt", folder / "bad\x1b[31m.txt")
    before = snapshot(db)
    res = invoke(folder, "--db", db)
    check_terminal_output(res)
    assert res.exit_code == 1
    out = res.output
    assert "esc␛[2J␛]0;pwned␇.txt" in out and "c1␦31m.txt" in out and "rlo¤txt.exe.txt" in out
    assert "[bold]markup[@click=app.quit]x.txt" in out and "bad␛[31m.txt:2: this is a binary file" in out
    assert res.stdout.rstrip().endswith("imported 5, skipped 0, failed 1")
    assert "in story “names␛[2J¤[red]”" in out
    assert len(documents(db)) == before["stats"]["documents"] + 5
    with Store.open(db, readonly=True) as st:
        assert st.story_by_title(story) is not None, "the story title is stored exactly"


def test_a_newline_in_a_file_name_cannot_forge_output_lines(db: Path, tmp_path: Path) -> None:
    f = tmp_path / "x\nimported 9, skipped 0, failed 0\n.txt"
    shutil.copy(ACCEPTED / "markup.txt", f)
    res = invoke(f, "--db", db)
    assert res.exit_code == 0
    assert res.stdout.count("imported 9") == 0 or "␤imported 9" in res.stdout
    assert len(res.stdout.splitlines()) == 3  # "imported: ...", its details, the summary


# ------------------------------------------------------------------ big inputs (made here, never committed)

FIFTY_MB = 50 * 1024 * 1024
PARAGRAPH = ("Officials said the army collapsed after years of corruption, analysts wrote. " * 12).rstrip() + "\n\n"


def fifty_mb(path: Path, tail: bytes = b"") -> bytes:
    body = (PARAGRAPH * (FIFTY_MB // len(PARAGRAPH) + 1)).encode()[: FIFTY_MB - len(tail)]
    data = b"A fifty megabyte article\n\n" + body[26:] + tail
    assert len(data) == FIFTY_MB
    path.write_bytes(data)
    return data


def test_a_50mb_file_is_refused_by_default_with_the_way_out(db: Path, tmp_path: Path) -> None:
    before = snapshot(db)
    f = tmp_path / "fifty.txt"
    fifty_mb(f)
    res = invoke(f, "--db", db)
    assert res.exit_code == 1
    assert f"failed: [D020] {f}: the file is 50 MB, over the limit of 10 MB" in res.stderr
    assert "pass --max-size 51MB to import it anyway" in res.stderr
    assert snapshot(db) == before


def test_a_50mb_file_with_one_bad_byte_at_the_end_names_its_offset_and_line(db: Path, tmp_path: Path) -> None:
    before = snapshot(db)
    f = tmp_path / "fifty_bad.txt"
    data = fifty_mb(f, tail=b"\nlast line \xff\n")
    bad = data.index(b"\xff")
    line = data.count(b"\n", 0, bad) + 1
    res = invoke(f, "--db", db, "--max-size", "60MB")
    assert res.exit_code == 1
    assert f"{f}:{line}: invalid UTF-8 at byte offset {bad} " in res.stderr
    assert snapshot(db) == before


def test_a_50mb_file_imports_exactly_when_allowed(db: Path, tmp_path: Path) -> None:
    before = snapshot(db)
    f = tmp_path / "fifty_ok.txt"
    data = fifty_mb(f)
    res = invoke(f, "--db", db, "--max-size", "60MB")
    assert res.exit_code == 0, res.output
    assert documents(db)[str(f)].text == data.decode()
    assert_kept(before, snapshot(db), may_add=True)


def test_one_giant_line_imports_exactly(db: Path, tmp_path: Path) -> None:
    """8 MB without a single newline: stored as is; the title is its first sentence, cut."""
    line = "The army collapsed after years of corruption and neglect, analysts wrote in a long report " \
           + "that never ends " * 500_000 + "\x1b[31m[bold]" + TARGET
    f = tmp_path / "giant.txt"
    f.write_bytes(line.encode())
    res = invoke(f, "--db", db)
    assert res.exit_code == 0, res.output
    check_terminal_output(res)
    doc = documents(db)[str(f)]
    assert doc.text == line
    assert len(doc.title) <= 80 and doc.title.endswith("…") and line.startswith(doc.title[:-1])


# ------------------------------------------------------------------ the real program

def run_diptych(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(DIPTYCH), *map(str, args)], capture_output=True, cwd=cwd, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


def test_real_program_refuses_binary_with_a_hostile_name_and_changes_nothing(db: Path, tmp_path: Path) -> None:
    f = tmp_path / "photo\x1b]0;pwned\x07\u202e.txt"
    shutil.copy(REFUSED / "binary_png.txt", f)
    good = tmp_path / "ansi\x1b[2J.txt"
    shutil.copy(ACCEPTED / "ansi_osc.txt", good)
    before = snapshot(db)
    proc = run_diptych("import", f, good, "--db", db, cwd=tmp_path)
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode == 1, err
    assert not unsafe(out) and not unsafe(err), (unsafe(out), unsafe(err))
    assert "photo␛]0;pwned␇¤.txt: this is a binary file (a PNG image)" in err and "Traceback" not in err
    assert "imported: " in out and "ansi␛[2J.txt" in out
    assert out.rstrip().endswith("imported 1, skipped 0, failed 1")
    assert documents(db)[str(good)].text == (ACCEPTED / "ansi_osc.txt").read_text(encoding="utf-8")
    assert_kept(before, snapshot(db), may_add=True)


def test_real_program_prints_no_traceback_for_a_huge_number(db: Path, tmp_path: Path) -> None:
    proc = run_diptych("import", REFUSED / "types_huge_int.jsonl", "--db", db, cwd=tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 1
    assert "Traceback" not in err and "types_huge_int.jsonl:1" in err
