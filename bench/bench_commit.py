"""Commit latency and throughput with 1, 4, 8 and 16 writer processes on one file.

For each writer count N, in the same run and on the same disk:

- ours: N processes (bench/writer_proc.py) each make ``--commits`` calls to
  ``AnnotationSession.tag`` on one Diptych database (built with
  ``Store.open`` + ``add_document`` from the seed articles): the real path,
  BEGIN IMMEDIATE, the row plus its event-log entry, COMMIT, WAL,
  synchronous=FULL, the store's busy retry;
- baseline: N processes each doing ``--commits`` bare ``INSERT``s of the same
  row (same columns and values) with plain sqlite3 in autocommit mode, WAL,
  synchronous=FULL, on another database file holding the same tables.

All writers of a run start together (each waits for a "go" line after
opening its database). The run is bounded by operation count, not time.
Latency is per commit (call to return), pooled over all writers; throughput
is all commits / (last writer's end - first writer's start). Each writer count
runs ``--rounds`` times on fresh files: latencies are pooled over the rounds,
throughput is the median round. Every round is checked afterwards: the
files must hold exactly N x commits new rows (and, for ours, as many
events), else the bench fails.

The order of ours and baseline alternates between rounds so that drifting
background load does not always favour one side.

Prints one JSON object; in each ``runs`` entry ``ratio`` is ours / baseline
(latency: above 1 means ours is slower; throughput: below 1 means fewer
commits per second than the bare INSERT).

    .venv/bin/python bench/bench_commit.py [--writers 1,4,8,16] [--commits 200] [--rounds 3] [--dir DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui.core.store import Store  # noqa: E402

WRITER = Path(__file__).resolve().parent / "writer_proc.py"


def build_ours(path: Path) -> None:
    store = Store.open(path)
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        store.add_document("Bench", seed.read_text(encoding="utf-8"), title=seed.stem)
    store.close()


def build_baseline(path: Path, template: Path) -> None:
    """The same stories/documents/annotations tables (DDL copied from ours), nothing else."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("ATTACH DATABASE ? AS t", [str(template)])
    ddl = conn.execute("SELECT sql FROM t.sqlite_master WHERE tbl_name IN ('stories', 'documents', 'annotations') "
                       "AND sql IS NOT NULL ORDER BY type DESC").fetchall()  # tables before indexes
    for (sql,) in ddl:
        conn.execute(sql)
    conn.execute("INSERT INTO stories SELECT * FROM t.stories")
    conn.execute("INSERT INTO documents SELECT * FROM t.documents")
    conn.execute("DETACH DATABASE t")
    conn.close()


def count(path: Path, sql: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def run_writers(mode: str, db: Path, writers: int, commits: int) -> tuple[list[float], float]:
    """All commit latencies (ms) of one run and its wall time (first start to last end)."""
    procs = [subprocess.Popen([sys.executable, str(WRITER), mode, str(db), str(i), str(commits)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for i in range(writers)]
    try:
        for p in procs:
            line = p.stdout.readline()
            if not line or not json.loads(line).get("ready"):
                raise SystemExit(f"{mode} writer failed to start: {line!r}")
        for p in procs:  # every writer has its database open: release them together
            p.stdin.write("go\n")
            p.stdin.flush()
        results = []
        for p in procs:
            out, _ = p.communicate(timeout=1800)
            if p.returncode != 0:
                raise SystemExit(f"{mode} writer exited with status {p.returncode}")
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    lat = [x for r in results for x in r["latencies_ms"]]
    return lat, max(r["end"] for r in results) - min(r["start"] for r in results)


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def summary(lat: list[float], rates: list[float]) -> dict:
    lat = sorted(lat)
    return {"p50_ms": round(statistics.median(lat), 3), "p99_ms": round(percentile(lat, 0.99), 3),
            "max_ms": round(lat[-1], 3), "commits_per_s": round(statistics.median(rates), 1),
            "commits_per_s_rounds": [round(r, 1) for r in rates], "commits": len(lat)}


def one_count(writers: int, commits: int, rounds: int, workdir: Path) -> dict:
    lat: dict[str, list[float]] = {"ours": [], "baseline": []}
    rates: dict[str, list[float]] = {"ours": [], "baseline": []}
    want = writers * commits
    for r in range(rounds):
        ours_db, base_db = workdir / f"ours-{writers}-{r}.db", workdir / f"baseline-{writers}-{r}.db"
        build_ours(ours_db)
        build_baseline(base_db, ours_db)
        # Alternate who goes first so that drifting background load favours neither.
        for mode in (("ours", "baseline") if (r + writers) % 2 == 0 else ("baseline", "ours")):
            got, seconds = run_writers(mode, ours_db if mode == "ours" else base_db, writers, commits)
            lat[mode] += got
            rates[mode].append(len(got) / seconds)
        held = {
            "ours annotations": count(ours_db, "SELECT count(*) FROM annotations WHERE annotator LIKE 'bench-%'"),
            "ours events": count(ours_db, "SELECT count(*) FROM events WHERE annotator LIKE 'bench-%'"),
            "baseline rows": count(base_db, "SELECT count(*) FROM annotations"),
        }
        lost = {k: v for k, v in held.items() if v != want}
        if lost:
            raise SystemExit(f"{writers} writers x {commits} commits = {want}, but the files hold {lost}")
        for path in (ours_db, base_db):
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
    ours, base = summary(lat["ours"], rates["ours"]), summary(lat["baseline"], rates["baseline"])
    return {
        "writers": writers,
        "ours": ours,
        "baseline": base,
        "ratio": {
            "p50": round(ours["p50_ms"] / base["p50_ms"], 3),
            "p99": round(ours["p99_ms"] / base["p99_ms"], 3),
            "commits_per_s": round(ours["commits_per_s"] / base["commits_per_s"], 3),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writers", default="1,4,8,16", help="comma-separated writer process counts")
    parser.add_argument("--commits", type=int, default=200, help="commits per writer process")
    parser.add_argument("--rounds", type=int, default=3,
                        help="fresh database pairs per writer count; latencies are pooled over them")
    parser.add_argument("--dir", default=None, help="folder for the database files (default: a temporary one; "
                                                    "use a real disk, not tmpfs, or fsync costs nothing)")
    args = parser.parse_args()
    counts = [int(x) for x in args.writers.split(",") if x.strip()]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="diptych-commit-", dir=args.dir) as tmp:
        runs = [one_count(n, args.commits, args.rounds, Path(tmp)) for n in counts]
    print(json.dumps({
        "name": "commit",
        "unit": {"latency": "ms", "throughput": "commits/s"},
        "commits_per_writer": args.commits,
        "rounds": args.rounds,
        "baseline_is": "plain sqlite3 INSERT, autocommit, WAL, synchronous=FULL, same row, same number of processes",
        "cpus": os.cpu_count(),
        "runs": runs,
        "seconds": round(time.perf_counter() - started, 1),
    }))


if __name__ == "__main__":
    main()
