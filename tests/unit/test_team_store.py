"""Opening a shared database safely (issue #15): files that are not ours to open,
schemas missing columns, a -wal that a read without -shm would miss, the
permissions a team database needs, and `diptych init`."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main
from tui.core.errors import CorruptDatabaseError, ReadOnlyError, StoreError
from tui.core.session import AnnotationSession
from tui.core.store import Store
from tui.core.store.permissions import in_use, problems, side_paths, wal_has_frames
from tui.core.store.reading import connect_readonly


@pytest.fixture
def seeded(tmp_path: Path, seed_importer) -> Path:
    path = tmp_path / "team" / "team.db"
    path.parent.mkdir()
    st = Store.open(path)
    docs = seed_importer(st)
    AnnotationSession(st, "alice").tag(docs[0].id, 0, 20, "CLAIM")
    st.close()
    return path


def test_a_fifo_as_database_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    result: list[BaseException] = []
    # Before the fix this open blocked forever waiting for a writer on the pipe.
    worker = threading.Thread(target=lambda: _catch(result, lambda: Store.open(fifo, readonly=True)), daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "opening a FIFO must not wait for a writer"
    assert isinstance(result[0], StoreError) and "not a regular file" in str(result[0])


def _catch(out: list, fn) -> None:
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - handed to the test thread
        out.append(exc)


def test_a_missing_column_is_refused_clearly(seeded: Path) -> None:
    conn = sqlite3.connect(seeded)
    conn.execute("DROP VIEW live_annotations")
    conn.execute("ALTER TABLE annotations DROP COLUMN note")
    conn.close()
    for readonly in (True, False):
        with pytest.raises(CorruptDatabaseError, match="table annotations lacks column.*note") as err:
            Store.open(seeded, readonly=readonly)
        assert "backup" in err.value.hint


def test_a_missing_table_is_refused_clearly(seeded: Path) -> None:
    conn = sqlite3.connect(seeded)
    conn.execute("DROP TABLE settings")
    conn.close()
    with pytest.raises(CorruptDatabaseError, match="no table settings"):
        Store.open(seeded, readonly=True)


def _crashed_with_wal(path: Path) -> None:
    """Leave committed changes in -wal, as a killed writer does, and no -shm."""
    st = Store.open(path)
    doc = st.documents()[0]
    AnnotationSession(st, "bob").tag(doc.id, 30, 40, "SOURCE")
    keep = path.with_name("keep")
    keep.mkdir()
    for side in (path, *side_paths(path)):
        shutil.copy(side, keep / side.name)  # copies taken while it is open: the WAL is unmerged
    st.close()
    for side in (path, *side_paths(path)):
        shutil.copy(keep / side.name, side)
    side_paths(path)[1].unlink()


def test_wal_with_changes_and_no_shm_is_refused_to_a_reader_who_cannot_write(seeded: Path) -> None:
    _crashed_with_wal(seeded)
    wal, shm = side_paths(seeded)
    assert wal_has_frames(wal) and not shm.exists()
    # Before the fix this read the file alone, as immutable: 1 annotation instead of 2.
    with pytest.raises(ReadOnlyError, match="not merged") as err:
        connect_readonly(seeded, 5.0, writable=False)
    assert "doctor" in err.value.hint and "--fix" in err.value.hint
    assert not shm.exists(), "nothing was created"
    # A writer reads it correctly (SQLite recovers the -wal).
    st = Store.open(seeded, readonly=True)
    assert len(st.annotations()) == 2
    st.close()


def test_reader_who_cannot_write_creates_no_side_files(seeded: Path) -> None:
    conn = connect_readonly(seeded, 5.0, writable=False)
    assert conn.execute("SELECT COUNT(*) FROM annotations").fetchone()[0] == 1
    conn.close()
    assert [p for p in side_paths(seeded) if p.exists()] == []


def test_empty_wal_is_not_changes(tmp_path: Path) -> None:
    wal = tmp_path / "x.db-wal"
    assert not wal_has_frames(wal)
    wal.write_bytes(b"")
    assert not wal_has_frames(wal)
    wal.write_bytes(b"\x00" * 10)
    assert not wal_has_frames(wal)


def test_writer_makes_its_side_files_match_the_database(seeded: Path) -> None:
    seeded.chmod(0o664)
    old = os.umask(0o022)
    try:
        st = Store.open(seeded)
        for side in side_paths(seeded):
            assert stat.S_IMODE(side.stat().st_mode) == 0o664, side
        st.close()
    finally:
        os.umask(old)
    assert not in_use(seeded)


def test_problems_name_the_blocking_side_file_and_the_fix(seeded: Path) -> None:
    seeded.chmod(0o664)
    shm = side_paths(seeded)[1]
    shm.write_bytes(b"")
    shm.chmod(0o644)
    (found,) = [p for p in problems(seeded, shared=False) if p.path == shm]
    assert f"chmod 664 {shm}" in found.fix and "cannot save" in found.message


def test_new_database_in_a_setgid_group_folder_is_group_writable(tmp_path: Path) -> None:
    folder = tmp_path / "srv"
    folder.mkdir()
    folder.chmod(0o2775)
    old = os.umask(0o022)
    try:
        Store.open(folder / "t.db").close()
    finally:
        os.umask(old)
    assert stat.S_IMODE((folder / "t.db").stat().st_mode) & 0o060 == 0o060


def test_init_creates_an_empty_database_and_shared_marks_it(tmp_path: Path) -> None:
    runner = CliRunner()
    plain = tmp_path / "plain.db"
    result = runner.invoke(main, ["init", str(plain)])
    assert result.exit_code == 0 and "created database" in result.output
    st = Store.open(plain, readonly=True)
    assert not st.shared and st.stories() == []
    st.close()
    shared = tmp_path / "team" / "team.db"
    result = runner.invoke(main, ["init", "--shared", str(shared)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(shared.parent.stat().st_mode) == 0o2775
    assert stat.S_IMODE(shared.stat().st_mode) == 0o664
    st = Store.open(shared, readonly=True)
    assert st.shared
    st.close()
    bad = runner.invoke(main, ["init", "--shared", "--group", "no-such-group-x", str(tmp_path / "x" / "x.db")])
    assert bad.exit_code == 1 and "no group named no-such-group-x" in bad.output
    assert runner.invoke(main, ["init", "--group", "root", str(tmp_path / "y.db")]).exit_code == 2
