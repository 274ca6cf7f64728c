"""Unix permissions of a database and its -wal/-shm, for a database that several
Unix users share.

SQLite in WAL mode keeps two side files beside the database while anyone has it
open: ``DB-wal`` (committed changes not yet merged into the file) and ``DB-shm``
(the index every connection maps). Whoever opens the database first creates
them, with their own uid and umask. If a member who cannot write the database
creates them, or a writer creates them with umask 022, the next writer cannot
write them and every save fails as read-only. So:

- a writer makes side files it owns match the database (its group, its mode
  bits): ``match_side_files``;
- a user who cannot write the database must never create them: ``can_write``
  decides, ``wal_has_frames`` says whether a leftover -wal holds changes that a
  read without -shm would silently miss;
- ``problems`` lists everything that would block another member, each with the
  exact command that fixes it (what `diptych doctor` prints);
- ``in_use`` tells whether any process has the database open (SQLite's lock on
  the -shm), which is when removing a stale -shm would be unsafe.

Pure file-system code: no sqlite3 here.
"""

from __future__ import annotations

import fcntl
import grp
import os
import pwd
import shlex
import stat
import struct
from dataclasses import dataclass
from pathlib import Path

WAL_MAGIC = (0x377F0682, 0x377F0683)
WAL_HEADER = 32
FRAME_HEADER = 24
# SQLite's unix VFS holds a shared lock on this byte of -shm while a connection is
# open (UNIX_SHM_BASE 120 + SQLITE_SHM_NLOCK 8): the "dead man switch".
SHM_DMS_BYTE = 128


def side_paths(path: Path) -> tuple[Path, Path]:
    return Path(f"{path}-wal"), Path(f"{path}-shm")


def folder_of(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def can_write(path: Path) -> bool:
    """Can this process write the database, its folder and any side file that exists?

    WAL writers need all of them: a -shm it cannot write makes SQLite open the
    database read-only.
    """
    if path.exists() and not os.access(path, os.W_OK):
        return False
    if not os.access(folder_of(path), os.W_OK):
        return False
    return all(os.access(p, os.R_OK | os.W_OK) for p in side_paths(path) if p.exists())


def wal_has_frames(wal: Path) -> bool:
    """Does this -wal hold at least one frame of the current WAL generation?

    SQLite reuses a -wal from its start without truncating it, so frames are
    current only when their salts match the header's. A missing, empty or
    header-only -wal holds nothing; an unreadable one is assumed to hold changes.
    """
    try:
        with wal.open("rb") as fh:
            header = fh.read(WAL_HEADER)
            if len(header) < WAL_HEADER:
                return False
            magic, _version, page_size, _seq, salt1, salt2 = struct.unpack(">6I", header[:24])
            if magic not in WAL_MAGIC:
                return True  # not a WAL we understand: never assume it is empty
            frame = fh.read(FRAME_HEADER)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    if len(frame) < FRAME_HEADER:
        return False
    _page, _commit, f_salt1, f_salt2 = struct.unpack(">4I", frame[:16])
    return (f_salt1, f_salt2) == (salt1, salt2) and page_size > 0


def in_use(path: Path) -> bool:
    """Does some process (other than this one) have the database open?

    Every SQLite WAL connection keeps a read lock on one byte of -shm. No -shm
    means nobody is connected. When the lock cannot be probed, say yes.
    """
    _wal, shm = side_paths(path)
    try:
        fd = os.open(shm, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    try:
        query = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, SHM_DMS_BYTE, 1, 0)
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, query)
        return struct.unpack("hhqqi4x", answer)[0] != fcntl.F_UNLCK
    except OSError:
        return True
    finally:
        os.close(fd)


def match_side_files(path: Path) -> None:
    """Give side files this process owns the database's group and mode bits.

    SQLite creates them with the database's mode minus this process's umask;
    under umask 022 that drops the group's write bit and locks the other
    members out. Best effort: a failure here is reported by `diptych doctor`.
    """
    try:
        db = path.stat()
    except OSError:
        return
    for side in side_paths(path):
        try:
            st = os.stat(side, follow_symlinks=False)
            if st.st_uid != os.geteuid() or not stat.S_ISREG(st.st_mode):
                continue
            if st.st_gid != db.st_gid:
                os.chown(side, -1, db.st_gid, follow_symlinks=False)
            want = stat.S_IMODE(db.st_mode) & 0o666
            if stat.S_IMODE(st.st_mode) != want:
                os.chmod(side, want)
        except OSError:
            continue


