"""Peak memory (RSS) with the suggestion model loaded, against plain spaCy and a bare Textual app.

Each figure is the peak resident set size of one child process (``ru_maxrss``
from ``os.wait4``, so it covers that child alone: interpreter, imports, model,
work), each child started fresh, in the same run:

- ``engine``: ``tui.core.nlp.build_engine()`` (the best installed model, our
  extra components and cue matchers) and ``engine.suggest`` on each seed
  article (the seed story);
- ``spacy`` (baseline of ``engine``): ``spacy.load`` of the same package and
  ``nlp(text)`` on the same texts;
- ``reader``: the Diptych app (``DiptychApp``) under ``App.run_test`` headless,
  the seed story open (imported with ``diptych import seeds/``) and
  suggestions on: the model loads in the worker process and every article's
  suggestions are computed and drawn before the child exits. The worker
  processes (spaCy, alignment) are not part of this figure: their peak RSS
  (``VmHWM`` from /proc, read before the app closes them) is reported beside
  it as ``workers_peak_rss_mib``, and the reader's own figure is its
  ``VmHWM`` read at the same moment, because ``ru_maxrss`` of a process
  counts the children it has waited for;
- ``bare`` (baseline of ``reader``): a Textual app with two ``Static``
  widgets showing the same two texts, under ``run_test`` at the same size.

Context, not compared: ``reader_no_suggest`` (the reader with suggestions
off, so the model is never loaded) and ``python`` (an interpreter that
imports nothing).

Prints one JSON object; ``ratio`` is ours / baseline peak RSS (above 1 means
ours uses more memory).

    .venv/bin/python bench/bench_memory.py [--size 80x24]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
STORY = "Seed story"


def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


# ---------------------------------------------------------------- children


def child_engine() -> dict:
    sys.path.insert(0, str(ROOT))
    from tui.core.nlp import build_engine

    engine = build_engine()
    if engine.rules_only:
        raise SystemExit(f"no spaCy model to measure: {engine.description}")
    found = sum(len(engine.suggest(t)) for t in seed_texts())
    return {"model": f"{engine.model.name} {engine.model.version}", "suggestions": found}


def child_spacy(model: str) -> dict:
    import spacy

    nlp = spacy.load(model)
    ents = sum(len(nlp(t).ents) for t in seed_texts())
    return {"model": model, "pipe_names": nlp.pipe_names, "entities": ents}


def _size(text: str) -> tuple[int, int]:
    w, h = text.lower().split("x")
    return int(w), int(h)


def _vm_hwm_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


async def _reader(db: str, size: tuple[int, int], suggest: bool) -> dict:
    sys.path.insert(0, str(ROOT))
    from tui.app import DiptychApp
    from tui.core.session import AnnotationSession

    session = AnnotationSession.open(db, annotator="bench")
    story = next(s.id for s in session.stories() if s.title == STORY)
    app = DiptychApp(session, story_id=story, suggest=suggest)
    try:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            screen = app.screen
            if suggest:
                deadline = time.monotonic() + 300
                # The worker sets every document's suggestions after the model loads.
                while not (app.suggestions.ready and all(screen.suggs.get(d.id) for d in screen.docs)):
                    if app.suggestions.error or "suggestions off" in screen.suggest_status \
                            or "failed" in screen.suggest_status:
                        raise SystemExit(f"suggestions did not load: {screen.suggest_status}")
                    if time.monotonic() > deadline:
                        raise SystemExit("suggestions not shown within 300 s")
                    await asyncio.sleep(0.05)
                await app.workers.wait_for_complete()
            await pilot.pause()
            marks = {d.id: len(screen.suggs.get(d.id, [])) for d in screen.docs}
            # The worker processes are not this child's ru_maxrss: read while they live.
            workers = {w.name: _vm_hwm_mib(w.pid) for w in (app.suggest_worker, app.align_worker) if w.pid}
            return {"documents": len(screen.docs), "suggestions": sum(marks.values()),
                    "status": screen.suggest_status, "size": list(size), "workers_peak_rss_mib": workers,
                    "self_peak_rss_mib": _vm_hwm_mib(os.getpid())}
    finally:
        session.close()


async def _bare(size: tuple[int, int]) -> dict:
    from textual.app import App, ComposeResult
    from textual.containers import Horizontal, VerticalScroll
    from textual.widgets import Static

    texts = seed_texts()

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            with Horizontal():
                for text in texts:
                    with VerticalScroll():
                        yield Static(text, markup=False)

    app = Bare()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        shown = len(app.query(Static))
    return {"statics": shown, "size": list(size)}


def run_child(kind: str, args: list[str]) -> dict:
    if kind == "engine":
        return child_engine()
    if kind == "spacy":
        return child_spacy(args[0])
    if kind == "reader":
        return asyncio.run(_reader(args[0], _size(args[1]), suggest=True))
    if kind == "reader_no_suggest":
        return asyncio.run(_reader(args[0], _size(args[1]), suggest=False))
    if kind == "bare":
        return asyncio.run(_bare(_size(args[0])))
    if kind == "python":
        return {}
    raise SystemExit(f"unknown child {kind!r}")


# ---------------------------------------------------------------- parent


def measure(kind: str, *args: str) -> dict:
    """Run one child; its own peak RSS (MiB) and what it reported."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, *args]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    # Read the pipes before waiting so a chatty child cannot block on a full pipe.
    out, err = proc.stdout.read(), proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"child {kind} failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    report = json.loads(out.decode().strip().splitlines()[-1])
    peak = round(usage.ru_maxrss / 1024, 1)  # Linux reports KiB
    if report.get("self_peak_rss_mib"):
        # A process's ru_maxrss also counts the children it waited for (the
        # reader's worker processes): its own VmHWM, read before they ended, is
        # its figure; the workers are reported beside it.
        report["ru_maxrss_with_waited_children_mib"] = peak
        peak = report.pop("self_peak_rss_mib")
    return {"peak_rss_mib": peak, "seconds": round(time.perf_counter() - started, 2), **report}


