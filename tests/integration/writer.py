"""A real annotator process for the concurrency and crash tests.

    python tests/integration/writer.py DB ANNOTATOR SEED N [--log FILE] [--go FILE]
    python tests/integration/writer.py --reader DB STOPFILE MAX_LOOPS
    python tests/integration/writer.py --import-seeds DB GOFILE

Writer: opens DB through AnnotationSession and makes N changes chosen by
``random.Random(SEED)``: tag, edit, delete, link, undo, redo. Before each call
it prints an ``intent`` line and after the call returns an ``ack`` line
(JSON, flushed), so whatever the parent read as acknowledged was committed.
With ``--log`` every ack is also appended to FILE with flush + fsync. With
``--go`` it prints ``ready`` and waits for FILE to exist before writing, so
that all writers start together. Any exception prints an ``error`` line and
exits 1: busy must be absorbed by the store, never seen here.

Reader (the "exporter"): opens DB read-only and reads every annotation and
relation through the Store, over and over, until STOPFILE exists (at most
MAX_LOOPS reads); prints one JSON line with its counts and errors.

Importer: waits for GOFILE, then opens (creating it if need be) DB and
imports the two seeds, printing which it created: several at once must
create one schema and one copy of each document.

This module also holds ``Model``, a plain-Python replay of an ack log that
says what the database must contain afterwards. It knows nothing of the
store's code, so a wrong undo/redo shows up as a difference.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WRITER = Path(__file__).resolve()

LABEL_ATTRS = {
    "CLAIM": {"certainty": ["asserted", "hedged", "reported"], "checkworthy": ["yes", "no"],
              "stance": ["endorses", "neutral", "distances"]},
    "SOURCE": {"type": ["named person", "official body", "media outlet", "document", "anonymous"],
               "named": ["yes", "no"]},
    "MOTIVE": {"category": ["economic", "security", "ideological", "political", "personal", "other"],
               "explicit": ["yes", "no"]},
}
OPS = ["tag"] * 34 + ["edit"] * 18 + ["delete"] * 12 + ["link"] * 12 + ["undo"] * 16 + ["redo"] * 8


# ---------------------------------------------------------------- the model

class Mismatch(AssertionError):
    pass


class Model:
    """Replays ack records into the state the database must hold for one annotator."""

    def __init__(self) -> None:
        self.anns: dict[str, dict | None] = {}  # id -> fields, or None when hidden
        self.rels: dict[str, dict | None] = {}
        self.undo_stack: list[list[tuple]] = []
        self.redo_stack: list[list[tuple]] = []
        self.counts = {"change": 0, "undo": 0, "redo": 0, "tag": 0, "link": 0}

    def live_anns(self) -> dict[str, dict]:
        return {k: v for k, v in self.anns.items() if v is not None}

    def live_rels(self) -> dict[str, dict]:
        live = self.live_anns()
        return {k: v for k, v in self.rels.items()
                if v is not None and v["head"] in live and v["tail"] in live}

    def apply(self, rec: dict) -> None:
        op = rec["op"]
        if op in ("undo", "redo"):
            stack = self.undo_stack if op == "undo" else self.redo_stack
            done = rec.get("done")
            if done is not None and done != bool(stack):
                raise Mismatch(f"step {rec.get('i')}: {op} returned done={done} but the model "
                               f"{'has' if stack else 'has no'} step to {op}")
            if not stack:
                return
            step = stack.pop()
            for kind, key, before, after in (reversed(step) if op == "undo" else step):
                self._table(kind)[key] = before if op == "undo" else after
            (self.redo_stack if op == "undo" else self.undo_stack).append(step)
            self.counts[op] += 1
            return
        step = self._step(rec)
        for kind, key, _before, after in step:
            self._table(kind)[key] = after
        self.undo_stack.append(step)
        self.redo_stack.clear()
        self.counts["change"] += 1
        if op in ("tag", "link"):
            self.counts[op] += 1

    def _table(self, kind: str) -> dict:
        return self.anns if kind == "ann" else self.rels

    def _step(self, rec: dict) -> list[tuple]:
        op = rec["op"]
        if op == "tag":
            fields = {k: rec[k] for k in ("doc", "start", "end", "label", "attrs", "note")}
            return [("ann", rec["id"], None, fields)]
        if op == "edit":
            old = self.anns[rec["id"]]
            if old is None:
                raise Mismatch(f"step {rec.get('i')}: edit of a hidden annotation was acknowledged")
            return [("ann", rec["id"], old, dict(old, attrs=rec["attrs"], note=rec["note"]))]
        if op == "delete":
            old = self.anns[rec["id"]]
            if old is None:
                raise Mismatch(f"step {rec.get('i')}: delete of a hidden annotation was acknowledged")
            step = [("ann", rec["id"], old, None)]
            for rid, rel in self.live_rels().items():
                if rec["id"] in (rel["head"], rel["tail"]):
                    step.append(("rel", rid, rel, None))
            return step
        if op == "link":
            return [("rel", rec["id"], None, {k: rec[k] for k in ("head", "tail", "type")})]
        raise ValueError(f"unknown op {op!r}")

    def snapshot(self) -> tuple[dict, dict]:
        return ({k: _ann_key(v) for k, v in self.live_anns().items()},
                {k: (v["head"], v["tail"], v["type"]) for k, v in self.live_rels().items()})


def _ann_key(fields: dict) -> tuple:
    return (fields["doc"], fields["start"], fields["end"], fields["label"],
            json.dumps(fields["attrs"], sort_keys=True), fields["note"])


def db_snapshot(store, annotator: str) -> tuple[dict, dict]:
    """The same shape as Model.snapshot, read from the database."""
    anns = {a.id: _ann_key({"doc": a.doc_id, "start": a.start, "end": a.end, "label": a.label,
                            "attrs": a.attrs, "note": a.note})
            for a in store.annotations(annotator=annotator)}
    rels = {r.id: (r.head_id, r.tail_id, r.type) for r in store.relations(annotator=annotator)}
    return anns, rels


def read_records(lines) -> list[dict]:
    """Complete JSON lines only: a kill may cut the last one short."""
    out = []
    for line in lines:
        if not line.endswith("\n"):
            continue
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


# ---------------------------------------------------------------- the writer

class Writer:
    def __init__(self, db: str, annotator: str, seed: int, log: str | None) -> None:
        from tui.core.schema import DEFAULT_SCHEMA
        from tui.core.session import AnnotationSession

        self.rng = random.Random(f"{annotator}:{seed}")
        self.session = AnnotationSession.open(db, annotator=annotator, schema=DEFAULT_SCHEMA, create=False)
        self.docs = self.session.store.documents()
        if not self.docs:
            raise SystemExit(f"{db} has no documents; import the seeds first")
        self.used: set[tuple[int, int, int]] = set()
        self.log = open(log, "a", encoding="utf-8") if log else None

    def emit(self, record: dict) -> None:
        line = json.dumps(record, sort_keys=True) + "\n"
        sys.stdout.write(line)
        sys.stdout.flush()
        if self.log is not None and record.get("phase") == "ack":
            self.log.write(line)
            self.log.flush()
            os.fsync(self.log.fileno())

    def live(self) -> list:
        out = []
        for doc in self.docs:
            out.extend(self.session.annotations(doc.id))
        return sorted(out, key=lambda a: (a.doc_id, a.start, a.end, a.label))

    def attrs_for(self, label: str) -> dict:
        choices = LABEL_ATTRS[label]
        names = sorted(self.rng.sample(sorted(choices), self.rng.randint(0, len(choices))))
        return {name: self.rng.choice(choices[name]) for name in names}

    def fresh_span(self) -> tuple[int, int, int]:
        # Never reuse a span: an undone delete can then never collide with a new tag.
        while True:
            doc = self.rng.choice(self.docs)
            start = self.rng.randrange(0, len(doc.text) - 41)
            span = (doc.id, start, start + self.rng.randint(1, 40))
            if span not in self.used:
                self.used.add(span)
                return span

    def link_pairs(self, live: list) -> list[tuple]:
        linked = {(r.head_id, r.tail_id) for r in self.session.relations([d.id for d in self.docs])}
        pairs = []
        for h in live:
            for t in live:
                if h.id == t.id or (h.id, t.id) in linked:
                    continue
                same = h.doc_id == t.doc_id
                if (h.label == "CLAIM" and ((same and t.label == "SOURCE") or (not same and t.label == "CLAIM"))) \
                        or (h.label == "MOTIVE" and same):
                    pairs.append((h, t))
        return pairs

    def step(self, i: int) -> None:
        live = self.live()
        op = self.rng.choice(OPS)
        pairs = self.link_pairs(live) if op == "link" else []
        if (op in ("edit", "delete") and not live) or (op == "link" and not pairs):
            op = "tag"
        rec: dict = {"i": i, "op": op}
        if op == "tag":
            doc_id, start, end = self.fresh_span()
            label = self.rng.choice(sorted(LABEL_ATTRS))
            rec.update(doc=doc_id, start=start, end=end, label=label, attrs=self.attrs_for(label), note="")
            self.emit(dict(rec, phase="intent"))
            ann = self.session.tag(doc_id, start, end, label, attrs=rec["attrs"])
            rec["id"] = ann.id
        elif op == "edit":
            target = self.rng.choice(live)
            rec.update(id=target.id, attrs=self.attrs_for(target.label),
                       note=self.rng.choice(["", "checked", f"note {i}"]))
            self.emit(dict(rec, phase="intent"))
            self.session.edit(target.id, attrs=rec["attrs"], note=rec["note"])
        elif op == "delete":
            rec["id"] = self.rng.choice(live).id
            self.emit(dict(rec, phase="intent"))
            self.session.delete(rec["id"])
        elif op == "link":
            head, tail = self.rng.choice(pairs)
            rec.update(head=head.id, tail=tail.id)
            self.emit(dict(rec, phase="intent"))
            rel = self.session.link(head.id, tail.id)
            rec.update(id=rel.id, type=rel.type)
        else:
            self.emit(dict(rec, phase="intent"))
            result = self.session.undo() if op == "undo" else self.session.redo()
            rec.update(done=result is not None, summary=result.summary if result else None)
        self.emit(dict(rec, phase="ack"))


def run_writer(argv: list[str]) -> int:
    args, opts = [], {}
    it = iter(argv)
    for a in it:
        if a.startswith("--"):
            opts[a[2:]] = next(it)
        else:
            args.append(a)
    db, annotator, seed, n = args[0], args[1], int(args[2]), int(args[3])
    writer = None
    try:
        writer = Writer(db, annotator, seed, opts.get("log"))
        writer.emit({"phase": "ready", "annotator": annotator, "pid": os.getpid()})
        if "go" in opts:
            deadline = time.monotonic() + 60
            while not os.path.exists(opts["go"]):
                if time.monotonic() > deadline:
                    raise TimeoutError("no go signal within 60 s")
                time.sleep(0.005)
        for i in range(n):
            writer.step(i)
        writer.emit({"phase": "done", "annotator": annotator})
        writer.session.close()
        return 0
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the parent
        record = {"phase": "error", "annotator": annotator, "error": type(exc).__name__, "message": str(exc),
                  "traceback": traceback.format_exc()}
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()
        return 1


def run_reader(db: str, stopfile: str, max_loops: int) -> int:
    from tui.core.store import Store

    result = {"reads": 0, "annotations_seen": 0, "errors": []}
    try:
        store = Store.open(db, readonly=True)
    except Exception as exc:  # noqa: BLE001
        result["errors"].append(f"open: {type(exc).__name__}: {exc}")
        print(json.dumps(result), flush=True)
        return 1
    try:
        while result["reads"] < max_loops:
            stop = os.path.exists(stopfile)  # checked first: the last read sees the final state
            try:
                docs = {d.id for d in store.documents()}
                anns = list(store.iter_annotations(chunk=50))
                rels = store.relations()
                if any(a.doc_id not in docs for a in anns):
                    result["errors"].append("an annotation points to a missing document")
                ids = {a.id for a in store.annotations(include_deleted=True)}
                if any(r.head_id not in ids or r.tail_id not in ids for r in rels):
                    result["errors"].append("a relation points to a missing annotation")
                result["annotations_seen"] = len(anns)
            except Exception as exc:  # noqa: BLE001
                result["errors"].append(f"{type(exc).__name__}: {exc}")
            result["reads"] += 1
            if stop:
                break
    finally:
        store.close()
    print(json.dumps(result), flush=True)
    return 0 if not result["errors"] else 1


def run_importer(db: str, gofile: str) -> int:
    """Open (maybe create) DB and import the seeds, as `diptych import` would."""
    from tui.core.store import Store

    deadline = time.monotonic() + 60
    while not os.path.exists(gofile):
        if time.monotonic() > deadline:
            print(json.dumps({"error": "no go signal within 60 s"}), flush=True)
            return 1
        time.sleep(0.002)
    try:
        store = Store.open(db)
        created = []
        for path in sorted((REPO / "seeds").glob("*.txt")):
            doc, new = store.add_document("Seeds", path.read_text(encoding="utf-8"), title=path.stem)
            created.append(new)
        print(json.dumps({"version": store.schema_version, "created": created}), flush=True)
        store.close()
        return 0
    except Exception as exc:  # noqa: BLE001
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        return 1


def main(argv: list[str]) -> int:
    # Use the installed `tui` (whatever PYTHONPATH says); fall back to this checkout.
    import importlib.util

    if importlib.util.find_spec("tui") is None:
        sys.path.append(str(REPO))
    if argv and argv[0] == "--reader":
        return run_reader(argv[1], argv[2], int(argv[3]))
    if argv and argv[0] == "--import-seeds":
        return run_importer(argv[1], argv[2])
    return run_writer(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
