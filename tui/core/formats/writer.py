"""Writing a format to a stream or, atomically, to a file."""

from __future__ import annotations

import os
from typing import IO, Any

from ..errors import ExportError
from ..models import Story
from ..outfiles import write_atomically
from ..schema import DEFAULT_SCHEMA
from . import doccano, prodigy
from .flat import flat_records
from .modular import export_folder, export_stream
from .records import ExportStats, Progress, WriteContext, _counting, _DocCache, dumps, iter_records
from .registry import DEFAULT_FORMAT, FORMATS, REGISTRY, default_output_path
from .spacy_docbin import build_docbin


# Written by this module; every later format by its own module's write().
_FIRST_FOUR = ("prodigy", "doccano", "flat", "spacy")


def write_jsonl(store: Any, out: IO[bytes], fmt: str = DEFAULT_FORMAT, *, annotator: str | None = None,
                story: Story | None = None, progress: Progress | None = None,
                ascii_only: bool = False) -> ExportStats:
    """Stream ``fmt`` (prodigy, doccano or flat) as UTF-8 JSONL into a binary file.

    doccano is always ASCII-escaped (see ``doccano``); the others only with ``ascii_only``.
    """
    if fmt not in ("prodigy", "doccano", "flat"):
        raise ExportError(f"{fmt!r} is not a JSONL format", hint="use prodigy, doccano or flat (or spacy for a DocBin)")
    stats = ExportStats(fmt)
    doc_cache = _DocCache(store)
    records = iter_records(store, annotator=annotator, story=story, progress=_counting(progress, stats),
                           doc_cache=doc_cache)
    ctx = WriteContext(stats, DEFAULT_SCHEMA, ascii_only=ascii_only, document=doc_cache.document)
    if fmt == "prodigy":
        prodigy.write(records, out, ctx)
    elif fmt == "doccano":
        doccano.write(records, out, ctx)
    else:
        for rec in records:
            stats.spans += len(rec.spans)
            stats.relations += len(rec.relations)
            for obj in flat_records(rec):
                out.write(dumps(obj, ascii_only=ascii_only).encode("utf-8") + b"\n")
                stats.records += 1
    return stats


def export(store: Any, fmt: str, out: IO[bytes], *, annotator: str | None = None, story: Story | None = None,
           progress: Progress | None = None, ascii_only: bool = False, schema: Any = None) -> ExportStats:
    """Write ``fmt`` into an open binary stream (a file or stdout's buffer)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    if REGISTRY[fmt].layout == "folder":
        raise ExportError(f"{fmt} is written as a folder of files, not one stream",
                          hint=f"pass -o FOLDER (default {default_output_path(fmt, story)})")
    if fmt not in _FIRST_FOUR:
        return export_stream(store, fmt, out, annotator=annotator, story=story, progress=progress,
                             ascii_only=ascii_only, schema=schema)
    if fmt == "spacy":
        docbin, stats = build_docbin(store, annotator=annotator, story=story, progress=progress)
        out.write(docbin.to_bytes())
        return stats
    return write_jsonl(store, out, fmt, annotator=annotator, story=story, progress=progress, ascii_only=ascii_only)


def export_to_path(store: Any, fmt: str, path: str | os.PathLike, **kwargs: Any) -> ExportStats:
    """Export into a file (a folder for folder formats), atomically: a failed export
    never leaves a half-written file."""
    if fmt in REGISTRY and REGISTRY[fmt].layout == "folder":
        return export_folder(store, fmt, path, **kwargs)
    return write_atomically(path, lambda fh: export(store, fmt, fh, **kwargs))
