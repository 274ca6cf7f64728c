"""One writer process for bench/bench_commit.py.

    python bench/writer_proc.py ours DB INDEX COMMITS
    python bench/writer_proc.py baseline DB INDEX COMMITS

Opens DB, prepares COMMITS distinct spans over the seed documents, prints
``{"ready": true}`` and blocks on a line from stdin so that every writer of a
run starts together. Then it commits COMMITS annotations, one at a time:

- ``ours``: ``AnnotationSession.tag`` as annotator ``bench-INDEX`` (the path a
  keystroke takes: schema and span checks, duplicate check, BEGIN IMMEDIATE,
  row + event log, COMMIT with synchronous=FULL);
- ``baseline``: one plain ``INSERT`` of the same row (same columns, same
  values) on a sqlite3 connection in autocommit mode, WAL, synchronous=FULL.

Each commit's latency is timed from before the call to after it returns
(the moment the UI could say "saved"). Prints one JSON line with the
latencies (ms) and the monotonic start/end of the timed loop, which the
parent compares across processes (CLOCK_MONOTONIC is system-wide on Linux).
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui.core import text as textops  # noqa: E402
from tui.core.anchoring import make_selector  # noqa: E402

LABELS = ("CLAIM", "SOURCE", "MOTIVE")
BUSY_TIMEOUT_S = 10.0  # the store's default


def spans(docs: list[tuple[int, str]], index: int, count: int) -> list[tuple[int, int, int, str]]:
    """``count`` (doc_id, start, end, label) that one annotator never repeats
    (tag refuses a duplicate); each writer starts at its own offset."""
    out: list[tuple[int, int, int, str]] = []
    words = {doc_id: textops.words(text) for doc_id, text in docs}
    k = index * 37
    for width in range(1, 9):
        for label in LABELS:
            for doc_id, _text in docs:
                w = words[doc_id]
                for j in range(len(w) - width + 1):
                    jj = (j + k) % (len(w) - width + 1)
                    out.append((doc_id, w[jj][0], w[jj + width - 1][1], label))
                    if len(out) == count:
                        return out
    raise SystemExit(f"only {len(out)} distinct spans in the seed documents; ask for fewer commits")


def run_ours(db: str, index: int, count: int) -> tuple[list[float], float, float]:
    from tui.core.schema import DEFAULT_SCHEMA
    from tui.core.session import AnnotationSession

    session = AnnotationSession.open(db, annotator=f"bench-{index}", schema=DEFAULT_SCHEMA, create=False)
    docs = [(d.id, d.text) for d in session.store.documents()]
    for doc_id, _ in docs:
        session.document(doc_id)  # the reader has the text in hand already
    todo = spans(docs, index, count)
    ready()
    lat: list[float] = []
    t_start = time.monotonic()
    for doc_id, start, end, label in todo:
        t0 = time.perf_counter()
        session.tag(doc_id, start, end, label)
        lat.append((time.perf_counter() - t0) * 1000)
    t_end = time.monotonic()
    session.close()
    return lat, t_start, t_end


def run_baseline(db: str, index: int, count: int) -> tuple[list[float], float, float]:
    conn = sqlite3.connect(db, isolation_level=None, timeout=BUSY_TIMEOUT_S)  # autocommit
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    docs = [tuple(r) for r in conn.execute("SELECT id, text FROM documents ORDER BY id")]
    rows = []
    for doc_id, start, end, label in spans(docs, index, count):
        text = dict(docs)[doc_id]
        sel = make_selector(text, start, end)
        rows.append([uuid.uuid4().hex, doc_id, f"bench-{index}", label, start, end, sel["exact"], sel["prefix"],
                     sel["suffix"], "{}", "", "manual", "active"])
    sql = ('INSERT INTO annotations(id, doc_id, annotator, label, start, "end", quote, prefix, suffix, attrs, '
           'note, origin, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)')
    ready()
    lat: list[float] = []
    t_start = time.monotonic()
    for row in rows:
        t0 = time.perf_counter()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
        conn.execute(sql, row + [stamp, stamp])
        lat.append((time.perf_counter() - t0) * 1000)
    t_end = time.monotonic()
    conn.close()
    return lat, t_start, t_end


def ready() -> None:
    sys.stdout.write(json.dumps({"ready": True}) + "\n")
    sys.stdout.flush()
    if sys.stdin.readline().strip() != "go":
        raise SystemExit("no go line on stdin")


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[0] not in ("ours", "baseline"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, db, index, count = argv[0], argv[1], int(argv[2]), int(argv[3])
    run = run_ours if mode == "ours" else run_baseline
    lat, t_start, t_end = run(db, index, count)
    print(json.dumps({"mode": mode, "index": index, "latencies_ms": lat, "start": t_start, "end": t_end}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
