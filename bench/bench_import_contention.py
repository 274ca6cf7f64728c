"""Latency of a reader's save while a 200k-span import runs in another process.

Prints JSON: p50/p99/max (ms) of ``session.tag`` while ``diptych import`` of a
generated 200k-span JSONL runs, next to a baseline measured in the same run on
the same database under the same kind of import: a bare INSERT into a scratch
table (what any writer pays to get SQLite's write lock between two chunks).
Saves come every 5 ms (``PACE``), both kinds alike.
Run: PYTHONPATH=. python bench/bench_import_contention.py
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))

from bulkdata import write_big_jsonl  # noqa: E402
from tui.core.schema import DEFAULT_SCHEMA  # noqa: E402
from tui.core.session import AnnotationSession  # noqa: E402
from tui.core.store import Store  # noqa: E402


def _import(db: Path, data: Path, who: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "tui.cli", "--db", str(db), "import", str(data),
                             "--annotator", who, "--max-size", "100MB"], env=env, stdout=subprocess.DEVNULL)


def _figures(samples: list[float]) -> dict:
    ms = sorted(s * 1000 for s in samples)
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 2),
            "p99_ms": round(ms[int(len(ms) * 0.99) - 1], 2), "max_ms": round(ms[-1], 2)}


PACE = 0.005


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        db = tmp_path / "bench.db"
        seed = tmp_path / "seed.jsonl"
        write_big_jsonl(seed, docs=1, per_doc=400)
        subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(db), "import", str(seed), "--annotator",
                        "seed"], env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True, stdout=subprocess.DEVNULL)
        results = {}
        for run, who in (("tag", "imp1"), ("bare_insert", "imp2")):
            data = tmp_path / f"{who}.jsonl"
            write_big_jsonl(data, docs=1000, per_doc=200)
            data.write_text(data.read_text().replace("w", who[-1] + "w"))  # new texts each run
            proc = _import(db, data, who)
            samples = []
            with Store.open(db) as store:
                session = AnnotationSession(store, "reader", DEFAULT_SCHEMA)
                doc = store.documents()[0]
                raw = sqlite3.connect(str(db), timeout=30, isolation_level=None)
                raw.execute("CREATE TABLE IF NOT EXISTS bench_scratch (x INTEGER)")
                n = 0
                while proc.poll() is None:
                    t = time.perf_counter()
                    if run == "tag":
                        session.tag(doc.id, n % 1900, n % 1900 + 1 + n // 1900, "CLAIM")
                    else:
                        raw.execute("INSERT INTO bench_scratch VALUES (?)", [n])
                    samples.append(time.perf_counter() - t)
                    n += 1
                    # A save every PACE seconds, far faster than any annotator: a writer in a
                    # tight loop would starve the import (SQLite does not queue writers fairly),
                    # which measures the loop, not what a person waits for.
                    time.sleep(PACE)
                raw.close()
            results[run] = _figures(samples)
        print(json.dumps({"import_spans": 200000, "saves_during_import": results}, indent=2))


if __name__ == "__main__":
    main()
