"""Benchmark: how many of the hand-marked same-fact pairs the alignment finds.

Precision and recall of aligned sentence pairs against a gold list, for the
version-1 sentence aligner (``method="baseline"``, measured in the same run)
and the fact aligner (the default), with the time per story; and the time of
both on a synthetic story of 5 articles x 1,000 words (target: <= 1 s).

    .venv/bin/python bench/bench_align_quality.py [--data DIR] [--docs 5] [--words 1000]

``--data DIR`` (default ``bench/data/seeds-only``): one sub-folder per story,
holding its articles as ``*.txt`` (UTF-8, one outlet each) and ``gold.jsonl``,
one same-fact pair a line::

    {"a": "<file>.txt", "text_a": "<words at the start of the sentence>",
     "b": "<file>.txt", "text_b": "...", "relation": "same", "note": "..."}

``text_a``/``text_b`` locate the sentence by its first occurrence in the
file; a pair found by the aligner is right when its two sentences hold the
two located starts. Pairs of kind ``contradiction`` or ``numbers`` are flagged
disagreements, not same-fact claims, so they are not counted as found pairs.
The default set is the two seed articles with 11 pairs marked by hand: seeds
only, not a development set (see bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tui.core.align import align_story  # noqa: E402
from tui.core.align.facts import SAME_FACT_KINDS  # noqa: E402
from tui.core.ingest.regions import detect_regions  # noqa: E402

DEFAULT_DATA = ROOT / "bench" / "data" / "seeds-only"
METHODS = ("baseline", "facts")


class DataError(Exception):
    pass


def load_story(folder: Path) -> tuple[list[tuple[int, str, str]], list[tuple[int, int, int, int]]]:
    """Articles ``(doc_id, file name, text)`` and gold pairs ``(doc, offset, doc, offset)``."""
    files = sorted(folder.glob("*.txt"))
    if len(files) < 2:
        raise DataError(f"{folder}: a story needs two or more .txt articles, found {len(files)}")
    docs = [(i, f.name, f.read_text(encoding="utf-8")) for i, f in enumerate(files)]
    by_name = {name: (i, text) for i, name, text in docs}
    gold_path = folder / "gold.jsonl"
    if not gold_path.exists():
        raise DataError(f"{gold_path}: missing; write the story's same-fact pairs there (see this script's doc)")
    gold = []
    for n, line in enumerate(gold_path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{gold_path}:{n}: not JSON ({exc.msg})") from exc
        if row.get("relation", "same") != "same":
            continue
        ends = []
        for side in ("a", "b"):
            name, phrase = row.get(side), row.get(f"text_{side}")
            if name not in by_name:
                raise DataError(f"{gold_path}:{n}: field {side!r}: no article {name!r} in {folder}")
            doc_id, text = by_name[name]
            pos = text.find(phrase or "\0")
            if not phrase or pos < 0:
                raise DataError(f"{gold_path}:{n}: field 'text_{side}': {phrase!r} is not in {name}")
            ends.append((doc_id, pos))
        gold.append((ends[0][0], ends[0][1], ends[1][0], ends[1][1]))
    return docs, gold


def _inputs(docs):
    out = []
    for doc_id, _name, text in docs:
        regions = detect_regions(text)  # what the importer flags
        rep = [(s, e) for s, e, k in regions if k == "repeated"]
        boiler = [(s, e) for s, e, k in regions if k == "boilerplate"]
        out.append((doc_id, text, rep, boiler))
    return out


def evaluate(docs, gold, method: str) -> dict:
    inputs = _inputs(docs)
    t0 = time.perf_counter()
    al = align_story(inputs, method=method)
    seconds = time.perf_counter() - t0

    def unit(doc: int, offset: int):
        u = al.unit_at(doc, offset)
        return (doc, u.start) if u is not None else None

    truth = set()
    for da, oa, db, ob in gold:
        ua, ub = unit(da, oa), unit(db, ob)
        if ua and ub:
            truth.add(frozenset((ua, ub)))
    found = {frozenset(((p.doc_a, p.start_a), (p.doc_b, p.start_b))) for p in al.pairs if p.kind in SAME_FACT_KINDS}
    hit = len(found & truth)
    return {"pairs": len(found), "gold": len(truth), "right": hit,
            "precision": hit / len(found) if found else 0.0, "recall": hit / len(truth) if truth else 0.0,
            "seconds": seconds}


def synthetic_time(n_docs: int, words: int, method: str) -> float:
    from bench_align import make_story

    docs, _truth = make_story(n_docs, words, seed=7)
    t0 = time.perf_counter()
    align_story(docs, method=method)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of stories (see the module doc)")
    ap.add_argument("--docs", type=int, default=5, help="articles in the synthetic timing story")
    ap.add_argument("--words", type=int, default=1000, help="words per synthetic article")
    args = ap.parse_args()
    stories = sorted(p for p in args.data.iterdir() if p.is_dir()) if args.data.is_dir() else []
    if not stories:
        sys.exit(f"{args.data}: no story folders (each holds *.txt articles and gold.jsonl)")
    result: dict = {"benchmark": "align quality: same-fact pairs vs gold",
                    "data": str(args.data.relative_to(ROOT) if args.data.is_relative_to(ROOT) else args.data),
                    "seeds_only": args.data.resolve() == DEFAULT_DATA.resolve(), "stories": {}}
    totals = {m: {"pairs": 0, "gold": 0, "right": 0, "seconds": 0.0} for m in METHODS}
    for folder in stories:
        try:
            docs, gold = load_story(folder)
        except DataError as exc:
            sys.exit(f"error: {exc}")
        per = {}
        for m in METHODS:
            r = evaluate(docs, gold, m)
            per[m] = {k: round(v, 4) if isinstance(v, float) else v for k, v in r.items()}
            for k in totals[m]:
                totals[m][k] += r[k]
        result["stories"][folder.name] = per
    for m in METHODS:
        t = totals[m]
        t["precision"] = round(t["right"] / t["pairs"], 4) if t["pairs"] else 0.0
        t["recall"] = round(t["right"] / t["gold"], 4) if t["gold"] else 0.0
        t["seconds_per_story"] = round(t.pop("seconds") / len(stories), 4)
        t["synthetic_seconds"] = round(synthetic_time(args.docs, args.words, m), 4)
    result["baseline"] = totals["baseline"]
    result["ours"] = totals["facts"]
    result["synthetic_story"] = f"{args.docs} articles x {args.words} words"
    if result["seeds_only"]:
        result["note"] = "seeds only - not a development set: 1 story, 2 outlets, 11 gold pairs"
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
