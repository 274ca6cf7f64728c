"""Writers killed with SIGKILL at random (seeded) moments lose nothing acknowledged.

Each iteration starts tests/integration/writer.py as a new annotator, lets it
work for a random while and kills it. The writer prints an ``ack`` line only
after a session call returned, so every ack the parent read names a committed
change. The one change in flight at the kill may or may not have committed;
either way the database must equal the replayed acks with or without it, open
cleanly, and pass integrity_check.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import writer

from tui.core.store import Store

from writer import REPO, WRITER

ITERATIONS = 20
SEED = 20240611



def unknown_ids_as_placeholders(snapshot: tuple[dict, dict], known: set[str]) -> tuple[dict, dict]:
    """The in-flight tag or link has an id the parent never saw: compare it by content."""
    anns, rels = snapshot
    return ({(k if k in known else "?"): v for k, v in anns.items()},
            {(k if k in known else "?"): v for k, v in rels.items()})


def expected_states(w, acks: list[dict], in_flight: dict | None) -> list[tuple[dict, dict]]:
    model = w.Model()
    for rec in acks:
        model.apply(rec)
    states = [model.snapshot()]
    if in_flight is not None:
        rec = dict(in_flight, done=None)
        if rec["op"] in ("tag", "link"):
            rec["id"] = "?"
        if rec["op"] == "link":
            rec["type"] = "?"  # inferred by the session; matched below by head and tail
        model.apply(rec)
        states.append(model.snapshot())
    return states


def same_state(actual: tuple[dict, dict], expected: tuple[dict, dict]) -> bool:
    a_anns, a_rels = actual
    e_anns, e_rels = expected
    if a_anns != e_anns or a_rels.keys() != e_rels.keys():
        return False
    return all(e == a or (e[2] == "?" and e[:2] == a[:2]) for a, e in
               ((a_rels[k], e_rels[k]) for k in e_rels))


@pytest.mark.slow
def test_sigkilled_writers_lose_no_acknowledged_change(tmp_path: Path, seed_importer) -> None:
    w = writer
    rng = random.Random(SEED)
    db = tmp_path / "crash.db"
    st = Store.open(db)
    seed_importer(st)
    st.close()

    acked_total = 0
    outcomes: list[str] = []  # for the log (pytest -s): what each kill interrupted
    previous: dict[str, list] = {}  # each earlier annotator's rows, as left after its kill
    for iteration in range(ITERATIONS):
        annotator = f"crash{iteration}"
        err_path = tmp_path / f"{annotator}.err"
        with err_path.open("w") as err_file:
            proc = subprocess.Popen([sys.executable, str(WRITER), str(db), annotator, str(iteration), "100000"],
                                    stdout=subprocess.PIPE, stderr=err_file, text=True, cwd=REPO)
        try:
            ready = proc.stdout.readline()
            assert '"phase": "ready"' in ready, ready + err_path.read_text()
            # Some kills land at once (during the first transaction), most mid-stream.
            time.sleep(rng.choice([0.0, rng.uniform(0.0, 0.05), rng.uniform(0.05, 0.4)]))
            os.kill(proc.pid, signal.SIGKILL)
            # Read through the same buffered stream as readline() did: communicate()
            # would read the raw pipe and lose what readline() had already buffered.
            rest = proc.stdout.read()
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
        err = err_path.read_text()
        assert proc.returncode == -signal.SIGKILL, f"writer ended by itself: {rest[-2000:]}{err[-2000:]}"

        records = w.read_records((ready + rest).splitlines(keepends=True))
        errors = [r for r in records if r.get("phase") == "error"]
        assert not errors, errors
        acks = [r for r in records if r.get("phase") == "ack"]
        intents = [r for r in records if r.get("phase") == "intent"]
        in_flight = intents[-1] if intents and (not acks or intents[-1]["i"] > acks[-1]["i"]) else None
        assert [r["i"] for r in acks] == list(range(len(acks)))

        # The database opens cleanly (as a new process would) and holds every ack.
        st = Store.open(db)
        try:
            assert st.integrity_check() == "ok"
            known = {r["id"] for r in acks if "id" in r}
            actual = unknown_ids_as_placeholders(w.db_snapshot(st, annotator), known)
            states = expected_states(w, acks, in_flight)
            matches = [i for i, state in enumerate(states) if same_state(actual, state)]
            assert matches, (f"iteration {iteration}: {annotator}'s rows match neither its {len(acks)} acks "
                             f"nor acks + the change in flight {in_flight}")
            outcomes.append(f"{len(acks)} acks, in flight: {in_flight['op'] if in_flight else '-'}"
                            f" ({'committed' if matches == [1] else 'not committed or no-op'})")
            # Nobody else's work was touched by this crash.
            for name, rows in previous.items():
                assert st.annotations(annotator=name) == rows, f"{name}'s rows changed"
            previous[annotator] = st.annotations(annotator=annotator)
        finally:
            st.close()
        acked_total += len(acks)

    print("\n".join(outcomes))
    # Sanity for the test itself: kills really landed among acknowledged work.
    assert acked_total > ITERATIONS
    # A new writer after all the crashes works normally, with undo.
    st = Store.open(db)
    try:
        from tui.core.session import AnnotationSession

        s = AnnotationSession(st, "after")
        doc = st.documents()[0]
        a = s.tag(doc.id, 0, 10, "CLAIM")
        assert s.undo() is not None and st.annotation(a.id).deleted_at is not None
        assert st.integrity_check() == "ok"
    finally:
        st.close()
