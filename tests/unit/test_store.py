"""Store: schema, pragmas, refusing files it must not touch, read-only files,
events, conflicts, undo/redo (also across restarts) and a full disk.

Every test works on a real SQLite file in tmp_path.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from tui.core.store import connection as store_mod  # where opening reads MIGRATIONS and os
from tui.core.errors import (
    BusyError,
    ConflictError,
    CorruptDatabaseError,
    NewerSchemaError,
    NotADatabaseError,
    ReadOnlyError,
    SpanError,
    StoreError,
    WriteFailedError,
)
from tui.core.session import AnnotationSession
from tui.core.store import APPLICATION_ID, DEFAULT_BUSY_TIMEOUT, SCHEMA_VERSION, Store, annotation_row

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def side_files(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name != path.name)


def raw(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection, to look at the file without the Store."""
    return sqlite3.connect(path, isolation_level=None, check_same_thread=False)


@pytest.fixture
def good_db(tmp_path: Path, seed_importer) -> Path:
    """A closed, seeded Diptych database with a few annotations, alone in its folder."""
    path = tmp_path / "good" / "diptych.db"
    path.parent.mkdir()
    st = Store.open(path)
    docs = seed_importer(st)
    session = AnnotationSession(st, "alice")
    session.tag(docs[0].id, 0, 20, "CLAIM")
    session.tag(docs[1].id, 10, 30, "SOURCE")
    st.close()
    assert side_files(path) == [], "closing the last connection should checkpoint and remove -wal/-shm"
    return path


def in_own_folder(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    return folder / "diptych.db"


# ---------------------------------------------------------------- schema and pragmas

def test_new_database_is_marked_and_versioned(db_path: Path) -> None:
    Store.open(db_path).close()
    conn = raw(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 1
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"stories", "documents", "regions", "annotations", "relations", "suggestions", "decisions",
            "doc_status", "positions", "events"} <= tables
    conn.close()


def test_connection_pragmas(store: Store) -> None:
    conn = store._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == int(DEFAULT_BUSY_TIMEOUT * 1000)
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.schema_version == SCHEMA_VERSION


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(StoreError):
        with store.transaction():
            store._exec("INSERT INTO regions(doc_id, start, \"end\", kind) VALUES (999, 0, 1, 'x')")


def test_reopening_a_current_database_writes_nothing(good_db: Path) -> None:
    before = sha256(good_db)
    st = Store.open(good_db)
    assert st.schema_version == SCHEMA_VERSION
    assert len(st.annotations()) == 2
    st.close()
    assert sha256(good_db) == before


def _migration_2(db) -> None:
    db.execute("CREATE TABLE extra (id INTEGER PRIMARY KEY, note TEXT)")


def _migration_2_broken(db) -> None:
    db.execute("CREATE TABLE extra (id INTEGER PRIMARY KEY)")
    raise RuntimeError("migration bug")


def test_migrations_run_forward_in_order_and_keep_data(good_db: Path, monkeypatch) -> None:
    monkeypatch.setattr(store_mod, "MIGRATIONS", store_mod.MIGRATIONS + (_migration_2,))
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    st = Store.open(good_db)
    assert st.schema_version == SCHEMA_VERSION + 1
    assert len(st.annotations()) == 2
    assert st._conn.execute("SELECT COUNT(*) FROM extra").fetchone()[0] == 0
    st.close()
    monkeypatch.undo()
    # Back on the older code the file is now "from a newer Diptych": refused, untouched.
    digest = sha256(good_db)
    with pytest.raises(NewerSchemaError) as err:
        Store.open(good_db)
    assert f"schema {SCHEMA_VERSION + 1}" in str(err.value)
    assert sha256(good_db) == digest


def test_a_failing_migration_leaves_the_old_version(good_db: Path, monkeypatch) -> None:
    monkeypatch.setattr(store_mod, "MIGRATIONS", store_mod.MIGRATIONS + (_migration_2_broken,))
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(RuntimeError):
        Store.open(good_db)
    conn = raw(good_db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'extra'").fetchone() is None
    conn.close()


def test_read_only_open_of_an_old_version_is_refused(good_db: Path, monkeypatch) -> None:
    monkeypatch.setattr(store_mod, "MIGRATIONS", store_mod.MIGRATIONS + (_migration_2,))
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    digest = sha256(good_db)
    with pytest.raises(ReadOnlyError, match="needs an upgrade"):
        Store.open(good_db, readonly=True)
    assert sha256(good_db) == digest


def test_an_empty_file_becomes_a_database(db_path: Path) -> None:
    db_path.write_bytes(b"")
    st = Store.open(db_path)
    assert st.schema_version == SCHEMA_VERSION
    st.close()


def test_missing_file_with_create_false(db_path: Path) -> None:
    with pytest.raises(StoreError, match="no such database"):
        Store.open(db_path, create=False)
    assert not db_path.exists()


def test_missing_parent_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "diptych.db"
    Store.open(path).close()
    assert path.exists()


# ---------------------------------------------------------------- files it must refuse

def _text_file(path: Path, good: Path) -> None:
    path.write_text("id,name\n1,not a database\n" * 20)


def _tiny_garbage(path: Path, good: Path) -> None:
    path.write_bytes(b"\x00\x01garbage")


def _header_then_garbage(path: Path, good: Path) -> None:
    data = good.read_bytes()
    # Keep page 1 (header and schema) intact; every later page is noise.
    page = int.from_bytes(data[16:18], "big")
    noise = bytes((i * 131 + 7) % 256 for i in range(len(data) - page))
    path.write_bytes(data[:page] + noise)


def _header_only_then_garbage(path: Path, good: Path) -> None:
    data = good.read_bytes()
    noise = bytes((i * 17 + 3) % 256 for i in range(len(data) - 100))
    path.write_bytes(data[:100] + noise)


def _truncated(path: Path, good: Path) -> None:
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 100])


