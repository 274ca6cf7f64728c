"""Output files (exports, reports) written the way a shared server needs them.

A file appears whole or not at all (written to a temporary file beside it, then
renamed). A new file gets the mode the user's umask gives (0644 under 022, 0664
under 002), like any file the user creates: ``mkstemp`` alone would make it 0600
and colleagues in the group could not read it. Replacing a file keeps its mode
and, where the user may set it, its group. Anything that is not a regular file
(a FIFO, a device, a folder) is never replaced.

A SIGTERM or SIGINT while the temporary file (or folder) exists removes it
before the process goes on to die of the signal (or raise KeyboardInterrupt),
so a killed export leaves nothing hidden behind. Temporary names are cut to a
byte budget: Linux limits a name to 255 bytes, not characters.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TypeVar

from .errors import ExportError

T = TypeVar("T")

# Bytes of the target's name kept in a temporary name: "." + this + ".XXXXXXXX.tmp"
# stays well under the 255-byte limit of a file name.
TEMP_NAME_BYTES = 200


def cut_to_bytes(name: str, limit: int) -> str:
    """``name`` cut on a character boundary to at most ``limit`` bytes as the file system stores it."""
    if len(os.fsencode(name)) <= limit:
        return name
    out, used = [], 0
    for ch in name:
        size = len(os.fsencode(ch))
        if used + size > limit:
            break
        out.append(ch)
        used += size
    return "".join(out)


def _temp_prefix(path: Path) -> str:
    return f".{cut_to_bytes(path.name, TEMP_NAME_BYTES)}."


@contextmanager
def removed_on_signal(remove: Callable[[], None]) -> Iterator[None]:
    """While inside, SIGTERM and SIGINT first call ``remove`` (which deletes the
    temporary file), then get their previous handling: death by the signal, or
    KeyboardInterrupt. Only the main thread may set handlers; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, object] = {}

    def handler(signum: int, _frame: object) -> None:
        remove()
        for sig, old in previous.items():
            signal.signal(sig, old)
        previous.clear()
        signal.raise_signal(signum)  # now handled as it was before we came

    for sig in (signal.SIGTERM, signal.SIGINT):
        old = signal.getsignal(sig)
        if old is signal.SIG_IGN or old is None:
            continue  # ignored (e.g. nohup) or set outside Python: leave it alone
        previous[sig] = old
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


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
    made: list[str] = []  # the temporary file, once it exists
    with removed_on_signal(lambda: [_unlink(p) for p in made]):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".tmp", dir=path.parent)
            made.append(tmp)
        except OSError as exc:
            raise ExportError(f"cannot write {path}: {exc.strerror}", hint=hint) from None
        return _fill_and_replace(path, fd, tmp, mode, gid, fill)


def _fill_and_replace(path: Path, fd: int, tmp: str, mode: int, gid: int | None,
                      fill: Callable[[IO[bytes]], T]) -> T:
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
    made: list[Path] = []  # the temporary folder, then the one holding the previous export

    def clean_up() -> None:
        # Killed mid-swap: the previous export goes back where it was.
        if len(made) > 1 and (made[1] / "x").exists() and not path.exists():
            try:
                os.replace(made[1] / "x", path)
            except OSError:
                pass
        for folder in made:
            shutil.rmtree(folder, ignore_errors=True)

    with removed_on_signal(clean_up):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.append(Path(tempfile.mkdtemp(prefix=_temp_prefix(path), suffix=".tmp", dir=path.parent)))
        except OSError as exc:
            raise ExportError(f"cannot write {path}: {exc.strerror}", hint=hint) from None
        return _fill_folder(path, made, umask, fill)


def _fill_folder(path: Path, made: list[Path], umask: int,
                 fill: Callable[[], Iterable[tuple[str, bytes]]]) -> int:
    tmp = made[0]
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
            old = Path(tempfile.mkdtemp(prefix=_temp_prefix(path), suffix=".old", dir=path.parent))
            made.append(old)
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
