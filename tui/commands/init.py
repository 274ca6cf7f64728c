"""`diptych init`: create an empty database; with --shared, one a team of Unix users shares.

A shared database lives in a folder owned by the team's group with mode 2775
(setgid: files created in it get the group, not their creator's), the database
file is 0664 of that group, WAL mode is set at creation, and the database
records that it is shared (``settings.shared = 1``), so `diptych doctor` holds
its folder and -wal/-shm to group rules.
"""

from __future__ import annotations

import grp
import os
import stat
from pathlib import Path

import click

from tui.cli import echo, fail
from tui.core.errors import DiptychError, StoreError
from tui.core.store import Store
from tui.core.store.permissions import group_name
from tui.core.store.settings import REVIEWERS, SHARED

FOLDER_MODE = 0o2775
DB_MODE = 0o664


def _group_id(group: str | None, folder: Path) -> int:
    if group is None:
        # The folder's group when it is already a group folder, else our own.
        if folder.exists() and folder.stat().st_mode & stat.S_ISGID:
            return folder.stat().st_gid
        return os.getegid()
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise StoreError(f"no group named {group}",
                         hint=f"create it first (`groupadd {group}`), then add the annotators (`usermod -aG {group} USER`)") from None


def _prepare_folder(folder: Path, gid: int) -> None:
    if not folder.exists():
        try:
            folder.mkdir(parents=True)
        except OSError as exc:
            raise StoreError(f"cannot create folder {folder}: {exc.strerror}",
                             hint="create it as an administrator, or choose a folder you can write") from None
    st = folder.stat()
    try:
        if st.st_gid != gid:
            os.chown(folder, -1, gid)
        if stat.S_IMODE(st.st_mode) != FOLDER_MODE:
            os.chmod(folder, FOLDER_MODE)
    except OSError as exc:
        raise StoreError(f"cannot give {folder} group {group_name(gid)} and mode {FOLDER_MODE:o}: {exc.strerror}",
                         hint=f"as its owner or root: chgrp {group_name(gid)} {folder} && chmod {FOLDER_MODE:o} {folder}"
                         ) from None


def _create_file(path: Path, gid: int) -> None:
    """The empty database file, group-owned and 0664 before SQLite writes to it,
    so the -wal/-shm it creates copy those bits."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, DB_MODE)
    except FileExistsError:
        return
    except OSError as exc:
        raise StoreError(f"cannot create {path}: {exc.strerror}", hint="choose a folder you can write") from None
    try:
        os.fchown(fd, -1, gid)
        os.fchmod(fd, DB_MODE)  # the umask may have taken bits off
    except OSError as exc:
        raise StoreError(f"cannot give {path} group {group_name(gid)}: {exc.strerror}",
                         hint=f"you must be a member of {group_name(gid)} (`id` lists your groups; log in again "
                              "after `usermod -aG`)") from None
    finally:
        os.close(fd)


def init_database(path: Path, *, shared: bool, group: str | None, reviewers: str | None = None) -> str:
    """Create (or mark shared) the database; returns what was done, for the user."""
    existed = path.exists() and path.stat().st_size > 0
    if shared:
        folder = path.parent if str(path.parent) else Path(".")
        gid = _group_id(group, folder)
        _prepare_folder(folder, gid)
        _create_file(path, gid)
    # Under umask 022 SQLite would create the -wal/-shm without the group's write bit.
    old_umask = os.umask(0o002) if shared else None
    try:
        store = Store.open(path)
        try:
            if shared:
                store.set_setting(SHARED, "1")
            if reviewers is not None:
                names = sorted({n.strip() for n in reviewers.split(",") if n.strip()})
                store.set_setting(REVIEWERS, ",".join(names))
            version = store.schema_version
        finally:
            store.close()
    finally:
        if old_umask is not None:
            os.umask(old_umask)
    if not shared:
        return f"{'existing' if existed else 'created'} database {path} (schema {version})"
    st = path.stat()
    if st.st_gid != gid or stat.S_IMODE(st.st_mode) != DB_MODE:
        try:
            os.chown(path, -1, gid)
            os.chmod(path, DB_MODE)
        except OSError as exc:
            raise StoreError(f"{path} is marked shared but its group or mode could not be set: {exc.strerror}",
                             hint=f"as its owner or root: chgrp {group_name(gid)} {path} && chmod 664 {path}") from None
    name = group_name(gid)
    return (f"{'marked' if existed else 'created'} shared database {path} (schema {version}): "
            f"folder {path.parent} group {name} mode {FOLDER_MODE:o}, database mode {DB_MODE:o}, WAL\n"
            f"Members of {name} can annotate; others can read. Members should use umask 002 "
            f"(e.g. in ~/.profile); `diptych doctor --db {path}` checks the files.")


@click.command("init")
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--shared", is_flag=True, help="Make it for a team of Unix users: a setgid group folder, group-writable files.")
@click.option("--group", help="The team's Unix group (default: the folder's group if setgid, else yours). Needs --shared.")
@click.option("--reviewers", help="Comma-separated logins who may write as any annotator (gold, imports for "
              "others); replaces the list. In a shared database everyone else writes only as themselves.")
def init_cmd(db: str, shared: bool, group: str | None, reviewers: str | None) -> None:
    """Create an empty database DB; with --shared, one a Unix group shares.

    Run again on an existing database to mark it shared or to change its reviewers.
    """
    if group is not None and not shared:
        raise click.UsageError("--group needs --shared")
    try:
        done = init_database(Path(db), shared=shared, group=group, reviewers=reviewers)
    except DiptychError as err:
        fail(err)
        return
    echo(done)
