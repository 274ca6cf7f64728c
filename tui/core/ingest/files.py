"""Finding the files to import: folders walked, sizes capped, formats sniffed.

File and folder names are bytes on Linux and need not be UTF-8 (Python hands
them over with surrogate escapes). Such a name is read as usual, but wherever
it is shown or stored (messages, ``documents.source_path``, story names) it is
written with its undecodable bytes as ``\\xff`` escapes: see ``path_text``.
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DiptychError, IngestError
from ..formats.registry import IMPORT_FORMATS, REGISTRY, file_format_of, folder_format_of
from ..models import Document
from ..schema import DEFAULT_SCHEMA, LabelSchema
from ..store import new_id

DEFAULT_MAX_SIZE = 10 * 1024 * 1024
TXT_SUFFIXES = frozenset({".txt"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
FORMATS = ("auto", "txt", "jsonl", *IMPORT_FORMATS)
# Used when a path has no folder name to name the story after (e.g. "/").
FALLBACK_STORY = "imported"

_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2, "mib": 1024**2,
          "g": 1024**3, "gb": 1024**3, "gib": 1024**3}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


def parse_size(value: str | int) -> int:
    """Bytes from ``10485760``, ``"10MB"``, ``"512k"``, ``"1.5 GiB"`` (K/M/G are powers of 1024)."""
    if isinstance(value, int):
        if value <= 0:
            raise ValueError("a size must be more than 0 bytes")
        return value
    m = _SIZE_RE.match(value)
    if not m or m.group(2).lower() not in _UNITS:
        raise ValueError(f"{value!r} is not a size; write e.g. 10MB, 512KB or 1048576")
    size = int(float(m.group(1)) * _UNITS[m.group(2).lower()])
    if size <= 0:
        raise ValueError("a size must be more than 0 bytes")
    return size


def format_size(size: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{size} bytes"


@dataclass(frozen=True)
class ImportTarget:
    """One file to import, the story it goes to by default, and its format."""

    path: Path
    story: str
    fmt: str = "auto"


@dataclass
class ImportOptions:
    annotator: str
    story: str | None = None  # --story: wins over everything else
    schema: LabelSchema = DEFAULT_SCHEMA
    max_size: int = DEFAULT_MAX_SIZE
    fmt: str = "auto"
    # One session id per run, recorded on the events the import writes.
    session: str = field(default_factory=new_id)


@dataclass
class FileResult:
    path: str
    status: str = "imported"  # "imported" | "skipped" | "failed"
    fmt: str = ""  # "txt" or "jsonl" once known
    error: DiptychError | None = None
    documents: list[Document] = field(default_factory=list)
    story: str = ""  # the story of a .txt file's document
    new_documents: int = 0
    regions: list[tuple[int, int, str]] = field(default_factory=list)
    spans_new: int = 0
    spans_existing: int = 0
    relations_new: int = 0
    relations_existing: int = 0
    orphans: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    import_id: str = ""  # the id its events carry (see ingest/resume.py); "" when nothing was written


# ------------------------------------------------------------------ finding files

def path_text(path: str | os.PathLike) -> str:
    """A path as text that can be shown and stored: bytes that are not UTF-8 become
    ``\\xNN`` (b"bad\\xff.txt" -> "bad\\\\xff.txt"); any other name is unchanged."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _not_utf8(path: str | os.PathLike) -> bool:
    try:
        os.fsdecode(path).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _bad_name_note(path: str | os.PathLike) -> str:
    return (f"{path_text(path)}: the name is not valid UTF-8; it is read as usual and shown and stored "
            "with its undecodable bytes as \\xNN escapes (rename it to UTF-8 to avoid this)")


def _story_name(folder: Path) -> str:
    return path_text(Path(os.path.abspath(folder)).name) or FALLBACK_STORY


