"""The only module that talks to SQLite.

Several annotators (processes) share one database file, so:

- WAL mode lets readers proceed while one writer commits;
- every write is one short ``BEGIN IMMEDIATE`` transaction, retried while the
  file is busy up to ``busy_timeout`` seconds, then refused with a clear error;
- ``synchronous=FULL`` so a change acknowledged to the caller survives a killed
  process;
- annotations, relations and decisions are never physically deleted: a
  ``deleted_at`` stamp hides them, so undo and audit can always bring them back;
- every change to those rows is appended to ``events`` with the row before and
  after, which is what undo/redo (also across restarts) replays.

Opening is careful never to modify a file it cannot vouch for: a file that is
not SQLite, a corrupt one, one from a newer Diptych, or a SQLite file that is
not a Diptych database are all refused before anything is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from .errors import (
    BusyError,
    ConflictError,
    CorruptDatabaseError,
    NewerSchemaError,
    NotADatabaseError,
    ReadOnlyError,
    StoreError,
    WriteFailedError,
)
from .models import Annotation, Document, Region, Relation, Story, Suggestion

# "Dipt" in ASCII: marks the file as ours so we never migrate someone else's database.
APPLICATION_ID = 0x44697074
SQLITE_HEADER = b"SQLite format 3\x00"
# quick_check reads every page; skip it for files big enough to make opening slow.
QUICK_CHECK_MAX_BYTES = 256 * 1024 * 1024
DEFAULT_BUSY_TIMEOUT = 10.0

ENTITY_TABLES = {"annotation": "annotations", "relation": "relations", "decision": "decisions"}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def new_id() -> str:
    return uuid.uuid4().hex


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- migrations

def _migration_1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            story_id INTEGER NOT NULL REFERENCES stories(id),
            title TEXT NOT NULL DEFAULT '', outlet TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '', author TEXT NOT NULL DEFAULT '',
            published TEXT NOT NULL DEFAULT '', lang TEXT NOT NULL DEFAULT 'en',
            text TEXT NOT NULL,
            text_sha256 TEXT NOT NULL UNIQUE,
            source_path TEXT NOT NULL DEFAULT '',
            imported_at TEXT NOT NULL,
            meta TEXT NOT NULL DEFAULT '{}')"""
    )
    db.execute("CREATE INDEX documents_story ON documents(story_id)")
    db.execute(
        """CREATE TABLE regions (
            id INTEGER PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(id),
            start INTEGER NOT NULL, "end" INTEGER NOT NULL, kind TEXT NOT NULL)"""
    )
    db.execute("CREATE INDEX regions_doc ON regions(doc_id)")
    db.execute(
        """CREATE TABLE annotations (
            id TEXT PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(id),
            annotator TEXT NOT NULL, label TEXT NOT NULL,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            quote TEXT NOT NULL, prefix TEXT NOT NULL DEFAULT '', suffix TEXT NOT NULL DEFAULT '',
            attrs TEXT NOT NULL DEFAULT '{}', note TEXT NOT NULL DEFAULT '',
            origin TEXT NOT NULL DEFAULT 'manual', status TEXT NOT NULL DEFAULT 'active',
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT,
            CHECK (start >= 0 AND start < "end"))"""
    )
    db.execute("CREATE INDEX annotations_doc ON annotations(doc_id, annotator)")
    db.execute(
        """CREATE TABLE relations (
            id TEXT PRIMARY KEY,
            head_id TEXT NOT NULL REFERENCES annotations(id),
            tail_id TEXT NOT NULL REFERENCES annotations(id),
            type TEXT NOT NULL, annotator TEXT NOT NULL,
            attrs TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL, deleted_at TEXT)"""
    )
    db.execute("CREATE INDEX relations_head ON relations(head_id)")
    db.execute("CREATE INDEX relations_tail ON relations(tail_id)")
    db.execute(
        """CREATE TABLE suggestions (
            text_sha256 TEXT NOT NULL, suggester TEXT NOT NULL, version TEXT NOT NULL,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL, label TEXT NOT NULL,
            score REAL NOT NULL DEFAULT 1.0, layer TEXT NOT NULL DEFAULT 'entity',
            grp TEXT NOT NULL DEFAULT '', role TEXT NOT NULL DEFAULT '',
            relation TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL DEFAULT '')"""
    )
    db.execute("CREATE INDEX suggestions_key ON suggestions(text_sha256, suggester, version)")
    # One row per (text, suggester, version) computed, so "no suggestions" is cached too.
    db.execute(
        """CREATE TABLE suggestion_runs (
            text_sha256 TEXT NOT NULL, suggester TEXT NOT NULL, version TEXT NOT NULL,
            computed_at TEXT NOT NULL,
            PRIMARY KEY (text_sha256, suggester, version))"""
    )
    db.execute(
        """CREATE TABLE decisions (
            id TEXT PRIMARY KEY,
            annotator TEXT NOT NULL, doc_id INTEGER NOT NULL REFERENCES documents(id),
            suggestion_key TEXT NOT NULL, verdict TEXT NOT NULL,
            created_at TEXT NOT NULL, deleted_at TEXT)"""
    )
    db.execute("CREATE INDEX decisions_doc ON decisions(doc_id, annotator)")
    db.execute(
        """CREATE TABLE doc_status (
            doc_id INTEGER NOT NULL REFERENCES documents(id), annotator TEXT NOT NULL,
            status TEXT NOT NULL, updated_at TEXT NOT NULL,
            PRIMARY KEY (doc_id, annotator))"""
    )
    db.execute(
        """CREATE TABLE positions (
            annotator TEXT PRIMARY KEY, story_id INTEGER, doc_id INTEGER,
            "offset" INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            ts TEXT NOT NULL, annotator TEXT NOT NULL, session TEXT NOT NULL DEFAULT '',
            batch TEXT NOT NULL, op TEXT NOT NULL, target_batch TEXT,
            entity TEXT NOT NULL, entity_id TEXT NOT NULL,
            before TEXT, after TEXT, summary TEXT NOT NULL DEFAULT '')"""
    )
    db.execute("CREATE INDEX events_annotator ON events(annotator, seq)")
    db.execute(
        """CREATE TABLE cache (
            key TEXT PRIMARY KEY, value TEXT NOT NULL, created_at TEXT NOT NULL)"""
    )


