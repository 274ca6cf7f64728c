"""Changes to annotations, relations and decisions, logged as events that undo/redo replay.

Each event carries the annotator name it was made as and the OS user who made
it (``os_user``, default: this process's login). Undo and redo replay the
events of one (annotator, os_user) pair, so bob working as ``--annotator
alice`` (or two reviewers both writing into gold) never undoes the other's change.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from ..errors import ConflictError
from .policy import os_user as _login
from .rows import ENTITY_TABLES, _dumps, _loads, _same_row, new_id, now


@dataclass(frozen=True)
class EventBatch:
    """A batch of events that undo/redo treat as one step."""

    batch: str
    summary: str



class EventLog:
    # ------------------------------------------------------------ changes with events

    def write_batch(self, annotator: str, session: str, changes: list[tuple[str, str, dict | None]],
                    summary: str, *, expect: dict[tuple[str, str], dict | None] | None = None,
                    guard: Callable[[], None] | None = None, os_user: str | None = None,
                    fresh: Collection[str] = ()) -> str:
        """Write rows and log them as one undoable step; returns the batch id.

        ``changes`` holds ``(entity, id, after_row)``; the row before is read in
        the same transaction. ``expect`` maps (entity, id) to the row the caller
        last saw: if another process changed it since, nothing is written and
        ConflictError says so. ``guard`` runs first inside the transaction, so a
        check it makes (e.g. "not tagged yet") holds against other writers too.
        ``os_user`` is who made it (default: this process's login). ``fresh`` names
        ids the caller has just made (``new_id``): their rows cannot exist yet, so
        they are inserted without reading them first (a clash fails, never replaces).
        """
        who = os_user or _login()
        batch = new_id()
        with self.transaction():
            if guard is not None:
                guard()
            for entity, entity_id, after in changes:
                if entity_id in fresh:
                    self._insert_row(entity, after)
                    self._log(annotator, session, batch, "change", None, entity, entity_id, None, after, summary,
                              who)
                    continue
                before = self._row_in_tx(entity, entity_id)
                if expect is not None and (entity, entity_id) in expect and \
                        not _same_row(before, expect[(entity, entity_id)]):
                    raise ConflictError(f"this {entity} was changed elsewhere since it was shown",
                                        hint="press the refresh key to reload the document")
                self._put_row(entity, entity_id, after)
                self._log(annotator, session, batch, "change", None, entity, entity_id, before, after, summary,
                          who)
        return batch

    def undo(self, annotator: str, session: str, *, os_user: str | None = None) -> EventBatch | None:
        """Reverse the most recent change still in effect that ``os_user`` (default:
        this login) made as ``annotator``, in any session."""
        return self._step_any(annotator, session, "undo", os_user or _login())

    def redo(self, annotator: str, session: str, *, os_user: str | None = None) -> EventBatch | None:
        return self._step_any(annotator, session, "redo", os_user or _login())

    def _step_any(self, annotator: str, session: str, op: str, os_user: str) -> EventBatch | None:
        # A step too large for one short transaction (an import) goes in chunks
        # (store/bulk.py), and so does finishing one that was killed half-way.
        big = self._big_step(annotator, session, op, os_user)
        if big is not False:
            return big
        return self._step(annotator, session, op, os_user)

    def undo_state(self, annotator: str, *, os_user: str | None = None
                   ) -> tuple[EventBatch | None, EventBatch | None]:
        """What undo and redo would do next, without doing it."""
        undo_stack, redo_stack, summaries = self._stacks(annotator, os_user or _login())
        u = EventBatch(undo_stack[-1], summaries[undo_stack[-1]]) if undo_stack else None
        r = EventBatch(redo_stack[-1], summaries[redo_stack[-1]]) if redo_stack else None
        return u, r

    def _stacks(self, annotator: str, os_user: str) -> tuple[list[str], list[str], dict[str, str]]:
        # Replaying the whole log is linear in its length; an annotator's log grows by
        # one row per keystroke that changes something, which stays small enough.
        # Events from before os_user was recorded ('') belong to whoever has the name.
        rows = self._query(
            "SELECT batch, op, target_batch, MIN(summary) AS summary FROM events "
            "WHERE annotator = ? AND os_user IN (?, '') "
            "GROUP BY batch ORDER BY MIN(seq)", [annotator, os_user])
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

    def _step(self, annotator: str, session: str, op: str, os_user: str) -> EventBatch | None:
        with self.transaction():
            undo_stack, redo_stack, summaries = self._stacks(annotator, os_user)
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
                          current, _loads(write), summaries[target], os_user)
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

    def _insert_row(self, entity: str, row: dict | None) -> None:
        if row is None:
            raise ValueError("a fresh row cannot be absent")
        cols = list(row)
        quoted = ", ".join(f'"{c}"' for c in cols)
        marks = ", ".join("?" for _ in cols)
        self._exec(f"INSERT INTO {ENTITY_TABLES[entity]} ({quoted}) VALUES ({marks})", [row[c] for c in cols])

    def _log(self, annotator: str, session: str, batch: str, op: str, target: str | None, entity: str,
             entity_id: str, before: dict | None, after: dict | None, summary: str, os_user: str) -> None:
        self._exec(
            "INSERT INTO events(ts, annotator, session, batch, op, target_batch, entity, entity_id, before, after,"
            " summary, os_user) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [now(), annotator, session, batch, op, target, entity, entity_id,
             _dumps(before), _dumps(after), summary, os_user])

    def events(self, annotator: str | None = None) -> list[dict]:
        if annotator is None:
            return self._query("SELECT * FROM events ORDER BY seq")
        return self._query("SELECT * FROM events WHERE annotator = ? ORDER BY seq", [annotator])

