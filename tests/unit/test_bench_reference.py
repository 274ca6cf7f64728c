"""The seeds' reference annotation used by bench/bench_suggest_quality.py and
bench/bench_train.py (read by bench/devset.py): every span quotes its text
exactly and every link points at a span."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "bench" / "data" / "seeds"


def bench_module(name: str = "bench_suggest_quality"):
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    if name not in sys.modules:  # a dataclass looks its module up there
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


def test_reference_matches_the_seed_texts():
    bench = bench_module()
    devset = bench_module("devset").load_devset(DATA)
    assert devset.seeds_only
    texts, records = devset.texts, devset.records
    assert len(texts) == 2
    ids = {r["id"] for r in records}
    for r in records:
        assert texts[r["text_sha256"]][r["start"]:r["end"]] == r["selector"]["exact"]
        assert r["annotator"] == "gold" and r["label"] in ("CLAIM", "SOURCE", "MOTIVE")
        assert all(rel["child"] in ids for rel in r["relations"])
    spans, pairs = bench.reference(records)
    assert len(spans) == len(records) and pairs


def test_reference_file_is_what_its_builder_writes():
    spec = importlib.util.spec_from_file_location("build_reference", DATA / "build_reference.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    written = [json.loads(line) for line in (DATA / "annotations.jsonl").read_text(encoding="utf-8").splitlines()]
    assert written == mod.records()
