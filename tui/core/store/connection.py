"""Opening a database file safely, one connection per Store, short write transactions
and the translation of SQLite errors into coded Diptych errors."""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any


from ..errors import (
    BusyError,
    CorruptDatabaseError,
    NewerSchemaError,
    NotADatabaseError,
    ReadOnlyError,
    StoreError,
    WriteFailedError,
)
from .migrations import _migration_1, _migration_2, _migration_3, _migration_4
from .permissions import can_write, make_new_database_shared, match_side_files, why_not_writable
from .reading import QUICK_CHECK_MAX_BYTES, check_columns, connect_readonly, read_facts  # noqa: F401 (re-exported)
from .writer_queue import WriterQueue

# "Dipt" in ASCII: marks the file as ours so we never migrate someone else's database.
APPLICATION_ID = 0x44697074
SQLITE_HEADER = b"SQLite format 3\x00"
DEFAULT_BUSY_TIMEOUT = 10.0

MIGRATIONS = (_migration_1, _migration_2, _migration_3, _migration_4)
SCHEMA_VERSION = len(MIGRATIONS)


class Connection:
    """The connection and its transactions; the other store modules add reads and writes."""

    def __init__(self, path: Path, conn: sqlite3.Connection, *, readonly: bool, busy_timeout: float):
        self.path = path
        self.readonly = readonly
        # Why a store opened for writing is read-only, and what to do: the hint of every refused save.
        self.readonly_hint = "check the file's permissions, or open a copy you can write"
        self.busy_timeout = busy_timeout
        self._conn = conn
        self._lock = threading.RLock()
        # Diptych's writers of this file on this machine wait in line, not in SQLite's sleeps.
        self._line = WriterQueue(path) if not readonly else None

    @functools.cached_property
    def db(self):
        """An sqlite_utils view of the connection, for tools and tests. Made on
        first use: importing sqlite_utils imports numpy and pandas when they are
        installed, which the reader must not pay for before its first paint."""
        import sqlite_utils

        return sqlite_utils.Database(self._conn)

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: str | os.PathLike, *, readonly: bool = False,
             busy_timeout: float = DEFAULT_BUSY_TIMEOUT, create: bool = True) -> "Connection":
        path = Path(path)
        version = _inspect_existing(path)
        if version is None and (readonly or not create):
            # Read-only must never create the file (or read an empty one as a database).
            raise StoreError(f"{path}: no such database", hint="run `diptych import seeds/` first, or pass --db")
        writable = can_write(path)
        if version is not None and version < SCHEMA_VERSION and (readonly or not writable):
            raise ReadOnlyError(
                f"{path} needs an upgrade to schema {SCHEMA_VERSION} but is read-only",
                hint="open it once with write access to upgrade it")
        if readonly or (version is not None and not writable):
            conn = connect_readonly(path, busy_timeout, writable=writable)
            store = cls(path, conn, readonly=True, busy_timeout=busy_timeout)
            if not readonly:
                store.readonly_hint = why_not_writable(path)
            return store
        existed = path.exists()
        if version is None:
            if not path.parent.exists():
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(f"cannot create folder {path.parent}: {exc.strerror}",
                                     hint="pass --db with a path in a writable folder") from None
            elif not os.access(path.parent, os.W_OK):
                raise ReadOnlyError(f"cannot create {path}: folder {path.parent} is not writable",
                                    hint="pass --db with a path in a writable folder")
        try:
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                                   timeout=busy_timeout)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {path}: {exc}") from None
        store = cls(path, conn, readonly=False, busy_timeout=busy_timeout)
        try:
            if not existed:
                # Before -wal/-shm exist: they copy the database's mode.
                make_new_database_shared(path)
            store._configure()
            # Side files this process just created get the database's group and
            # mode, or the next member to open it could not save.
            match_side_files(path)
            store._migrate()
        except BaseException:
            conn.close()  # do not leave a half-opened connection (and its locks) behind
            raise
        return store

    def second(self) -> "Connection":
        """Another connection to the file this one opened (for a writer thread). The
        file was inspected and migrated when it was opened, so neither is done again:
        no quick_check read of the whole file on a writer's first save."""
        try:
            conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False,
                                   timeout=self.busy_timeout)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {self.path}: {exc}") from None
        other = type(self)(self.path, conn, readonly=False, busy_timeout=self.busy_timeout)
        try:
            other._configure()
        except BaseException:
            conn.close()
            raise
        return other

    def _configure(self) -> None:
        c = self._conn
        c.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        c.execute("PRAGMA foreign_keys = ON")
        self._retry(lambda: c.execute("PRAGMA journal_mode = WAL").fetchone())
        c.execute("PRAGMA synchronous = FULL")

    def _migrate(self) -> None:
        # Almost every open finds the schema current: look first, so opening does
        # not queue for the write lock behind another annotator's transaction.
        current = self._retry(lambda: self._conn.execute("PRAGMA user_version").fetchone()[0])
        if current == SCHEMA_VERSION:
            return

        def step() -> None:
            with self.transaction():
                current = self._conn.execute("PRAGMA user_version").fetchone()[0]
                if current > SCHEMA_VERSION:
                    raise NewerSchemaError(
                        f"{self.path} was written by a newer Diptych (schema {current}, this one knows {SCHEMA_VERSION})",
                        hint="upgrade diptych (pip install -U diptych) to open it")
                for number in range(current, SCHEMA_VERSION):
                    MIGRATIONS[number](self._conn)
                if current < SCHEMA_VERSION:
                    self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                    self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        step()

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            if self._line is not None:
                self._line.close()

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    # ------------------------------------------------------------ transactions

    def _retry(self, fn, patience: float = 1.0):
        """Run ``fn`` retrying while SQLite says busy, up to ``patience`` busy timeouts.

        SQLite's own busy handler does not cover every case (a WAL upgrade of a
        read transaction returns SQLITE_BUSY at once), so retry here as well.
        """
        deadline = time.monotonic() + self.busy_timeout * patience
        delay = 0.005
        while True:
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() >= deadline:
                    raise _translate(exc, self.path) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.1)

    @contextlib.contextmanager
    def transaction(self, *, patience: float = 1.0) -> Iterator[sqlite3.Connection]:
        """One short write transaction: BEGIN IMMEDIATE ... COMMIT.

        ``patience`` (in busy timeouts) is how long to wait for the write lock: a
        chunk of a bulk write waits longer than a keystroke's save, because SQLite
        does not queue writers fairly and a busy team could otherwise starve it.
        """
        if self.readonly:
            raise ReadOnlyError(f"{self.path} is open read-only; nothing can be saved", hint=self.readonly_hint)
        with self._lock:
            if self._conn.in_transaction:
                # Nested use joins the outer transaction.
                yield self._conn
                return
            line = self._line.turn(self.busy_timeout * patience) if self._line else contextlib.nullcontext()
            with line:
                self._retry(lambda: self._conn.execute("BEGIN IMMEDIATE"), patience)
                try:
                    yield self._conn
                except BaseException:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise
                try:
                    self._retry(lambda: self._conn.execute("COMMIT"))
                except BaseException:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside sees one committed state of the file (an export).

        A deferred read transaction in WAL mode: writers keep committing (a
        chunked import goes on), but nothing they commit after the first read
        is seen until the block ends. Holds this Store's lock throughout, so
        use it on a connection no other thread writes through meanwhile.
        """
        with self._lock:
            if self._conn.in_transaction:
                yield  # already inside a transaction: already one state
                return
            self._retry(lambda: self._conn.execute("BEGIN DEFERRED"))
            try:
                # The snapshot starts with the first read, not with BEGIN.
                self._retry(lambda: self._conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone())
                yield
            finally:
                # An export that failed half-way may have closed the store before
                # its record generator is finalised: nothing is left to end then.
                with contextlib.suppress(sqlite3.ProgrammingError):
                    if self._conn.in_transaction:
                        self._conn.execute("COMMIT")

    def _query(self, sql: str, params: Iterable[Any] | dict = ()) -> list[dict]:
        with self._lock:
            try:
                cur = self._retry(lambda: self._conn.execute(sql, params))
            except sqlite3.DatabaseError as exc:
                raise _translate(exc, self.path) from None
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, row)) for row in cur.fetchall()]

    def _tuples(self, sql: str, params: Iterable[Any] | dict = ()) -> list[tuple]:
        """Rows as tuples, for reads of many rows (no dict per row)."""
        with self._lock:
            try:
                return self._retry(lambda: self._conn.execute(sql, params).fetchall())
            except sqlite3.DatabaseError as exc:
                raise _translate(exc, self.path) from None

    def _tuples_into(self, sql: str, params: Iterable[Any] | dict, make: Callable[[list[tuple]], list]) -> list:
        """``make`` applied to the rows a few thousand at a time, joined: a big read
        never holds every raw row and every object made of them at once."""
        with self._lock:
            try:
                cur = self._retry(lambda: self._conn.execute(sql, params))
                out: list = []
                while rows := cur.fetchmany(4096):
                    out.extend(make(rows))
                return out
            except sqlite3.DatabaseError as exc:
                raise _translate(exc, self.path) from None

    def _exec(self, sql: str, params: Iterable[Any] | dict = ()) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            raise _translate(exc, self.path) from None


def sqlite_info() -> dict[str, Any]:
    """SQLite library facts for `diptych doctor`."""
    conn = sqlite3.connect(":memory:")
    try:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    finally:
        conn.close()
    # An in-memory database always reports "memory"; WAL support is a compile option.
    conn = sqlite3.connect(":memory:")
    try:
        options = [r[0] for r in conn.execute("PRAGMA compile_options").fetchall()]
    finally:
        conn.close()
    return {"sqlite_version": sqlite3.sqlite_version, "wal": "OMIT_WAL" not in options,
            "memory_journal": mode, "compile_options": options}


def _inspect_existing(path: Path) -> int | None:
    """Schema version of an existing database, or None if there is none yet.

    Reads without writing anything; raises for files we must not touch.
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"cannot look at {path}: {exc.strerror}", hint="check the path and its folders' permissions") from None
    if stat.S_ISDIR(st.st_mode):
        raise StoreError(f"{path} is a folder, not a database file", hint="pass --db with a file path")
    if not stat.S_ISREG(st.st_mode):
        # Opening a FIFO would wait forever for a writer; a device is never ours.
        raise StoreError(f"{path} is not a regular file (a pipe, socket or device)",
                         hint="pass --db with a database file, or a new file name to create one")
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except PermissionError:
        raise ReadOnlyError(f"cannot read {path}: permission denied", hint="check the file's permissions") from None
    if not header:
        return None  # an empty file is an empty database
    if header != SQLITE_HEADER:
        raise NotADatabaseError(f"{path} is not a SQLite database (it starts with {header[:8]!r})",
                                hint="pass --db with a Diptych database, or a new file name to create one")
    # Opening a WAL-mode file even read-only makes SQLite create -wal and -shm
    # beside it, and a file we refuse should be left exactly as we found it.
    # When nobody has it open (no side files), read it as immutable, which
    # creates nothing. A process that opened and checkpointed it meanwhile could
    # make that read see torn pages, so a refusal then is confirmed the
    # ordinary way before it is believed.
    quiet = _wal_header(path) and not _side_files(path)
    seen = _file_state(path)
    writable = can_write(path)
    try:
        version, app_id, tables = read_facts(path, immutable=quiet, writable=writable)
    except StoreError:
        if not quiet or (_file_state(path) == seen and not _side_files(path)):
            raise
        version, app_id, tables = read_facts(path, immutable=False, writable=writable)
    if app_id not in (0, APPLICATION_ID) or (app_id == 0 and set(tables) - {"sqlite_sequence"}):
        raise NotADatabaseError(f"{path} is a SQLite database but not a Diptych one",
                                hint="pass --db with a new file name; Diptych will not change this one")
    if version > SCHEMA_VERSION:
        raise NewerSchemaError(
            f"{path} was written by a newer Diptych (schema {version}; this one knows {SCHEMA_VERSION})",
            hint="upgrade diptych to open it; it was not changed")
    check_columns(path, tables, MIGRATIONS[:version])
    return version


