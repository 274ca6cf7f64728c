"""SIGHUP and SIGTERM to the real `diptych` in a real pty (tmux): a clean exit, nothing lost.

A dropped SSH connection reaches the reader as SIGHUP; a shutdown or `kill` as SIGTERM.
Either way the program must leave by its own exit path (status 0, the database closed,
the reading position saved), with every tag the screen acknowledged stored.
"""

from __future__ import annotations

import os
import shlex
import signal
from pathlib import Path

import pytest
from proc_kit import Ack, assert_stored_exactly, diptych_pids, exit_status, import_seeds, reader_argv, search, tag

from tui.core.store import Store

pytestmark = pytest.mark.slow


def tag_three(tmux) -> list[Ack]:
    """A claim and a motive in the left article, then a source in the right one."""
    acks: list[Ack] = []
    tag(tmux, ("V", "c"), "CLAIM", "SMALL BUT GROWING", acks)
    search(tmux, "fight the Taliban")
    tag(tmux, ("v", "l", "l", "m"), "MOTIVE", "fight the Taliban", acks)
    tmux.keys("Tab")
    search(tmux, "Wall Street")
    tag(tmux, ("v", "l", "l", "s"), "SOURCE", "Wall Street Journal", acks)
    return acks


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_signal_exits_cleanly_with_every_acknowledged_tag_stored(tmp_path: Path, tmux, signum: int) -> None:
    db, status_file = tmp_path / "signals.db", tmp_path / "status"
    import_seeds(db)
    # COLUMNS/LINES leak into tmux from pytest (readline sets them): drop them so the
    # reader sizes itself from the pty as it would for a person.
    tmux.start("env -u COLUMNS -u LINES " + shlex.join(reader_argv(db, "tester", status_file)))
    tmux.wait_for("Seed story")
    acks = tag_three(tmux)
    tmux.wait_for("saved ")

    [pid] = diptych_pids(db, "tester")
    os.kill(pid, signum)  # to the reader only, as `kill` or a hang-up would
    # (tmux cannot tell a death by signal from status 0, hence the recorded status.)
    assert exit_status(status_file) == 0, tmux.screen()
    tmux.wait_exit()

    # Closing the last connection checkpoints and removes the WAL: its absence shows the
    # database was closed by the program, not abandoned by a dying process.
    assert not Path(f"{db}-wal").exists(), "the database was not closed: the -wal file is left behind"
    store = Store.open(db)
    try:
        assert store.integrity_check() == "ok"
        anns = store.annotations(annotator="tester")
        position = store.position("tester")
    finally:
        store.close()
    assert_stored_exactly(anns, acks)
    # The reading position is saved only on the way out: the right pane, at the cursor.
    source = next(a for a in anns if a.label == "SOURCE")
    assert position is not None, "the reading position was not saved on the signal"
    assert position["doc_id"] == source.doc_id
    assert source.start <= position["offset"] <= source.end
