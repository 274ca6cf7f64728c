"""Drive a real program in a real terminal: tmux send-keys / capture-pane."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

VENV_BIN = Path(__file__).resolve().parents[2] / ".venv" / "bin"


def require(tool: str) -> str:
    found = shutil.which(tool) or (f"/usr/sbin/{tool}" if Path(f"/usr/sbin/{tool}").exists() else None)
    if found is None:
        pytest.fail(f"{tool} is not installed: `make test` installs it (make system-deps)")
    return found


class Tmux:
    """One private tmux server (its own socket) holding one window."""

    def __init__(self, width: int = 100, height: int = 30) -> None:
        require("tmux")
        self.socket = f"diptych-{uuid.uuid4().hex[:8]}"
        self.width, self.height = width, height

    def tmux(self, *args: str, check: bool = True) -> str:
        # An explicit environment: readline in the test process may have set COLUMNS
        # and LINES at C level, which would make the program draw at a stale size.
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        out = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check,
                             env=env)
        return out.stdout

    def start(self, command: str, env: dict[str, str] | None = None) -> None:
        full_env = {"TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        full_env.update(env or {})
        exports = " ".join(f"{k}={_quote(v)}" for k, v in full_env.items())
        # remain-on-exit keeps the pane so the exit status can be read.
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", str(self.width), "-y", str(self.height),
                  f"env {exports} {command}")
        self.tmux("set-option", "-t", "main", "remain-on-exit", "on")

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "main", key)
            time.sleep(0.05)  # pacing only: each check below waits for what it needs

    def literal(self, text: str) -> None:
        self.tmux("send-keys", "-t", "main", "-l", text)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "main", check=False)

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared on screen; last screen:\n{self.screen()}")

    def wait_exit(self, timeout: float = 60.0) -> int | None:
        """The exit status, or None when the program died of a signal (tmux leaves
        the status empty then)."""
        deadline = time.monotonic() + timeout
        dead_since = None
        while time.monotonic() < deadline:
            out = self.tmux("list-panes", "-t", "main", "-F", "#{pane_dead} #{pane_dead_status}", check=False).split()
            if out and out[0] == "1":
                if len(out) > 1 and out[1]:
                    return int(out[1])
                # tmux marks the pane dead when the pty closes and records the status
                # only when it reaps the process: give it a moment before calling it a signal.
                dead_since = dead_since or time.monotonic()
                if time.monotonic() - dead_since > 3.0:
                    return None
            time.sleep(0.1)
        raise AssertionError(f"the program did not exit; last screen:\n{self.screen()}")

    def pane_pid(self) -> int:
        return int(self.tmux("list-panes", "-t", "main", "-F", "#{pane_pid}").split()[0])

    def close(self) -> None:
        self.tmux("kill-server", check=False)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def diptych() -> str:
    return str(VENV_BIN / "diptych") if (VENV_BIN / "diptych").exists() else shutil.which("diptych") or "diptych"


def env_without_ci() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "CI"}
