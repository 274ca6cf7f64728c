"""Helpers for the real-terminal tests: find and wait for real `diptych` processes
through /proc (Linux), drive the reader by keys, and compare what it acknowledged on
screen with what it stored."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tmux_kit import diptych

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def import_seeds(db: Path, story: str = "Seed story") -> None:
    result = subprocess.run([diptych(), "import", str(SEEDS), "--db", str(db), "--story", story],
                            capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr + result.stdout


LOGIN_SHELL = Path(__file__).resolve().parent / "login_shell.py"


def reader_argv(db: Path, annotator: str, status_file: Path) -> list[str]:
    """The reader under the login-shell stand-in, which records its exit status in `status_file`."""
    return [sys.executable, str(LOGIN_SHELL), str(status_file), diptych(), "--db", str(db),
            "--annotator", annotator, "--no-suggest"]


def exit_status(status_file: Path, timeout: float = 30.0) -> int:
    """The reader's exit status as login_shell.py recorded it (negative: killed by that signal)."""
    return int(wait_file(status_file, timeout).strip())


def _argv(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [a.decode(errors="replace") for a in raw.split(b"\0") if a]


def environ(pid: int) -> dict[str, str]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    pairs = (item.decode(errors="replace").partition("=") for item in raw.split(b"\0") if item)
    return {k: v for k, _, v in pairs}


def _state(pid: int) -> str | None:
    """The one-letter process state, or None once the pid is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def alive(pid: int) -> bool:
    # A zombie has exited; only its parent has not collected the status yet.
    return _state(pid) not in (None, "Z", "X")


def diptych_pids(db: Path, annotator: str | None = None) -> list[int]:
    """Live processes running the diptych reader on `db` (the interpreter running our
    entry-point script, not a shell, ssh client or tmux whose command line merely mentions it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        argv = _argv(pid)
        if len(argv) < 2 or "python" not in Path(argv[0]).name or Path(argv[1]).name != "diptych":
            continue
        if str(db) not in argv or (annotator is not None and annotator not in argv):
            continue
        if alive(pid):
            found.append(pid)
    return sorted(found)


def wait_for_pids(db: Path, annotator: str, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = diptych_pids(db, annotator)
        if len(pids) == 1:
            return pids[0]
        time.sleep(0.1)
    raise AssertionError(f"expected one diptych process for {annotator} on {db}, found {diptych_pids(db, annotator)}")


def wait_gone(pid: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return
        time.sleep(0.1)
    raise AssertionError(f"process {pid} ({' '.join(_argv(pid))}) is still running after {timeout}s")


def wait_file(path: Path, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().endswith("\n"):
            return path.read_text()
        time.sleep(0.1)
    raise AssertionError(f"{path} was never written")


@dataclass(frozen=True)
class Ack:
    """One tag the screen acknowledged: its label and the quote's start as the toast showed it."""
    label: str
    quote_start: str

    def matches(self, label: str, quote: str) -> bool:
        return label == self.label and quote.startswith(self.quote_start)


# ---------------------------------------------------------------- driving the reader by keys

def wait_until(tmux, check, what: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = tmux.screen()
        if check(shown):
            return shown
        time.sleep(0.1)
    raise AssertionError(f"{what} never happened; last screen:\n{tmux.screen()}")


def _prompt_text(screen: str) -> str | None:
    """What the search prompt holds (its placeholder when empty), or None if it is closed.
    The prompt is an Input with a tall border docked at the bottom: "▊  text  ▎"; a toast
    may cover its right-hand end ("▌ ...")."""
    for line in screen.splitlines():
        if line.startswith("▊  "):
            return line[1:].split("▌")[0].split("▎")[0].strip()
    return None


def search(tmux, query: str, attempts: int = 5) -> None:
    """Search the current pane for `query` and wait until the cursor is on the match.

    Two flakes of the product's prompt are worked around here (and reported): keys that
    reach it before its Input has focus are dropped, and rarely Enter closes it without
    a search. Retrying is safe: searching again from the match stays on it."""
    for _ in range(attempts):
        tmux.keys("/")
        wait_until(tmux, lambda s: _prompt_text(s) is not None, "the search prompt opening")
        _type_into_prompt(tmux, query)
        tmux.keys("Enter")
        try:
            # The "match i/n for “query”" toast comes after the cursor moved.
            wait_until(tmux, lambda s: f"for “{query}”" in s, f"a match for {query!r}", timeout=5.0)
            return
        except AssertionError:
            if _prompt_text(tmux.screen()) is not None:
                raise
    raise AssertionError(f"searching {query!r} never showed a match; last screen:\n{tmux.screen()}")


def _type_into_prompt(tmux, text: str, attempts: int = 20) -> None:
    # The prompt also comes back holding the previous query, which ctrl+u clears.
    for _ in range(attempts):
        tmux.keys("C-u")
        tmux.literal(text)
        try:
            wait_until(tmux, lambda s: _prompt_text(s) == text, f"{text!r} in the prompt", timeout=1.0)
            return
        except AssertionError:
            continue
    raise AssertionError(f"could not type {text!r} into the search prompt; last screen:\n{tmux.screen()}")


def tag(tmux, keys: tuple[str, ...], label: str, quote_start: str, acks: list[Ack]) -> None:
    """Press `keys` (ending in a label key) and wait for the toast that follows the commit;
    only then does the tag count as acknowledged."""
    tmux.keys(*keys)
    tmux.wait_for(f"tagged {label}: “{quote_start}")
    acks.append(Ack(label, quote_start))


def assert_stored_exactly(annotations, acks: list[Ack]) -> None:
    """Each acknowledged tag is stored once, and nothing else is."""
    rows = sorted((a.label, a.quote) for a in annotations)
    unmatched = list(rows)
    for ack in acks:
        hits = [r for r in unmatched if ack.matches(*r)]
        assert len(hits) == 1, f"{ack} should be stored exactly once; stored: {rows}"
        unmatched.remove(hits[0])
    assert not unmatched, f"stored but never acknowledged: {unmatched}; acknowledged: {acks}"
