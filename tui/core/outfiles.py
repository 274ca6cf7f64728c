"""Output files (exports, reports) written the way a shared server needs them.

A file appears whole or not at all (written to a temporary file beside it, then
renamed). A new file gets the mode the user's umask gives (0644 under 022, 0664
under 002), like any file the user creates: ``mkstemp`` alone would make it 0600
and colleagues in the group could not read it. Replacing a file keeps its mode
and, where the user may set it, its group. Anything that is not a regular file
(a FIFO, a device, a folder) is never replaced.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, TypeVar

from .errors import ExportError

T = TypeVar("T")


def current_umask() -> int:
    """The process umask, read without changing it where Linux allows."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    # Elsewhere the only way to read it is to set it; set it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _target_mode(path: Path) -> tuple[int, int | None]:
    """(mode, gid to keep or None) for the file about to be written at ``path``."""
    try:
        st = path.stat()  # a link to a regular file is replaced like the file
    except FileNotFoundError:
        return 0o666 & ~current_umask(), None
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror}", hint="check the path and its permissions") from None
    if not stat.S_ISREG(st.st_mode):
        kind = ("a folder" if stat.S_ISDIR(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode)
                else "a device or special file")
        raise ExportError(f"{path} is {kind}, not a regular file; it was left as it is",
                          hint="pass -o with the path of a regular file (or - for stdout)")
    return stat.S_IMODE(st.st_mode), st.st_gid


def write_atomically(path: str | os.PathLike, fill: Callable[[IO[bytes]], T], *,
                     hint: str = "pass -o with a path in a writable folder") -> T:
    """Create or replace ``path`` with what ``fill`` writes into a binary file; returns what ``fill`` returns."""
    path = Path(path)
    mode, gid = _target_mode(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:200]}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror}", hint=hint) from None
    try:
        os.fchmod(fd, mode)
        if gid is not None and gid != os.getegid():
            try:
                os.fchown(fd, -1, gid)
            except OSError:
                pass  # not a member of that group: the file takes the user's group
        with os.fdopen(fd, "wb") as fh:
            result = fill(fh)
        os.replace(tmp, path)
    except OSError as exc:
        _unlink(tmp)
        raise ExportError(f"cannot write {path}: {exc.strerror}", hint="check free space and permissions") from None
    except BaseException:
        _unlink(tmp)
        raise
    return result


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# Left in every folder Diptych writes, so that writing it again may replace it
# (and nothing else: an unrelated folder at the path is never deleted).
FOLDER_MARK = ".diptych-export"


def write_folder_atomically(path: str | os.PathLike, fill: Callable[[], Iterable[tuple[str, bytes]]], *,
                            hint: str = "pass -o with a folder path in a writable place") -> int:
    """Create or replace the folder ``path`` with the files ``fill()`` yields as (relative path, bytes).

    Written beside it first and renamed into place, so it appears whole or not at
    all. An existing folder is replaced only if Diptych wrote it (it holds
    ``FOLDER_MARK``) or it is empty. Returns the number of files written.
    """
    path = Path(path)
    umask = current_umask()
    if path.exists() or path.is_symlink():
        if not path.is_dir() or path.is_symlink():
            raise ExportError(f"{path} exists and is not a folder; it was left as it is",
                              hint="pass -o with the path of a new folder")
        if any(path.iterdir()) and not (path / FOLDER_MARK).exists():
            raise ExportError(f"{path} is a folder that Diptych did not write; it was left as it is",
                              hint="pass -o with a new or empty folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name[:200]}.", suffix=".tmp", dir=path.parent))
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror}", hint=hint) from None
    count = 0
    try:
        os.chmod(tmp, 0o777 & ~umask)
        for rel, data in fill():
            target = tmp.joinpath(*_safe_parts(rel))
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o777 & ~umask)
            with open(target, "wb") as fh:
                fh.write(data)
            os.chmod(target, 0o666 & ~umask)
            count += 1
        (tmp / FOLDER_MARK).write_bytes(b"written by diptych export; writing again replaces this folder\n")
        os.chmod(tmp / FOLDER_MARK, 0o666 & ~umask)
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name[:200]}.", suffix=".old", dir=path.parent))
            os.replace(path, old / "x")
            try:
                os.replace(tmp, path)
            except OSError:
                os.replace(old / "x", path)  # put the previous export back
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ExportError(f"cannot write {path}: {exc.strerror}", hint="check free space and permissions") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return count


def _safe_parts(rel: str) -> list[str]:
    # A writer's relative path never climbs out of the folder.
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        raise ExportError(f"refusing to write {rel!r} outside the export folder")
    return parts
