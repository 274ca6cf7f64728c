"""Scale with what the user sees: a huge document, a wide story, a long story list.

Builds one database (through the core: ``Store.add_document`` inside one
transaction, annotations through ``Store.write_chunked``, the bulk path imports
use) holding:

- story "big": one article of ``--words`` words (default 400,000) carrying
  ``--spans`` annotations (default 200,000) of one annotator;
- story "plain": the same article with no annotations (the baseline for "big");
- story "wide": ``--docs`` short articles (default 500), a few spans each;
- story "pair": the first two of those articles (the baseline for "wide");
- ``--stories`` one-article stories in all (default 10,000).

Then, each in a fresh interpreter (so peak RSS is that scenario's own), times:

- ``open``: process start to the first screen update showing the article with
  its annotation marks, and the child's peak RSS — for "big" and for "plain";
- ``tab``: ``--tabs`` presses of tab (next pane) in "wide" and in "pair", each
  from the key to the screen update that shows the focus moved (median, max);
- ``story_list``: ``o`` to the first screen update that shows the story list,
  with all ``--stories`` stories and with the first ten of them (a database of
  its own).

Prints one JSON object with ``ours``, ``baseline`` and ``ratio`` per figure and
the targets of issue 16 beside them (open <= 2 s and <= 300 MB; tab <= 50 ms;
story list < 0.5 s).

    .venv/bin/python bench/bench_scale.py [--spans 200000] [--words 400000] [--docs 500] [--stories 10000]
"""

from __future__ import annotations

import time

T0 = time.perf_counter()  # before anything heavy is imported, in a child run

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from display_timing import hook_display, wait_until  # noqa: E402
TIMEOUT = 600.0
WORDS = ("the government said on Monday that officials had confirmed new measures against fighters "
         "in the northern province while critics argued the plan would fail because forces lacked "
         "training and money according to a report published by analysts").split()
LABELS = ("CLAIM", "SOURCE", "MOTIVE")


def article(rng: random.Random, words: int, tag: str) -> str:
    out, sentence, paragraph = [], [], []
    for _ in range(words):
        sentence.append(rng.choice(WORDS))
        if len(sentence) >= rng.randint(8, 20):
            paragraph.append(" ".join(sentence).capitalize() + ".")
            sentence = []
            if len(paragraph) >= 6:
                out.append(" ".join(paragraph))
                paragraph = []
    paragraph.append(f"{tag} ends here.")
    out.append(" ".join(paragraph))
    return "\n\n".join(out)


def word_bounds(text: str) -> list[tuple[int, int]]:
    import re

    return [m.span() for m in re.finditer(r"\S+", text)]


def build(path: Path, *, spans: int, words: int, docs: int, stories: int, seed: int = 16) -> dict:
    from tui.core.anchoring import make_selector
    from tui.core.models import Annotation
    from tui.core.store import Store, annotation_row, new_id, now

    rng = random.Random(seed)
    store = Store.open(path)
    big_text = article(rng, words, "The big article")
    with store.transaction():
        big, _ = store.add_document("big", big_text, title="big")
        plain, _ = store.add_document("plain", big_text + " ", title="plain")  # a text of its own
        wide = [store.add_document("wide", article(rng, 300, f"Wide article {i}"), title=f"wide {i}")[0]
                for i in range(docs)]
        for d in wide[:2]:
            store.add_document("pair", d.text + " ", title=d.title)
        for i in range(max(0, stories - 4)):
            store.add_document(f"story {i:05d}", f"Story {i} has one short article.", title=f"s{i}")
    stamp = now()
    changes = []
    bounds = word_bounds(big_text)
    seen: set[tuple[int, int, str]] = set()
    while len(changes) < spans:
        i = rng.randrange(len(bounds))
        j = min(len(bounds) - 1, i + rng.randrange(4))
        s, e = bounds[i][0], bounds[j][1]
        label = LABELS[len(changes) % 3]
        if (s, e, label) in seen:
            continue
        seen.add((s, e, label))
        sel = make_selector(big_text, s, e)
        ann = Annotation(id=new_id(), doc_id=big.id, annotator="bench", label=label, start=s, end=e,
                         quote=sel["exact"], prefix=sel["prefix"], suffix=sel["suffix"], created_at=stamp,
                         updated_at=stamp)
        changes.append(("annotation", ann.id, annotation_row(ann)))
    for d in wide:
        b = word_bounds(d.text)
        for k in range(3):
            s, e = b[k * 10]
            ann = Annotation(id=new_id(), doc_id=d.id, annotator="bench", label=LABELS[k], start=s, end=e,
                             quote=d.text[s:e], created_at=stamp, updated_at=stamp)
            changes.append(("annotation", ann.id, annotation_row(ann)))
    store.write_chunked("bench", "bench-build", changes, "bench build", batch=new_id())
    ids = {st.title: st.id for st in store.stories()}
    store.close()
    return {"big": ids["big"], "plain": ids["plain"], "wide": ids["wide"], "pair": ids["pair"]}