# Forward-only: append, never edit a released migration.
MIGRATIONS = (_migration_1,)
SCHEMA_VERSION = len(MIGRATIONS)

# Statuses of documents per annotator (review queue).
DOC_STATUSES = ("todo", "in_progress", "done")


@dataclass(frozen=True)
class EventBatch:
    """A batch of events that undo/redo treat as one step."""

    batch: str
    summary: str


class Store:
    """One connection to one database file. Safe to share between threads."""

    def __init__(self, path: Path, conn: sqlite3.Connection, *, readonly: bool, busy_timeout: float):
        self.path = path
        self.readonly = readonly
        self.busy_timeout = busy_timeout
        self._conn = conn
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: str | os.PathLike, *, readonly: bool = False,
             busy_timeout: float = DEFAULT_BUSY_TIMEOUT, create: bool = True) -> "Store":
        path = Path(path)
        version = _inspect_existing(path)
        if version is None and (readonly or not create):
            # Read-only must never create the file (or read an empty one as a database).
            raise StoreError(f"{path}: no such database", hint="run `diptych import seeds/` first, or pass --db")
        writable = _writable(path)
        if version is not None and version < SCHEMA_VERSION and (readonly or not writable):
            raise ReadOnlyError(
                f"{path} needs an upgrade to schema {SCHEMA_VERSION} but is read-only",
                hint="open it once with write access to upgrade it",
            )
        if readonly or (version is not None and not writable):
            conn = _connect_readonly(path, busy_timeout)
            store = cls(path, conn, readonly=True, busy_timeout=busy_timeout)
            return store
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
            store._configure()
            store._migrate()
        except BaseException:
            conn.close()  # do not leave a half-opened connection (and its locks) behind
            raise
        return store

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
                    MIGRATIONS[number](self.db)
                if current < SCHEMA_VERSION:
                    self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                    self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        step()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    # ------------------------------------------------------------ transactions

    def _retry(self, fn):
        """Run ``fn`` retrying while SQLite says busy, up to the busy timeout.

        SQLite's own busy handler does not cover every case (a WAL upgrade of a
        read transaction returns SQLITE_BUSY at once), so retry here as well.
        """
        deadline = time.monotonic() + self.busy_timeout
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
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction: BEGIN IMMEDIATE ... COMMIT."""
        if self.readonly:
            raise ReadOnlyError(f"{self.path} is open read-only; nothing can be saved",
                                hint="check the file's permissions, or open a copy you can write")
        with self._lock:
            if self._conn.in_transaction:
                # Nested use joins the outer transaction.
                yield self._conn
                return
            self._retry(lambda: self._conn.execute("BEGIN IMMEDIATE"))
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

    def _query(self, sql: str, params: Iterable[Any] | dict = ()) -> list[dict]:
        with self._lock:
            try:
                cur = self._retry(lambda: self._conn.execute(sql, params))
            except sqlite3.DatabaseError as exc:
                raise _translate(exc, self.path) from None
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, row)) for row in cur.fetchall()]

    def _exec(self, sql: str, params: Iterable[Any] | dict = ()) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            raise _translate(exc, self.path) from None

    # ------------------------------------------------------------ stories & documents

    def stories(self) -> list[Story]:
        return [Story(r["id"], r["title"], r["created_at"])
                for r in self._query("SELECT * FROM stories ORDER BY id")]

    def story(self, story_id: int) -> Story | None:
        rows = self._query("SELECT * FROM stories WHERE id = ?", [story_id])
        return Story(rows[0]["id"], rows[0]["title"], rows[0]["created_at"]) if rows else None

    def story_by_title(self, title: str) -> Story | None:
        rows = self._query("SELECT * FROM stories WHERE title = ?", [title])
        return Story(rows[0]["id"], rows[0]["title"], rows[0]["created_at"]) if rows else None

    def resolve_story(self, wanted: str | int | None) -> Story | None:
        """A story by title, else by id; None for "every story"; StoreError naming the choices."""
        if wanted is None or wanted == "":
            return None
        text = str(wanted)
        found = self.story_by_title(text)
        if found is None and text.strip().isdigit():
            found = self.story(int(text))
        if found is None:
            titles = ", ".join(f"{s.id}: {s.title}" for s in self.stories()) or "none yet"
            raise StoreError(f"no story {text!r} in {self.path}", hint=f"pass a story title or id ({titles})")
        return found

    def ensure_story(self, title: str) -> Story:
        with self.transaction():
            self._exec("INSERT OR IGNORE INTO stories(title, created_at) VALUES (?, ?)", [title, now()])
        story = self.story_by_title(title)
        assert story is not None
        return story

    def documents(self, story_id: int | None = None) -> list[Document]:
        if story_id is None:
            rows = self._query("SELECT * FROM documents ORDER BY story_id, id")
        else:
            rows = self._query("SELECT * FROM documents WHERE story_id = ? ORDER BY id", [story_id])
        return [_document(r) for r in rows]

    def document(self, doc_id: int) -> Document | None:
        rows = self._query("SELECT * FROM documents WHERE id = ?", [doc_id])
        return _document(rows[0]) if rows else None

    def document_by_hash(self, text_sha256: str) -> Document | None:
        rows = self._query("SELECT * FROM documents WHERE text_sha256 = ?", [text_sha256])
        return _document(rows[0]) if rows else None

    def add_document(self, story_title: str, text: str, *, title: str = "", outlet: str = "",
                     url: str = "", author: str = "", published: str = "", lang: str = "en",
                     source_path: str = "", meta: dict | None = None,
                     regions: Iterable[tuple[int, int, str]] = ()) -> tuple[Document, bool]:
        """Store a document (and its flagged regions) unless its text is already stored.

        Returns ``(document, created)``; ``created`` is False for a re-import.
        """
        digest = sha256_text(text)
        with self.transaction():
            existing = self._exec("SELECT id FROM documents WHERE text_sha256 = ?", [digest]).fetchone()
            if existing:
                doc_id, created = existing[0], False
            else:
                self._exec("INSERT OR IGNORE INTO stories(title, created_at) VALUES (?, ?)", [story_title, now()])
                story_id = self._exec("SELECT id FROM stories WHERE title = ?", [story_title]).fetchone()[0]
                cur = self._exec(
                    """INSERT INTO documents(story_id, title, outlet, url, author, published, lang, text,
                       text_sha256, source_path, imported_at, meta) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)""",
                    [story_id, title, outlet, url, author, published, lang, text, digest, source_path,
                     now(), json.dumps(meta or {}, sort_keys=True)])
                doc_id, created = cur.lastrowid, True
                for start, end, kind in regions:
                    self._exec('INSERT INTO regions(doc_id, start, "end", kind) VALUES (?,?,?,?)',
                               [doc_id, start, end, kind])
        doc = self.document(doc_id)
        assert doc is not None
        return doc, created

    def regions(self, doc_id: int) -> list[Region]:
        return [Region(r["doc_id"], r["start"], r["end"], r["kind"])
                for r in self._query('SELECT * FROM regions WHERE doc_id = ? ORDER BY start', [doc_id])]

    # ------------------------------------------------------------ annotations & relations (reads)

    def annotations(self, doc_id: int | None = None, annotator: str | None = None, *,
                    include_deleted: bool = False, story_id: int | None = None) -> list[Annotation]:
        where, params = [], []
        if doc_id is not None:
            where.append("doc_id = ?"); params.append(doc_id)
        if annotator is not None:
            where.append("annotator = ?"); params.append(annotator)
        if story_id is not None:
            where.append("doc_id IN (SELECT id FROM documents WHERE story_id = ?)"); params.append(story_id)
        if not include_deleted:
            where.append("deleted_at IS NULL")
        sql = "SELECT * FROM annotations"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += ' ORDER BY doc_id, start, "end", label, id'
        return [_annotation(r) for r in self._query(sql, params)]

    def iter_annotations(self, *, annotator: str | None = None, doc_ids: Iterable[int] | None = None,
                         chunk: int = 5000) -> Iterator[Annotation]:
        """Stream live annotations in (doc, start) order without loading them all."""
        last = (-1, -1, -1, "")
        base = 'SELECT * FROM annotations WHERE deleted_at IS NULL'
        params: list[Any] = []
        if annotator is not None:
            base += " AND annotator = ?"; params.append(annotator)
        if doc_ids is not None:
            ids = list(doc_ids)
            base += f" AND doc_id IN ({','.join('?' * len(ids))})"; params.extend(ids)
        while True:
            rows = self._query(
                base + ' AND (doc_id, start, "end", id) > (?, ?, ?, ?) ORDER BY doc_id, start, "end", id LIMIT ?',
                params + list(last) + [chunk])
            if not rows:
                return
            for r in rows:
                yield _annotation(r)
            r = rows[-1]
            last = (r["doc_id"], r["start"], r["end"], r["id"])

    def live_span(self, doc_id: int, annotator: str, start: int, end: int, label: str) -> Annotation | None:
        """The annotator's live annotation with exactly this span and label, if any."""
        rows = self._query('SELECT * FROM annotations WHERE doc_id = ? AND annotator = ? AND start = ? '
                           'AND "end" = ? AND label = ? AND deleted_at IS NULL LIMIT 1',
                           [doc_id, annotator, start, end, label])
        return _annotation(rows[0]) if rows else None

    def annotation(self, ann_id: str) -> Annotation | None:
        rows = self._query("SELECT * FROM annotations WHERE id = ?", [ann_id])
        return _annotation(rows[0]) if rows else None

    def annotators(self) -> list[str]:
        return [r["annotator"] for r in self._query(
            "SELECT DISTINCT annotator FROM annotations WHERE deleted_at IS NULL ORDER BY annotator")]

    def relations(self, *, annotator: str | None = None, doc_ids: Iterable[int] | None = None,
                  include_deleted: bool = False) -> list[Relation]:
        where, params = [], []
        if annotator is not None:
            where.append("r.annotator = ?"); params.append(annotator)
        if doc_ids is not None:
            ids = list(doc_ids)
            where.append(f"(h.doc_id IN ({','.join('?' * len(ids))}) OR t.doc_id IN ({','.join('?' * len(ids))}))")
            params.extend(ids + ids)
        if not include_deleted:
            where.append("r.deleted_at IS NULL AND h.deleted_at IS NULL AND t.deleted_at IS NULL")
        sql = ("SELECT r.* FROM relations r JOIN annotations h ON h.id = r.head_id "
               "JOIN annotations t ON t.id = r.tail_id")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY r.created_at, r.id"
        return [_relation(r) for r in self._query(sql, params)]

    def decisions(self, doc_id: int, annotator: str) -> dict[str, str]:
        return {r["suggestion_key"]: r["verdict"] for r in self._query(
            "SELECT suggestion_key, verdict FROM decisions WHERE doc_id = ? AND annotator = ? "
            "AND deleted_at IS NULL", [doc_id, annotator])}


    def row(self, entity: str, entity_id: str) -> dict | None:
        rows = self._query(f"SELECT * FROM {ENTITY_TABLES[entity]} WHERE id = ?", [entity_id])
        return rows[0] if rows else None

    # ------------------------------------------------------------ changes with events

    def write_batch(self, annotator: str, session: str, changes: list[tuple[str, str, dict | None]],
                    summary: str, *, expect: dict[tuple[str, str], dict | None] | None = None,
                    guard: Callable[[], None] | None = None) -> str:
        """Write rows and log them as one undoable step; returns the batch id.

        ``changes`` holds ``(entity, id, after_row)``; the row before is read in
        the same transaction. ``expect`` maps (entity, id) to the row the caller
        last saw: if another process changed it since, nothing is written and
        ConflictError says so. ``guard`` runs first inside the transaction, so a
        check it makes (e.g. "not tagged yet") holds against other writers too.
        """
        batch = new_id()
        with self.transaction():
            if guard is not None:
                guard()
            for entity, entity_id, after in changes:
                before = self._row_in_tx(entity, entity_id)
                if expect is not None and (entity, entity_id) in expect and \
                        not _same_row(before, expect[(entity, entity_id)]):
                    raise ConflictError(f"this {entity} was changed elsewhere since it was shown",
                                        hint="press the refresh key to reload the document")
                self._put_row(entity, entity_id, after)
                self._log(annotator, session, batch, "change", None, entity, entity_id, before, after, summary)
        return batch

    def undo(self, annotator: str, session: str) -> EventBatch | None:
        """Reverse the annotator's most recent change still in effect (any session)."""
        return self._step(annotator, session, "undo")

    def redo(self, annotator: str, session: str) -> EventBatch | None:
        return self._step(annotator, session, "redo")

    def undo_state(self, annotator: str) -> tuple[EventBatch | None, EventBatch | None]:
        """What undo and redo would do next, without doing it."""
        undo_stack, redo_stack, summaries = self._stacks(annotator)
        u = EventBatch(undo_stack[-1], summaries[undo_stack[-1]]) if undo_stack else None
        r = EventBatch(redo_stack[-1], summaries[redo_stack[-1]]) if redo_stack else None
        return u, r

    def _stacks(self, annotator: str) -> tuple[list[str], list[str], dict[str, str]]:
        # Replaying the whole log is linear in its length; an annotator's log grows by
        # one row per keystroke that changes something, which stays small enough.
        rows = self._query(
            "SELECT batch, op, target_batch, MIN(summary) AS summary FROM events WHERE annotator = ? "
            "GROUP BY batch ORDER BY MIN(seq)", [annotator])
        undo_stack: list[str] = []
        redo_stack: list[str] = []
        summaries: dict[str, str] = {}
        for r in rows:
            if r["op"] == "change":
                undo_stack.append(r["batch"])
                summaries[r["batch"]] = r["summary"]
                redo_stack.clear()
            elif r["op"] == "undo":
                if r["target_batch"] in undo_stack:
                    undo_stack.remove(r["target_batch"])
                redo_stack.append(r["target_batch"])
            elif r["op"] == "redo":
                if r["target_batch"] in redo_stack:
                    redo_stack.remove(r["target_batch"])
                undo_stack.append(r["target_batch"])
        return undo_stack, redo_stack, summaries

    def _step(self, annotator: str, session: str, op: str) -> EventBatch | None:
        with self.transaction():
            undo_stack, redo_stack, summaries = self._stacks(annotator)
            stack = undo_stack if op == "undo" else redo_stack
            if not stack:
                return None
            target = stack[-1]
            events = self._query(
                "SELECT * FROM events WHERE batch = ? AND op = 'change' ORDER BY seq", [target])
            batch = new_id()
            ordered = reversed(events) if op == "undo" else events
            for ev in ordered:
                want_now = ev["after"] if op == "undo" else ev["before"]
                write = ev["before"] if op == "undo" else ev["after"]
                current = self._row_in_tx(ev["entity"], ev["entity_id"])
                if not _same_row(current, _loads(want_now)):
                    raise ConflictError(
                        f"cannot {op} “{summaries[target]}”: the {ev['entity']} was changed since",
                        hint="the later change must be undone first, or edit it by hand")
                self._put_row(ev["entity"], ev["entity_id"], _loads(write))
                self._log(annotator, session, batch, op, target, ev["entity"], ev["entity_id"],
                          current, _loads(write), summaries[target])
            return EventBatch(target, summaries[target])

    def _row_in_tx(self, entity: str, entity_id: str) -> dict | None:
        cur = self._exec(f"SELECT * FROM {ENTITY_TABLES[entity]} WHERE id = ?", [entity_id])
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cur.description], row))

    def _put_row(self, entity: str, entity_id: str, row: dict | None) -> None:
        table = ENTITY_TABLES[entity]
        if row is None:
            # Only reached when undoing the creation of a row in a store that logged
            # "absent" before: hide it rather than delete, so references stay valid.
            self._exec(f"UPDATE {table} SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
                       [now(), entity_id])
            return
        cols = list(row)
        quoted = ", ".join(f'"{c}"' for c in cols)
        marks = ", ".join("?" for _ in cols)
        self._exec(f"INSERT OR REPLACE INTO {table} ({quoted}) VALUES ({marks})", [row[c] for c in cols])

    def _log(self, annotator: str, session: str, batch: str, op: str, target: str | None, entity: str,
             entity_id: str, before: dict | None, after: dict | None, summary: str) -> None:
        self._exec(
            "INSERT INTO events(ts, annotator, session, batch, op, target_batch, entity, entity_id, before, after, summary)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [now(), annotator, session, batch, op, target, entity, entity_id,
             _dumps(before), _dumps(after), summary])

    def events(self, annotator: str | None = None) -> list[dict]:
        if annotator is None:
            return self._query("SELECT * FROM events ORDER BY seq")
        return self._query("SELECT * FROM events WHERE annotator = ? ORDER BY seq", [annotator])

    # ------------------------------------------------------------ suggestions cache

    def cached_suggestions(self, text_sha256: str, suggester: str, version: str) -> list[Suggestion] | None:
        """Cached suggestions, or None when this (text, suggester, version) never ran."""
        if not self._query("SELECT 1 FROM suggestion_runs WHERE text_sha256 = ? AND suggester = ? AND version = ?",
                           [text_sha256, suggester, version]):
            return None
        rows = self._query(
            'SELECT * FROM suggestions WHERE text_sha256 = ? AND suggester = ? AND version = ? '
            'ORDER BY start, "end", label', [text_sha256, suggester, version])
        return [Suggestion(r["start"], r["end"], r["label"], r["suggester"], r["version"], r["score"],
                           r["layer"], r["grp"], r["role"], r["relation"], r["kind"]) for r in rows]

    def cache_suggestions(self, text_sha256: str, suggester: str, version: str,
                          suggestions: Iterable[Suggestion]) -> None:
        rows = [[text_sha256, s.suggester, s.version, s.start, s.end, s.label, s.score, s.layer, s.group,
                 s.role, s.relation, s.kind] for s in suggestions]
        with self.transaction():
            self._exec("DELETE FROM suggestions WHERE text_sha256 = ? AND suggester = ? AND version = ?",
                       [text_sha256, suggester, version])
            self._conn.executemany(
                'INSERT INTO suggestions(text_sha256, suggester, version, start, "end", label, score, layer, grp,'
                ' role, relation, kind) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)', rows)
            self._exec("INSERT OR REPLACE INTO suggestion_runs VALUES (?,?,?,?)",
                       [text_sha256, suggester, version, now()])

    def latest_runs(self, text_sha256: str) -> list[tuple[str, str]]:
        """(suggester, version) of the newest cached run per suggester for a text.

        Lets a story show its cached suggestions before spaCy is even imported.
        """
        rows = self._query(
            "SELECT suggester, version, MAX(computed_at) AS at FROM suggestion_runs WHERE text_sha256 = ? "
            "GROUP BY suggester ORDER BY suggester", [text_sha256])
        return [(r["suggester"], r["version"]) for r in rows]

    # ------------------------------------------------------------ key/value cache (alignments)

    def cache_get(self, key: str) -> Any | None:
        rows = self._query("SELECT value FROM cache WHERE key = ?", [key])
        return json.loads(rows[0]["value"]) if rows else None

    def cache_put(self, key: str, value: Any) -> None:
        if self.readonly:
            return  # a cache is an optimisation; a read-only file just recomputes
        with self.transaction():
            self._exec("INSERT OR REPLACE INTO cache VALUES (?,?,?)", [key, json.dumps(value), now()])

    # ------------------------------------------------------------ review state

    def doc_statuses(self, annotator: str) -> dict[int, str]:
        return {r["doc_id"]: r["status"] for r in self._query(
            "SELECT doc_id, status FROM doc_status WHERE annotator = ?", [annotator])}

    def set_doc_status(self, doc_id: int, annotator: str, status: str) -> None:
        if status not in DOC_STATUSES:
            raise StoreError(f"unknown status {status!r}", hint=f"use one of {', '.join(DOC_STATUSES)}")
        with self.transaction():
            self._exec("INSERT OR REPLACE INTO doc_status VALUES (?,?,?,?)", [doc_id, annotator, status, now()])

    def story_counts(self, annotator: str) -> list[dict]:
        """Per story, in one query: documents, this annotator's done / in-progress
        documents and live annotations (the story list and queue need only counts)."""
        return self._query(
            "SELECT s.id, s.title, COUNT(d.id) AS documents,"
            " COALESCE(SUM(ds.status = 'done'), 0) AS done,"
            " COALESCE(SUM(ds.status = 'in_progress'), 0) AS in_progress,"
            " (SELECT COUNT(*) FROM annotations a JOIN documents d2 ON d2.id = a.doc_id"
            "  WHERE d2.story_id = s.id AND a.annotator = ? AND a.deleted_at IS NULL) AS annotations"
            " FROM stories s LEFT JOIN documents d ON d.story_id = s.id"
            " LEFT JOIN doc_status ds ON ds.doc_id = d.id AND ds.annotator = ?"
            " GROUP BY s.id ORDER BY s.id", [annotator, annotator])

    def position(self, annotator: str) -> dict | None:
        rows = self._query("SELECT * FROM positions WHERE annotator = ?", [annotator])
        return rows[0] if rows else None

    def save_position(self, annotator: str, story_id: int, doc_id: int, offset: int) -> None:
        with self.transaction():
            self._exec("INSERT OR REPLACE INTO positions VALUES (?,?,?,?,?)",
                       [annotator, story_id, doc_id, offset, now()])

    # ------------------------------------------------------------ statistics & checks

    def stats(self) -> dict[str, Any]:
        q = self._query
        return {
            "stories": q("SELECT COUNT(*) AS n FROM stories")[0]["n"],
            "documents": q("SELECT COUNT(*) AS n FROM documents")[0]["n"],
            "annotations": q("SELECT annotator, label, COUNT(*) AS n FROM annotations WHERE deleted_at IS NULL "
                             "GROUP BY annotator, label ORDER BY annotator, label"),
            "relations": q("SELECT COUNT(*) AS n FROM relations WHERE deleted_at IS NULL")[0]["n"],
            "per_story": q("SELECT s.title, COUNT(d.id) AS documents FROM stories s LEFT JOIN documents d "
                           "ON d.story_id = s.id GROUP BY s.id ORDER BY s.id"),
        }

    def integrity_check(self) -> str:
        return self._query("PRAGMA integrity_check")[0]["integrity_check"]


