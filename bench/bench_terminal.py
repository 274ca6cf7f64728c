"""First paint and keystrokes through a real terminal: the figure of record (issue #16).

Run from the repository root::

    python bench/bench_terminal.py [--repeat 5] [--keys 60] [--size 120x40] [--quick]

Each app runs as its own process in a pseudo-terminal (``pty``); what it
writes is read as it arrives and fed to a terminal emulator (``pyte``), so
"on screen" means what a terminal would show, escape sequences and all. The
apps are started with the same interpreter, ``TERM=xterm-256color``, and the
pty's window size set before they start.

- **first paint**: from starting the process to the first moment both
  articles' opening words are on the screen. Ours: ``diptych`` (``python -m
  tui``) on the seed story with its suggestions cached (``diptych suggest``
  ran first). Baseline: a bare Textual app showing the same two texts in two
  ``Static`` widgets side by side. ``--repeat`` fresh processes each, taking
  turns.
- **keys**: from writing a key to the pty to the first screen change showing
  its effect: ``pgdn`` and ``pgup`` on a ~14,800-word article,
  whose effect is new article text on screen. Ours twice: suggestions cached,
  and suggestions computing (nothing cached: the keys go in, once the paint
  has settled for 0.5 s, while the worker loads spaCy and parses both
  articles; ``keys_while_computing`` says how many keys were sent before the
  suggestions were stored). Baseline: a
  read-only ``TextArea`` with the same text and the same keys. One key at a
  time, the next one ``--gap`` ms after the previous one's effect, as a
  steady typist.
- **memory**: peak RSS (``VmHWM``) of the reader with a 5-article story and
  suggestions on, read once the suggestions are stored; its worker processes
  are reported separately; the baseline is the bare Textual app with the same
  five texts.

Prints one JSON object; every timing in ms (first paint in s), with p50, p95
and max, and ratios to the baseline. Exits non-zero if a run cannot be done
(an app that never paints, a key that never shows, a process that dies).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import random
import re
import select
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import textwrap
import time
from pathlib import Path

import pyte

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
LONG_WORDS = 14_800
TIMEOUT = 120.0


class BenchError(RuntimeError):
    pass


# ---------------------------------------------------------------- a process in a pty


class Terminal:
    """One process on a pseudo-terminal, its output emulated by pyte."""

    def __init__(self, argv: list[str], size: tuple[int, int], env: dict[str, str] | None = None) -> None:
        cols, rows = size
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        full_env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows), **(env or {}))
        full_env.pop("TEXTUAL", None)
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=full_env,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.closed = False

    def pump(self, timeout: float) -> bool:
        """Read what is there (waiting up to ``timeout`` s for something); True if anything came."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:
            data = b""
        if not data:
            self.closed = True
            return False
        self.stream.feed(data)
        return True

    def text(self, rows: range | None = None) -> str:
        lines = self.screen.display
        return "\n".join(lines[r] for r in rows) if rows is not None else "\n".join(lines)

    def wait_for(self, predicate, what: str, timeout: float = TIMEOUT) -> float:
        """Pump until ``predicate(self)`` holds; returns the perf_counter() at which it did."""
        deadline = time.perf_counter() + timeout
        while not predicate(self):
            if self.closed or self.proc.poll() is not None:
                raise BenchError(f"{what}: the process ended (status {self.proc.poll()}); screen:\n{self.text()}")
            if time.perf_counter() > deadline:
                raise BenchError(f"{what}: not within {timeout:.0f} s; screen:\n{self.text()}")
            self.pump(0.05)
        return time.perf_counter()

    def send(self, data: bytes) -> float:
        at = time.perf_counter()
        os.write(self.master, data)
        return at

    def drain(self, quiet: float) -> None:
        """Read until nothing has come for ``quiet`` seconds."""
        while self.pump(quiet):
            pass

    def stop(self, quit_keys: bytes) -> None:
        try:
            os.write(self.master, quit_keys)
        except OSError:
            pass
        deadline = time.perf_counter() + 15
        while self.proc.poll() is None and time.perf_counter() < deadline:
            self.pump(0.05)
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: the app and its workers only
            self.proc.wait()
        os.close(self.master)


# ---------------------------------------------------------------- the apps


BARE_APP = """
import sys
from textual.app import App
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

texts = [open(p, encoding="utf-8").read() for p in sys.argv[1:]]

class Bare(App):
    def compose(self):
        with Horizontal():
            for text in texts:
                with VerticalScroll():
                    yield Static(text, markup=False)

Bare().run()
"""