def collect_targets(paths: Iterable[str | os.PathLike], fmt: str = "auto"
                    ) -> tuple[list[ImportTarget], list[FileResult], list[str]]:
    """Expand the command-line paths into files to import.

    A folder contributes its own files (not subfolders), sorted by name:
    ``.txt``/``.jsonl``/``.ndjson`` ones, or every non-hidden file with an
    explicit ``fmt``. Returns (targets, failures for unusable paths, notes on
    files left out).
    """
    targets: list[ImportTarget] = []
    failures: list[FileResult] = []
    notes: list[str] = []
    for raw in paths:
        path = Path(os.fsdecode(raw))
        shown = path_text(raw)
        if _not_utf8(raw):
            notes.append(_bad_name_note(raw))
        if path.is_dir():
            try:
                entries = sorted(path.iterdir(), key=lambda p: p.name)
            except OSError as exc:
                failures.append(_failed(shown, IngestError(shown, f"cannot list the folder: {exc.strerror}",
                                                           hint="check its permissions")))
                continue
            # A brat or INCEpTION export is one folder read as a whole.
            whole = fmt if REGISTRY.get(fmt) and REGISTRY[fmt].reader == "folder" else (
                folder_format_of([e.name for e in entries]) if fmt == "auto" else None)
            if whole:
                targets.append(ImportTarget(path, _story_name(path), whole))
                continue
            picked, left = [], []
            for entry in entries:
                if entry.name.startswith(".") or entry.name.endswith("~"):
                    continue
                if entry.is_dir():
                    left.append(path_text(entry.name) + "/")
                elif fmt != "auto" or entry.suffix.lower() in TXT_SUFFIXES | JSONL_SUFFIXES | {".json", ".jsonld"}:
                    picked.append(entry)
                else:
                    left.append(path_text(entry.name))
            if left:
                notes.append(f"{shown}: left out {len(left)} item(s) that are not .txt/.jsonl/.json files: "
                             + ", ".join(left[:5]) + (", …" if len(left) > 5 else ""))
            if not picked:
                failures.append(_failed(shown, IngestError(shown, "the folder holds no .txt or .jsonl files",
                                                           hint="pass the files themselves, or --format txt")))
            story = _story_name(path)
            notes.extend(_bad_name_note(p) for p in picked if _not_utf8(p.name))
            targets.extend(ImportTarget(p, story, fmt) for p in picked)
        else:
            targets.append(ImportTarget(path, _story_name(path.parent), fmt))
    return targets, failures, notes


def _failed(path: str, err: DiptychError, fmt: str = "") -> FileResult:
    return FileResult(path=path, status="failed", fmt=fmt, error=err)


def read_limited(path: Path, max_size: int, shown: str | None = None) -> bytes:
    """A regular file's bytes, refusing (before reading) anything over ``max_size``."""
    shown = shown or path_text(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise IngestError(shown, "no such file or folder", hint="check the path") from None
    except OSError as exc:
        raise IngestError(shown, f"cannot read it: {exc.strerror}", hint="check its permissions") from None
    if not stat.S_ISREG(st.st_mode):
        raise IngestError(shown, "not a regular file", hint="pass a .txt or .jsonl file, or a folder of them")
    size, limit = format_size(st.st_size), format_size(max_size)
    if size == limit:  # "4.9 KB, over the limit of 4.9 KB" would say nothing
        size, limit = f"{st.st_size} bytes", f"{max_size} bytes"
    too_big = IngestError(
        shown, f"the file is {size}, over the limit of {limit}",
        hint=f"pass --max-size {_roomy(st.st_size)} to import it anyway")
    if st.st_size > max_size:
        raise too_big
    try:
        with path.open("rb") as fh:
            data = fh.read(max_size + 1)
    except OSError as exc:
        raise IngestError(shown, f"cannot read it: {exc.strerror}", hint="check its permissions") from None
    if len(data) > max_size:  # it grew while we looked
        raise too_big
    return data


def _roomy(size: int) -> str:
    """A round --max-size value a little above ``size``."""
    if size >= 1024**2:
        return f"{math.ceil(size / 1024**2) + 1}MB"
    if size >= 1024:
        return f"{math.ceil(size / 1024) + 1}KB"
    return f"{size + 1}"


def sniff_format(path: Path, data: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix in TXT_SUFFIXES:
        return "txt"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    found = file_format_of(path.name, data[:4096])
    if found:
        return found
    return "jsonl" if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{" else "txt"


