"""Per-annotator working state (document status, reading position) and the caches
(suggestions per text, computed alignments)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..errors import StoreError
from ..models import Suggestion
from .rows import now

DOC_STATUSES = ("todo", "in_progress", "done")



class ReviewState:
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



class Caches:
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
                           r["layer"], r["grp"], r["role"], r["relation"], r["kind"],
                           tuple(sorted(json.loads(r["attrs"] or "{}").items()))) for r in rows]

    def cache_suggestions(self, text_sha256: str, suggester: str, version: str,
                          suggestions: Iterable[Suggestion]) -> None:
        rows = [[text_sha256, s.suggester, s.version, s.start, s.end, s.label, s.score, s.layer, s.group,
                 s.role, s.relation, s.kind, json.dumps(dict(s.attrs), sort_keys=True)] for s in suggestions]
        with self.transaction():
            self._exec("DELETE FROM suggestions WHERE text_sha256 = ? AND suggester = ? AND version = ?",
                       [text_sha256, suggester, version])
            self._conn.executemany(
                'INSERT INTO suggestions(text_sha256, suggester, version, start, "end", label, score, layer, grp,'
                ' role, relation, kind, attrs) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)', rows)
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

