"""Eight real writer processes and one exporter reading, on one database file.

Each writer (tests/integration/writer.py) makes a fixed number of changes
through AnnotationSession — tags, edits, deletes, links, undos, redos — and
logs every acknowledged one (after the call returned) with fsync. Afterwards:
every acknowledged change is in the database and nothing else is, nothing is
duplicated, the undo/redo log matches, integrity_check is ok, and no process
saw an error (a busy database is waited for, never reported).

Bounded by operation count, not wall time; no assertion depends on timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

import writer

from tui.core.store import Store

from writer import REPO, WRITER

WRITERS = 8
OPS_PER_WRITER = 60



def wait_for_line(path: Path, phrase: str, procs: list[subprocess.Popen], limit: float = 120.0) -> None:
    """Poll a writer's stdout file for a line (the writers run as files, not pipes,
    so none can block on a full pipe while we wait for another)."""
    deadline = time.monotonic() + limit
    while phrase not in path.read_text(encoding="utf-8"):
        dead = [p.args for p in procs if p.poll() not in (None, 0)]
        assert not dead, f"a process died early: {dead}\n{path.read_text()}"
        assert time.monotonic() < deadline, f"{path} never said {phrase!r}"
        time.sleep(0.01)


@pytest.mark.slow
def test_eight_writers_and_a_reader_lose_nothing(tmp_path: Path, seed_importer) -> None:
    w = writer
    db = tmp_path / "shared.db"
    st = Store.open(db)
    docs = seed_importer(st)
    st.close()

    go = tmp_path / "go"
    stop = tmp_path / "stop"
    annotators = [f"writer{i}" for i in range(WRITERS)]
    procs: list[subprocess.Popen] = []
    outs: dict[str, Path] = {}
    logs: dict[str, Path] = {}
    handles = []
    for n, name in enumerate(annotators):
        outs[name] = tmp_path / f"{name}.out"
        logs[name] = tmp_path / f"{name}.jsonl"
        fh = outs[name].open("w", encoding="utf-8")
        handles.append(fh)
        procs.append(subprocess.Popen(
            [sys.executable, str(WRITER), str(db), name, str(1000 + n), str(OPS_PER_WRITER),
             "--log", str(logs[name]), "--go", str(go)],
            stdout=fh, stderr=subprocess.STDOUT, cwd=REPO))
    reader = subprocess.Popen([sys.executable, str(WRITER), "--reader", str(db), str(stop), "100000"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        for name, proc in zip(annotators, procs):
            wait_for_line(outs[name], '"phase": "ready"', procs)
        go.touch()  # all eight start writing together
        codes = [proc.wait(timeout=300) for proc in procs]
        stop.touch()
        reader_out, reader_err = reader.communicate(timeout=120)
    finally:
        for proc in [*procs, reader]:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for fh in handles:
            fh.close()

    # No process saw an error.
    for name, code in zip(annotators, codes):
        text = outs[name].read_text(encoding="utf-8")
        errors = [r for r in w.read_records(text.splitlines(keepends=True)) if r.get("phase") == "error"]
        assert code == 0 and not errors, f"{name} failed (exit {code}): {errors or text[-2000:]}"
        assert '"phase": "done"' in text
    assert reader.returncode == 0, reader_out + reader_err
    reading = json.loads(reader_out.strip().splitlines()[-1])
    assert reading["errors"] == [] and reading["reads"] >= 1

    st = Store.open(db, readonly=True)
    try:
        assert st.integrity_check() == "ok"
        total_live = 0
        for name in annotators:
            acks = w.read_records(logs[name].open(encoding="utf-8"))
            assert [r["i"] for r in acks] == list(range(OPS_PER_WRITER)), f"{name}: ack log incomplete"
            model = w.Model()
            for rec in acks:
                model.apply(rec)
            # Every acknowledged change is present, and nothing else is.
            assert w.db_snapshot(st, name) == model.snapshot(), f"{name}: database differs from its ack log"
            total_live += len(model.snapshot()[0])

            # Nothing duplicated: one row per tag and per link, one batch per step.
            rows = st.annotations(annotator=name, include_deleted=True)
            assert len(rows) == model.counts["tag"] == len({a.id for a in rows})
            rels = [r for r in st.relations(annotator=name, include_deleted=True)]
            assert len(rels) == model.counts["link"]
            live_spans = [(a.doc_id, a.start, a.end, a.label) for a in st.annotations(annotator=name)]
            assert len(live_spans) == len(set(live_spans))
            events = st.events(name)
            batches = Counter(op for op, _batch in {(e["op"], e["batch"]) for e in events})
            assert batches == Counter({k: v for k, v in model.counts.items()
                                       if k in ("change", "undo", "redo") and v})
            assert {e["session"] for e in events} and len({e["session"] for e in events}) == 1
        assert len(st.annotations()) == total_live
        assert {d.id for d in st.documents()} == {d.id for d in docs}
    finally:
        st.close()
    # And the file still opens for writing as usual.
    Store.open(db).close()


@pytest.mark.slow
def test_simultaneous_first_opens_create_one_schema_and_one_copy_of_each_seed(tmp_path: Path) -> None:
    db = tmp_path / "new" / "fresh.db"  # neither the file nor its folder exists yet
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, str(WRITER), "--import-seeds", str(db), str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
             for _ in range(6)]
    go.touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, out + err
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert all(r["version"] == results[0]["version"] >= 1 for r in results)
    created = [flag for r in results for flag in r["created"]]
    assert sum(created) == 2, f"each seed must be created exactly once: {results}"
    st = Store.open(db, readonly=True)
    try:
        assert len(st.documents()) == 2 and len(st.stories()) == 1
        assert st.integrity_check() == "ok"
    finally:
        st.close()