TEXTAREA_APP = """
import sys
from textual.app import App
from textual.widgets import TextArea

text = open(sys.argv[1], encoding="utf-8").read()

class Plain(App):
    def compose(self):
        yield TextArea(text, read_only=True, soft_wrap=True)

Plain().run()
"""

KEYS = {"pgdn": b"\x1b[6~", "pgup": b"\x1b[5~"}


def diptych(db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "tui", "--db", str(db), "--annotator", "bench", *extra]


def python_script(source: str, *args: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(source), *args]


def opening(text: str, n: int = 14) -> str:
    """The first characters of the text's first line: on screen once the article is."""
    first = next(line for line in text.splitlines() if line.strip()).strip()
    return first[:n]


def both_shown(marks: list[str]):
    return lambda term: all(m in term.text() for m in marks)


# ---------------------------------------------------------------- data


def long_article(words: int, seed: int = 16) -> str:
    """Sentences of the seeds in a shuffled order, in paragraphs, to ``words`` words."""
    sentences = []
    for path in SEEDS:
        sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", path.read_text(encoding="utf-8")) if s.strip()]
    rng = random.Random(seed)
    paragraphs, count = [], 0
    while count < words:
        para = " ".join(rng.sample(sentences, k=min(5, len(sentences))))
        paragraphs.append(para)
        count += len(para.split())
    return "Long article about the story\n\n" + "\n\n".join(paragraphs) + "\n"


def make_db(folder: Path, name: str, texts: list[str]) -> Path:
    sys.path.insert(0, str(ROOT))
    from tui.core.store import Store

    db = folder / f"{name}.db"
    store = Store.open(db)
    for i, text in enumerate(texts):
        store.add_document(name, text, title=f"{name} {i}", outlet=f"outlet {i}")
    store.close()
    return db


