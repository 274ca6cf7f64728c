"""Export throughput: `diptych export` against `sqlite-utils query --nl` on the same rows.

Builds a database of ``--annotations`` live annotations (default 1,000,000)
over ``--docs`` articles with four annotators, straight through sqlite3 with
executemany (the bench's own fixture builder; the app never writes this way),
then times, in the same run:

- ours:     ``diptych export --format FORMAT -o FILE`` (a subprocess, like the baseline)
- baseline: ``sqlite-utils query DB "select <annotation columns> ..." --nl > FILE``

and prints one JSON line: {"name", "ours", "baseline", "ratio"} where ours and
baseline are annotations per second and ratio = ours / baseline. Peak memory of
each subprocess and sizes go to stderr.

    .venv/bin/python bench/bench_export.py [--annotations N] [--docs D] [--format prodigy]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tui.core.store import Store, sha256_text  # noqa: E402

ANNOTATORS = ("alice", "bob", "carol", "dave")
LABELS = ("CLAIM", "SOURCE", "MOTIVE")
WORDS = ("the government said on Monday that officials had confirmed new measures against fighters "
         "in the northern province while critics argued the plan would fail because forces lacked "
         "training and money according to a report published by analysts").split()


def _article(rng: random.Random, n: int, words: int) -> str:
    out, sentence = [], []
    for i in range(words):
        sentence.append(rng.choice(WORDS))
        if len(sentence) >= rng.randint(8, 20):
            out.append(" ".join(sentence).capitalize() + ".")
            sentence = []
    out.append(f"Article {n} ends here.")
    return " ".join(out)


def build(path: Path, annotations: int, docs: int, words: int) -> None:
    Store.open(path).close()  # a real, migrated Diptych database
    rng = random.Random(20240601)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    stamp = "2024-06-01T00:00:00+00:00"
    with conn:
        conn.execute("INSERT INTO stories(id, title, created_at) VALUES (1, 'bench', ?)", [stamp])
        per_doc = annotations // docs
        extra = annotations - per_doc * docs
        n_id = 0
        for d in range(1, docs + 1):
            text = _article(rng, d, words)
            conn.execute(
                "INSERT INTO documents(id, story_id, title, url, text, text_sha256, imported_at) "
                "VALUES (?, 1, ?, ?, ?, ?, ?)", [d, f"Article {d}", f"https://example.org/{d}", text,
                                                 sha256_text(text), stamp])
            # word boundaries: spans start and end on them, as a snapping selection would
            bounds, pos = [], 0
            for w in text.split(" "):
                bounds.append((pos, pos + len(w)))
                pos += len(w) + 1
            rows = []
            for _ in range(per_doc + (1 if d <= extra else 0)):
                i = rng.randrange(len(bounds))
                j = min(len(bounds) - 1, i + rng.randrange(6))
                s, e = bounds[i][0], bounds[j][1]
                n_id += 1
                rows.append((f"{n_id:032x}", d, ANNOTATORS[n_id % 4], LABELS[n_id % 3], s, e, text[s:e],
                             text[max(0, s - 32):s], text[e:e + 32], "{}", "", "manual", "active", stamp, stamp))
            conn.executemany(
                'INSERT INTO annotations(id, doc_id, annotator, label, start, "end", quote, prefix, suffix, attrs,'
                ' note, origin, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)', rows)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def timed(cmd: list[str], stdout_path: Path | None = None) -> tuple[float, int]:
    """Seconds and peak RSS (KiB) of one subprocess (os.wait4 gives that child's own usage)."""
    start = time.perf_counter()
    with (open(stdout_path, "wb") if stdout_path else open(os.devnull, "wb")) as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL if stdout_path else None)
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed with status {proc.returncode}")
    return seconds, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--annotations", type=int, default=1_000_000)
    parser.add_argument("--docs", type=int, default=4000)
    parser.add_argument("--words", type=int, default=600, help="words per article")
    parser.add_argument("--format", default="prodigy", choices=["prodigy", "doccano", "flat", "spacy"])
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    diptych, sqlite_utils = bindir / "diptych", bindir / "sqlite-utils"
    with tempfile.TemporaryDirectory(prefix="diptych-bench-") as tmp:
        db = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        build(db, args.annotations, args.docs, args.words)
        print(f"built {args.annotations} annotations over {args.docs} documents in "
              f"{time.perf_counter() - t0:.1f}s ({db.stat().st_size / 1e6:.0f} MB)", file=sys.stderr)

        ours_out = Path(tmp) / f"out.{args.format}"
        ours_s, ours_rss = timed([str(diptych), "export", "--db", str(db), "--format", args.format,
                                  "-o", str(ours_out)])
        base_out = Path(tmp) / "baseline.jsonl"
        sql = ('select id, doc_id, annotator, label, start, "end", quote, prefix, suffix, attrs, note, origin '
               'from annotations where deleted_at is null order by doc_id, annotator, start, "end", label, id')
        base_s, base_rss = timed([str(sqlite_utils), "query", str(db), sql, "--nl"], base_out)
        baseline_lines = sum(1 for _ in open(base_out, "rb"))
        assert baseline_lines == args.annotations, baseline_lines
        print(f"ours: {ours_s:.2f}s, {ours_out.stat().st_size / 1e6:.0f} MB, peak RSS {ours_rss / 1024:.0f} MiB; "
              f"baseline: {base_s:.2f}s, {base_out.stat().st_size / 1e6:.0f} MB, peak RSS "
              f"{base_rss / 1024:.0f} MiB", file=sys.stderr)
    ours, baseline = args.annotations / ours_s, args.annotations / base_s
    print(json.dumps({"name": f"export_{args.format}_{args.annotations}_annotations",
                      "ours": round(ours, 1), "baseline": round(baseline, 1), "ratio": round(ours / baseline, 3)}))


if __name__ == "__main__":
    main()