def make_new_database_shared(path: Path) -> None:
    """A database just created in a setgid, group-writable folder is a team
    database: give it the folder's group and the group's write bit."""
    try:
        folder = folder_of(path).stat()
        st = path.stat()
        if st.st_uid != os.geteuid() or not folder.st_mode & stat.S_ISGID or not folder.st_mode & stat.S_IWGRP:
            return
        if st.st_gid != folder.st_gid:
            os.chown(path, -1, folder.st_gid)
        os.chmod(path, stat.S_IMODE(st.st_mode) | stat.S_IRGRP | stat.S_IWGRP)
    except OSError:
        return


def user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


@dataclass(frozen=True)
class Problem:
    """Something that would block another member, and the command that fixes it."""

    path: Path
    message: str
    fix: str  # shell command(s), paths quoted
    who: str  # who can run the fix: a user name, or "root"


def problems(path: Path, *, shared: bool) -> list[Problem]:
    """Everything about the database, its folder and side files that would stop
    one of the database's writers; ``shared`` says the database was made for a
    team (`diptych init --shared`), which also asks for a group-writable setgid folder."""
    found: list[Problem] = []
    try:
        db = path.stat()
    except OSError:
        return found
    folder = folder_of(path)
    fst = folder.stat()
    q = shlex.quote
    group = group_name(db.st_gid)
    owner = user_name(db.st_uid)
    team = shared or bool(db.st_mode & stat.S_IWGRP)
    if team:
        if fst.st_gid != db.st_gid:
            found.append(Problem(folder, f"folder {folder} belongs to group {group_name(fst.st_gid)}, "
                                 f"the database to group {group}", f"chgrp {q(group)} {q(str(folder))}",
                                 user_name(fst.st_uid)))
        missing = (stat.S_ISGID | stat.S_IWGRP | stat.S_IRGRP | stat.S_IXGRP) & ~fst.st_mode
        if missing:
            found.append(Problem(folder, f"folder {folder} has mode {stat.S_IMODE(fst.st_mode):o}: members of "
                                 f"{group} cannot create the -wal/-shm files (or new files lose the group)",
                                 f"chmod 2775 {q(str(folder))}", user_name(fst.st_uid)))
        if shared and not db.st_mode & stat.S_IWGRP:
            found.append(Problem(path, f"{path} has mode {stat.S_IMODE(db.st_mode):o}: members of {group} "
                                 "cannot save", f"chmod g+rw {q(str(path))}", owner))
    for side in side_paths(path):
        try:
            st = os.stat(side, follow_symlinks=False)
        except FileNotFoundError:
            continue
        except OSError:
            continue
        side_owner = user_name(st.st_uid)
        if not stat.S_ISREG(st.st_mode):
            found.append(Problem(side, f"{side} is not a regular file", f"rm {q(str(side))}", "root"))
            continue
        mode = stat.S_IMODE(st.st_mode)
        want = stat.S_IMODE(db.st_mode) & 0o666
        # Everyone who can write the database must be able to write this file:
        # the database's owner through the owner bits only if they own it too.
        lacks = want & ~mode
        owner_blocked = st.st_uid != db.st_uid and not mode & stat.S_IWGRP
        if st.st_gid != db.st_gid or lacks or owner_blocked:
            mode_wanted = want | (stat.S_IRGRP | stat.S_IWGRP if owner_blocked else 0)
            why = (f"{side} is owned by {side_owner}:{group_name(st.st_gid)} with mode {mode:o}; "
                   f"the database is {owner}:{group} {stat.S_IMODE(db.st_mode):o}, so "
                   + ("its owner" if owner_blocked and not team else f"members of {group}")
                   + " cannot save")
            fix = f"chgrp {q(group)} {q(str(side))} && chmod {mode_wanted:o} {q(str(side))}"
            found.append(Problem(side, why, fix, side_owner))
    return found


def why_not_writable(path: Path) -> str:
    """What stops this process from writing the database, as a hint naming the fix."""
    folder = folder_of(path)
    for target in (path, folder, *side_paths(path)):
        if not target.exists() or os.access(target, os.W_OK):
            continue
        st = target.stat()
        who = user_name(st.st_uid)
        desc = f"{target} is {who}:{group_name(st.st_gid)} mode {stat.S_IMODE(st.st_mode):o} and you cannot write it"
        if target in side_paths(path):
            return (f"{desc}; run `diptych doctor --db {path}`, which says the command "
                    f"{who} (or root) must run, or `--fix` it when nobody has the database open")
        return f"{desc}; ask {who} to make it group-writable (`diptych doctor --db {path}` says how), or open a copy"
    return "check the file's permissions, or open a copy you can write"
