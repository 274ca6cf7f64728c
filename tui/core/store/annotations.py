"""Reading annotations, relations and rejected-suggestion decisions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..models import Annotation, Relation
from .rows import ANNOTATION_SELECT, ENTITY_TABLES, _annotation, _relation, annotations_of_rows


class AnnotationQueries:
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
        sql = f"SELECT {ANNOTATION_SELECT} FROM annotations"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += ' ORDER BY doc_id, start, "end", label, id'
        return self._tuples_into(sql, params, annotations_of_rows)

    def iter_annotations(self, *, annotator: str | None = None, doc_ids: Iterable[int] | None = None,
                         chunk: int = 5000) -> Iterator[Annotation]:
        """Stream live annotations in (doc, start) order without loading them all."""
        last = (-1, -1, -1, "")
        base = f'SELECT {ANNOTATION_SELECT} FROM annotations WHERE deleted_at IS NULL'
        params: list[Any] = []
        if annotator is not None:
            base += " AND annotator = ?"; params.append(annotator)
        if doc_ids is not None:
            ids = list(doc_ids)
            base += f" AND doc_id IN ({','.join('?' * len(ids))})"; params.extend(ids)
        while True:
            anns = annotations_of_rows(self._tuples(
                base + ' AND (doc_id, start, "end", id) > (?, ?, ?, ?) ORDER BY doc_id, start, "end", id LIMIT ?',
                params + list(last) + [chunk]))
            if not anns:
                return
            yield from anns
            a = anns[-1]
            last = (a.doc_id, a.start, a.end, a.id)

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

