"""A line for this machine's Diptych writers of one database file.

SQLite does not queue writers: a connection that finds the write lock taken
sleeps in its busy handler (1, 2, 5, 10 ... 100 ms) and tries again, so with many
writers a commit waits mostly in those sleeps, long after the lock came free.
Before ``BEGIN IMMEDIATE`` each Diptych writer therefore takes an exclusive
``flock`` on a small lock file, which the kernel hands to the next waiter the
moment it is released.

The line is only advice, never what keeps the data right: SQLite's own locks
still decide who writes. So every failure here (no folder for the lock file,
a lock file someone else made unreadable, a wait past the patience) just lets
the writer go on to SQLite as before. Writers on other machines (a shared
folder) or other programs (sqlite-utils) are not in the line and are arbitrated
by SQLite as they always were.

The lock file lives in the temporary folder, not beside the database: opening
and closing another descriptor of the database file (or its -shm) would drop
the POSIX locks SQLite holds on it in this process. It is named after the
file's device and inode, so every path to one file finds the same line.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

# Which line files this thread stands in now: a second connection of the same
# thread must not wait behind the first (it would wait for itself).
_held = threading.local()


def _lock_path(db: Path) -> Path | None:
    try:
        st = db.stat()
    except OSError:
        return None
    folder = Path(tempfile.gettempdir()) / f"diptych-writers-{os.geteuid()}"
    return folder / f"{st.st_dev:x}-{st.st_ino:x}.lock"


class WriterQueue:
    """The line for one database file, for one connection."""

    def __init__(self, db: Path) -> None:
        self._db = db
        self._path: Path | None = None
        self._fd: int | None = None
        self._guard = threading.Lock()

    def _open(self) -> int | None:
        if self._fd is not None:
            # Another connection's close may have removed the file (and a later
            # writer made a new one): stand in the line everyone else finds.
            try:
                if self._path is not None and os.stat(self._path).st_ino == os.fstat(self._fd).st_ino:
                    return self._fd
            except OSError:
                pass
            os.close(self._fd)
            self._fd = None
        path = _lock_path(self._db)
        if path is None:
            return None
        try:
            path.parent.mkdir(mode=0o700, exist_ok=True)
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError:
            return None
        self._path = path
        return self._fd

    @contextlib.contextmanager
    def turn(self, timeout: float) -> Iterator[bool]:
        """Stand in line for up to ``timeout`` seconds; yields whether the turn came
        (False: go on without it). The turn ends with the block."""
        held: set[str] = getattr(_held, "paths", None) or set()
        _held.paths = held
        with self._guard:
            fd = self._open()
        key = str(self._path)
        if fd is None or key in held:
            yield False
            return
        got = _acquire(fd, timeout)
        if got is None:
            self._abandon()
            yield False
            return
        held.add(key)
        try:
            yield True
        finally:
            held.discard(key)
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _abandon(self) -> None:
        # A waiter thread still blocks on this descriptor: leave it that one and
        # open a fresh descriptor next time.
        with self._guard:
            self._fd = None

    def close(self) -> None:
        """Give back the descriptor; remove the lock file when nobody is in line.
        Removing it while another process opens it only splits the line in two
        for a moment, which SQLite's locks make harmless."""
        with self._guard:
            fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if self._path is not None:
                with contextlib.suppress(OSError):
                    self._path.unlink()
        except OSError:
            pass
        finally:
            os.close(fd)


def _acquire(fd: int, timeout: float) -> int | None:
    """Take the exclusive lock on ``fd`` within ``timeout`` seconds, or None."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except BlockingIOError:
        pass
    except OSError:
        return None
    # A blocking flock has no timeout, so a helper thread waits in it and hands
    # the lock over; if the wait runs out, the helper gives the lock straight back.
    state = {"abandoned": False, "got": False, "failed": False}
    lock = threading.Lock()
    done = threading.Event()

    def wait() -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            with lock:
                state["failed"] = True
                if state["abandoned"]:
                    os.close(fd)
            done.set()
            return
        with lock:
            if state["abandoned"]:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
                return
            state["got"] = True
        done.set()

    threading.Thread(target=wait, name="diptych-writer-line", daemon=True).start()
    done.wait(timeout)
    with lock:
        if state["got"]:
            return fd
        state["abandoned"] = True
        if state["failed"]:
            os.close(fd)  # the helper has given up already: nobody else will close it
    return None
