"""Real SSH: annotators reach `diptych` through sshd on 127.0.0.1 and lose the connection.

A throwaway sshd (sshd_kit) serves a real login; `ssh -tt` runs inside tmux as the
annotator's terminal. Tags are typed as keys; a tag counts as acknowledged once its
"tagged ..." toast is on screen (shown only after the commit). Then the ssh client is
SIGKILLed, as when a laptop drops off the network: sshd closes the pty, the kernel
hangs it up, and the remote reader gets SIGHUP with no terminal left to draw on.
Everything acknowledged must be in the database, once, and the reader must be gone.
"""

from __future__ import annotations

import os
import shlex
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from proc_kit import (Ack, assert_stored_exactly, diptych_pids, environ, exit_status, import_seeds, reader_argv,
                      search, tag, wait_for_pids, wait_gone)
from sshd_kit import SshServer, start_sshd
from tmux_kit import Tmux, diptych

from tui.core.store import Store

pytestmark = pytest.mark.slow

REMOTE_ENV = "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color"


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[SshServer]:
    server = start_sshd(tmp_path / "ssh")
    yield server
    server.stop()


@pytest.fixture
def terminals() -> Iterator[Callable[[], Tmux]]:
    """``terminals()`` opens one more private tmux server; all are killed afterwards."""
    opened: list[Tmux] = []

    def _open() -> Tmux:
        opened.append(Tmux())
        return opened[-1]

    yield _open
    for term in opened:
        term.close()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "shared.db"
    import_seeds(path)
    yield path
    # A failed test must not leave readers behind on the remote side.
    for pid in diptych_pids(path):
        os.kill(pid, signal.SIGKILL)


def connect(term: Tmux, server: SshServer, remote: str) -> int:
    """Open the annotator's ssh session in `term`; returns the local ssh client's pid."""
    term.start(server.ssh_command(remote), record_status=False)
    pid = term.pane_pid()
    # The pane's `sh -c "env ... ssh ..."` execs down to the client itself; wait for that.
    deadline = time.monotonic() + 10
    while _exe(pid) != "ssh" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _exe(pid) == "ssh", f"pane process {pid} is {_exe(pid)!r}, not the ssh client"
    return pid


def _exe(pid: int) -> str:
    try:
        return Path(os.readlink(f"/proc/{pid}/exe")).name
    except OSError:
        return ""


def remote_reader(db: Path, annotator: str) -> int:
    """The reader's pid on the server side, checked to be a process that sshd started."""
    pid = wait_for_pids(db, annotator)
    assert "SSH_CONNECTION" in environ(pid), f"pid {pid} was not started through sshd"
    return pid


def stored(db: Path) -> tuple[dict, dict]:
    store = Store.open(db)
    try:
        assert store.integrity_check() == "ok"
        by_annotator: dict[str, list] = {}
        for ann in store.annotations():
            by_annotator.setdefault(ann.annotator, []).append(ann)
        positions = {who: store.position(who) for who in by_annotator}
    finally:
        store.close()
    return by_annotator, positions


def test_dropped_connection_keeps_every_acknowledged_tag(tmp_path: Path, sshd: SshServer, terminals, db: Path) -> None:
    term = terminals()
    # `exec`: the reader itself leads the login session, as with `ssh -t host diptych ...`,
    # so the hang-up's SIGHUP goes straight to it.
    client = connect(term, sshd, f"cd {shlex.quote(str(tmp_path))} && exec {REMOTE_ENV} "
                                 f"{shlex.quote(diptych())} --db {shlex.quote(str(db))} --annotator alice --no-suggest")
    term.wait_for("Seed story")
    reader = remote_reader(db, "alice")
    acks: list[Ack] = []
    tag(term, ("V", "c"), "CLAIM", "SMALL BUT GROWING", acks)
    term.keys("Tab")
    search(term, "Wall Street")
    tag(term, ("v", "l", "l", "s"), "SOURCE", "Wall Street Journal", acks)
    term.wait_for("saved ")

    os.kill(client, signal.SIGKILL)  # the connection drops mid-session
    wait_gone(reader)

    assert not Path(f"{db}-wal").exists(), "the reader did not close the database on hang-up"
    anns, positions = stored(db)
    assert_stored_exactly(anns["alice"], acks)
    # Written only on the way out (the SIGHUP handler): the right pane, at its cursor.
    source = next(a for a in anns["alice"] if a.label == "SOURCE")
    assert positions["alice"] is not None and positions["alice"]["doc_id"] == source.doc_id


def test_two_annotators_over_ssh_at_once_lose_nothing(tmp_path: Path, sshd: SshServer, terminals, db: Path) -> None:
    # Each reader runs under login_shell.py, which stands in for an interactive login
    # shell (passes the hang-up's SIGHUP on to its job) and records the reader's exit status.
    sessions = {}
    for who in ("alice", "bob"):
        term = terminals()
        status = tmp_path / f"{who}.status"
        remote = f"cd {shlex.quote(str(tmp_path))} && exec {REMOTE_ENV} " + shlex.join(reader_argv(db, who, status))
        sessions[who] = (term, connect(term, sshd, remote), status)
    alice, bob = sessions["alice"][0], sessions["bob"][0]
    alice.wait_for("Seed story")
    bob.wait_for("Seed story")
    readers = {who: remote_reader(db, who) for who in sessions}

    acks: dict[str, list[Ack]] = {"alice": [], "bob": []}
    # Interleaved, and on the same spans, so both writers hit the same rows and pages.
    tag(alice, ("V", "c"), "CLAIM", "SMALL BUT GROWING", acks["alice"])
    tag(bob, ("V", "c"), "CLAIM", "SMALL BUT GROWING", acks["bob"])
    alice.keys("Tab")
    bob.keys("Tab")
    search(alice, "Wall Street")
    search(bob, "Wall Street")
    tag(bob, ("v", "l", "l", "s"), "SOURCE", "Wall Street Journal", acks["bob"])
    tag(alice, ("v", "l", "l", "s"), "SOURCE", "Wall Street Journal", acks["alice"])
    search(alice, "fighting for control")
    tag(alice, ("v", "l", "l", "m"), "MOTIVE", "fighting for control", acks["alice"])

    for _term, client, _status in sessions.values():
        os.kill(client, signal.SIGKILL)  # both connections drop at once
    statuses = {who: exit_status(status) for who, (_term, _client, status) in sessions.items()}
    for pid in readers.values():
        wait_gone(pid)

    anns, positions = stored(db)
    assert sorted(anns) == ["alice", "bob"]
    for who in sessions:
        assert_stored_exactly(anns[who], acks[who])
        assert positions[who] is not None, f"{who}'s reading position was not saved on hang-up"
    # 0, not 120 (Python could not flush to the dead terminal) nor -N (killed by signal N).
    assert statuses == {"alice": 0, "bob": 0}, "the readers did not exit cleanly on hang-up"
