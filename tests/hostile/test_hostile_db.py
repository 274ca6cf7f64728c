"""Hostile databases through the user-facing paths: `diptych import`, `stats`,
`export` and launching the reader each refuse a corrupt, truncated, newer-schema
or foreign file with a clear message and exit 1, without touching its bytes; a
read-only database is read but never written; a full disk (SQLite's page limit,
or a real tiny filesystem) makes a write fail with the WriteFailedError message
and stores nothing partial, and the reader says NOT SAVED and shows what is stored.

Store-level cases (every refused kind opened directly, read-only opens, the
basic full-disk write) are in tests/unit/test_store.py; this file does not
repeat them.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_kit import (ACCEPTED, DIPTYCH, HERE, REPO, TARGET, fill_up, full_disk_open, full_disk_second, make_db, make_room,
                         sha256, side_files, snapshot, unsafe)

from tui.app import DiptychApp
from tui.cli import main
from tui.core.errors import WriteFailedError
from tui.core.models import Suggestion
from tui.core.session import AnnotationSession
from tui.core.store import SCHEMA_VERSION, Store
from tui.launch import launch

# ------------------------------------------------------------------ files that are not (our) databases


def _garbage_after_header(path: Path, good: Path) -> None:
    data = good.read_bytes()
    page = int.from_bytes(data[16:18], "big")
    path.write_bytes(data[:page] + bytes((i * 151 + 11) % 256 for i in range(len(data) - page)))


def _truncated(path: Path, good: Path) -> None:
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _newer_schema(path: Path, good: Path) -> None:
    shutil.copy(good, path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 7}")
    conn.close()


def _not_sqlite(path: Path, good: Path) -> None:
    path.write_bytes(b"\x1b]0;pwned\x07\x1b[2J\x9b31m this is not a database\n")


def _foreign_sqlite(path: Path, good: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.close()


BAD = {
    "garbage-after-header": (_garbage_after_header, "[D012]", "is damaged"),
    "truncated": (_truncated, "[D012]", "is damaged"),
    "newer-schema": (_newer_schema, "[D013]", f"written by a newer Diptych (schema {SCHEMA_VERSION + 7}"),
    "not-sqlite": (_not_sqlite, "[D011]", "is not a SQLite database"),
    "foreign-sqlite": (_foreign_sqlite, "[D011]", "is a SQLite database but not a Diptych one"),
}


def run_command(command: str, db: Path, tmp_path: Path, capsys) -> tuple[int, str]:
    """One user-facing path on ``db``: (exit status, everything printed)."""
    if command == "launch":
        code = launch(db=str(db), annotator="alice", no_model=True, no_suggest=True)
        captured = capsys.readouterr()
        return code, captured.out + captured.err
    args = {"import": ["import", str(ACCEPTED / "markup.txt"), "--db", str(db)],
            "stats": ["stats", "--db", str(db)],
            "export": ["export", "--db", str(db), "-o", str(tmp_path / "out.jsonl")]}[command]
    res = CliRunner().invoke(main, args)
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    return res.exit_code, res.output


@pytest.mark.parametrize("command", ["import", "stats", "export", "launch"])
@pytest.mark.parametrize("kind", list(BAD))
def test_a_bad_database_is_refused_clearly_and_left_untouched(seeded_template: Path, tmp_path: Path, capsys,
                                                              kind: str, command: str) -> None:
    make, code, phrase = BAD[kind]
    db = tmp_path / "folder" / "bad.db"
    db.parent.mkdir()
    make(db, seeded_template)
    digest = sha256(db)
    status, output = run_command(command, db, tmp_path, capsys)
    assert status == 1
    assert code in output and str(db) in output and phrase in output, output
    assert "What to do: " in output
    assert not unsafe(output), unsafe(output)
    assert "Traceback" not in output and "imported" not in output
    assert sha256(db) == digest, "a refused database keeps its bytes"
    assert side_files(db) == [], "and gets no -wal/-shm/-journal beside it"
    assert not (tmp_path / "out.jsonl").exists()


# ------------------------------------------------------------------ a read-only database, for real

def _as_unprivileged(cmd: list[str]) -> list[str]:
    """Make permission bits bind: as root, drop the capabilities that bypass them."""
    if os.geteuid() != 0:
        return cmd
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permission bits cannot be made to bind")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner", *cmd]


def test_read_only_database_is_read_by_stats_and_export_and_refused_by_import(db: Path, tmp_path: Path) -> None:
    """A 0444 file in a 0555 folder, used by the real program as a process the bits bind."""
    reference = tmp_path / "reference.db"
    shutil.copy(db, reference)  # snapshot a copy: opening db itself would leave -wal/-shm beside it
    before = snapshot(reference)
    digest = sha256(db)
    assert side_files(db) == []
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    db.chmod(0o444)
    db.parent.chmod(0o555)
    try:
        def run(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(_as_unprivileged([str(DIPTYCH), *args]), capture_output=True, text=True,
                                  cwd=tmp_path, env=env, timeout=120)

        probe = run("stats", "--db", str(db), "--json")
        if probe.returncode != 0 and "Operation not permitted" in probe.stderr:
            pytest.skip(f"cannot drop capabilities here: {probe.stderr.strip()}")
        imported = run("import", str(ACCEPTED / "markup.txt"), "--db", str(db))
        exported = run("export", "--db", str(db), "-o", "-")
    finally:
        db.parent.chmod(0o755)
        db.chmod(0o644)
    assert probe.returncode == 0, probe.stderr
    stats = json.loads(probe.stdout)
    assert (stats["documents"], stats["annotations"], stats["relations"]) == (2, 2, 1)
    assert imported.returncode == 1
    assert f"[D014] {db} is read-only; nothing can be imported" in imported.stderr
    assert "What to do: " in imported.stderr and "Traceback" not in imported.stderr
    assert exported.returncode == 0, exported.stderr
    (record,) = [json.loads(line) for line in exported.stdout.splitlines()]
    assert record["_annotator_id"] == "alice" and len(record["spans"]) == 2 and len(record["relations"]) == 1
    assert sha256(db) == digest and side_files(db) == []
    assert snapshot(db) == before


# ------------------------------------------------------------------ a full disk (SQLite's page limit)

def test_import_on_a_full_disk_fails_clearly_and_stores_nothing_partial(db: Path, tmp_path: Path,
                                                                       monkeypatch) -> None:
    """A folder of a small article, a big one and a JSONL file with a big text and
    many spans: each file is all or nothing; what does not fit is refused with the
    write-failure message; what was stored before stays."""
    folder = tmp_path / "story"
    folder.mkdir()
    (folder / "a_small.txt").write_text("A small article\n\nIt fits in the space left.\n", encoding="utf-8")
    big = "A big article\n\n" + "The army collapsed after years of corruption, analysts wrote. " * 20_000
    (folder / "b_big.txt").write_text(big, encoding="utf-8")
    text = "Another big article. " + "Officials said the army collapsed. " * 10_000
    spans = [{"start": i * 35 + 21, "end": i * 35 + 30, "label": "SOURCE"} for i in range(2_000)]
    (folder / "c_spans.jsonl").write_text(json.dumps({"text": text, "spans": spans}) + "\n", encoding="utf-8")
    before = snapshot(db)
    monkeypatch.setattr(Store, "open", full_disk_open(spare_pages=2))
    res = CliRunner().invoke(main, ["import", str(folder), "--db", str(db), "--annotator", "dana"])
    monkeypatch.undo()
    assert res.exit_code == 1, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "b_big.txt" not in res.stdout and "c_spans.jsonl" not in res.stdout
    assert res.stderr.count(f"[D016] the disk holding {db} is full; nothing was saved") == 2
    assert f"failed: {folder / 'b_big.txt'}: [D016]" in res.stderr
    assert "What to do: free some space" in res.stderr
    assert "imported: " in res.stdout and "a_small.txt" in res.stdout
    assert res.stdout.rstrip().endswith("imported 1, skipped 0, failed 2")
    after = snapshot(db)
    assert after["stats"]["documents"] == before["stats"]["documents"] + 1
    assert after["stats"]["annotations"] == before["stats"]["annotations"]
    with Store.open(db, readonly=True) as st:
        assert [d.title for d in st.documents() if d.source_path.startswith(str(folder))] == ["A small article"]
        assert st.integrity_check() == "ok"
    for table, rows in before["tables"].items():
        if table != "sqlite_sequence":
            assert set(rows) <= set(after["tables"][table]), table


def test_a_write_failure_names_the_file_being_imported(db: Path, tmp_path: Path, monkeypatch) -> None:
    big = tmp_path / "big_article.txt"
    big.write_text("A big article\n\n" + "The army collapsed after years of corruption. " * 20_000, encoding="utf-8")
    monkeypatch.setattr(Store, "open", full_disk_open())
    res = CliRunner().invoke(main, ["import", str(big), "--db", str(db)])
    monkeypatch.undo()
    assert res.exit_code == 1 and "[D016]" in res.stderr
    assert "big_article.txt" in res.stderr


def test_a_multi_row_session_write_on_a_full_disk_leaves_nothing_partial(db: Path) -> None:
    """Accepting a cue pair writes two spans, two decisions and a link in one
    step; when the second span does not fit, none of it stays."""
    with Store.open(db) as st:
        doc, _ = st.add_document("Full", "Short claim here. " + "A very long source. " * 3_000, title="full")
    before = snapshot(db)
    with Store.open(db) as st:
        s = AnnotationSession(st, "alice")
        undo_before = s.undo_state()
        fill_up(st, spare_pages=1)
        head = Suggestion(0, 17, "CLAIM", "cues", "1", group="g", role="head", relation="attributed_to")
        tail = Suggestion(18, len(doc.text), "SOURCE", "cues", "1", group="g", role="tail")
        with pytest.raises(WriteFailedError) as err:
            s.accept_suggestion(doc.id, head, partner=tail)
        message = str(err.value)
        assert message.startswith(f"[D016] the disk holding {db} is full; nothing was saved")
        assert "What to do: free some space and try again" in message
        assert s.undo_state() == undo_before, "a failed write leaves no undo step behind"
        assert s.annotations(doc.id) == [] and s.decisions(doc.id) == {}
    assert snapshot(db) == before
    with Store.open(db) as st:  # with room again, the same step works
        made = AnnotationSession(st, "alice").accept_suggestion(doc.id, head, partner=tail)
        assert [a.label for a in made] == ["CLAIM", "SOURCE"] and len(st.relations(annotator="alice")) == 2


async def test_reader_on_a_full_disk_says_not_saved_and_shows_what_is_stored(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Tagging a giant sentence on a full disk: the header says NOT SAVED with the
    error code, a toast gives the message, the pane shows only stored marks and
    the database is unchanged; with room again the same keys save."""
    sentence = "The army collapsed after years of corruption and neglect " * 700 + "analysts wrote."
    text = f"Full disk\n\n{TARGET} said it. {sentence}\n"
    db = make_db(tmp_path / "full.db", {"full": text})
    with Store.open(db) as st:
        doc = st.documents()[0]
        start = text.index(TARGET)
        kept = AnnotationSession(st, "alice").tag(doc.id, start, start + len(TARGET), "SOURCE")
    session = AnnotationSession.open(db, annotator="alice")
    app = DiptychApp(session, story_id=doc.story_id, suggest=False)
    try:
        async with app.run_test(size=(120, 30), notifications=True) as pilot:
            await pilot.pause()
            view = app.screen.panes[0].view
            view.move_to(text.index("The army"))
            await pilot.pause()
            before = snapshot(db)
            fill_up(session.store)
            # The reader saves through its own connection, opened at the first save.
            monkeypatch.setattr(Store, "second", full_disk_second())
            await pilot.press("V", "c")
            await pilot.pause()
            header = str(app.screen.query_one("#header").render())
            assert "NOT SAVED (D016)" in header
            shot = app.export_screenshot()
            assert "is full; nothing was saved" in shot.replace("\u00a0", " ").replace("&#160;", " ")
            assert {(m.start, m.end, m.label) for m in view.marks("annotation")} == {(kept.start, kept.end, "SOURCE")}
            assert snapshot(db) == before
            make_room(session.store)
            make_room(app.screen.saves.session.store)
            view.move_to(text.index("The army"))
            await pilot.press("V", "c")
            await pilot.pause()
            assert "saved " in str(app.screen.query_one("#header").render())
            assert "NOT SAVED" not in str(app.screen.query_one("#header").render())
            assert len(view.marks("annotation")) == 2
    finally:
        session.close()
    with Store.open(db, readonly=True) as st:
        claims = [a for a in st.annotations(annotator="alice") if a.label == "CLAIM"]
        assert len(claims) == 1 and claims[0].quote == sentence