def small_copy(src: Path, dst: Path, keep: int) -> None:
    """A database with only ``keep`` stories (the story list's baseline)."""
    from tui.core.store import Store

    store = Store.open(dst)
    with store.transaction():
        for st in Store.open(src, readonly=True).stories()[:keep]:
            store.add_document(st.title, f"{st.title} has one short article.", title=st.title)
    store.close()


# ------------------------------------------------------------------ children


def _app(db: str, story: int):
    from tui.app import DiptychApp
    from tui.core.session import AnnotationSession

    session = AnnotationSession.open(db, annotator="bench")
    return session, DiptychApp(session, story_id=story, suggest=False)


def _send_key(app, key: str, char: str | None) -> None:
    """The key as the terminal driver delivers it: Pilot.press also waits for every
    widget of the screen to drain its queue (a callback each, thousands with 500
    panes), which would be timed along with the key."""
    from textual import events

    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


async def child_open(db: str, story: int, want_marks: bool) -> dict:
    session, app = _app(db, story)
    marks: dict[str, float] = {}

    def shown() -> bool:
        panes = list(getattr(app.screen, "panes", []))
        if not panes or not all(p.view.size.height > 0 for p in panes):
            return False
        return bool(panes[0].view.marks("annotation")) or not want_marks

    hook_display(app, marks, {"open": shown})
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_until(lambda: "open" in marks, "the document on screen", TIMEOUT, 0.002)
        await pilot.pause()
        count = len(app.screen.panes[0].view.marks("annotation"))
    session.close()
    return {"open_s": marks["open"] - T0, "peak_rss_mb": peak_rss_mb(), "marks": count}


