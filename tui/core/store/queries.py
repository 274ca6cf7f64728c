"""Stories, documents and statistics: reads, and the one write that adds a document."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..errors import StoreError
from ..models import Document, Region, Story
from .rows import _document, now, sha256_text


class DocumentQueries:
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