# ---------------------------------------------------------------- helpers

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
    if not path.exists():
        return None
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a database file", hint="pass --db with a file path")
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
    try:
        version, app_id, tables = _read_facts(path, immutable=quiet)
    except StoreError:
        if not quiet or (_file_state(path) == seen and not _side_files(path)):
            raise
        version, app_id, tables = _read_facts(path, immutable=False)
    if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables - {"sqlite_sequence"}):
        raise NotADatabaseError(f"{path} is a SQLite database but not a Diptych one",
                                hint="pass --db with a new file name; Diptych will not change this one")
    if version > SCHEMA_VERSION:
        raise NewerSchemaError(
            f"{path} was written by a newer Diptych (schema {version}; this one knows {SCHEMA_VERSION})",
            hint="upgrade diptych to open it; it was not changed")
    return version


def _read_facts(path: Path, *, immutable: bool) -> tuple[int, int, set[str]]:
    """user_version, application_id and table names, after a quick_check."""
    if immutable:
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                                   isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise CorruptDatabaseError(f"cannot read {path}: {exc}") from None
    else:
        conn = _connect_readonly(path, 5.0)
    try:
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if path.stat().st_size <= QUICK_CHECK_MAX_BYTES:
                result = conn.execute("PRAGMA quick_check").fetchone()[0]
                if result != "ok":
                    raise CorruptDatabaseError(f"{path} is damaged: {result}",
                                               hint="restore it from a backup; Diptych will not write to it")
        except sqlite3.DatabaseError as exc:
            raise CorruptDatabaseError(f"{path} is damaged or not a database: {exc}",
                                       hint="restore it from a backup; Diptych will not write to it") from None
    finally:
        conn.close()
    return version, app_id, tables


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


