"""``diptych train`` in a background process, for the reader.

Training takes seconds to minutes and loads spaCy, so the reader never does
it in its own process: it starts the command with ``--json``, passes each
progress line (stderr) to a callback, and reads the result (one JSON object
on stdout) when the process ends. No spaCy, no Textual here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import TrainingError

PROGRESS_PREFIX = "training: epoch"  # what `diptych train` starts its progress lines with


@dataclass(frozen=True)
class TrainingOutcome:
    model: Path
    suggester: str
    held_out: int
    train: int
    scores: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for the status: F per label on the held-out documents."""
        parts = [f"{label} F {row.get('f', 0):.2f}" for label, row in sorted(self.scores.items())
                 if row.get("gold")]
        scored = ", ".join(parts) or "no held-out spans to score"
        return (f"trained {self.suggester} on {self.train} doc(s); held-out ({self.held_out}): {scored}; "
                f"saved in {self.model.name}")


class TrainingJob:
    """One run of ``diptych train`` as a child process."""

    def __init__(self, db_path: str | Path, annotator: str, *, name: str = "diptych",
                 story: str | None = None, epochs: int | None = None, extra: tuple[str, ...] = ()) -> None:
        self.db_path = Path(db_path)
        self.annotator = annotator
        self.name = name
        self.story = story
        self.epochs = epochs
        self.extra = extra
        self._proc: subprocess.Popen[str] | None = None
        self._cancelled = threading.Event()

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "tui", "train", "--db", str(self.db_path), "--annotator", self.annotator,
               "--name", self.name, "--json"]
        if self.story is not None:
            cmd += ["--story", self.story]
        if self.epochs is not None:
            cmd += ["--epochs", str(self.epochs)]
        return cmd + list(self.extra)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def run(self, on_progress: Callable[[str], None] | None = None) -> TrainingOutcome:
        """Run to the end (blocking: call from a worker thread). Progress lines
        go to ``on_progress``; a failure raises :class:`TrainingError` with the
        command's own message."""
        self._proc = proc = subprocess.Popen(self.command(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                             stdin=subprocess.DEVNULL, text=True, encoding="utf-8",
                                             errors="replace")
        other: list[str] = []
        assert proc.stderr is not None and proc.stdout is not None
        for raw in proc.stderr:
            line = raw.rstrip("\n").split("\r")[-1]
            if not line.strip():
                continue
            if on_progress is not None and line.startswith((PROGRESS_PREFIX, "training on")):
                on_progress(line)
            if not line.startswith(PROGRESS_PREFIX):
                other.append(line)
        out = proc.stdout.read()
        code = proc.wait()
        if self._cancelled.is_set():
            raise TrainingError("training cancelled")
        if code != 0:
            message = next((ln for ln in other if ln.startswith("[D")), other[-1] if other else f"exit code {code}")
            hint = next((ln.strip() for ln in other if ln.strip().startswith("What to do:")), "")
            raise TrainingError(f"training failed: {message}", hint=hint.removeprefix("What to do:").strip())
        try:
            data = json.loads(out.strip().splitlines()[-1])
            return TrainingOutcome(Path(data["model"]), str(data["suggester"]), int(data["held_out"]),
                                   int(data["train"]), dict(data.get("scores", {})))
        except (ValueError, KeyError, IndexError, TypeError) as err:
            raise TrainingError(f"training finished but its result could not be read: {err}") from err

    def cancel(self) -> None:
        """Stop the child process (it writes its model only at the very end, so nothing half-made stays)."""
        self._cancelled.set()
        if self.running and self._proc is not None:
            self._proc.terminate()
