"""One database shared by real Unix users, as on a team server (issue #15).

Three users are created for the module: ``owner`` and ``member`` in the team's
group (both may annotate) and ``reader`` outside it (may only read). Each runs
the real program (`python -m tui.cli`, or tests/integration/member.py for a
session held open) as itself, with umask 022, the default that drops the
group's write bit. After every step no file beside the database may be one
that a writer of the database cannot write.

The interpreter must be one the other users can run: the test's own when they
can, otherwise the system's python of the same version with this test's
site-packages on PYTHONPATH (a venv under /root, mode 0700, is not reachable).
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MEMBER = Path(__file__).resolve().with_name("member.py")
SEEDS = REPO / "seeds"
TAG = f"dt{os.getpid() % 100000}"
GROUP, OWNER, MEMBER_USER, READER = f"{TAG}team", f"{TAG}own", f"{TAG}mem", f"{TAG}rdr"

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("useradd"),
                                reason="needs root and useradd to create real Unix users")


def _candidates() -> list[str]:
    found = [sys.executable, os.path.realpath(sys.executable)]
    found += [f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}", "/usr/bin/python3"]
    return list(dict.fromkeys(p for p in found if os.path.exists(p)))


class Team:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.srv = base / "srv"
        self.db = self.srv / "team.db"
        self.gid = grp.getgrnam(GROUP).gr_gid
        self.env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(base),
                    "PYTHONPATH": os.pathsep.join([str(REPO), sysconfig.get_paths()["purelib"]])}
        self.python = ""
        for exe in _candidates():
            try:
                probe = self._run(READER, [exe, "-c", "import tui.cli, sqlite_utils, click"], check=False,
                                  python=False)
            except PermissionError:
                continue  # e.g. a venv whose python links into /root
            if probe.returncode == 0:
                self.python = exe
                break
        if not self.python:
            pytest.skip(f"no Python interpreter that user {READER} can run with this repository and its "
                        f"packages (tried {_candidates()}; is the repository or venv in a private folder?)")

    def _ids(self, user: str) -> dict:
        pw = pwd.getpwnam(user)
        extra = [self.gid] if user != READER else []
        return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": extra, "umask": 0o022}

    def _run(self, user: str, args: list[str], *, check: bool = True, python: bool = True,
             stdin: str | None = None) -> subprocess.CompletedProcess:
        cmd = [self.python, "-m", "tui.cli", *args] if python else args
        proc = subprocess.run(cmd, capture_output=True, text=True, env=self.env, cwd=self.base, timeout=120,
                              input=stdin, **self._ids(user))
        if check:
            assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        return proc

    def diptych(self, user: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self._run(user, list(args), check=check)

    def annotations(self, user: str) -> int:
        return json.loads(self.diptych(user, "stats", "--db", str(self.db), "--json").stdout)["annotations"]

    def session(self, user: str) -> "Session":
        return Session(subprocess.Popen([self.python, str(MEMBER), str(self.db), user], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env,
                                        cwd=self.base, **self._ids(user)))

    def side_files(self) -> list[Path]:
        return [p for p in (Path(f"{self.db}-wal"), Path(f"{self.db}-shm")) if p.exists()]

    def assert_nothing_blocks(self) -> None:
        """Every file beside the database can be written by everyone who can write it."""
        db = self.db.stat()
        for side in self.side_files():
            st = side.stat()
            if db.st_mode & stat.S_IWGRP:
                assert st.st_gid == db.st_gid and st.st_mode & 0o060 == 0o060, (side, oct(st.st_mode), st.st_gid)
            else:
                assert st.st_uid == db.st_uid and st.st_mode & 0o600 == 0o600, (side, st.st_uid, oct(st.st_mode))
        assert sorted(p.name for p in self.srv.iterdir()) == sorted(["team.db", *[p.name for p in self.side_files()]])


class Session:
    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc

    def __call__(self, op: str, **args) -> dict:
        self.proc.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, self.proc.stderr.read()
        return json.loads(line)

    def close(self) -> None:
        self("close")
        self.proc.stdin.close()
        assert self.proc.wait(timeout=60) == 0


@pytest.fixture(scope="module")
def users():
    made_group = subprocess.run(["groupadd", GROUP], capture_output=True, text=True)
    if made_group.returncode != 0:
        pytest.skip(f"cannot create a group here: {made_group.stderr.strip()}")
    made = []
    try:
        for name, extra in ((OWNER, [GROUP]), (MEMBER_USER, [GROUP]), (READER, [])):
            cmd = ["useradd", "-M", "-U", "-s", "/bin/sh", *(["-G", ",".join(extra)] if extra else []), name]
            subprocess.run(cmd, check=True, capture_output=True)
            made.append(name)
        yield
    finally:
        for name in made:
            subprocess.run(["userdel", name], capture_output=True)
        subprocess.run(["groupdel", GROUP], capture_output=True)


@pytest.fixture
def team(users) -> Team:
    base = Path(tempfile.mkdtemp(prefix="diptych-team-", dir="/tmp"))
    base.chmod(0o755)
    try:
        t = Team(base)
        # What the administrator does: a folder of the team's group, setgid.
        t.srv.mkdir()
        os.chown(t.srv, 0, t.gid)
        t.srv.chmod(0o2775)
        yield t
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _seeded(team: Team) -> None:
    team.diptych(OWNER, "init", "--shared", "--group", GROUP, str(team.db))
    team.diptych(OWNER, "import", str(SEEDS), "--db", str(team.db))
    team.assert_nothing_blocks()


def test_init_shared_makes_the_database_and_folder_group_writable(team: Team) -> None:
    team.srv.rmdir()
    team.srv = team.base / "srv"
    # The owner creates the folder itself here (the base is theirs for this test).
    os.chown(team.base, pwd.getpwnam(OWNER).pw_uid, -1)
    out = team.diptych(OWNER, "init", "--shared", "--group", GROUP, str(team.db))
    assert "created shared database" in out.stdout
    folder, db = team.srv.stat(), team.db.stat()
    assert stat.S_IMODE(folder.st_mode) == 0o2775 and folder.st_gid == team.gid
    assert stat.S_IMODE(db.st_mode) == 0o664 and db.st_gid == team.gid
    assert db.st_uid == pwd.getpwnam(OWNER).pw_uid
    assert team.db.read_bytes()[18:20] == b"\x02\x02", "WAL mode is set at creation"
    assert team.side_files() == []
    doctor = team.diptych(MEMBER_USER, "doctor", "--db", str(team.db), "--json")
    (sharing,) = [c for c in json.loads(doctor.stdout)["checks"] if c["name"] == "sharing"]
    assert sharing["status"] == "ok" and f"shared by group {GROUP}" in sharing["detail"]


def test_writer_first_then_member_then_reader(team: Team) -> None:
    _seeded(team)
    owner = team.session(OWNER)
    assert owner("open") == {"readonly": False}
    assert owner("tag", start=0, end=10) == {"saved": True}
    team.assert_nothing_blocks()  # created under umask 022, yet group-writable
    member = team.session(MEMBER_USER)
    assert member("open") == {"readonly": False}
    assert member("tag", start=20, end=30) == {"saved": True}
    # The read-only colleague reads what is committed, still in the -wal.
    assert team.annotations(READER) == 2
    reader = team.session(READER)
    assert reader("open") == {"readonly": True}
    refused = reader("tag", start=40, end=50)
    assert refused["error"] == "D014" and "read-only" in refused["message"] and "What to do" in refused["message"]
    assert owner("tag", start=60, end=70) == {"saved": True}
    for s in (reader, member, owner):
        s.close()
    team.assert_nothing_blocks()
    assert team.annotations(MEMBER_USER) == 3


def test_reader_first_then_owner_writes(team: Team) -> None:
    _seeded(team)
    assert team.side_files() == []
    reader = team.session(READER)  # the first to open it, and it stays open
    assert reader("open") == {"readonly": True}
    assert reader("count") == {"annotations": 0}
    assert team.side_files() == [], "a reader who cannot write it creates nothing"
    owner = team.session(OWNER)
    assert owner("open") == {"readonly": False}
    assert owner("tag", start=0, end=10) == {"saved": True}
    member = team.session(MEMBER_USER)
    assert member("open") == {"readonly": False}
    assert member("tag", start=20, end=30) == {"saved": True}
    team.assert_nothing_blocks()
    for s in (owner, member, reader):
        s.close()
    assert team.annotations(READER) == 2
    team.assert_nothing_blocks()


def test_owner_after_a_colleague_who_can_only_read_the_file(team: Team) -> None:
    """The measured failure: a 0644 database in a setgid group folder; a member of
    the group (who can write the folder but not the file) reads it first."""
    team.diptych(OWNER, "import", str(SEEDS), "--db", str(team.db))
    os.chmod(team.db, 0o644)
    assert team.annotations(MEMBER_USER) == 0
    assert team.diptych(MEMBER_USER, "export", "--db", str(team.db), "-o", "-").returncode == 0
    assert team.side_files() == [], "the colleague left no -wal/-shm of theirs"
    owner = team.session(OWNER)
    assert owner("open") == {"readonly": False}
    assert owner("tag", start=0, end=10) == {"saved": True}
    owner.close()
    team.assert_nothing_blocks()
    assert team.annotations(MEMBER_USER) == 1


def test_unmerged_wal_is_refused_not_shown_stale_and_doctor_fix_merges_it(team: Team) -> None:
    _seeded(team)
    owner = team.session(OWNER)
    owner("open")
    assert owner("tag", start=0, end=10) == {"saved": True}
    owner.proc.send_signal(signal.SIGKILL)  # a crash: the change is only in the -wal
    owner.proc.wait(timeout=60)
    Path(f"{team.db}-shm").unlink()
    refused = team.diptych(READER, "stats", "--db", str(team.db), check=False)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert f"{team.db}-wal" in refused.stderr and "doctor" in refused.stderr and "--fix" in refused.stderr
    assert not Path(f"{team.db}-shm").exists(), "the reader created nothing"
    doctor = team.diptych(READER, "doctor", "--db", str(team.db), check=False)
    assert doctor.returncode == 1 and "not merged" in doctor.stdout and "--fix" in doctor.stdout
    assert not Path(f"{team.db}-shm").exists()
    fixed = team.diptych(OWNER, "doctor", "--db", str(team.db), "--fix")
    assert "merged" in fixed.stdout
    assert team.annotations(READER) == 1


def test_doctor_reports_a_planted_bad_shm_with_the_fix(team: Team) -> None:
    _seeded(team)
    shm = Path(f"{team.db}-shm")
    member = pwd.getpwnam(MEMBER_USER)
    shm.write_bytes(b"")
    os.chown(shm, member.pw_uid, member.pw_gid)
    shm.chmod(0o644)
    doctor = team.diptych(OWNER, "doctor", "--db", str(team.db), check=False)
    assert doctor.returncode == 1, doctor.stdout
    assert str(shm) in doctor.stdout and f"chgrp {GROUP} {shm} && chmod 664 {shm}" in doctor.stdout
    assert MEMBER_USER in doctor.stdout
    owner = team.session(OWNER)
    opened = owner("open")
    refused = owner("tag", start=0, end=10)
    owner.close()
    assert opened == {"readonly": True} and refused["error"] == "D014" and str(shm) in refused["message"]
    fixed = team.diptych(OWNER, "doctor", "--db", str(team.db), "--fix")
    assert "removed" in fixed.stdout and not shm.exists()
    owner = team.session(OWNER)
    assert owner("open") == {"readonly": False} and owner("tag", start=0, end=10) == {"saved": True}
    owner.close()
    team.assert_nothing_blocks()
