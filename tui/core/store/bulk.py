"""Bulk writes in bounded chunks: imports, and the undo/redo of a large step.

One transaction of 200,000 rows holds SQLite's single write lock for many
seconds, and every other annotator's save waits behind it (then gives up).
So a bulk write commits in chunks of at most ``CHUNK_ROWS`` rows or
``CHUNK_SECONDS`` of work, whichever comes first; other writers get the lock
between chunks.

Every chunk of one import is logged under the same event ``batch`` (one per
annotator, ``<import id>-<n>``), so undo/redo still treat the whole import as
one step. The import's manifest (file, expected counts, batches, finished or
not) is a row of the key/value ``cache`` table under ``import:<id>``, written
in the same transaction as the first chunk and marked finished by the last:
a killed import is visible as unfinished, and running the same import again
finds it, reuses its id and batches, and writes only what is missing.

A chunked undo/redo logs every chunk under one undo batch as well; a killed
one is finished by the next undo/redo of the same annotator before anything
else (``_finish_partial_step``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from ..errors import ConflictError
from .policy import os_user as _login
from .events import EventBatch
from .rows import _loads, _same_row, new_id, now

CHUNK_ROWS = 2000
CHUNK_SECONDS = 0.05
# How many busy timeouts a chunk waits for the write lock before the bulk write stops
# (it stays resumable): other writers' saves go first, but the import must not starve.
BULK_PATIENCE = 12
IMPORT_KEY = "import:"


class BulkWrites:
    # ------------------------------------------------------------ chunked writes

    def write_chunked(self, annotator: str, session: str, changes: list[tuple[str, str, dict | None]],
                      summary: str, *, batch: str,
                      in_chunk: Callable[[int, bool], None] | None = None,
                      after_chunk: Callable[[int], None] | None = None, os_user: str | None = None) -> str:
        """Write ``changes`` as one undoable step (``batch``), committed in bounded chunks.

        ``in_chunk(written, last)`` runs inside each chunk's transaction after its
        rows, so a caller can record progress atomically with them.
        """
        who = os_user or _login()
        done = 0
        while True:
            with self.transaction(patience=BULK_PATIENCE):
                start, rows = time.monotonic(), 0
                while done < len(changes) and rows < CHUNK_ROWS and time.monotonic() - start < CHUNK_SECONDS:
                    entity, entity_id, after = changes[done]
                    before = self._row_in_tx(entity, entity_id)
                    self._put_row(entity, entity_id, after)
                    self._log(annotator, session, batch, "change", None, entity, entity_id, before, after, summary,
                              who)
                    done += 1
                    rows += 1
                if in_chunk is not None:
                    in_chunk(done, done >= len(changes))
            if after_chunk is not None:
                after_chunk(done)
            if done >= len(changes):
                return batch

    # ------------------------------------------------------------ import manifests

    def import_manifest(self, import_id: str) -> dict | None:
        return self.cache_get(IMPORT_KEY + import_id)

    def put_import_manifest(self, manifest: dict) -> None:
        """Store the manifest; joins the caller's transaction when there is one."""
        with self.transaction(patience=BULK_PATIENCE):
            self._exec("INSERT OR REPLACE INTO cache VALUES (?,?,?)",
                       [IMPORT_KEY + manifest["id"], json.dumps(manifest, sort_keys=True), now()])

    def import_manifests(self) -> list[dict]:
        rows = self._query("SELECT value FROM cache WHERE key LIKE 'import:%' ORDER BY created_at")
        return [json.loads(r["value"]) for r in rows]

    def import_written(self, manifest: dict) -> tuple[int, int]:
        """(spans, relations) of the import that are committed."""
        batches = list(manifest.get("batches", {}).values())
        if not batches:
            return 0, 0
        marks = ",".join("?" for _ in batches)
        rows = self._query(
            f"SELECT entity, COUNT(*) AS n FROM events WHERE batch IN ({marks}) AND op = 'change' "
            "GROUP BY entity", batches)
        got = {r["entity"]: r["n"] for r in rows}
        return got.get("annotation", 0), got.get("relation", 0)

    def import_undone(self, manifest: dict) -> bool:
        """True when every batch of the import is undone (its last step is an undo)."""
        batches = list(manifest.get("batches", {}).values())
        if not batches:
            return False
        for batch in batches:
            rows = self._query("SELECT op FROM events WHERE target_batch = ? ORDER BY seq DESC LIMIT 1", [batch])
            if not rows or rows[0]["op"] != "undo":
                return False
        return True

    def unfinished_imports(self) -> list[dict]:
        """Manifests of imports that stopped before their last chunk and were not undone,
        each with ``spans_written`` / ``relations_written``."""
        out = []
        for m in self.import_manifests():
            if m.get("finished") or self.import_undone(m):
                continue
            m["spans_written"], m["relations_written"] = self.import_written(m)
            out.append(m)
        return out

    def undo_import(self, import_id: str, session: str) -> list[EventBatch]:
        """Undo every annotator's part of an import, each as one (chunked) step."""
        manifest = self.import_manifest(import_id)
        if manifest is None:
            raise ConflictError(f"no import {import_id} in {self.path}",
                                hint="`diptych stats` lists unfinished imports with their ids")
        done = []
        for annotator, batch in manifest.get("batches", {}).items():
            made_by = self._query("SELECT os_user FROM events WHERE batch = ? ORDER BY seq LIMIT 1", [batch])
            step = self._undo_batch(annotator, session, batch, made_by[0]["os_user"] if made_by else _login())
            if step is not None:
                done.append(step)
        return done

    # ------------------------------------------------------------ chunked undo / redo

    def _chunked_step(self, annotator: str, session: str, op: str, target: str, summary: str, os_user: str,
                      step_batch: str | None = None) -> EventBatch:
        """Undo or redo ``target`` in bounded chunks, all logged under one step batch.

        Every row is checked against what the step expects before the first chunk is
        written, so a conflict found up front leaves the import untouched.
        """
        events = self._query("SELECT * FROM events WHERE batch = ? AND op = 'change' ORDER BY seq", [target])
        ordered = list(reversed(events)) if op == "undo" else events
        batch = step_batch or new_id()
        done_ids = set()
        if step_batch is not None:
            done_ids = {r["entity_id"] for r in self._query(
                "SELECT entity_id FROM events WHERE batch = ?", [step_batch])}
        todo = [ev for ev in ordered if ev["entity_id"] not in done_ids]
        for ev in todo:
            want = ev["after"] if op == "undo" else ev["before"]
            if not _same_row(self.row(ev["entity"], ev["entity_id"]), _loads(want)):
                raise ConflictError(f"cannot {op} “{summary}”: the {ev['entity']} was changed since",
                                    hint="the later change must be undone first, or edit it by hand")
        i = 0
        while i < len(todo):
            with self.transaction(patience=BULK_PATIENCE):
                start, rows = time.monotonic(), 0
                while i < len(todo) and rows < CHUNK_ROWS and time.monotonic() - start < CHUNK_SECONDS:
                    ev = todo[i]
                    want = ev["after"] if op == "undo" else ev["before"]
                    write = ev["before"] if op == "undo" else ev["after"]
                    current = self._row_in_tx(ev["entity"], ev["entity_id"])
                    if not _same_row(current, _loads(want)):
                        raise ConflictError(f"cannot {op} “{summary}”: the {ev['entity']} was changed since",
                                            hint="the later change must be undone first, or edit it by hand")
                    self._put_row(ev["entity"], ev["entity_id"], _loads(write))
                    self._log(annotator, session, batch, op, target, ev["entity"], ev["entity_id"],
                              current, _loads(write), summary, os_user)
                    i += 1
                    rows += 1
        return EventBatch(target, summary)

    def _finish_partial_step(self, annotator: str, session: str, os_user: str) -> EventBatch | None:
        """Finish an undo/redo of a large step that was killed between chunks."""
        last = self._query(
            "SELECT batch, op, target_batch, summary FROM events WHERE annotator = ? AND os_user IN (?, '') "
            "ORDER BY seq DESC LIMIT 1", [annotator, os_user])
        if not last or last[0]["op"] not in ("undo", "redo"):
            return None
        step = last[0]
        made = self._query("SELECT COUNT(*) AS n FROM events WHERE batch = ?", [step["batch"]])[0]["n"]
        total = self._query("SELECT COUNT(*) AS n FROM events WHERE batch = ? AND op = 'change'",
                            [step["target_batch"]])[0]["n"]
        if made >= total:
            return None
        return self._chunked_step(annotator, session, step["op"], step["target_batch"], step["summary"], os_user,
                                  step_batch=step["batch"])

    def _undo_batch(self, annotator: str, session: str, batch: str, os_user: str) -> EventBatch | None:
        """Undo one named batch of ``annotator`` if it is in effect."""
        undo_stack, _redo, summaries = self._stacks(annotator, os_user)
        if batch not in undo_stack:
            return None
        return self._chunked_step(annotator, session, "undo", batch, summaries[batch], os_user)

    def _big_step(self, annotator: str, session: str, op: str, os_user: str) -> EventBatch | None | bool:
        """The next undo/redo when its step is too large for one transaction; False otherwise."""
        finished = self._finish_partial_step(annotator, session, os_user)
        if finished is not None:
            return finished
        undo_stack, redo_stack, summaries = self._stacks(annotator, os_user)
        stack = undo_stack if op == "undo" else redo_stack
        if not stack:
            return False
        target = stack[-1]
        size = self._query("SELECT COUNT(*) AS n FROM events WHERE batch = ? AND op = 'change'", [target])[0]["n"]
        if size <= CHUNK_ROWS:
            return False
        return self._chunked_step(annotator, session, op, target, summaries[target], os_user)