def _writable(path: Path) -> bool:
    if path.exists() and not os.access(path, os.W_OK):
        return False
    # WAL needs to create -wal and -shm files beside the database.
    return os.access(path.parent if str(path.parent) else Path("."), os.W_OK)


def _connect_readonly(path: Path, busy_timeout: float) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=busy_timeout)
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        # A WAL database in a folder we cannot write has no -shm to share; reading
        # it as immutable is the only way in, and we never write to it anyway.
        try:
            # mode=ro as well: without it a missing file would be created.
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.DatabaseError as exc:
            raise CorruptDatabaseError(f"cannot read {path}: {exc}") from None
    except sqlite3.DatabaseError as exc:
        raise CorruptDatabaseError(f"{path} is damaged or not a database: {exc}",
                                   hint="restore it from a backup; Diptych will not write to it") from None


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


def _document(r: dict) -> Document:
    return Document(id=r["id"], story_id=r["story_id"], text=r["text"], text_sha256=r["text_sha256"],
                    title=r["title"], outlet=r["outlet"], url=r["url"], author=r["author"],
                    published=r["published"], lang=r["lang"], source_path=r["source_path"],
                    imported_at=r["imported_at"], meta=json.loads(r["meta"] or "{}"))


def _annotation(r: dict) -> Annotation:
    return Annotation(id=r["id"], doc_id=r["doc_id"], annotator=r["annotator"], label=r["label"],
                      start=r["start"], end=r["end"], quote=r["quote"], prefix=r["prefix"], suffix=r["suffix"],
                      attrs=json.loads(r["attrs"] or "{}"), note=r["note"], origin=r["origin"],
                      status=r["status"], created_at=r["created_at"], updated_at=r["updated_at"],
                      deleted_at=r["deleted_at"])


