"""Saving from the reader off the UI thread: one writer thread, in key order.

Every change the reader makes runs on one writer thread (a one-worker
ThreadPoolExecutor, whose queue is first in, first out), through a twin of the
session on its own connection, so a save that waits for SQLite's write lock
(another process importing, say) never freezes the keys or the screen, and
the reader's reads never queue behind it. While saves wait the header says
"saving…"; each outcome is applied on the UI thread in the order the keys were
pressed: success runs the caller's continuation, a refusal shows
"NOT SAVED (code)" and reloads what is really stored. Quitting waits for them.

A mixin of AnnotateScreen: it uses the screen's reload(), describe_cursor(),
update_header() and notify_plain().
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from textual.message import Message

from tui.core.errors import DiptychError

SAVING = "saving…"


class SaveQueue:
    """The app's one writer thread and the session it writes through."""

    def __init__(self, session) -> None:
        self.main = session
        # Opened on the writer thread at the first save: opening may wait for a lock too.
        self.session = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="diptych-save")
        self._closed = False

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
        """Run ``fn(session, *args, **kwargs)`` on the writer thread after every earlier save."""
        return self._executor.submit(self._run, fn, args, kwargs)

    def _run(self, fn, args, kwargs):
        if self.session is None:
            self.session = self.main.twin()
        return fn(self.session, *args, **kwargs)

    def close_now(self) -> None:
        """For a hang-up, when the process leaves at once: wait for the save in flight
        (its store lock; at most the busy timeout) and close the twin, so the last
        connection closes and SQLite merges the -wal. Saves still queued were never
        acknowledged (the header said "saving…") and are dropped with the process."""
        twin = self.session
        if twin is not None and twin is not self.main:
            twin.close()

    def close(self) -> None:
        """Close the twin after every queued save; never waits (the UI may be exiting).
        The interpreter still runs queued saves before it exits (executor threads are joined)."""
        if self._closed:
            return
        self._closed = True

        def close_twin() -> None:
            if self.session is not None and self.session is not self.main:
                self.session.close()

        self._executor.submit(close_twin)
        self._executor.shutdown(wait=False)


class SaveFinished(Message, bubble=False):
    """A save finished on the writer thread; its outcome waits to be applied here."""


class SavingActions:

    def init_saving(self) -> None:
        self.saves = SaveQueue(self.session)
        # (future, then, failed, quiet) in the order the keys were pressed.
        self.pending: deque[tuple[Future, Callable | None, Callable | None, bool]] = deque()
        self.quitting = False
        # Spans whose tag is queued: the same key again must not queue a duplicate.
        self.tagging: set[tuple[int, int, int, str]] = set()

    def write(self, fn: Callable[..., Any], *args: Any, then: Callable[[Any], None] | None = None,
              failed: Callable[[DiptychError], None] | None = None, quiet: bool = False, **kwargs: Any) -> None:
        """Queue ``fn(session, *args, **kwargs)``; the header says "saving…" until it is committed.

        On the UI thread afterwards, in key order: on success ``then(result)``, on a
        DiptychError "NOT SAVED (code)", the reason and ``failed(err)``; after either,
        the screen reloads what is stored. ``quiet`` saves (the reading position)
        change neither the header nor the screen.
        """
        future = self.saves.submit(fn, *args, **kwargs)
        self.pending.append((future, then, failed, quiet))
        future.add_done_callback(self._finished)
        if not quiet:
            self.update_header()

    def still_saving(self, pane, offset: int) -> bool:
        """Whether the cursor is on a tag still being saved; if so, say so (keys act on
        what the screen shows, and that span is not shown as tagged yet)."""
        for doc_id, start, end, label in self.tagging:
            if doc_id == pane.doc.id and start <= offset < end:
                self.notify_plain(f"that {label} is still saving: press the key again once it shows")
                return True
        return False

    def save_status(self) -> tuple[str, bool]:
        """What the header says about saving, and whether it is an error."""
        shown = sum(1 for _f, _t, _x, quiet in self.pending if not quiet)
        if shown:
            return (SAVING if shown == 1 else f"{SAVING} ({shown})"), False
        return self.save_state, self.save_error

    def _finished(self, _future: Future) -> None:
        # On the writer thread (or here, if it finished at once): wake the UI thread.
        try:
            self.post_message(SaveFinished())
        except RuntimeError:
            pass  # the app has stopped: nothing is left to show (the save itself is done)

    def on_save_finished(self, _message: SaveFinished) -> None:
        # Outcomes are applied strictly in key order, whatever order the wake-ups come in.
        while self.pending and self.pending[0][0].done():
            future, then, failed, quiet = self.pending.popleft()
            self._apply(future, then, failed, quiet)
        self.update_header()
        if self.quitting and not self.pending:
            self.app.exit()

    def _apply(self, future: Future, then, failed, quiet: bool) -> None:
        try:
            result = future.result()  # any other exception is a bug: let it show, as before
        except DiptychError as err:
            if quiet:
                return
            self.save_error = True
            self.save_state = f"NOT SAVED ({err.code})"
            self.notify_plain(str(err), error=True)
            if self.quitting:
                # Something the user typed was refused: stay, so they see it.
                self.quitting = False
                self.notify_plain("not quitting: a change was NOT SAVED (q quits anyway)", error=True)
            if failed is not None:
                failed(err)
        else:
            if quiet:
                return
            self.save_error = False
            self.save_state = "saved " + datetime.now().strftime("%H:%M:%S")
            if then is not None:
                then(result)
        self.reload()
        self.describe_cursor()

    def quit_after_saves(self) -> None:
        """Quit once every queued save is committed (or say how many are left)."""
        if not self.pending:
            self.app.exit()
            return
        if self.quitting:
            self.app.exit()  # a second q while waiting: the queued saves still finish before the process ends
            return
        self.quitting = True
        left = sum(1 for _f, _t, _x, quiet in self.pending if not quiet)
        self.notify_plain(f"quitting when {left} change(s) are saved (q again quits now; they still finish)"
                          if left else "quitting…")
        self.update_header()
