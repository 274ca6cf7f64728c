"""Exporting through a format module's own ``write`` (one stream) or ``write_files``
(a folder): every format but the spaCy DocBin works this way."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from types import ModuleType
from typing import IO, Any

from ..models import Document, Story, Suggestion
from ..outfiles import write_folder_atomically
from ..schema import DEFAULT_SCHEMA
from .records import ExportStats, Progress, Record, WriteContext, _counting, _DocCache, iter_records
from .registry import REGISTRY


def module_of(fmt: str) -> ModuleType:
    return importlib.import_module(f"{__package__}.{REGISTRY[fmt].module}")


def _cached_suggestions(store: Any, doc: Document) -> list[Suggestion]:
    found: list[Suggestion] = []
    for suggester, version in store.latest_runs(doc.text_sha256):
        found.extend(store.cached_suggestions(doc.text_sha256, suggester, version) or [])
    return sorted(found, key=lambda s: (s.start, s.end, s.label, s.suggester))


def _setup(store: Any, fmt: str, *, annotator: str | None, story: Story | None, progress: Progress | None,
           ascii_only: bool, schema: Any) -> tuple[Iterator[Record], WriteContext]:
    stats = ExportStats(fmt)
    doc_cache = _DocCache(store)
    ctx = WriteContext(stats, schema or DEFAULT_SCHEMA, ascii_only,
                       suggestions=lambda doc: _cached_suggestions(store, doc), document=doc_cache.document)
    records = iter_records(store, annotator=annotator, story=story, progress=_counting(progress, stats),
                           doc_cache=doc_cache)
    return records, ctx


def export_stream(store: Any, fmt: str, out: IO[bytes], *, annotator: str | None = None,
                  story: Story | None = None, progress: Progress | None = None, ascii_only: bool = False,
                  schema: Any = None) -> ExportStats:
    records, ctx = _setup(store, fmt, annotator=annotator, story=story, progress=progress,
                          ascii_only=ascii_only, schema=schema)
    module_of(fmt).write(records, out, ctx)
    return ctx.stats


def export_folder(store: Any, fmt: str, folder: str | os.PathLike, *, annotator: str | None = None,
                  story: Story | None = None, progress: Progress | None = None, ascii_only: bool = False,
                  schema: Any = None) -> ExportStats:
    records, ctx = _setup(store, fmt, annotator=annotator, story=story, progress=progress,
                          ascii_only=ascii_only, schema=schema)
    write_folder_atomically(folder, lambda: module_of(fmt).write_files(records, ctx))
    return ctx.stats