def import_seeds(db: Path) -> None:
    """The seed story as a user gets it: `diptych import seeds/` (repeated passages flagged)."""
    cmd = [sys.executable, "-m", "tui", "import", str(SEEDS), "--story", STORY, "--db", str(db)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"importing the seeds failed: {done.stderr or done.stdout}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="80x24", help="terminal size for the two apps (WxH)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.child:
        print(json.dumps(run_child(args.child, rest)), flush=True)
        return
    _size(args.size)  # refuse a bad size before starting anything

    sys.path.insert(0, str(ROOT))
    from tui.core.nlp import choose_model

    choice = choose_model(None)
    if choice.info is None:
        raise SystemExit(f"no spaCy model installed to measure: {choice.reason}")
    model = choice.info.load_target or choice.info.name

    with tempfile.TemporaryDirectory(prefix="diptych-memory-") as tmp:
        db = Path(tmp) / "seed.db"
        import_seeds(db)
        # Each pair back to back so that both sides see the same state of the machine.
        engine, spacy_base = measure("engine"), measure("spacy", model)
        reader, bare = measure("reader", str(db), args.size), measure("bare", args.size)
        reader_off = measure("reader_no_suggest", str(db), args.size)
        floor = measure("python")

    def ratio(a: dict, b: dict) -> float:
        return round(a["peak_rss_mib"] / b["peak_rss_mib"], 3)

    print(json.dumps({
        "name": "peak_memory",
        "unit": "MiB",
        "model": engine.get("model"),
        "engine": {"ours": engine, "baseline": spacy_base, "ratio": ratio(engine, spacy_base),
                   "baseline_is": f"spacy.load({model!r}) + nlp(text) on the seed texts"},
        "reader": {"ours": reader, "baseline": bare, "ratio": ratio(reader, bare),
                   "baseline_is": "bare Textual app, two Static widgets with the same texts, run_test"},
        "context": {"reader_no_suggest": reader_off, "python": floor},
    }))


if __name__ == "__main__":
    main()