def _wal_header(path: Path) -> bool:
    # Bytes 18 and 19 of the header are the write and read format: 2 means WAL.
    with path.open("rb") as fh:
        header = fh.read(20)
    return len(header) == 20 and header[18:20] == b"\x02\x02"


def _side_files(path: Path) -> bool:
    return any(Path(f"{path}{suffix}").exists() for suffix in ("-wal", "-shm"))


def _file_state(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_ino, st.st_size, st.st_mtime_ns


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _translate(exc: sqlite3.Error, path: Path) -> StoreError:
    text = str(exc).lower()
    if _is_busy(exc):  # type: ignore[arg-type]
        return BusyError(f"{path} stayed locked by another writer past the timeout",
                         hint="try again; if it persists, look for a stuck diptych process")
    if "readonly" in text or "read-only" in text:
        return ReadOnlyError(f"{path} is read-only; nothing was saved",
                             hint="check the file's and folder's permissions")
    if "disk is full" in text or "full" in text:
        return WriteFailedError(f"the disk holding {path} is full; nothing was saved",
                                hint="free some space and try again")
    if "malformed" in text or "not a database" in text:
        return CorruptDatabaseError(f"{path} is damaged: {exc}", hint="restore it from a backup")
    if "disk i/o" in text:
        return WriteFailedError(f"a disk error stopped the write to {path}; nothing was saved",
                                hint="check the disk and try again")
    return StoreError(f"{path}: {exc}")