def _relation(r: dict) -> Relation:
    return Relation(id=r["id"], head_id=r["head_id"], tail_id=r["tail_id"], type=r["type"],
                    annotator=r["annotator"], attrs=json.loads(r["attrs"] or "{}"),
                    created_at=r["created_at"], deleted_at=r["deleted_at"])


def annotation_row(a: Annotation) -> dict:
    """The row form of an annotation, as stored and as logged in events."""
    return {"id": a.id, "doc_id": a.doc_id, "annotator": a.annotator, "label": a.label, "start": a.start,
            "end": a.end, "quote": a.quote, "prefix": a.prefix, "suffix": a.suffix,
            "attrs": json.dumps(a.attrs, sort_keys=True), "note": a.note, "origin": a.origin,
            "status": a.status, "created_at": a.created_at, "updated_at": a.updated_at,
            "deleted_at": a.deleted_at}


def relation_row(r: Relation) -> dict:
    return {"id": r.id, "head_id": r.head_id, "tail_id": r.tail_id, "type": r.type, "annotator": r.annotator,
            "attrs": json.dumps(r.attrs, sort_keys=True), "created_at": r.created_at, "deleted_at": r.deleted_at}


def _strip_volatile(row: dict | None) -> dict | None:
    # Timestamps of deletion differ between a write and its replay; presence matters.
    if row is None:
        return None
    out = dict(row)
    if "deleted_at" in out:
        out["deleted_at"] = out["deleted_at"] is not None
    # attrs is JSON text; rows written by other code (an importer) may spell the
    # same object differently, which is not a change.
    if isinstance(out.get("attrs"), str):
        with contextlib.suppress(ValueError):
            out["attrs"] = json.loads(out["attrs"])
    return out


def _same_row(current: dict | None, expected: dict | None) -> bool:
    if expected is None:
        # "absent" and "hidden by deleted_at" are the same state to a user.
        return current is None or current.get("deleted_at") is not None
    return _strip_volatile(current) == _strip_volatile(expected)


def _dumps(row: dict | None) -> str | None:
    return None if row is None else json.dumps(row, sort_keys=True)


def _loads(text: str | None) -> dict | None:
    return None if text is None else json.loads(text)