def _newer_schema(path: Path, good: Path) -> None:
    shutil.copy(good, path)
    conn = raw(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()


def _foreign_tables(path: Path, good: Path) -> None:
    conn = raw(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices(total) VALUES (12.5)")
    conn.close()


def _foreign_wal_tables(path: Path, good: Path) -> None:
    conn = raw(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.close()


def _foreign_application_id(path: Path, good: Path) -> None:
    conn = raw(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("CREATE TABLE t (x)")
    conn.close()


REFUSED = [
    ("text-file", _text_file, NotADatabaseError, "is not a SQLite database"),
    ("tiny-garbage", _tiny_garbage, NotADatabaseError, "is not a SQLite database"),
    ("header-then-garbage-pages", _header_then_garbage, CorruptDatabaseError, "damaged"),
    ("header-only-then-garbage", _header_only_then_garbage, CorruptDatabaseError, "damaged"),
    ("truncated", _truncated, CorruptDatabaseError, "damaged"),
    ("newer-schema", _newer_schema, NewerSchemaError, "newer Diptych"),
    ("foreign-tables", _foreign_tables, NotADatabaseError, "not a Diptych one"),
    ("foreign-wal-tables", _foreign_wal_tables, NotADatabaseError, "not a Diptych one"),
    ("foreign-application-id", _foreign_application_id, NotADatabaseError, "not a Diptych one"),
]


@pytest.mark.parametrize("readonly", [False, True], ids=["rw", "ro"])
@pytest.mark.parametrize("name,make,error,phrase", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_files_are_left_untouched(tmp_path, good_db, name, make, error, phrase, readonly) -> None:
    path = in_own_folder(tmp_path, name)
    make(path, good_db)
    digest = sha256(path)
    with pytest.raises(error) as err:
        Store.open(path, readonly=readonly)
    message = str(err.value)
    assert str(path) in message and phrase in message
    assert "What to do:" in message, "every refusal says what to do"
    assert sha256(path) == digest, "a refused file must keep its bytes"
    assert side_files(path) == [], "a refused file must not get -wal/-shm/-journal files beside it"


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        Store.open(tmp_path)


# ---------------------------------------------------------------- read-only files

def test_readonly_open_reads_and_refuses_writes(good_db: Path) -> None:
    digest = sha256(good_db)
    st = Store.open(good_db, readonly=True)
    assert st.readonly
    session = AnnotationSession(st, "alice")
    doc = st.documents()[0]
    assert len(session.annotations(doc.id)) == 1
    with pytest.raises(ReadOnlyError) as err:
        session.tag(doc.id, 40, 50, "CLAIM")
    assert "read-only" in str(err.value) and str(good_db) in str(err.value)
    with pytest.raises(ReadOnlyError):
        session.undo()
    with pytest.raises(ReadOnlyError):
        session.set_status(doc.id, "done")
    session.save_position(doc.story_id, doc.id, 5)  # silently skipped: only a convenience
    session.cache_put("k", [1])  # a cache is an optimisation: skipped, not an error
    st.close()
    assert sha256(good_db) == digest


def test_readonly_open_of_a_missing_file_creates_nothing(db_path: Path) -> None:
    with pytest.raises(StoreError, match="no such database"):
        Store.open(db_path, readonly=True)
    assert not db_path.exists()


def test_unwritable_file_opens_read_only(good_db: Path, monkeypatch) -> None:
    """Decision logic only: tests run as root, where 0o444 does not stop writes,
    so os.access is made to answer as it would for an ordinary user. The real
    OS-level refusal is checked by the next test."""
    good_db.chmod(0o444)
    real_access = os.access

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and Path(path).resolve() in (good_db.resolve(), good_db.parent.resolve()):
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(store_mod.os, "access", access)
    digest = sha256(good_db)
    st = Store.open(good_db)
    try:
        assert st.readonly
        doc = st.documents()[0]
        with pytest.raises(ReadOnlyError, match="read-only"):
            AnnotationSession(st, "alice").tag(doc.id, 40, 50, "CLAIM")
    finally:
        st.close()
    assert sha256(good_db) == digest


READONLY_PROBE = textwrap.dedent("""
    import json, sys
    from tui.core.session import AnnotationSession
    from tui.core.errors import DiptychError
    out = {}
    try:
        s = AnnotationSession.open(sys.argv[1], annotator="alice")
        out["readonly"] = s.readonly
        doc = s.store.documents()[0]
        out["annotations"] = len(s.annotations(doc.id))
        try:
            s.tag(doc.id, 40, 50, "CLAIM")
            out["write"] = "saved"
        except DiptychError as exc:
            out["write"] = type(exc).__name__
            out["message"] = str(exc)
        s.close()
    except DiptychError as exc:
        out["open"] = type(exc).__name__ + ": " + str(exc)
    print(json.dumps(out))
""")


def _run_without_dac_override(args: list[str]) -> subprocess.CompletedProcess:
    """Run as a process the permission bits apply to. As root, drop the
    capabilities that let root ignore them; as anyone else, just run."""
    cmd = [sys.executable, "-c", READONLY_PROBE, *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot make permission bits bind")
        cmd = [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=Path(__file__).parents[2])


@pytest.mark.parametrize("folder_writable", [True, False], ids=["folder-rw", "folder-ro"])
def test_read_only_file_for_real(good_db: Path, folder_writable: bool) -> None:
    """A 0o444 file opened by a process that the permission bits really bind
    (root with CAP_DAC_OVERRIDE dropped): it opens read-only, reads work, a
    write is refused with ReadOnlyError, and the file keeps its bytes."""
    digest = sha256(good_db)
    good_db.chmod(0o444)
    if not folder_writable:
        good_db.parent.chmod(0o555)
    try:
        proc = _run_without_dac_override([str(good_db)])
    finally:
        good_db.parent.chmod(0o755)
        good_db.chmod(0o644)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out.get("readonly") is True, out
    assert out["annotations"] == 1
    assert out["write"] == "ReadOnlyError", out
    assert "read-only" in out["message"]
    assert sha256(good_db) == digest


# ---------------------------------------------------------------- documents

def test_add_document_dedups_by_text_hash(store: Store, seed_files) -> None:
    text = seed_files[0].read_text(encoding="utf-8")
    doc, created = store.add_document("Story A", text, title="first", regions=[(0, 10, "boilerplate")])
    again, created_again = store.add_document("Story B", text, title="second")
    assert created and not created_again
    assert again.id == doc.id and again.title == "first" and again.story_id == doc.story_id
    assert len(store.documents()) == 1
    assert store.story_by_title("Story B") is None, "a duplicate must not leave an empty story behind"
    assert doc.text == text and doc.text_sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert [(r.start, r.end, r.kind) for r in store.regions(doc.id)] == [(0, 10, "boilerplate")]
    other, created_other = store.add_document("Story A", text + " ")
    assert created_other and other.id != doc.id


def test_seeded_documents(seeded_store: Store, seed_docs, seed_files) -> None:
    assert [d.text for d in seed_docs] == [p.read_text(encoding="utf-8") for p in seed_files]
    assert len(seeded_store.stories()) == 1
    assert seeded_store.document_by_hash(seed_docs[1].text_sha256) == seed_docs[1]


def test_iter_annotations_streams_in_chunks(seeded_session, seed_docs) -> None:
    for start in range(0, 100, 10):
        seeded_session.tag(seed_docs[0].id, start, start + 5, "CLAIM")
        seeded_session.tag(seed_docs[1].id, start, start + 5, "SOURCE")
    whole = seeded_session.store.annotations()
    streamed = list(seeded_session.store.iter_annotations(chunk=3))
    assert [a.id for a in streamed] == [a.id for a in whole] and len(whole) == 20


# ---------------------------------------------------------------- events

def test_every_change_is_logged_with_before_and_after(seeded_session, seed_docs) -> None:
    s, doc = seeded_session, seed_docs[0]
    claim = s.tag(doc.id, 0, 20, "CLAIM")
    source = s.tag(doc.id, 30, 40, "SOURCE")
    rel = s.link(claim.id, source.id)
    s.edit(claim.id, attrs={"certainty": "hedged"})
    s.unlink(rel.id)
    s.link(claim.id, source.id)
    s.delete(source.id)
    events = s.store.events("alice")
    ops = [(e["op"], e["entity"]) for e in events]
    assert ops == [("change", "annotation"), ("change", "annotation"), ("change", "relation"),
                   ("change", "annotation"), ("change", "relation"), ("change", "relation"),
                   ("change", "annotation"), ("change", "relation")]
    tag_event = events[0]
    assert tag_event["before"] is None and json.loads(tag_event["after"])["id"] == claim.id
    assert tag_event["session"] == s.session_id
    edit_event = events[3]
    assert json.loads(json.loads(edit_event["before"])["attrs"]) == {}
    assert json.loads(json.loads(edit_event["after"])["attrs"]) == {"certainty": "hedged"}
    # The delete hides the annotation and its live relation in one batch.
    assert events[-1]["batch"] == events[-2]["batch"]
    assert json.loads(events[-1]["after"])["deleted_at"] is not None
    assert len({e["seq"] for e in events}) == len(events)


def test_rows_are_hidden_never_removed(seeded_session, seed_docs) -> None:
    s = seeded_session
    a = s.tag(seed_docs[0].id, 0, 20, "CLAIM")
    s.delete(a.id)
    assert s.annotations(seed_docs[0].id) == []
    assert [x.id for x in s.store.annotations(include_deleted=True)] == [a.id]


# ---------------------------------------------------------------- conflicts

def test_write_batch_expect_raises_conflict_when_row_changed(seeded_session, seed_docs, open_session) -> None:
    s = seeded_session
    ann = s.tag(seed_docs[0].id, 0, 20, "CLAIM")
    seen = annotation_row(ann)
    # Another process (same annotator, other connection) edits it meanwhile.
    other = open_session("alice")
    other.edit(ann.id, attrs={"certainty": "reported"})
    events_before = len(s.store.events())
    mine = dict(seen, note="my note")
    with pytest.raises(ConflictError) as err:
        s.store.write_batch("alice", s.session_id, [("annotation", ann.id, mine)], "edit",
                            expect={("annotation", ann.id): seen})
    assert "changed elsewhere" in str(err.value)
    assert len(s.store.events()) == events_before
    now_row = s.annotation(ann.id)
    assert now_row.attrs == {"certainty": "reported"} and now_row.note == ""


def test_session_edit_on_a_stale_view_is_a_conflict(seeded_session, seed_docs, open_session) -> None:
    s = seeded_session
    ann = s.tag(seed_docs[0].id, 0, 20, "CLAIM")
    other = open_session("alice")
    other.delete(ann.id)
    with pytest.raises(SpanError, match="no longer exists"):
        s.edit(ann.id, attrs={"certainty": "hedged"})


def test_equal_attrs_spelled_differently_are_not_a_conflict(seeded_session, seed_docs) -> None:
    """An importer may store attrs JSON with other spacing or key order; that is
    the same value, so the next edit must not be refused as a conflict."""
    s = seeded_session
    ann = s.tag(seed_docs[0].id, 0, 20, "CLAIM", attrs={"certainty": "hedged", "checkworthy": "yes"})
    with s.store.transaction():
        s.store._exec("UPDATE annotations SET attrs = ? WHERE id = ?",
                      ['{"checkworthy":"yes",  "certainty":"hedged"}', ann.id])
    s.edit(ann.id, note="fine")
    assert s.annotation(ann.id).note == "fine"


# ---------------------------------------------------------------- undo / redo

def test_undo_tag_hides_and_redo_restores(seeded_session, seed_docs) -> None:
    s, doc = seeded_session, seed_docs[0]
    a = s.tag(doc.id, 0, 20, "CLAIM", attrs={"certainty": "asserted"}, note="n")
    step = s.undo()
    assert step is not None and step.summary.startswith("tag CLAIM")
    assert s.annotations(doc.id) == []
    assert s.annotation(a.id).deleted_at is not None
    assert s.redo().batch == step.batch
    back = s.annotation(a.id)
    assert back.deleted_at is None and back.attrs == {"certainty": "asserted"} and back.note == "n"
    assert s.annotations(doc.id) == [a]


def test_undo_delete_restores_it_with_its_relations(seeded_session, seed_docs) -> None:
    s = seeded_session
    d0, d1 = seed_docs
    claim = s.tag(d0.id, 0, 20, "CLAIM")
    source = s.tag(d0.id, 30, 40, "SOURCE")
    other = s.tag(d1.id, 0, 20, "CLAIM")
    r1 = s.link(claim.id, source.id)
    r2 = s.link(claim.id, other.id)  # across documents
    s.delete(claim.id)
    assert s.relations([d0.id, d1.id]) == []
    s.undo()
    assert {r.id for r in s.relations([d0.id, d1.id])} == {r1.id, r2.id}
    assert s.annotation(claim.id).deleted_at is None
    s.redo()
    assert s.relations([d0.id, d1.id]) == [] and s.annotation(claim.id).deleted_at is not None


def test_undo_edit_and_multi_step_order(seeded_session, seed_docs) -> None:
    s, doc = seeded_session, seed_docs[0]
    a = s.tag(doc.id, 0, 20, "CLAIM")
    b = s.tag(doc.id, 30, 40, "SOURCE")
    s.edit(a.id, attrs={"certainty": "hedged"}, note="first")
    s.edit(a.id, attrs={"certainty": "reported"}, note="second")
    assert s.undo().summary.startswith("edit")
    assert (s.annotation(a.id).attrs, s.annotation(a.id).note) == ({"certainty": "hedged"}, "first")
    assert s.undo().summary.startswith("edit")
    assert (s.annotation(a.id).attrs, s.annotation(a.id).note) == ({}, "")
    assert s.undo().summary.startswith("tag SOURCE")
    assert s.annotation(b.id).deleted_at is not None
    assert s.undo().summary.startswith("tag CLAIM")
    assert s.undo() is None
    assert s.annotations(doc.id) == []
    # Redo replays in the original order.
    assert [s.redo().summary.split()[0:2] for _ in range(4)] == [
        ["tag", "CLAIM"], ["tag", "SOURCE"], ["edit", "CLAIM"], ["edit", "CLAIM"]]
    assert s.redo() is None
    assert s.annotation(a.id).attrs == {"certainty": "reported"}


def test_a_new_change_clears_redo(seeded_session, seed_docs) -> None:
    s, doc = seeded_session, seed_docs[0]
    s.tag(doc.id, 0, 20, "CLAIM")
    s.undo()
    assert s.undo_state()[1] is not None
    s.tag(doc.id, 30, 40, "SOURCE")
    assert s.undo_state()[1] is None
    assert s.redo() is None
    assert [a.label for a in s.annotations(doc.id)] == ["SOURCE"]


def test_undo_redo_across_a_restart(db_path: Path, seeded_store: Store, seed_docs) -> None:
    s = AnnotationSession(seeded_store, "alice")
    doc = seed_docs[0]
    a = s.tag(doc.id, 0, 20, "CLAIM")
    s.edit(a.id, attrs={"checkworthy": "yes"})
    b = s.tag(doc.id, 30, 40, "SOURCE")
    s.undo()  # b hidden, redo available
    seeded_store.close()

    st = Store.open(db_path)
    try:
        s2 = AnnotationSession(st, "alice")  # a new process: new session id
        assert s2.session_id != s.session_id
        undo, redo = s2.undo_state()
        assert undo.summary.startswith("edit CLAIM") and redo.summary.startswith("tag SOURCE")
        assert s2.redo().summary.startswith("tag SOURCE")
        assert s2.annotation(b.id).deleted_at is None
        s2.undo()
        s2.undo()
        assert s2.annotation(a.id).attrs == {}
        s2.undo()
        assert s2.annotations(doc.id) == [] and s2.undo() is None
    finally:
        st.close()


def test_undo_is_per_annotator(seeded_session, seed_docs, open_session) -> None:
    alice = seeded_session
    bob = open_session("bob")
    a = alice.tag(seed_docs[0].id, 0, 20, "CLAIM")
    b = bob.tag(seed_docs[0].id, 0, 20, "CLAIM")
    assert bob.undo().summary.startswith("tag CLAIM")
    assert alice.annotation(a.id).deleted_at is None and bob.annotation(b.id).deleted_at is not None
    assert bob.undo() is None


def test_undo_conflicts_when_another_process_changed_the_row(seeded_session, seed_docs, db_path) -> None:
    s = seeded_session
    a = s.tag(seed_docs[0].id, 0, 20, "CLAIM")
    s.edit(a.id, attrs={"certainty": "hedged"})
    # Someone else (a reviewer process, through the store) changes alice's row.
    other = Store.open(db_path)
    try:
        row = annotation_row(other.annotation(a.id))
        other.write_batch("reviewer", "sess-r", [("annotation", a.id, dict(row, note="reviewed"))], "review")
    finally:
        other.close()
    events_before = len(s.store.events())
    with pytest.raises(ConflictError) as err:
        s.undo()
    assert "changed since" in str(err.value) and "edit CLAIM" in str(err.value)
    assert len(s.store.events()) == events_before, "a refused undo writes nothing"
    now_row = s.annotation(a.id)
    assert now_row.note == "reviewed" and now_row.attrs == {"certainty": "hedged"}


def test_redo_conflicts_when_the_row_changed(seeded_session, seed_docs, db_path) -> None:
    s = seeded_session
    a = s.tag(seed_docs[0].id, 0, 20, "CLAIM")
    s.edit(a.id, note="x")
    s.undo()
    other = Store.open(db_path)
    try:
        row = annotation_row(other.annotation(a.id))
        other.write_batch("reviewer", "r", [("annotation", a.id, dict(row, note="reviewer"))], "review")
    finally:
        other.close()
    with pytest.raises(ConflictError):
        s.redo()
    assert s.annotation(a.id).note == "reviewer"


# ---------------------------------------------------------------- failures

def _fill_up(st: Store) -> None:
    """Let the file grow no further: SQLite then answers 'database or disk is full'."""
    pages = st._conn.execute("PRAGMA page_count").fetchone()[0]
    st._conn.execute(f"PRAGMA max_page_count = {pages}")


def test_full_disk_is_a_clear_write_failure_and_writes_nothing(seeded_session, seed_docs) -> None:
    s, doc = seeded_session, seed_docs[0]
    a = s.tag(doc.id, 0, 20, "CLAIM")
    events = s.store.events()
    _fill_up(s.store)
    big = "x" * 200_000
    with pytest.raises(WriteFailedError) as err:
        s.tag(doc.id, 30, 40, "SOURCE", note=big)
    assert "full" in str(err.value) and "nothing was saved" in str(err.value)
    assert str(s.store.path) in str(err.value)
    with pytest.raises(WriteFailedError):
        s.edit(a.id, note=big)
    # A two-row batch whose second row does not fit: the first must not stay either.
    row = annotation_row(a)
    with pytest.raises(WriteFailedError):
        s.store.write_batch("alice", s.session_id, [("annotation", a.id, dict(row, note="small")),
                                                   ("annotation", "new", dict(row, id="new", note=big))],
                            "two rows")
    assert not s.store._conn.in_transaction
    assert s.store.events() == events
    assert s.annotations(doc.id) == [a] and s.annotation(a.id).note == ""
    assert s.store.integrity_check() == "ok"
    s.store._conn.execute("PRAGMA max_page_count = 1073741823")
    s.tag(doc.id, 30, 40, "SOURCE", note=big)  # works again once there is room


def test_busy_past_the_timeout_is_a_busy_error(seeded_store: Store, seed_docs, db_path: Path) -> None:
    holder = raw(db_path)
    holder.execute("BEGIN IMMEDIATE")
    st = Store.open(db_path, busy_timeout=0.2)
    try:
        s = AnnotationSession(st, "alice")
        with pytest.raises(BusyError) as err:
            s.tag(seed_docs[0].id, 0, 20, "CLAIM")
        assert "locked by another writer" in str(err.value)
        holder.execute("ROLLBACK")
        s.tag(seed_docs[0].id, 0, 20, "CLAIM")
        assert len(s.annotations(seed_docs[0].id)) == 1
    finally:
        holder.close()
        st.close()


def test_busy_within_the_timeout_waits(seeded_store: Store, seed_docs, db_path: Path) -> None:
    holder = raw(db_path)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO stories(title, created_at) VALUES ('held', 'now')")
    release = threading.Timer(0.2, lambda: holder.execute("COMMIT"))
    st = Store.open(db_path, busy_timeout=30)
    try:
        s = AnnotationSession(st, "alice")
        release.start()
        s.tag(seed_docs[0].id, 0, 20, "CLAIM")  # waits for the holder instead of failing
        assert len(s.annotations(seed_docs[0].id)) == 1
        assert st.story_by_title("held") is not None
    finally:
        release.join()
        holder.close()
        st.close()


def test_doc_status_rejects_unknown_status(seeded_store: Store, seed_docs) -> None:
    with pytest.raises(StoreError, match="unknown status"):
        seeded_store.set_doc_status(seed_docs[0].id, "alice", "finished")


def test_story_counts_per_annotator(seeded_session, seed_docs) -> None:
    s = seeded_session
    first, second = seed_docs
    s.tag(first.id, 0, 5, "CLAIM")
    s.tag(second.id, 0, 2, "SOURCE")
    s.set_status(first.id, "done")
    s.set_status(second.id, "in_progress")
    other = AnnotationSession(s.store, "bob")
    other.tag(first.id, 0, 5, "CLAIM")
    (row,) = s.store.story_counts("alice")
    assert (row["documents"], row["done"], row["in_progress"], row["annotations"]) == (2, 1, 1, 2)
    (row,) = s.store.story_counts("bob")
    assert (row["documents"], row["done"], row["in_progress"], row["annotations"]) == (2, 0, 0, 1)


def test_annotations_read_in_bulk_equal_the_constructors(seeded_store: Store, seed_docs) -> None:
    """annotations_of_rows fills instances without __init__: the objects must be the
    constructor's, field for field (attrs too, which == ignores), hashable and frozen."""
    import dataclasses

    from tui.core.models import Annotation
    from tui.core.store.rows import _annotation

    session = AnnotationSession(seeded_store, "alice")
    session.tag(seed_docs[0].id, 0, 20, "CLAIM", attrs={"certainty": "reported"}, note="café")
    session.tag(seed_docs[0].id, 30, 40, "SOURCE")
    fast = seeded_store.annotations(seed_docs[0].id)
    slow = [_annotation(r) for r in seeded_store._query(
        'SELECT * FROM annotations WHERE doc_id = ? ORDER BY start', [seed_docs[0].id])]
    assert len(fast) == 2
    for a, b in zip(fast, slow):
        assert type(a) is Annotation
        assert dataclasses.astuple(a) == dataclasses.astuple(b) and a == b and hash(a) == hash(b)
        with pytest.raises(dataclasses.FrozenInstanceError):
            a.label = "MOTIVE"  # type: ignore[misc]
    assert fast[0].attrs == {"certainty": "reported"} and fast[0].note == "café"
    assert list(seeded_store.iter_annotations(chunk=1)) == fast
