"""Keystroke-to-render time: ArticleView against Textual's own TextArea.

Run from the repository root::

    python bench/bench_render.py

Builds a 20,000-word article from the seed paragraphs (shuffled with a fixed
seed) carrying 2,000 annotation marks, runs two headless apps at 80x24 in the
same process (ArticleView, and a read-only TextArea holding the same text,
soft-wrapped like ours), and presses the same keys in both:

- word: ``ctrl+right`` (TextArea's word-right; our app maps it to ``move_word(1)``)
- line: ``down`` (``move_line(1)``)
- page: ``pagedown`` x20 then ``pageup`` x20, repeated (``page(±1)``)
- tag (ours only): ``t`` adds one annotation on the word at the cursor through
  ``set_marks`` (the full list of 2,000+ marks, as the app will do) and steps
  to the next word.

Two timings per keystroke:

- ``ours`` / ``baseline`` (the figures ``ratio`` is computed from): the key
  event is handed to the headless driver exactly as ``Pilot.press`` does, then
  the app and every widget drain their message queues (``Pilot``'s
  ``_wait_for_screen``, three rounds: app -> focused widget -> messages back),
  then the screen update runs synchronously (``Screen._on_timer_update``:
  layout, ``render_line`` of every dirty line, compositor, headless driver).
  Timed from before the key is sent to after that update returns.
- ``pilot_wall``: from before ``await pilot.press(key)`` to after the next
  ``await pilot.pause()``. Both wait for the process to go idle in 20 ms
  sleeps, so this figure is mostly Pilot's own waiting; it is reported for
  completeness on fewer keystrokes.

Ten warm-up keystrokes per motion are not counted. A run is refused when the
keys did not move the cursor (a silent no-op would look fast).

Prints one JSON object; ``ratio`` is ours / baseline on the p50 over all
cursor moves (below 1 means faster than TextArea).
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textual import events  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.binding import Binding  # noqa: E402
from textual.widgets import TextArea  # noqa: E402

from tui.core import text as textops  # noqa: E402
from tui.widgets.article_view import ArticleView, Mark  # noqa: E402

SIZE = (80, 24)
KEYSTROKES = 200
PILOT_KEYSTROKES = 40
WARMUP = 10
WORDS = 20_000
MARKS = 2_000


def build_article(seed: int = 7) -> tuple[str, list[Mark]]:
    rng = random.Random(seed)
    paragraphs = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        paragraphs += [p for p in path.read_text(encoding="utf-8").split("\n") if p.strip()]
    body: list[str] = []
    count = 0
    while count < WORDS:
        para = rng.choice(paragraphs)
        body.append(para)
        count += len(para.split())
    text = "\n\n".join(body)
    spans = textops.words(text)
    marks = []
    for i in range(MARKS):
        a = rng.randrange(len(spans) - 8)
        b = a + rng.randrange(0, 8)
        marks.append(Mark(spans[a][0], spans[b][1], rng.choice(("CLAIM", "SOURCE", "MOTIVE")), id=f"m{i}"))
    return text, marks


class OursApp(App[None]):
    BINDINGS = [
        Binding("ctrl+right", "word", id="bench.word"),
        Binding("down", "line", id="bench.line"),
        Binding("pagedown", "page(1)", id="bench.page_down"),
        Binding("pageup", "page(-1)", id="bench.page_up"),
        Binding("t", "tag", id="bench.tag"),
    ]

    def __init__(self, text: str, marks: list[Mark]) -> None:
        super().__init__()
        self.article = text
        self.marks = list(marks)

    def compose(self) -> ComposeResult:
        yield ArticleView(self.article, id="view")

    def on_mount(self) -> None:
        self.view_widget = self.query_one(ArticleView)
        self.view_widget.set_marks("annotation", self.marks)
        self.view_widget.focus()

    def action_word(self) -> None:
        self.view_widget.move_word(1)

    def action_line(self) -> None:
        self.view_widget.move_line(1)

    def action_page(self, direction: int) -> None:
        self.view_widget.page(direction)

    def action_tag(self) -> None:
        view = self.view_widget
        span = textops.word_at(view.text, view.cursor)
        if span is not None:
            self.marks.append(Mark(span[0], span[1], "CLAIM", id=f"t{len(self.marks)}"))
            view.set_marks("annotation", self.marks)
        view.move_word(1)


class BaselineApp(App[None]):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.article = text

    def compose(self) -> ComposeResult:
        yield TextArea(self.article, read_only=True, soft_wrap=True, id="view")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()


def key_sequence(motion: str, count: int) -> list[str]:
    if motion == "word":
        return ["ctrl+right"] * (WARMUP + count)
    if motion == "line":
        return ["down"] * (WARMUP + count)
    if motion == "page":
        cycle = ["pagedown"] * 20 + ["pageup"] * 20
        return (cycle * ((WARMUP + count) // len(cycle) + 1))[: WARMUP + count]
    if motion == "tag":
        return ["t"] * (WARMUP + count)
    raise ValueError(motion)


def cursor_of(app: App) -> object:
    if isinstance(app, OursApp):
        return app.view_widget.cursor
    return app.query_one(TextArea).cursor_location


async def press_and_render(app: App, pilot, key: str) -> None:
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)
    for _ in range(3):
        await pilot._wait_for_screen()
    app.screen._on_timer_update()


async def time_keys(app: App, motions: list[str], count: int, use_pilot: bool) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for motion in motions:
            samples = []
            moved = 0
            for i, key in enumerate(key_sequence(motion, count)):
                before = cursor_of(app)
                t0 = time.perf_counter()
                if use_pilot:
                    await pilot.press(key)
                    await pilot.pause()
                else:
                    await press_and_render(app, pilot, key)
                elapsed = (time.perf_counter() - t0) * 1000
                moved += cursor_of(app) != before
                if i >= WARMUP:
                    samples.append(elapsed)
            if moved < count // 2:
                raise SystemExit(f"{type(app).__name__}: {motion} keys moved the cursor only {moved} times")
            timings[motion] = samples
    return timings


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"p50": round(statistics.median(ordered), 3), "p95": round(p95, 3), "n": len(ordered)}


async def main() -> None:
    text, marks = build_article()
    moves = ("word", "line", "page")
    ours = await time_keys(OursApp(text, marks), [*moves, "tag"], KEYSTROKES, use_pilot=False)
    base = await time_keys(BaselineApp(text), list(moves), KEYSTROKES, use_pilot=False)
    ours_wall = await time_keys(OursApp(text, marks), list(moves), PILOT_KEYSTROKES, use_pilot=True)
    base_wall = await time_keys(BaselineApp(text), list(moves), PILOT_KEYSTROKES, use_pilot=True)

    def report(timings: dict[str, list[float]]) -> dict[str, dict[str, float]]:
        out = {m: summary(v) for m, v in timings.items()}
        out["all_moves"] = summary([x for m in moves for x in timings[m]])
        return out

    ours_summary, base_summary = report(ours), report(base)
    ours_wall_summary, base_wall_summary = report(ours_wall), report(base_wall)
    result = {
        "name": "keystroke_to_render",
        "unit": "ms",
        "article": {"chars": len(text), "words": len(textops.words(text)), "marks": len(marks), "terminal": list(SIZE)},
        "ours": ours_summary,
        "baseline": {"widget": "textual.widgets.TextArea(read_only=True, soft_wrap=True)", **base_summary},
        "ratio": round(ours_summary["all_moves"]["p50"] / base_summary["all_moves"]["p50"], 3),
        "ratio_by_motion": {m: round(ours_summary[m]["p50"] / base_summary[m]["p50"], 3) for m in moves},
        "pilot_wall": {
            "ours": ours_wall_summary,
            "baseline": base_wall_summary,
            "ratio": round(ours_wall_summary["all_moves"]["p50"] / base_wall_summary["all_moves"]["p50"], 3),
        },
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
