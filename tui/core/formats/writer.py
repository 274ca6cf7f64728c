"""Writing a format to a stream or, atomically, to a file."""

from __future__ import annotations

import os
from typing import IO, Any

from ..errors import ExportError
from ..models import Story
from ..outfiles import write_atomically
from .modular import export_folder, export_stream
from .records import ExportStats, Progress
from .registry import DEFAULT_FORMAT, FORMATS, REGISTRY, default_output_path
from .spacy_docbin import build_docbin


def write_jsonl(store: Any, out: IO[bytes], fmt: str = DEFAULT_FORMAT, *, annotator: str | None = None,
                story: Story | None = None, progress: Progress | None = None,
                ascii_only: bool = False) -> ExportStats:
    """Stream ``fmt`` (prodigy, doccano or flat) as UTF-8 JSONL into a binary file.

    doccano is always ASCII-escaped (see ``doccano``); the others only with ``ascii_only``.
    """
    if fmt not in ("prodigy", "doccano", "flat"):
        raise ExportError(f"{fmt!r} is not a JSONL format", hint="use prodigy, doccano or flat (or spacy for a DocBin)")
    return export_stream(store, fmt, out, annotator=annotator, story=story, progress=progress, ascii_only=ascii_only)


def export(store: Any, fmt: str, out: IO[bytes], *, annotator: str | None = None, story: Story | None = None,
           progress: Progress | None = None, ascii_only: bool = False, schema: Any = None) -> ExportStats:
    """Write ``fmt`` into an open binary stream (a file or stdout's buffer)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    if REGISTRY[fmt].layout == "folder":
        raise ExportError(f"{fmt} is written as a folder of files, not one stream",
                          hint=f"pass -o FOLDER (default {default_output_path(fmt, story)})")
    if fmt == "spacy":  # a DocBin is one msgpack blob, not a stream of records
        docbin, stats = build_docbin(store, annotator=annotator, story=story, progress=progress)
        out.write(docbin.to_bytes())
        return stats
    return export_stream(store, fmt, out, annotator=annotator, story=story, progress=progress,
                         ascii_only=ascii_only, schema=schema)


def export_to_path(store: Any, fmt: str, path: str | os.PathLike, **kwargs: Any) -> ExportStats:
    """Export into a file (a folder for folder formats), atomically: a failed export
    never leaves a half-written file."""
    if fmt in REGISTRY and REGISTRY[fmt].layout == "folder":
        return export_folder(store, fmt, path, **kwargs)
    return write_atomically(path, lambda fh: export(store, fmt, fh, **kwargs))
