"""The only package that talks to SQLite.

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

Modules: ``connection`` (opening, transactions, error translation), ``migrations``
(the schema), ``rows`` (row <-> model), ``queries`` (stories, documents, stats),
``annotations`` (annotation and relation reads), ``events`` (logged changes,
undo/redo per annotator and OS user), ``policy`` (the login, who may write as
whom, settings), ``state`` (document status, positions, caches), ``database`` (the
``Store`` class made of those parts).

May import: ``tui.core.models`` and ``tui.core.errors``, sqlite3 and sqlite-utils.
Never the session, ingest, formats, nlp, align or anything of the UI.
"""

from __future__ import annotations

from .connection import (
    APPLICATION_ID,
    DEFAULT_BUSY_TIMEOUT,
    MIGRATIONS,
    QUICK_CHECK_MAX_BYTES,
    SCHEMA_VERSION,
    SQLITE_HEADER,
    sqlite_info,
)
from .database import Store
from .events import EventBatch
from .policy import Policy, os_user, write_policy
from .rows import annotation_row, new_id, now, relation_row, sha256_text
from .state import DOC_STATUSES

__all__ = [
    "APPLICATION_ID", "DEFAULT_BUSY_TIMEOUT", "DOC_STATUSES", "MIGRATIONS", "QUICK_CHECK_MAX_BYTES",
    "SCHEMA_VERSION", "SQLITE_HEADER", "EventBatch", "Policy", "Store", "annotation_row",
    "new_id", "now", "os_user", "relation_row", "sha256_text", "sqlite_info", "write_policy",
]
