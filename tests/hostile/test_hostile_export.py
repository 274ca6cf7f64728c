"""Hostile texts and annotations leave the tool intact: every export line is valid
JSON holding the exact text (NUL, escapes, bidi, CR, U+2028 included), a round trip
through an empty database gives the same bytes, and what reaches a terminal holds
no raw control characters.
"""

from __future__ import annotations

import hashlib
import json
import os
import pty
import re
import select
import shutil
import subprocess
import termios
import tty
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_kit import ACCEPTED, DIPTYCH, REPO, TARGET, unsafe, unsafe_bytes

from tui.cli import main
from tui.core.session import AnnotationSession
from tui.core.store import Store
from tui.core.text import paragraphs

NOTE = "note \x1b[2J\x1b]0;pwned\x07 [bold]n[/bold] \u202eevil\u202c \u0085 \x00"
# JSON escapes every C0 control; a raw one in an export is a broken line.
_RAW_C0 = re.compile(rb"[\x00-\x09\x0b-\x1f]")
_DOC_ID = re.compile(rb'"doc_id": \d+')


def cli(*args: object):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, f"diptych {args} failed:\n{result.output}\n{result.exception!r}"
    return result


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory, seeded_template: Path) -> Path:
    """The seeded database plus every accepted hostile file, and alice's hostile
    spans on each text: the target word (CLAIM), the hostile paragraph (SOURCE,
    with a hostile note) and a link between them."""
    db = tmp_path_factory.mktemp("export") / "hostile.db"
    shutil.copy(seeded_template, db)
    cli("import", ACCEPTED, "--db", db)
    with Store.open(db) as st:
        alice = AnnotationSession(st, "alice")
        for doc in st.documents():
            if TARGET not in doc.text or not doc.source_path.endswith(".txt"):
                continue
            start = doc.text.index(TARGET)
            claim = alice.tag(doc.id, start, start + len(TARGET), "CLAIM", attrs={"certainty": "hedged"})
            ps, pe = paragraphs(doc.text)[1]
            source = alice.tag(doc.id, ps, pe, "SOURCE", note=NOTE)
            alice.link(claim.id, source.id)
    return db


def stored(db: Path) -> tuple[dict[str, object], set[tuple]]:
    with Store.open(db, readonly=True) as st:
        docs = {d.text_sha256: d for d in st.documents()}
        anns = {(st.document(a.doc_id).text_sha256, a.annotator, a.start, a.end, a.label, a.quote, a.note)
                for a in st.annotations()}
    return docs, anns


def records(data: bytes) -> list[dict]:
    assert data.endswith(b"\n")
    assert not _RAW_C0.search(data), "a raw C0 control in JSONL: JSON must escape it"
    lines = data.split(b"\n")[:-1]
    return [json.loads(line) for line in lines]


@pytest.mark.parametrize("fmt", ["prodigy", "doccano", "flat"])
def test_every_line_is_json_with_the_exact_text(hostile_db: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}.jsonl"
    res = cli("export", "--db", hostile_db, "-f", fmt, "-o", out)
    assert not unsafe(res.output), unsafe(res.output)
    data = out.read_bytes()
    recs = records(data)
    # Reading the file the ordinary way (text mode, universal newlines) gives the same lines:
    # U+2028 / U+0085 inside a string never split a record.
    with out.open(encoding="utf-8") as fh:
        assert len(list(fh)) == len(recs)
    docs, anns = stored(hostile_db)
    exported: set[tuple] = set()
    if fmt == "flat":
        for r in recs:
            doc = docs[r["text_sha256"]]
            assert r["selector"]["exact"] == doc.text[r["start"]:r["end"]]
            exported.add((r["text_sha256"], r["annotator"], r["start"], r["end"], r["label"],
                          r["selector"]["exact"], r["note"]))
    else:
        for r in recs:
            doc = docs[r["meta"]["text_sha256"]]
            assert r["text"] == doc.text
            assert hashlib.sha256(r["text"].encode("utf-8")).hexdigest() == r["meta"]["text_sha256"]
            assert r["meta"]["title"] == doc.title and r["meta"]["outlet"] == doc.outlet
            who = r["_annotator_id"] if fmt == "prodigy" else r["annotator"]
            spans = r["spans"] if fmt == "prodigy" else r["entities"]
            for s in spans:
                start, end = (s["start"], s["end"]) if fmt == "prodigy" else (s["start_offset"], s["end_offset"])
                if fmt == "prodigy":
                    assert s["text"] == s["selector"]["exact"] == doc.text[start:end]
                # doccano has no place for notes: compare them where the format carries them.
                exported.add((r["meta"]["text_sha256"], who, start, end, s["label"], doc.text[start:end],
                              s["note"] if fmt == "prodigy" else None))
    if fmt == "doccano":
        anns = {a[:6] + (None,) for a in anns}
    assert exported == anns, "every stored annotation, and nothing else, is exported exactly"
    assert fmt == "doccano" or any(a[6] == NOTE for a in exported)
    assert any("\x00" in d.text for d in docs.values()) and any("\u2028" in d.text for d in docs.values())


