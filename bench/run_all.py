"""Run every bench/bench_*.py in turn and summarise them (`make bench`).

Each script runs as its own subprocess (this interpreter, repository root as
the working directory) and prints one JSON object on stdout; its stderr
passes through so progress shows. This script then

- prints every result as JSON,
- writes them, with the machine's description, to bench/results/latest.json
  (the folder is git-ignored),
- prints a markdown table (benchmark, ours, baseline, ratio, unit, better,
  load) for bench/README.md. In the table ``ratio`` is always ours /
  baseline; ``better`` says whether a lower or a higher figure is the good
  side; ``load`` is the 1-minute load average (min-max) sampled every 5 s
  while that script ran.

A script that fails or prints no JSON is reported as failed (a FAILED row in
the table and a banner on stderr naming each one) and the others still run;
the exit status is 1 when any failed.

    .venv/bin/python bench/run_all.py [--quick] [--only commit,memory] [--timeout 3600]
    .venv/bin/python bench/run_all.py --table    # the table of the last run, nothing run

``--quick`` passes smaller sizes to the scripts whose argparse has the
options (read from each script's source, so a script without them gets
nothing, and one with a ``--quick`` flag of its own gets that).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results" / "latest.json"

# Smaller sizes for --quick, per script; only the options a script declares are passed.
QUICK: dict[str, list[str]] = {
    "bench_align.py": ["--words", "2000"],
    "bench_export.py": ["--annotations", "100000", "--docs", "400"],
    "bench_suggest.py": ["--docs", "60", "--repeat", "2"],
    "bench_train.py": ["--epochs", "2"],
    "bench_commit.py": ["--commits", "50"],
    "bench_first_paint.py": ["--repeat", "1"],
    "bench_suggest_memory.py": ["--articles", "10"],
    "bench_scale.py": ["--spans", "20000", "--words", "40000", "--docs", "100", "--stories", "2000", "--tabs", "8"],
}


def declared_options(script: Path) -> set[str]:
    src = script.read_text(encoding="utf-8")
    return set(re.findall(r"add_argument\(\s*['\"](--[\w-]+)['\"]", src))


def quick_args(script: Path) -> list[str]:
    declared = declared_options(script)
    if "--quick" in declared:
        return ["--quick"]
    wanted = QUICK.get(script.name, [])
    out: list[str] = []
    for flag, value in zip(wanted[::2], wanted[1::2]):
        if flag in declared:
            out += [flag, value]
    return out


def parse_json(stdout: str) -> Any:
    """The script's JSON object: the whole output, else its last JSON line,
    else the first object that decodes from the first brace."""
    text = stdout.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    for line in reversed(text.splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    start = text.find("{")
    if start >= 0:
        return json.JSONDecoder().raw_decode(text[start:])[0]
    raise ValueError("no JSON in the output")


class LoadSampler:
    """The 1-minute load average, sampled every few seconds while a script runs:
    on a shared machine the figures mean little without it."""

    def __init__(self, every: float = 5.0) -> None:
        self.every = every
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        try:
            self.samples.append(round(os.getloadavg()[0], 2))
        except OSError:
            pass

    def _run(self) -> None:
        self._sample()
        while not self._stop.wait(self.every):
            self._sample()

    def __enter__(self) -> "LoadSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def summary(self) -> dict[str, float]:
        if not self.samples:
            return {}
        return {"min": min(self.samples), "max": max(self.samples),
                "mean": round(sum(self.samples) / len(self.samples), 2)}


def run_script(script: Path, args: list[str], timeout: float) -> dict:
    cmd = [sys.executable, str(script), *args]
    print(f"\n== {script.name} {' '.join(args)}".rstrip(), file=sys.stderr, flush=True)
    started = time.perf_counter()
    entry: dict[str, Any] = {"script": script.name, "args": args}
    try:
        with LoadSampler() as load:
            done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        entry.update(error=f"timed out after {timeout:.0f} s", seconds=round(time.perf_counter() - started, 1))
        return entry
    finally:
        entry["load_1min"] = load.summary()
    entry["seconds"] = round(time.perf_counter() - started, 1)
    if done.returncode != 0:
        entry["error"] = f"exit status {done.returncode}"
        entry["stdout_tail"] = done.stdout[-2000:]
        return entry
    try:
        entry["result"] = parse_json(done.stdout)
    except ValueError as exc:
        entry["error"] = f"{exc}; stdout was: {done.stdout[-500:]!r}"
    return entry


# ---------------------------------------------------------------- table rows

Row = tuple[str, float, float, str, str]  # name, ours, baseline, unit, better


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _better(unit: str) -> str:
    u = unit.lower()
    if "/s" in u or "per s" in u:
        return "higher"
    if u in ("ms", "s", "seconds", "mib", "mb", "kib", "bytes"):
        return "lower"
    return "?"


def rows_render(r: dict) -> list[Row]:
    art = r.get("article", {})
    what = f"{art.get('words', '?'):,} words, {art.get('marks', '?'):,} spans" if art else ""
    out = []
    for q in ("p50", "p95"):
        out.append((f"keystroke-to-render {q} ({what}) vs TextArea", r["ours"]["all_moves"][q],
                    r["baseline"]["all_moves"][q], r.get("unit", "ms"), "lower"))
    return out


def rows_first_paint(r: dict) -> list[Row]:
    base = r["baseline"]["first_paint"]
    return [
        ("first paint, seed story, model cold vs bare Textual", r["ours"]["cold"]["first_paint"], base, "s", "lower"),
        ("first paint, seed story, suggestions cached vs bare Textual", r["ours"]["cached"]["first_paint"], base,
         "s", "lower"),
    ]


def rows_align(r: dict) -> list[Row]:
    return [(f"align {r['docs']} x {r['words_per_doc']:,} words vs all-pairs difflib", r["ours_seconds"],
             r["baseline_seconds"], "s", "lower")]


def rows_align_quality(r: dict) -> list[Row]:
    o, b = r["ours"], r["baseline"]
    what = "seeds only" if r.get("seeds_only") else r.get("data", "dev set")
    return [
        (f"aligned pairs precision ({what}) vs the v1 aligner", o["precision"], b["precision"], "share", "higher"),
        (f"aligned pairs recall ({what}) vs the v1 aligner", o["recall"], b["recall"], "share", "higher"),
        (f"align time per story ({what}) vs the v1 aligner", o["seconds_per_story"], b["seconds_per_story"],
         "s", "lower"),
        (f"align {r['synthetic_story']} vs the v1 aligner", o["synthetic_seconds"], b["synthetic_seconds"],
         "s", "lower"),
    ]


def rows_export(r: dict) -> list[Row]:
    m = re.fullmatch(r"export_(\w+?)_(\d+)_annotations", str(r.get("name", "")))
    what = f"export {m.group(1)}, {int(m.group(2)):,} annotations" if m else str(r.get("name", "export"))
    return [(f"{what} vs sqlite-utils query --nl", r["ours"], r["baseline"], "annotations/s", "higher")]


def rows_commit(r: dict) -> list[Row]:
    out = []
    for run in r["runs"]:
        n = run["writers"]
        o, b = run["ours"], run["baseline"]
        who = f"{n} writer{'s' if n != 1 else ''}"
        out.append((f"commit p50, {who} vs bare INSERT", o["p50_ms"], b["p50_ms"], "ms", "lower"))
        out.append((f"commit p99, {who} vs bare INSERT", o["p99_ms"], b["p99_ms"], "ms", "lower"))
        out.append((f"commit throughput, {who} vs bare INSERT", o["commits_per_s"], b["commits_per_s"],
                    "commits/s", "higher"))
    return out


def rows_memory(r: dict) -> list[Row]:
    return [
        ("peak RSS, engine + seed story vs spacy.load + nlp", r["engine"]["ours"]["peak_rss_mib"],
         r["engine"]["baseline"]["peak_rss_mib"], "MiB", "lower"),
        ("peak RSS, reader with suggestions vs bare Textual app (its worker processes apart)",
         r["reader"]["ours"]["peak_rss_mib"], r["reader"]["baseline"]["peak_rss_mib"], "MiB", "lower"),
    ]


def rows_suggest(r: dict) -> list[Row]:
    return [(f"suggestion throughput ({r.get('docs', '?')} texts) vs nlp.pipe", r["ours"], r["baseline"],
             r.get("unit", "words/s"), "higher")]


def rows_suggest_quality(r: dict) -> list[Row]:
    what = "seeds only" if r.get("seeds_only") else f"{r.get('texts', '?')} texts"
    o, b = r["ours"], r["baseline"]
    return [
        (f"SOURCE recall >=50% ({what}), model + cues vs plain NER", o["source_recall_overlap"],
         b["source_recall_overlap"], "%", "higher"),
        (f"SOURCE precision >=50% ({what}), model + cues vs plain NER", o["source_precision_overlap"],
         b["source_precision_overlap"], "%", "higher"),
    ]


def rows_keys(r: dict) -> list[Row]:
    n = r.get("spans", "?")
    out = []
    for q in ("median", "p90", "max"):
        out.append((f"keys per span {q} ({n} reference spans) vs the old keys", r["ours"]["all"][q],
                    r["baseline"]["all"][q], "keys", "lower"))
    out.append((f"keys for all {n} reference spans vs the old keys", r["ours"]["all"]["total"],
                r["baseline"]["all"]["total"], "keys", "lower"))
    return out


def rows_scale(r: dict) -> list[Row]:
    f = r["figures"]
    big, tab, lst = f["open_big_document"], f["tab_wide_story"], f["story_list"]
    what = f"{big['spans']:,} spans, {big['words']:,} words"
    return [
        (f"open a document with {what} vs the same text without spans", big["ours"]["seconds"],
         big["baseline"]["seconds"], "s", "lower"),
        (f"peak RSS opening it ({what}) vs the same text without spans", big["ours"]["peak_rss_mb"],
         big["baseline"]["peak_rss_mb"], "MB", "lower"),
        (f"tab, story of {tab['documents']} documents vs 2 documents (median)", tab["ours"]["median_ms"],
         tab["baseline"]["median_ms"], "ms", "lower"),
        (f"tab, story of {tab['documents']} documents vs 2 documents (max)", tab["ours"]["max_ms"],
         tab["baseline"]["max_ms"], "ms", "lower"),
        (f"story list, {lst['stories']:,} stories vs 10", lst["ours"]["seconds"], lst["baseline"]["seconds"], "s",
         "lower"),
    ]


def rows_generic(name: str, r: dict) -> list[Row]:
    """{"ours": x, "baseline": y, "unit": u} with numbers, or dicts of numbers
    (one or two levels deep) under the same keys on both sides."""
    label = str(r.get("name") or r.get("bench") or name)
    unit = r.get("unit") if isinstance(r.get("unit"), str) else ""
    ours, base = r.get("ours"), r.get("baseline")
    if _num(ours) and _num(base):
        return [(label, ours, base, unit, _better(unit))]
    out: list[Row] = []
    if isinstance(ours, dict) and isinstance(base, dict):
        for key, value in ours.items():
            other = base.get(key)
            if _num(value) and _num(other) and key != "n":
                out.append((f"{label} {key}", value, other, unit, _better(unit)))
            elif isinstance(value, dict) and isinstance(other, dict):
                for k2, v2 in value.items():
                    if _num(v2) and _num(other.get(k2)) and k2 != "n":
                        out.append((f"{label} {key} {k2}", v2, other[k2], unit, _better(unit)))
    return out


def rows_terminal(r: dict) -> list[Row]:
    fp, keys, mem = r["first_paint"], r["keys"], r["memory"]
    words = f"{r.get('article_words', 0):,}-word article"
    out: list[Row] = [
        ("first paint in a terminal, seed story, suggestions cached vs bare Textual (p50)",
         fp["ours_cached"]["p50"], fp["baseline_bare_textual"]["p50"], "s", "lower"),
    ]
    for case, what in (("cached", "suggestions cached"), ("computing", "suggestions computing")):
        for q in ("p50", "p95", "max"):
            out.append((f"key to screen in a terminal, {words}, {what}, {q} vs TextArea",
                        keys[f"ours_{case}"][q], keys["baseline_textarea"][q], "ms", "lower"))
    out.append(("peak RSS of the reader, 5 articles, suggestions on (workers apart) vs bare Textual",
                mem["ours_reader"], mem["baseline_bare_textual"], "MiB", "lower"))
    if mem.get("ours_workers"):
        out.append(("peak RSS of the reader's largest worker process (spaCy) vs bare Textual",
                    max(mem["ours_workers"]), mem["baseline_bare_textual"], "MiB", "lower"))
    return out


ADAPTERS = {
    "bench_terminal.py": rows_terminal,
    "bench_first_paint.py": rows_first_paint,
    "bench_render.py": rows_render,
    "bench_suggest.py": rows_suggest,
    "bench_align.py": rows_align,
    "bench_align_quality.py": rows_align_quality,
    "bench_commit.py": rows_commit,
    "bench_export.py": rows_export,
    "bench_memory.py": rows_memory,
    "bench_suggest_quality.py": rows_suggest_quality,
    "bench_keys.py": rows_keys,
    "bench_scale.py": rows_scale,
}


def table_rows(entry: dict) -> list[Row]:
    result = entry.get("result")
    if not isinstance(result, dict):
        return []
    adapter = ADAPTERS.get(entry["script"])
    try:
        return adapter(result) if adapter else rows_generic(entry["script"], result)
    except (KeyError, TypeError, ValueError):
        # The script changed its output shape: fall back rather than lose the run.
        return rows_generic(entry["script"], result)


def fmt(x: float) -> str:
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def load_cell(entry: dict) -> str:
    load = entry.get("load_1min") or {}
    return f"{load['min']:.1f}-{load['max']:.1f}" if load else "?"


def markdown(entries: list[dict]) -> str:
    lines = ["| benchmark | ours | baseline | ratio | unit | better | load |",
             "|---|---:|---:|---:|---|---|---|"]
    for entry in entries:
        load = load_cell(entry)
        if "error" in entry:
            lines.append(f"| {entry['script']} | FAILED: {entry['error'].splitlines()[0][:60]} | | | | | {load} |")
            continue
        rows = table_rows(entry)
        if not rows:
            lines.append(f"| {entry['script']} | (no ours/baseline figures found; see latest.json) | | | | | {load} |")
        for name, ours, base, unit, better in rows:
            ratio = f"{ours / base:.2f}" if base else "n/a"
            lines.append(f"| {name} | {fmt(ours)} | {fmt(base)} | {ratio} | {unit} | {better} | {load} |")
    cpus = os.cpu_count() or "?"
    lines.append("")
    lines.append(f"load: the 1-minute load average (min-max) sampled while each script ran, on {cpus} CPUs.")
    return "\n".join(lines)


def machine() -> dict:
    info: dict[str, Any] = {"python": platform.python_version(), "platform": platform.platform(),
                            "cpus": os.cpu_count()}
    try:
        info["loadavg"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return info


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes where a script supports them")
    parser.add_argument("--only", default="", help="comma-separated names to run, e.g. commit,memory")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed per script")
    parser.add_argument("--table", action="store_true",
                        help=f"run nothing: print the table of the last run ({RESULTS.relative_to(ROOT)})")
    args = parser.parse_args()
    if args.table:
        if not RESULTS.exists():
            parser.error(f"{RESULTS.relative_to(ROOT)} does not exist yet: run the benchmarks first")
        print(markdown(json.loads(RESULTS.read_text(encoding="utf-8"))["benchmarks"]))
        return 0

    scripts = sorted(BENCH.glob("bench_*.py"))
    if args.only:
        wanted = {w.strip().removeprefix("bench_").removesuffix(".py") for w in args.only.split(",") if w.strip()}
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in wanted]
        missing = wanted - {s.stem.removeprefix("bench_") for s in scripts}
        if missing:
            parser.error(f"no bench script for {', '.join(sorted(missing))}")

    started = datetime.now(timezone.utc)
    before = machine()
    entries = [run_script(s, quick_args(s) if args.quick else [], args.timeout) for s in scripts]
    report = {
        "generated_at": started.isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": before,
        "loadavg_after": machine().get("loadavg"),
        "benchmarks": entries,
        "table": markdown(entries),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    for entry in entries:
        print(json.dumps(entry))
    print()
    print(report["table"])
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}", file=sys.stderr)
    failed = [e for e in entries if "error" in e]
    if failed:
        # Loudly: a benchmark that cannot run is a broken benchmark, not a missing row.
        banner = "=" * 72
        print(f"\n{banner}\nBENCHMARKS FAILED ({len(failed)} of {len(entries)}):", file=sys.stderr)
        for e in failed:
            print(f"  {e['script']}: {e['error'].splitlines()[0]}", file=sys.stderr)
            if e.get("stdout_tail"):
                print("    " + e["stdout_tail"].strip().replace("\n", "\n    ")[-600:], file=sys.stderr)
        print(banner, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
