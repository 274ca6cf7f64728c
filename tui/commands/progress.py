"""A one-line progress bar on stderr for long headless commands (never on stdout)."""

from __future__ import annotations

import time
from typing import IO


class ProgressLine:
    """Redrawn at most ten times a second; nothing is drawn before ``delay`` seconds,
    so short runs do not flash a bar."""

    def __init__(self, stream: IO[str], verb: str, *, delay: float = 0.0) -> None:
        self.stream = stream
        self.verb = verb
        self.delay = delay
        self.started = time.monotonic()
        self.last = 0.0
        self.shown = False

    def show(self, done: int, total: int, where: str = "") -> None:
        now = time.monotonic()
        if now - self.started < self.delay or (now - self.last < 0.1 and done != total):
            return
        self.last = now
        width = 30
        filled = int(width * done / max(total, 1))
        self.stream.write(f"\r{self.verb}{where} [{'#' * filled}{'-' * (width - filled)}] {done}/{total} documents")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False