def test_stdout_export_is_the_same_data_and_escapes_c0(hostile_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "file.jsonl"
    cli("export", "--db", hostile_db, "-o", out)
    res = CliRunner().invoke(main, ["export", "--db", str(hostile_db), "-o", "-"])
    assert res.exit_code == 0
    assert res.stdout_bytes == out.read_bytes()
    assert not unsafe(res.stderr)
    assert b"\\u001b[31m" in res.stdout_bytes and b"\\u0000" in res.stdout_bytes and b"\x1b" not in res.stdout_bytes


def test_round_trip_through_an_empty_database_gives_the_same_bytes(hostile_db: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.jsonl"
    cli("export", "--db", hostile_db, "-o", first)
    empty = tmp_path / "empty.db"
    res = cli("import", first, "--db", empty)
    assert not unsafe(res.output)
    second = tmp_path / "second.jsonl"
    cli("export", "--db", empty, "-o", second)
    # Document ids are the one thing allowed to differ: a document nobody annotated
    # (the second seed) is not exported, so the new database numbers the rest from 2.
    assert _DOC_ID.sub(b"", second.read_bytes()) == _DOC_ID.sub(b"", first.read_bytes())
    docs_a, anns_a = stored(hostile_db)
    docs_b, anns_b = stored(empty)
    annotated = {a[0] for a in anns_a}
    assert {k: docs_a[k].text for k in annotated} == {k: d.text for k, d in docs_b.items()}
    assert anns_a == anns_b


def test_spacy_docbin_keeps_hostile_texts(hostile_db: Path, tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    out = tmp_path / "out.spacy"
    res = cli("export", "--db", hostile_db, "-f", "spacy", "-o", out)
    assert not unsafe(res.output), unsafe(res.output)  # the list of left-out spans quotes article text
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    texts = {d.text for d in docs}
    stored_docs, _ = stored(hostile_db)
    assert texts <= {d.text for d in stored_docs.values()} and len(texts) >= 12
    assert any("\x00" in t for t in texts) and any("\x1b" in t for t in texts)


def test_stats_shows_hostile_names_as_text(hostile_db: Path) -> None:
    table = cli("stats", "--db", hostile_db)
    assert not unsafe(table.output), unsafe(table.output)
    assert "Story ␛[31m[red]red[/red]¤ ␦" in table.output and "mallory␛]0;x␇[b]" in table.output
    data = cli("stats", "--db", hostile_db, "--json")
    assert not unsafe(data.output)
    assert "mallory\x1b]0;x\x07[b]" in json.loads(data.output)["per_annotator"]


# ------------------------------------------------------------------ a real terminal

def run_on_a_terminal(args: list[str], cwd: Path) -> tuple[int, bytes, bytes]:
    """Run the real program with stdout on a pseudo-terminal in raw mode (so the
    bytes read are exactly the bytes written); stderr on a pipe."""
    master, slave = pty.openpty()
    tty.setraw(slave)
    termios.tcsetattr(slave, termios.TCSANOW, termios.tcgetattr(slave))
    proc = subprocess.Popen([str(DIPTYCH), *args], stdout=slave, stderr=subprocess.PIPE, cwd=cwd,
                            env={**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm-256color"})
    os.close(slave)
    out = bytearray()
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            proc.kill()
            raise AssertionError("no output from the terminal for 60 s")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the program closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    err = proc.stderr.read()
    return proc.wait(timeout=60), bytes(out), err


def test_export_to_a_terminal_prints_no_raw_control_characters(hostile_db: Path, tmp_path: Path) -> None:
    code, out, err = run_on_a_terminal(["export", "--db", str(hostile_db), "-o", "-"], tmp_path)
    assert code == 0, err
    assert out.count(b"\n") >= 10 and b'"text"' in out
    assert not unsafe(err.decode())
    assert not unsafe_bytes(out), unsafe_bytes(out)[:5]


def test_default_export_path_survives_a_long_story_name(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "long.db"
    text = "Officials said the army collapsed."
    f = tmp_path / "long.jsonl"
    f.write_text(json.dumps({"text": text, "meta": {"story": "Ünïcödé story " * 30}, "_annotator_id": "a",
                             "spans": [{"start": 0, "end": 9, "label": "SOURCE"}]}) + "\n", encoding="utf-8")
    cli("import", f, "--db", db)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["export", "--db", str(db), "--story", "1"])
    assert res.exit_code == 0, res.output
    (out,) = (tmp_path / "annotations").iterdir()
    assert len(out.name.encode()) <= 255 and records(out.read_bytes())[0]["text"] == text
