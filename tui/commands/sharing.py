"""`diptych doctor`'s checks (and --fix) of who can write the database's files.

Every member who can write the database must also be able to write its folder
(to create -wal and -shm) and the -wal and -shm themselves; a file that one of
them cannot write makes their saves fail. Each problem is reported with the
command that fixes it and who can run it (the file's owner, or root).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from tui.core.errors import DiptychError
from tui.core.session import resolve_db_path
from tui.core.store import Store
from tui.core.store.permissions import (
    folder_of,
    group_name,
    in_use,
    match_side_files,
    problems,
    side_paths,
    wal_has_frames,
)


def _shared(path: Path) -> bool | None:
    try:
        store = Store.open(path, readonly=True, create=False)
    except DiptychError:
        return None
    try:
        return store.shared
    except DiptychError:
        return None
    finally:
        store.close()


def check_sharing(db: str | None) -> list[dict[str, Any]]:
    """Checks as dicts (name, status, detail, hint) for doctor's Check."""
    path = resolve_db_path(db)
    if not path.is_file():
        return []
    shared = bool(_shared(path))
    checks = []
    for p in problems(path, shared=shared):
        hint = f"as {p.who} (or root), run: {p.fix}"
        if p.path in side_paths(path):
            hint += f"; or, when nobody has it open, `diptych doctor --db {path} --fix` replaces it"
        checks.append({"name": "sharing", "status": "fail", "detail": p.message, "hint": hint})
    wal, shm = side_paths(path)
    if wal_has_frames(wal) and not shm.exists():
        checks.append({"name": "sharing", "status": "fail",
                       "detail": f"{wal} holds changes not merged into {path.name}, and there is no {shm.name}: "
                                 "members who cannot write the folder cannot read them",
                       "hint": f"as a member who can write {folder_of(path)}, run: diptych doctor --db {path} --fix"})
    if checks:
        return checks
    db_stat = path.stat()
    if shared:
        detail = (f"shared by group {group_name(db_stat.st_gid)}: folder, database and -wal/-shm "
                  "let every member save")
    else:
        detail = "not made shared (`diptych init --shared`); its -wal/-shm, if any, do not block its writers"
    return [{"name": "sharing", "status": "ok", "detail": detail, "hint": ""}]


def _reown(side: Path, db_stat: os.stat_result) -> None:
    """Replace ``side`` by a copy this process owns, with the database's group and
    mode: the same bytes, so a -wal keeps its changes. Only when nobody has it open."""
    tmp = side.with_name(side.name + ".doctor")
    data = side.read_bytes()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
        os.fchown(fd, -1, db_stat.st_gid)
        os.fchmod(fd, stat.S_IMODE(db_stat.st_mode) & 0o666)
    finally:
        os.close(fd)
    os.replace(tmp, side)


def apply_fixes(db: str | None) -> list[str]:
    """The safe fixes; returns what was done. Files of other users are replaced
    only when nobody has the database open (SQLite's lock on -shm says so)."""
    path = resolve_db_path(db)
    if not path.is_file():
        return []
    done: list[str] = []
    wal, shm = side_paths(path)
    unmerged = wal_has_frames(wal) and not shm.exists()
    db_stat = path.stat()
    me = os.geteuid()
    folder = folder_of(path)
    for p in problems(path, shared=bool(_shared(path))):
        try:
            st = os.stat(p.path, follow_symlinks=False)
            if st.st_uid == me and p.path == folder:
                os.chown(folder, -1, db_stat.st_gid)
                os.chmod(folder, 0o2775)
                done.append(f"{folder}: group {group_name(db_stat.st_gid)}, mode 2775")
            elif st.st_uid == me and p.path == path:
                os.chmod(path, stat.S_IMODE(db_stat.st_mode) | 0o060)
                done.append(f"{path}: group-writable")
                db_stat = path.stat()
        except OSError as exc:
            done.append(f"nothing for {p.path}: {exc.strerror}")
    match_side_files(path)
    blocked = [s for s in (wal, shm) if s.exists() and not os.access(s, os.R_OK | os.W_OK)]
    if blocked and os.access(folder, os.W_OK):
        if in_use(path):
            done.append(f"nothing for {', '.join(map(str, blocked))}: the database is open; try when nobody has it open")
            return done
        for side in blocked:
            try:
                if side == shm or not wal_has_frames(wal):
                    # A -shm is rebuilt from the -wal by the next opener; an empty -wal holds nothing.
                    side.unlink()
                    done.append(f"{side}: removed (nobody had the database open)")
                else:
                    _reown(side, db_stat)
                    done.append(f"{side}: replaced by a copy you own, group-writable like the database")
            except OSError as exc:
                done.append(f"nothing for {side}: {exc.strerror}")
    if unmerged and os.access(path, os.W_OK) and os.access(folder, os.W_OK):
        try:
            # Opening recovers the -wal; the last connection to close merges it
            # (a writer's read above may already have done so).
            Store.open(path, create=False).close()
        except DiptychError as err:
            done.append(f"nothing for {wal}: {err.message}")
        if not wal_has_frames(wal):
            done.append(f"{wal}: merged into {path.name}")
    return done
