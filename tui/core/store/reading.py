"""Read-only connections that never leave a file behind, and the facts read from
an existing database before anything is written to it.

A WAL database cannot be read through SQLite's ordinary read-only mode without
-wal and -shm beside it: when they are missing, SQLite creates them, owned by
whoever reads, and a member who cannot write the database would then own files
that every writer needs (the "reader locks the owner out" failure). So a user who
cannot write the database (``writable=False``) reads:

- through ``mode=ro`` only when both side files already exist (someone has it
  open, and SQLite reads a -shm it cannot write since 3.22);
- as ``immutable`` when there is no -wal holding changes: everything committed
  is then in the database file itself, and immutable creates nothing;
- not at all when a -wal holds changes but there is no usable -shm: reading the
  file alone would silently show stale data, so it is refused with the fix.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Callable


from ..errors import CorruptDatabaseError, ReadOnlyError, StoreError
from .permissions import match_side_files, side_paths, user_name, wal_has_frames

# quick_check reads every page; skip it for files big enough to make opening slow.
QUICK_CHECK_MAX_BYTES = 256 * 1024 * 1024

DAMAGED_HINT = "restore it from a backup; Diptych will not write to it"


def connect_readonly(path: Path, busy_timeout: float, *, writable: bool) -> sqlite3.Connection:
    """A read-only connection that leaves no file another member cannot write."""
    wal, shm = side_paths(path)
    if writable:
        # A writer reading: a read-write connection that refuses writes, because
        # only such a connection, closing last, merges and removes the -wal/-shm
        # (a mode=ro one leaves them behind); the ones it creates match the database.
        conn = _connect(path, "mode=rw", busy_timeout)
        conn.execute("PRAGMA query_only = 1")
        match_side_files(path)
        return conn
    if wal.exists() and shm.exists():
        try:
            return _connect(path, "mode=ro", busy_timeout)
        except StoreError:
            if wal_has_frames(wal):
                raise unmerged_error(path, "cannot be read by you") from None
    if wal_has_frames(wal):
        raise unmerged_error(path, "is missing" if not shm.exists() else "cannot be read by you")
    return _connect(path, "mode=ro&immutable=1", busy_timeout)


def unmerged_error(path: Path, shm_state: str) -> ReadOnlyError:
    wal, shm = side_paths(path)
    try:
        owner = user_name(path.stat().st_uid)
    except OSError:
        owner = "its owner"
    return ReadOnlyError(
        f"{path} has changes in {wal} that are not merged into the database yet, and {shm.name} {shm_state}; "
        "reading without them would show stale data, so nothing was read",
        hint=f"ask someone who can write {path.parent} (e.g. {owner}) to run "
             f"`diptych doctor --db {path} --fix`, which merges them; then try again")


def _connect(path: Path, query: str, busy_timeout: float) -> sqlite3.Connection:
    # mode=ro in every URI: without it a missing file would be created.
    uri = f"{path.resolve().as_uri()}?{query}"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=busy_timeout)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}", hint="check the file's and folder's permissions") from None
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        conn.close()
        raise StoreError(f"cannot read {path}: {exc}",
                         hint="check the permissions of the file, its folder and its -wal/-shm "
                              "(`diptych doctor` says what to run)") from None
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise CorruptDatabaseError(f"{path} is damaged or not a database: {exc}", hint=DAMAGED_HINT) from None
    return conn


def read_facts(path: Path, *, immutable: bool, writable: bool) -> tuple[int, int, dict[str, set[str]]]:
    """user_version, application_id and {table: columns}, after a quick_check."""
    if immutable:
        conn = _connect(path, "mode=ro&immutable=1", 5.0)
    else:
        conn = connect_readonly(path, 5.0, writable=writable)
    try:
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0]: set() for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            for name in tables:
                # Quoted as an identifier: a hostile file may name tables anything.
                quoted = '"' + name.replace('"', '""') + '"'
                tables[name] = {r[1] for r in conn.execute(f"PRAGMA table_info({quoted})")}
            if path.stat().st_size <= QUICK_CHECK_MAX_BYTES:
                result = conn.execute("PRAGMA quick_check").fetchone()[0]
                if result != "ok":
                    raise CorruptDatabaseError(f"{path} is damaged: {result}", hint=DAMAGED_HINT)
        except sqlite3.DatabaseError as exc:
            raise CorruptDatabaseError(f"{path} is damaged or not a database: {exc}", hint=DAMAGED_HINT) from None
    finally:
        conn.close()
    return version, app_id, tables


@functools.lru_cache(maxsize=16)
def _expected(migrations: tuple[Callable[[sqlite3.Connection], None], ...]) -> dict[str, frozenset[str]]:
    conn = sqlite3.connect(":memory:")
    try:
        for migration in migrations:
            migration(conn)
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: frozenset(r[1] for r in conn.execute(f'PRAGMA table_info("{n}")')) for n in names}
    finally:
        conn.close()


def check_columns(path: Path, tables: dict[str, set[str]],
                  migrations: Sequence[Callable[[sqlite3.Connection], None]]) -> None:
    """Refuse a database whose tables lack what its schema version promises
    (someone edited it with another tool): reading it would fail later, mid-work."""
    for name, columns in sorted(_expected(tuple(migrations)).items()):
        if name not in tables:
            raise CorruptDatabaseError(f"{path} says it is a Diptych database but has no table {name}",
                                       hint="restore it from a backup; it was changed by another tool")
        missing = sorted(columns - tables[name])
        if missing:
            raise CorruptDatabaseError(
                f"{path}: table {name} lacks column(s) {', '.join(missing)}",
                hint="restore it from a backup; it was changed by another tool and Diptych will not write to it")
