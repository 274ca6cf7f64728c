"""The writers' line (store/writer_queue.py): a second writer waits for the first's
turn to end and then writes; a line that never moves, or one the same thread
already stands in, falls back to SQLite's own waiting and its BusyError; the
lock file goes away with the last writer. Ordering is shown by events, never by
timing."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tui.core.errors import BusyError
from tui.core.session import AnnotationSession
from tui.core.store import Store
from tui.core.store.writer_queue import WriterQueue, _lock_path


def test_a_second_writer_waits_in_line_then_writes(db_path: Path, seed_importer) -> None:
    first = Store.open(db_path)
    docs = seed_importer(first)
    second = first.second()
    holding, release = threading.Event(), threading.Event()
    order: list[str] = []

    def hold() -> None:
        with first.transaction() as conn:
            holding.set()
            release.wait(30)
            conn.execute("INSERT INTO settings(key, value) VALUES ('who', 'first')")
            order.append("first committed")

    def wait_then_write() -> None:
        holding.wait(30)
        AnnotationSession(second, "bob").tag(docs[0].id, 0, 3, "CLAIM")
        order.append("second committed")

    threads = [threading.Thread(target=hold), threading.Thread(target=wait_then_write)]
    for t in threads:
        t.start()
    holding.wait(30)
    release.set()
    for t in threads:
        t.join(60)
    assert order == ["first committed", "second committed"]
    assert first.setting("who") == "first"
    assert [(a.annotator, a.start, a.end) for a in first.annotations(docs[0].id)] == [("bob", 0, 3)]
    assert len(first.events("bob")) == 1
    second.close()
    first.close()


def test_a_line_that_never_moves_ends_in_busy_error(db_path: Path, seed_importer) -> None:
    first = Store.open(db_path)
    seed_importer(first)
    other = Store.open(db_path, busy_timeout=0.2)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with first.transaction():
            holding.set()
            release.wait(30)

    t = threading.Thread(target=hold)
    t.start()
    holding.wait(30)
    try:
        with pytest.raises(BusyError):
            other.set_setting("who", "other")
    finally:
        release.set()
        t.join(30)
    other.set_setting("who", "other")  # the line moves again once the holder is done
    assert first.setting("who") == "other"
    other.close()
    first.close()


def test_the_same_thread_never_waits_for_itself(db_path: Path, seed_importer) -> None:
    first = Store.open(db_path)
    seed_importer(first)
    other = Store.open(db_path, busy_timeout=0.2)
    with first.transaction():
        # Without the line's own-thread rule this would wait forever for this thread.
        with pytest.raises(BusyError):
            other.set_setting("who", "other")
    other.close()
    first.close()


def test_the_lock_file_goes_with_the_last_writer(db_path: Path) -> None:
    st = Store.open(db_path)
    st.set_setting("who", "me")
    lock = _lock_path(db_path)
    assert lock is not None and lock.exists()
    st.close()
    assert not lock.exists()


def test_no_lock_folder_means_no_line_not_no_save(db_path: Path, monkeypatch, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the lock folder would go")
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(blocked))
    queue = WriterQueue(db_path)
    Store.open(db_path).close()
    with queue.turn(1.0) as got:
        assert got is False
    st = Store.open(db_path)
    st.set_setting("who", "me")
    assert st.setting("who") == "me"
    st.close()


def test_a_writer_finds_the_line_again_after_another_removed_its_file(db_path: Path) -> None:
    first, second = Store.open(db_path), Store.open(db_path)
    first.set_setting("who", "first")
    second.set_setting("who", "second")
    lock = _lock_path(db_path)
    second.close()  # nobody in line: the file goes
    assert lock is not None and not lock.exists()
    first.set_setting("who", "first again")  # makes a new one and stands in it
    assert lock.exists()
    assert first._line._fd is not None and os.fstat(first._line._fd).st_ino == lock.stat().st_ino
    first.close()
