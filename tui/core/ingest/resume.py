"""Writing one validated file as an import with an id: chunked, resumable, undoable.

The import's identity (its fingerprint) is the file's path and content, the
format, and the annotator and story it runs as. An unfinished import with the
same fingerprint that was not undone is resumed: same id, same event batches
(so undo still takes the whole import back as one step), and only what is not
stored yet is written (the importer already leaves out spans and relations
already present).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..store import Store, new_id, now
from .files import FileResult, ImportOptions

Changes = dict[str, list[tuple[str, str, dict | None]]]


def _test_stop(_written: int) -> None:
    """Tests that kill an import half-way set DIPTYCH_TEST_STOP_AFTER_CHUNK: the
    import then waits after its first committed chunk until it is killed, so the
    test need not race it (tests/integration/test_bulk.py)."""
    if os.environ.get("DIPTYCH_TEST_STOP_AFTER_CHUNK"):
        import signal

        while True:
            signal.pause()


def fingerprint(shown: str, fmt: str, options: ImportOptions) -> str:
    h = hashlib.sha256()
    path = Path(shown)
    h.update(json.dumps([os.path.abspath(shown), fmt, options.annotator, options.story]).encode())
    if path.is_file():
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def find_unfinished(store: Store, print_: str) -> dict | None:
    for manifest in store.unfinished_imports():
        if manifest.get("fingerprint") == print_:
            return manifest
    return None


def write_import(store: Store, options: ImportOptions, shown: str, changes: Changes,
                 span_counts: dict[str, int], result: FileResult) -> None:
    """Write every annotator's changes of one file in chunks, under one import id."""
    pending = {a: c for a, c in changes.items() if c}
    print_ = fingerprint(shown, result.fmt, options)
    manifest = find_unfinished(store, print_)
    if manifest is None and not pending:
        return
    if manifest is None:
        import_id = new_id()
        manifest = {
            "id": import_id, "file": shown, "name": Path(shown).name, "format": result.fmt,
            "fingerprint": print_, "started_at": now(), "finished": False,
            "spans": sum(span_counts.values()),
            "relations": sum(1 for c in pending.values() for e in c if e[0] == "relation"),
            "batches": {}, "summaries": {},
        }
    result.import_id = manifest["id"]
    for n, annotator in enumerate(sorted(pending)):
        manifest["batches"].setdefault(annotator, f"{manifest['id']}-{len(manifest['batches']) + 1}")
        manifest["summaries"].setdefault(
            annotator, f"import {span_counts.get(annotator, 0)} span(s) from {Path(shown).name}")
    annotators = sorted(pending)
    for index, annotator in enumerate(annotators):
        final = index == len(annotators) - 1

        def in_chunk(_written: int, last: bool, final: bool = final) -> None:
            # Recorded in the chunk's own transaction: the manifest is never ahead
            # of or behind what is committed.
            manifest["finished"] = final and last
            store.put_import_manifest(manifest)

        store.write_chunked(annotator, options.session, pending[annotator], manifest["summaries"][annotator],
                            batch=manifest["batches"][annotator], in_chunk=in_chunk, after_chunk=_test_stop)
    if not pending:
        manifest["finished"] = True
        store.put_import_manifest(manifest)
