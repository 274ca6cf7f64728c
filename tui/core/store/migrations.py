"""The schema, as forward-only migrations: append one, never edit a released one."""

from __future__ import annotations

import sqlite3

# Each migration gets the plain sqlite3 connection: they only run SQL, and
# importing sqlite_utils here would put it (and the numpy and pandas it imports
# when installed) on the reader's path to its first paint.


def _migration_1(db: sqlite3.Connection) -> None:
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


def _migration_2(db: sqlite3.Connection) -> None:
    # Views for people who read the file with Datasette or sqlite-utils: annotations
    # with the document and story they belong to, and relations with the text of
    # both ends instead of bare ids. "Live" means what an export would carry:
    # neither deleted nor a rejected suggestion.
    db.execute(
        """CREATE VIEW live_annotations AS
        SELECT a.id, s.title AS story, d.id AS doc_id, d.title AS document_title, d.outlet,
               a.annotator, a.label, a.start, a."end", a.quote, a.attrs, a.note, a.origin,
               a.created_at, a.updated_at
        FROM annotations a
        JOIN documents d ON d.id = a.doc_id
        JOIN stories s ON s.id = d.story_id
        WHERE a.deleted_at IS NULL AND a.status != 'rejected'"""
    )
    db.execute(
        """CREATE VIEW relations_with_text AS
        SELECT r.id, r.type, r.annotator,
               h.label AS head_label, h.quote AS head_text, hd.title AS head_document, hd.outlet AS head_outlet,
               t.label AS tail_label, t.quote AS tail_text, td.title AS tail_document, td.outlet AS tail_outlet,
               r.attrs, r.created_at, r.head_id, r.tail_id
        FROM relations r
        JOIN annotations h ON h.id = r.head_id
        JOIN annotations t ON t.id = r.tail_id
        JOIN documents hd ON hd.id = h.doc_id
        JOIN documents td ON td.id = t.doc_id
        WHERE r.deleted_at IS NULL AND h.deleted_at IS NULL AND t.deleted_at IS NULL"""
    )


def _migration_4(db: sqlite3.Connection) -> None:
    # Suggestions carry attributes (a hedged CLAIM's certainty, what "the paper"
    # refers to) into the annotation they become; JSON like annotations.attrs.
    db.execute("ALTER TABLE suggestions ADD COLUMN attrs TEXT NOT NULL DEFAULT '{}'")


def _migration_3(db: sqlite3.Connection) -> None:
    # Identity: the OS user who made each change, next to the annotator name it
    # was made as. Undo/redo stacks are per (annotator, os_user), so one person
    # never undoes another's change made under the same name. Events logged
    # before this migration have '' and stay undoable by anyone of that name.
    db.execute("ALTER TABLE events ADD COLUMN os_user TEXT NOT NULL DEFAULT ''")
    db.execute("CREATE INDEX events_person ON events(annotator, os_user, seq)")
    # Policy of this database: shared = 1 when `diptych init --shared` made it for
    # a team of Unix users, reviewers = who may write as others. A table rather
    # than a PRAGMA so it is plain, readable data that a new key never needs a
    # migration for.
    db.execute("CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
