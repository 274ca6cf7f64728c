"""Time to first paint of the seed story: model cold, cached story, bare Textual.

Run from the repository root::

    python bench/bench_first_paint.py [--repeat 3] [--size 120x40]

Three scenarios, each run ``--repeat`` times, every run in a fresh interpreter
(so "cold" really means spaCy and the model are not imported yet, and every
run pays the same Textual import):

- ``cold``: the seed story just imported, nothing cached. The reader starts its
  suggestion worker (import spaCy, load the model, parse both articles) after
  mounting; the first paint must not wait for it.
- ``cached``: the same story after ``diptych suggest``: suggestions come from
  SQLite with the first paint (the worker still loads the model behind it).
- ``baseline``: a bare Textual app showing the same two texts in two
  ``Static`` widgets side by side, nothing else.

Timed from the start of the run (before Textual or Diptych is imported) to:

- ``first_paint``: the first screen update the compositor hands to the
  (headless) driver after the article panes are mounted with their text;
- ``panes_pilot``: the panes exist and one ``await pilot.pause()`` returned
  (what a Pilot test would see);
- ``suggestions``: the first screen update in which every pane shows its
  suggestion marks (ours only);
- ``model_ready``: the worker finished loading the model and computing
  (ours only; informative).

Prints one JSON object: ``ours`` (per scenario, medians in seconds),
``baseline``, and ``ratio`` = cold ``first_paint`` / baseline ``first_paint``
(the worst case for "the screen never waits on spaCy"); ``ratios`` gives
the others.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()  # before anything heavy is imported, in a child run

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from display_timing import hook_display, wait_until  # noqa: E402
SEEDS = ROOT / "seeds"
TIMEOUT = 180.0


async def run_ours(db: str, size: tuple[int, int]) -> dict[str, float]:
    from tui.app import DiptychApp
    from tui.core.session import AnnotationSession

    session = AnnotationSession.open(db, annotator="bench")
    app = DiptychApp(session, story_id=session.stories()[0].id, suggest=True)
    marks: dict[str, float] = {}

    def panes() -> list:
        screen = app.screen
        return list(getattr(screen, "panes", []))

    def painted() -> bool:
        found = panes()
        return bool(found) and all(p.view.size.height > 0 and p.view.text for p in found)

    def suggested() -> bool:
        found = panes()
        return painted() and all(p.view.marks("suggestion") for p in found)

    hook_display(app, marks, {"first_paint": painted, "suggestions": suggested}, origin=T0)
    try:
        async with app.run_test(size=size) as pilot:
            await wait_until(lambda: bool(panes()), "the panes", TIMEOUT, 0.005)
            await pilot.pause()
            marks["panes_pilot"] = time.perf_counter() - T0
            await wait_until(lambda: "suggestions" in marks, "suggestions on screen", TIMEOUT, 0.005)
            await app.workers.wait_for_complete()
            marks["model_ready"] = time.perf_counter() - T0
            if not app.suggestions.ready:
                raise SystemExit(f"the model did not load: {app.screen.suggest_status}")
    finally:
        session.close()
    return marks


async def run_baseline(texts: list[str], size: tuple[int, int]) -> dict[str, float]:
    from textual.app import App, ComposeResult
    from textual.containers import Horizontal, VerticalScroll
    from textual.widgets import Static

    class Bare(App):
        CSS = "VerticalScroll { width: 1fr; }"

        def compose(self) -> ComposeResult:
            with Horizontal():
                for text in texts:
                    with VerticalScroll():
                        yield Static(text, markup=False)

    app = Bare()
    marks: dict[str, float] = {}

    def painted() -> bool:
        statics = list(app.screen.query(Static))
        return len(statics) == len(texts) and all(s.size.height > 0 for s in statics)

    hook_display(app, marks, {"first_paint": painted}, origin=T0)
    async with app.run_test(size=size) as pilot:
        await wait_until(lambda: bool(list(app.screen.query(Static))), "the statics", TIMEOUT, 0.005)
        await pilot.pause()
        marks["panes_pilot"] = time.perf_counter() - T0
        await wait_until(lambda: "first_paint" in marks, "the first paint", TIMEOUT, 0.005)
    return marks


def child(args: argparse.Namespace) -> None:
    size = tuple(int(n) for n in args.size.split("x"))
    if args.scenario == "baseline":
        texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
        marks = asyncio.run(run_baseline(texts, size))
    else:
        marks = asyncio.run(run_ours(args.db, size))
    print(json.dumps(marks))


def run_child(scenario: str, db: Path | None, size: str) -> dict[str, float]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", scenario, "--size", size]
    if db is not None:
        cmd += ["--db", str(db)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT + 60, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"{scenario} run failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepare(tmp: Path) -> tuple[Path, Path]:
    """An imported seed story, and a copy of it after `diptych suggest`."""
    from click.testing import CliRunner

    from tui.cli import main

    fresh = tmp / "fresh.db"
    res = CliRunner().invoke(main, ["import", str(SEEDS), "--db", str(fresh)])
    if res.exit_code != 0:
        raise SystemExit(res.output)
    cached = tmp / "cached.db"
    shutil.copy(fresh, cached)
    res = CliRunner().invoke(main, ["suggest", "--db", str(cached)])
    if res.exit_code != 0:
        raise SystemExit(res.output)
    return fresh, cached


def median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(statistics.median(r[k] for r in runs), 4) for k in runs[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--size", default="120x40", help="terminal size, COLSxROWS")
    ap.add_argument("--child", dest="scenario", choices=["cold", "cached", "baseline"], help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.scenario:
        child(args)
        return
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        fresh, cached = prepare(tmp)
        runs: dict[str, list[dict[str, float]]] = {"cold": [], "cached": [], "baseline": []}
        for i in range(args.repeat):
            # Taking turns spreads background load over every scenario alike.
            cold_db = tmp / f"cold{i}.db"
            shutil.copy(fresh, cold_db)  # a fresh, uncached copy every time
            cached_db = tmp / f"cached{i}.db"
            shutil.copy(cached, cached_db)
            runs["cold"].append(run_child("cold", cold_db, args.size))
            runs["cached"].append(run_child("cached", cached_db, args.size))
            runs["baseline"].append(run_child("baseline", None, args.size))
    ours = {"cold": median(runs["cold"]), "cached": median(runs["cached"])}
    base = median(runs["baseline"])
    print(json.dumps({
        "name": "first_paint",
        "unit": "seconds from process start (median)",
        "ours": ours,
        "baseline": base,
        "ratio": round(ours["cold"]["first_paint"] / base["first_paint"], 3),
        "ratios": {
            "cached_first_paint": round(ours["cached"]["first_paint"] / base["first_paint"], 3),
            "cold_suggestions_vs_first_paint": round(ours["cold"]["suggestions"] / ours["cold"]["first_paint"], 3),
            "cached_suggestions_vs_first_paint": round(ours["cached"]["suggestions"]
                                                       / ours["cached"]["first_paint"], 3),
        },
        "repeat": args.repeat,
        "size": args.size,
    }))


if __name__ == "__main__":
    main()
