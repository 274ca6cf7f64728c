"""Drive a real program in a real terminal: tmux send-keys / capture-pane."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
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
        # tmux 3.3a does not always record a dead pane's exit status, so the pane's
        # shell writes it here.
        self.status_file = Path(tempfile.mkdtemp(prefix="diptych-tmux-")) / "status"

    def tmux(self, *args: str, check: bool = True) -> str:
        # An explicit environment: readline in the test process may have set COLUMNS
        # and LINES at C level, which would make the program draw at a stale size.
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        out = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check,
                             env=env)
        return out.stdout

    def start(self, command: str, env: dict[str, str] | None = None, *, record_status: bool = True) -> None:
        """Run ``command`` in the window. With ``record_status`` a shell around it
        writes its exit status for wait_exit(); without, the command is the pane's
        process itself (for tests that signal or inspect it by the pane's pid)."""
        full_env = {"TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        full_env.update(env or {})
        exports = " ".join(f"{k}={_quote(v)}" for k, v in full_env.items())
        # remain-on-exit keeps the pane (and its last screen) after the program ends.
        line = f"env {exports} {command}"
        if record_status:
            line = "sh -c " + _quote(f"{line}; echo $? > {_quote(str(self.status_file))}")
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", str(self.width), "-y", str(self.height),
                  line)
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

    def wait_exit(self, timeout: float = 60.0) -> int:
        """The program's exit status (128 + N when signal N killed it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.status_file.read_text() if self.status_file.exists() else ""
            if text.strip():
                return int(text)
            time.sleep(0.1)
        raise AssertionError(f"the program did not exit; last screen:\n{self.screen()}")

    def pane_pid(self) -> int:
        return int(self.tmux("list-panes", "-t", "main", "-F", "#{pane_pid}").split()[0])

    def close(self) -> None:
        self.tmux("kill-server", check=False)
        shutil.rmtree(self.status_file.parent, ignore_errors=True)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def diptych() -> str:
    return str(VENV_BIN / "diptych") if (VENV_BIN / "diptych").exists() else shutil.which("diptych") or "diptych"


def env_without_ci() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "CI"}