def precompute(db: Path, story: str) -> None:
    """Suggestions and the alignment cached, as `diptych suggest` and `diptych compare` leave them."""
    for args in (["suggest"], ["compare", "--story", story, "-f", "json", "-o", str(db.with_suffix(".compare.json"))]):
        done = subprocess.run([sys.executable, "-m", "tui", "--db", str(db), *args], cwd=ROOT,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise BenchError(f"diptych {' '.join(args)} failed: {done.stderr[-800:]}")


def suggestion_runs(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM suggestion_runs").fetchone()[0]
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


def write_texts(folder: Path, texts: list[str], stem: str) -> list[str]:
    paths = []
    for i, text in enumerate(texts):
        path = folder / f"{stem}{i}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return paths


# ---------------------------------------------------------------- measuring


def summary(samples: list[float], digits: int = 1) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"n": len(ordered), "p50": round(statistics.median(ordered), digits), "p95": round(p95, digits),
            "max": round(ordered[-1], digits)}


def first_paint(argv: list[str], marks: list[str], size: tuple[int, int], quit_keys: bytes) -> float:
    term = Terminal(argv, size)
    try:
        at = term.wait_for(both_shown(marks), "first paint")
        return at - term.started
    finally:
        term.stop(quit_keys)


def changed_from(before: str, rows: range):
    return lambda term: term.text(rows) != before


def time_keys(term: Terminal, count: int, gap: float, rows: range, db: Path | None = None,
              runs_done: int = 0) -> tuple[list[float], int]:
    """``count`` keys: pages down, then up again, alternating in runs of 8."""
    samples: list[float] = []
    while_computing = 0
    names = (["pgdn"] * 8 + ["pgup"] * 8) * (count // 16 + 1)
    for name in names[:count]:
        before = term.text(rows)
        if db is not None and suggestion_runs(db) < runs_done:
            while_computing += 1
        sent = term.send(KEYS[name])
        shown = term.wait_for(changed_from(before, rows), f"key {name}", timeout=30)
        samples.append((shown - sent) * 1000)
        # The rest of the frame, then the pause before the next key.
        deadline = time.perf_counter() + gap
        while time.perf_counter() < deadline:
            term.pump(max(0.0, deadline - time.perf_counter()))
    return samples, while_computing


def vm_hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise BenchError(f"no VmHWM for {pid}")


def children_of(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes per first-paint figure")
    parser.add_argument("--keys", type=int, default=64, help="keys per key figure")
    parser.add_argument("--gap", type=float, default=80.0, help="ms between a key's effect and the next key")
    parser.add_argument("--size", default="120x40", help="terminal COLSxROWS")
    parser.add_argument("--quick", action="store_true", help="--repeat 2 --keys 32")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.keys = 2, 32
    cols, rows = (int(x) for x in args.size.lower().split("x"))
    size = (cols, rows)
    gap = args.gap / 1000
    # Article text rows: below the header, above the status line and footer.
    body = range(2, rows - 3)
    seed_texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    long_text = long_article(LONG_WORDS)
    result: dict = {"terminal": list(size), "emulator": f"pyte {pyte.__version__}" if hasattr(pyte, "__version__")
                    else "pyte", "article_words": len(long_text.split())}
    try:
        load_before = os.getloadavg()
    except OSError:
        load_before = None

    with tempfile.TemporaryDirectory(prefix="diptych-bench-terminal-") as tmp:
        folder = Path(tmp)
        seed_paths = write_texts(folder, seed_texts, "seed")
        print("first paint ...", file=sys.stderr, flush=True)
        seed_db = make_db(folder, "Seed story", seed_texts)
        precompute(seed_db, "Seed story")
        marks = [opening(t) for t in seed_texts]
        ours, base = [], []
        for _ in range(args.repeat):
            ours.append(first_paint(diptych(seed_db), marks, size, b"q"))
            base.append(first_paint(python_script(BARE_APP, *seed_paths), marks, size, b"\x11"))
        result["first_paint"] = {"unit": "s", "ours_cached": summary(ours, 3), "baseline_bare_textual":
                                 summary(base, 3)}
        result["first_paint"]["ratio_p50"] = round(statistics.median(ours) / statistics.median(base), 2)

        print("keys ...", file=sys.stderr, flush=True)
        long_path = write_texts(folder, [long_text], "long")[0]
        story = [long_text, seed_texts[1]]
        keys: dict = {"unit": "ms", "keys": "pgdn and pgup, in runs of 8", "gap_ms": args.gap}
        # Baseline: a TextArea with the same text.
        term = Terminal(python_script(TEXTAREA_APP, long_path), size)
        try:
            term.wait_for(lambda t: opening(long_text) in t.text(), "TextArea paint")
            term.drain(0.5)
            samples, _ = time_keys(term, args.keys, gap, range(0, rows))
            keys["baseline_textarea"] = summary(samples)
        finally:
            term.stop(b"\x11")
        for case in ("cached", "computing"):
            db = make_db(folder, f"Long {case}", story)
            if case == "cached":
                precompute(db, f"Long {case}")
            term = Terminal(diptych(db), size)
            try:
                term.wait_for(lambda t: opening(long_text) in t.text(), f"reader paint ({case})")
                # The paint settles in both cases; the model then still loads
                # and parses for seconds (keys_while_computing says how long).
                term.drain(0.5)
                samples, while_computing = time_keys(term, args.keys, gap, body, db=db, runs_done=suggestion_runs(
                    db) if case == "cached" else 6)
                keys[f"ours_{case}"] = summary(samples)
                if case == "computing":
                    keys["keys_while_computing"] = while_computing
            finally:
                term.stop(b"q")
        for case in ("cached", "computing"):
            keys[f"ratio_p95_{case}"] = round(keys[f"ours_{case}"]["p95"] / keys["baseline_textarea"]["p95"], 2)
        result["keys"] = keys

        print("memory ...", file=sys.stderr, flush=True)
        five = [seed_texts[i % 2] + f"\n\nVersion {i}: " + long_article(2_000, seed=i) for i in range(5)]
        db = make_db(folder, "Five", five)
        term = Terminal(diptych(db), size)
        try:
            term.wait_for(lambda t: opening(five[0]) in t.text(), "reader paint (memory)")
            deadline = time.perf_counter() + 300
            while suggestion_runs(db) < 3 * len(five):  # three layers per text
                if time.perf_counter() > deadline:
                    raise BenchError("memory: the suggestions were not stored within 300 s")
                term.pump(0.2)
            term.drain(0.5)
            workers = {pid: round(vm_hwm_mib(pid), 1) for pid in children_of(term.proc.pid)}
            reader = round(vm_hwm_mib(term.proc.pid), 1)
        finally:
            term.stop(b"q")
        five_paths = write_texts(folder, five, "five")
        term = Terminal(python_script(BARE_APP, *five_paths), size)
        try:
            term.wait_for(lambda t: opening(five[0]) in t.text(), "bare paint (memory)")
            term.drain(0.5)
            bare = round(vm_hwm_mib(term.proc.pid), 1)
        finally:
            term.stop(b"\x11")
        result["memory"] = {"unit": "MiB", "ours_reader": reader, "ours_workers": sorted(workers.values()),
                            "baseline_bare_textual": bare, "ratio": round(reader / bare, 2)}
    try:
        result["loadavg"] = {"before": [round(x, 2) for x in load_before] if load_before else None,
                             "after": [round(x, 2) for x in os.getloadavg()]}
    except OSError:
        pass
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as err:
        print(f"bench_terminal: {err}", file=sys.stderr)
        sys.exit(1)
