"""Bulk writes commit in chunks: a killed import is reported, resumed and undone
as one step; a reader's tags are all saved while a 200k-span import runs; an
export reads one snapshot."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from bulkdata import write_big_jsonl
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession
from tui.core.store import Store

ROOT = Path(__file__).resolve().parents[2]


def diptych(*args: str, env: dict | None = None, **kw) -> subprocess.Popen:
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "tui.cli", *args], env=full, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def run(*args: str) -> subprocess.CompletedProcess:
    proc = diptych(*args)
    out, err = proc.communicate(timeout=600)
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def manifest_committed(db: Path) -> bool:
    """Whether the import's first chunk (which writes its manifest) is committed."""
    if not db.exists():
        return False
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return bool(conn.execute("SELECT 1 FROM cache WHERE key LIKE 'import:%'").fetchall())
    except sqlite3.OperationalError:
        return False  # not migrated yet
    finally:
        conn.close()


def test_killed_import_is_reported_resumed_and_undone_as_one_step(tmp_path):
    db, data = tmp_path / "t.db", tmp_path / "big.jsonl"
    total = write_big_jsonl(data, docs=40, per_doc=200)  # 8000 spans: several chunks
    proc = diptych("--db", str(db), "import", str(data), "--annotator", "imp",
                   env={"DIPTYCH_TEST_STOP_AFTER_CHUNK": "1"})
    try:
        # The hook parks the import after its first commit; wait for that commit
        # by reading the database, then kill it there.
        while not manifest_committed(db):
            assert proc.poll() is None, proc.communicate()
            try:
                proc.wait(timeout=0.02)  # a poll interval, not a synchronisation
            except subprocess.TimeoutExpired:
                pass
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    with Store.open(db) as store:
        [m] = store.unfinished_imports()
        assert 0 < m["spans_written"] < total and m["spans"] == total
        import_id = m["id"]
    stats = run("--db", str(db), "stats")
    assert f"import {import_id} of {data} is incomplete: {m['spans_written']} of {total} spans" in stats.stdout
    assert f"diptych undo-import {import_id}" in stats.stdout

    again = run("--db", str(db), "import", str(data), "--annotator", "imp")
    assert again.returncode == 0, again.stderr
    assert f"{total - m['spans_written']} new, {m['spans_written']} already present" in again.stdout
    with Store.open(db) as store:
        assert store.unfinished_imports() == []
        live = store._query("SELECT COUNT(*) AS n, COUNT(DISTINCT doc_id || ':' || start) AS d "
                            "FROM annotations WHERE deleted_at IS NULL")[0]
        assert live == {"n": total, "d": total}
        # Both runs logged under the one batch of the import: one undo step.
        batches = {e["batch"] for e in store.events("imp")}
        assert batches == {f"{import_id}-1"}
        session = AnnotationSession(store, "imp", DEFAULT_SCHEMA)
        step = session.undo()
        assert step is not None and "8000 span(s)" in step.summary
        assert store._query("SELECT COUNT(*) AS n FROM annotations WHERE deleted_at IS NULL")[0]["n"] == 0
        assert session.redo() is not None
        assert store._query("SELECT COUNT(*) AS n FROM annotations WHERE deleted_at IS NULL")[0]["n"] == total

    undone = run("--db", str(db), "undo-import", import_id)
    assert undone.returncode == 0 and "undone: import 8000 span(s)" in undone.stdout, undone.stderr
    with Store.open(db) as store:
        assert store._query("SELECT COUNT(*) AS n FROM annotations WHERE deleted_at IS NULL")[0]["n"] == 0


def test_killed_undo_of_an_import_is_finished_by_the_next_undo(tmp_path):
    db, data = tmp_path / "t.db", tmp_path / "big.jsonl"
    total = write_big_jsonl(data, docs=30, per_doc=200)
    assert run("--db", str(db), "import", str(data), "--annotator", "imp").returncode == 0
    with Store.open(db) as store:
        [m] = store.import_manifests()
        batch = m["batches"]["imp"]
        # What a kill after the first chunk of an undo leaves: part of the undo logged.
        events = store._query("SELECT * FROM events WHERE batch = ? ORDER BY seq DESC LIMIT 100", [batch])
        with store.transaction():
            for ev in events:
                store._put_row("annotation", ev["entity_id"], None)
                store._log("imp", "s", "partial-undo", "undo", batch, "annotation", ev["entity_id"],
                           None, None, ev["summary"], ev["os_user"])
        session = AnnotationSession(store, "imp", DEFAULT_SCHEMA)
        assert session.undo() is not None
        assert store._query("SELECT COUNT(*) AS n FROM annotations WHERE deleted_at IS NULL")[0]["n"] == 0
        assert store._query("SELECT COUNT(*) AS n FROM events WHERE batch = 'partial-undo'")[0]["n"] == total


def test_an_export_reads_one_snapshot_while_an_import_commits(tmp_path):
    from tui.core.formats import iter_records

    db, data = tmp_path / "t.db", tmp_path / "a.jsonl"
    write_big_jsonl(data, docs=3, per_doc=5)
    assert run("--db", str(db), "import", str(data), "--annotator", "imp").returncode == 0
    with Store.open(db) as reader, Store.open(db) as writer:
        records = iter_records(reader)
        first = next(records)
        # Another process's chunk commits between two documents of the export.
        last_doc = max(d.id for d in writer.documents())
        AnnotationSession(writer, "late", DEFAULT_SCHEMA).tag(last_doc, 0, 3, "CLAIM")
        rest = list(records)
        assert [r.annotator for r in [first, *rest]] == ["imp"] * 3  # "late" is not in this export
        assert {r.annotator for r in iter_records(reader)} == {"imp", "late"}  # the next one sees it


def test_every_tag_is_saved_while_a_200k_span_import_runs(tmp_path):
    db, data = tmp_path / "t.db", tmp_path / "big.jsonl"
    seed = tmp_path / "seed.jsonl"
    write_big_jsonl(seed, docs=1, per_doc=400)
    assert run("--db", str(db), "import", str(seed), "--annotator", "seed").returncode == 0
    total = write_big_jsonl(data, docs=1000, per_doc=200)
    proc = diptych("--db", str(db), "import", str(data), "--annotator", "imp", "--max-size", "50MB")
    tagged, during = [], 0
    with Store.open(db) as store:
        session = AnnotationSession(store, "reader", DEFAULT_SCHEMA)
        doc = store.documents()[0]
        spans = ((s, s + n) for n in range(1, 40) for s in range(len(doc.text) - n))
        # Tag until the import ends: every call must return saved (a refusal raises).
        for start, end in spans:
            if proc.poll() is not None:
                break
            tagged.append(session.tag(doc.id, start, end, "CLAIM").id)
            if len(tagged) % 20 == 0:
                written = store._query("SELECT COUNT(*) AS n FROM events WHERE annotator = 'imp'")[0]["n"]
                during += 0 < written < total
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        stored = {a.id for a in store.annotations(doc.id, "reader")}
        assert set(tagged) <= stored and len(tagged) > 0
        assert store._query("SELECT COUNT(*) AS n FROM annotations WHERE annotator = 'imp'")[0]["n"] == total
    assert during > 0, len(tagged)  # some tags were saved while the import was unfinished
