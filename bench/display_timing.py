"""Timing what reaches the terminal driver, for the in-process benchmarks: a hook
on the app's ``_display`` that records when the first screen update satisfying a
check was sent, and a poll that waits for a condition with a deadline."""

from __future__ import annotations

import asyncio
import time


def hook_display(app, marks: dict[str, float], checks: dict, origin: float = 0.0) -> None:
    """Record, per check, the first update after which ``check()`` holds: its
    ``time.perf_counter()`` less ``origin``."""
    original = app._display

    def display(screen, renderable) -> None:
        original(screen, renderable)
        if renderable is None:
            return
        now = time.perf_counter()
        for name, check in list(checks.items()):
            if name not in marks and check():
                marks[name] = now - origin

    app._display = display


async def wait_until(pred, what: str, timeout: float, poll: float = 0.002) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        await asyncio.sleep(poll)