def peak_rss_mb() -> float:
    """This process's own peak RSS. Linux keeps ru_maxrss across exec, so a child
    started by a parent that holds hundreds of MB would report the parent's peak:
    VmHWM (per address space, new at exec) does not."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def child_tab(db: str, story: int, tabs: int) -> dict:
    session, app = _app(db, story)
    times: list[float] = []
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_until(lambda: bool(getattr(app.screen, "panes", None)), "the panes", TIMEOUT, 0.002)
        await pilot.pause()
        screen = app.screen
        for n in range(tabs):
            # tab moves between the panes shown (two at most; W brings the others in)
            shown = [p.index for p in screen.panes if p.display]
            want = shown[(shown.index(screen.current) + 1) % len(shown)]
            marks: dict[str, float] = {}
            hook_display(app, marks, {"moved": lambda: screen.current == want and
                                       screen.panes[want].view.has_focus})
            start = time.perf_counter()
            _send_key(app, "tab", "\t")
            await wait_until(lambda: "moved" in marks, "the focus on the next pane", TIMEOUT, 0.002)
            times.append(marks["moved"] - start)
            app._display = type(app)._display.__get__(app)  # unhook before the next press
            await pilot.pause()  # settle, untimed
    session.close()
    return {"tab_s": times, "panes": len(screen.panes)}


async def child_stories(db: str) -> dict:
    from tui.core.session import AnnotationSession

    first = AnnotationSession.open(db, annotator="bench", readonly=True)
    story = first.stories()[0].id
    first.close()
    session, app = _app(db, story)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_until(lambda: bool(getattr(app.screen, "panes", None)), "the panes", TIMEOUT, 0.002)
        await pilot.pause()
        marks: dict[str, float] = {}
        hook_display(app, marks, {"list": lambda: type(app.screen).__name__ == "StoriesScreen"})
        start = time.perf_counter()
        _send_key(app, "o", "o")
        await wait_until(lambda: "list" in marks, "the story list", TIMEOUT, 0.002)
        rows = len(app.screen.rows)
    session.close()
    return {"story_list_s": marks["list"] - start, "stories": rows}


def child(args: argparse.Namespace) -> None:
    if args.child == "open":
        out = asyncio.run(child_open(args.db, args.story, args.want_marks))
    elif args.child == "tab":
        out = asyncio.run(child_tab(args.db, args.story, args.tabs))
    else:
        out = asyncio.run(child_stories(args.db))
    print(json.dumps(out))


def run_child(*extra: str) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), *extra]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT + 60, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"bench_scale child {extra} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spans", type=int, default=200_000)
    ap.add_argument("--words", type=int, default=400_000)
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--stories", type=int, default=10_000)
    ap.add_argument("--tabs", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each child; medians are reported")
    ap.add_argument("--child", choices=["open", "tab", "stories"], help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--story", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--want-marks", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="diptych-scale-") as tmp_name:
        tmp = Path(tmp_name)
        db, few = tmp / "scale.db", tmp / "few.db"
        t = time.perf_counter()
        ids = build(db, spans=args.spans, words=args.words, docs=args.docs, stories=args.stories)
        small_copy(db, few, 10)
        built = time.perf_counter() - t
        runs: dict[str, list[dict]] = {k: [] for k in ("big", "plain", "wide", "pair", "many", "few")}
        for _ in range(args.repeat):  # taking turns spreads background load alike
            runs["big"].append(run_child("--child", "open", "--db", str(db), "--story", str(ids["big"]),
                                         "--want-marks"))
            runs["plain"].append(run_child("--child", "open", "--db", str(db), "--story", str(ids["plain"])))
            runs["wide"].append(run_child("--child", "tab", "--db", str(db), "--story", str(ids["wide"]),
                                          "--tabs", str(args.tabs)))
            runs["pair"].append(run_child("--child", "tab", "--db", str(db), "--story", str(ids["pair"]),
                                          "--tabs", str(args.tabs)))
            runs["many"].append(run_child("--child", "stories", "--db", str(db)))
            runs["few"].append(run_child("--child", "stories", "--db", str(few)))
    if runs["big"][0]["marks"] != args.spans:
        raise SystemExit(f"the big document shows {runs['big'][0]['marks']} marks, not {args.spans}")

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    def tab(name: str) -> dict:
        pooled = sorted(x for r in runs[name] for x in r["tab_s"])
        return {"median_ms": round(statistics.median(pooled) * 1000, 1), "max_ms": round(pooled[-1] * 1000, 1)}

    figures = {
        "open_big_document": {
            "ours": {"seconds": round(med("big", "open_s"), 3), "peak_rss_mb": round(med("big", "peak_rss_mb"))},
            "baseline": {"seconds": round(med("plain", "open_s"), 3),
                         "peak_rss_mb": round(med("plain", "peak_rss_mb"))},
            "target": {"seconds": 2.0, "peak_rss_mb": 300},
            "spans": args.spans, "words": args.words,
        },
        "tab_wide_story": {"ours": tab("wide"), "baseline": tab("pair"), "target": {"median_ms": 50},
                           "documents": args.docs, "presses": args.tabs},
        "story_list": {"ours": {"seconds": round(med("many", "story_list_s"), 3)},
                       "baseline": {"seconds": round(med("few", "story_list_s"), 3)},
                       "target": {"seconds": 0.5}, "stories": runs["many"][0]["stories"]},
    }
    figures["open_big_document"]["ratio"] = round(figures["open_big_document"]["ours"]["seconds"]
                                                  / figures["open_big_document"]["baseline"]["seconds"], 3)
    figures["tab_wide_story"]["ratio"] = round(figures["tab_wide_story"]["ours"]["median_ms"]
                                               / max(figures["tab_wide_story"]["baseline"]["median_ms"], 0.1), 3)
    figures["story_list"]["ratio"] = round(figures["story_list"]["ours"]["seconds"]
                                           / figures["story_list"]["baseline"]["seconds"], 3)
    print(json.dumps({"name": "scale", "figures": figures, "build_seconds": round(built, 1),
                      "seconds": round(time.perf_counter() - started, 1), "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()
