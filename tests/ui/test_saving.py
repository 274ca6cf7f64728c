"""Saves from the reader run off the UI thread: while another connection holds
SQLite's write lock the header says "saving…", keys keep moving the cursor,
saves keep their key order (undo included), a refused save says NOT SAVED and
shows what is stored, and quitting waits for what was typed.

The lock is a real one: BEGIN IMMEDIATE on a second sqlite3 connection to the
same file, as another process's import would hold it. Waiting is a bounded poll
on the app's own state, never a sleep as synchronisation.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

from reader_kit import settle

from tui.app import DiptychApp
from tui.core.session import AnnotationSession
from tui.core.store import Store
from tui.core.text import word_at

RAW_KEYS = True  # these tests watch saves wait: Textual's own pilot.press (tests/conftest.py)

# The app's saves may wait this long for the lock: far longer than any test holds it,
# so a loaded machine cannot turn a waiting save into a refused one.
PATIENT = 300.0
TRIES = 6000  # settle() polls every 10 ms: a bound, not a timing


def patient_app(db: Path, annotator: str = "alice") -> DiptychApp:
    session = AnnotationSession(Store.open(db, busy_timeout=PATIENT), annotator)
    return DiptychApp(session, story_id=session.stories()[0].id, suggest=False)


@contextmanager
def write_lock(db: Path):
    """Hold the database's write lock from another connection until the block ends."""
    conn = sqlite3.connect(str(db), isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()


def header(app) -> str:
    return str(app.screen.query_one("#header").render())


def stored(db: Path) -> list[tuple[int, int, str]]:
    with Store.open(db, readonly=True) as st:
        return sorted((a.start, a.end, a.label) for a in st.annotations(annotator="alice"))


def pending(app) -> int:
    return len(app.screen.pending)


async def test_a_save_waiting_for_the_lock_never_freezes_the_keys(seed_db):
    app = patient_app(seed_db)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            view = app.screen.pane.view
            with write_lock(seed_db) as lock:
                await pilot.press("V", "c")
                sentence = next(iter(app.screen.tagging))[1:3]
                assert "saving…" in header(app)
                before = view.cursor
                await pilot.press("j")
                after_j = view.cursor
                assert after_j != before  # the key moved the cursor while the save waits
                await pilot.press("l")
                assert view.cursor != after_j
                assert "saving…" in header(app) and pending(app) == 1
                assert stored(seed_db) == []
                lock.execute("ROLLBACK")  # the other writer is done
                await settle(pilot, lambda: "saved " in header(app), TRIES)
            assert stored(seed_db) == [(*sentence, "CLAIM")]
            assert "saving…" not in header(app) and "NOT SAVED" not in header(app)
            assert {(m.start, m.end) for m in view.marks("annotation")} == {sentence}
    finally:
        app.session.close()


async def test_saves_and_undo_keep_the_order_of_the_keys(seed_db):
    app = patient_app(seed_db)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            view = app.screen.pane.view
            words = []
            with write_lock(seed_db) as lock:
                # Four tags, two undos and a redo, all queued behind the lock.
                for key in ("c", "s", "c", "m"):
                    words.append(word_at(view.text, view.cursor))
                    await pilot.press(key, "l", "l")
                await pilot.press("u", "u", "ctrl+r")
                assert pending(app) == 7 and "saving… (7)" in header(app)
                lock.execute("COMMIT")
                await settle(pilot, lambda: pending(app) == 0, TRIES)
            rows = stored(seed_db)
            # The first three tags stay (the fourth undone, the third undone and redone).
            assert [label for _s, _e, label in sorted(rows)] == ["CLAIM", "SOURCE", "CLAIM"]
            assert [(start, end) for start, end, _l in rows] == sorted(words[:3])
            assert "saved " in header(app)
    finally:
        app.session.close()


async def test_a_refused_save_says_not_saved_and_shows_what_is_stored(seed_db):
    app = patient_app(seed_db)
    try:
        async with app.run_test(size=(120, 30), notifications=True) as pilot:
            await pilot.pause()
            view = app.screen.pane.view
            # Another reader of alice's tags this word first: this screen does not show it yet.
            other = AnnotationSession.open(seed_db, annotator="alice")
            start, end = word_at(view.text, view.cursor)
            other.tag(app.screen.pane.doc.id, start, end, "CLAIM")
            other.close()
            assert view.marks("annotation") == frozenset()
            await pilot.press("c")
            await settle(pilot, lambda: pending(app) == 0, TRIES)
            assert "NOT SAVED (" in header(app)
            await pilot.pause()  # the toast is drawn on the next refresh
            assert "already tagged CLAIM" in app.export_screenshot().replace("\u00a0", " ").replace("&#160;", " ")
            # The reload shows what is really stored: the other reader's one tag.
            assert {(m.start, m.end) for m in view.marks("annotation")} == {(start, end)}
            assert stored(seed_db) == [(start, end, "CLAIM")]
    finally:
        app.session.close()


async def test_the_same_key_twice_while_saving_queues_one_tag_calmly(seed_db):
    app = patient_app(seed_db)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            with write_lock(seed_db) as lock:
                await pilot.press("c", "c")
                assert pending(app) == 1
                lock.execute("ROLLBACK")
                await settle(pilot, lambda: pending(app) == 0, TRIES)
            await pilot.press("c")  # and again once it is shown: still no duplicate, no error
            await pilot.pause()
            assert pending(app) == 0
            assert len(stored(seed_db)) == 1
            assert "NOT SAVED" not in header(app)
    finally:
        app.session.close()


async def test_quitting_waits_for_the_pending_save(seed_db):
    app = patient_app(seed_db)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            with write_lock(seed_db) as lock:
                await pilot.press("V", "c", "q")
                await pilot.pause()
                assert app.return_code is None  # still running: the tag is not committed yet
                assert "saving…" in header(app)
                lock.execute("ROLLBACK")
                await settle(pilot, lambda: app.return_code is not None, TRIES)
        assert [label for _s, _e, label in stored(seed_db)] == ["CLAIM"]
    finally:
        app.session.close()