# ------------------------------------------------------------------ a full disk, for real

def _tiny_filesystem_command(mount: Path, size_kb: int, cmd: list[str]) -> list[str] | None:
    """A command running ``cmd`` with a fresh ``size_kb`` tmpfs on ``mount``, in a
    private mount namespace (nothing outside sees or keeps the mount); None when
    this machine cannot make one (no unshare, no user namespaces, no mount)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    script = 'mount -t tmpfs -o size="$1"k tmpfs "$2" || exit 97; shift 2; exec "$@"'
    for flags in (["-m"], ["-Urm"]) if os.geteuid() == 0 else (["-Urm"],):
        full = [unshare, *flags, "sh", "-c", script, "sh", str(size_kb), str(mount), *cmd]
        probe = subprocess.run([unshare, *flags, "sh", "-c", script, "sh", "64", str(mount), "true"],
                               capture_output=True, timeout=30)
        if probe.returncode == 0:
            return full
    return None


def test_a_real_tiny_filesystem_refuses_the_import_and_keeps_the_database(seeded_template: Path,
                                                                           tmp_path: Path) -> None:
    """The real program on a 512 KB tmpfs holding the database: importing a 2 MB
    article hits ENOSPC; the message is the write-failure one and nothing changed."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    article = tmp_path / "big.txt"
    article.write_text("A big article\n\n" + "The army collapsed after years of corruption. " * 45_000,
                       encoding="utf-8")
    cmd = _tiny_filesystem_command(mount, 512, [sys.executable, str(HERE / "fs_probe.py"), str(seeded_template),
                                                str(mount), str(article), str(DIPTYCH)])
    if cmd is None:
        pytest.skip("cannot mount a small tmpfs here (needs unshare with user namespaces, or root); "
                    "the full disk is still covered through SQLite's page limit above")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(HERE)])}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["rc"] == 1, out
    assert f"[D016] the disk holding {out['db']} is full; nothing was saved" in out["stderr"], out
    assert "big.txt: [D016]" in out["stderr"], out
    assert "Traceback" not in out["stderr"]
    assert out["unchanged"], "the failed import left something behind"
    assert out["free"] < 2_000_000
    assert not list(mount.iterdir()), "the tmpfs lived only in its own mount namespace"
