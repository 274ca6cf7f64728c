"""Throughput of the suggestion engine against plain ``nlp.pipe``.

Both run in this process on the same texts, with the same model, the same
enabled components and the same batch size; the baseline only parses, ours
parses and then derives every suggestion layer. Prints one JSON line:

    {"name": "suggest_throughput", "ours": words/s, "baseline": words/s, "ratio": ours/baseline, ...}

Usage: python bench/bench_suggest.py [--docs 200] [--batch-size 32] [--model NAME] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui.core.nlp import build_engine  # noqa: E402


def corpus(n_docs: int) -> list[str]:
    """``n_docs`` texts cut from the seed articles: whole articles and single
    paragraphs in turn, so batches mix long and short documents."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    if not seeds:
        raise SystemExit("no seed articles in seeds/")
    pieces: list[str] = list(seeds)
    for text in seeds:
        pieces.extend(p for p in text.split("\n") if len(p.split()) >= 8)
    return [pieces[i % len(pieces)] for i in range(n_docs)]


def words(texts: list[str]) -> int:
    return sum(len(t.split()) for t in texts)


def timed_rates(runs: dict, texts: list[str], repeat: int) -> dict[str, float]:
    """Best words/second of each run over ``repeat`` rounds; the runs take
    turns within a round so that background load hits both alike."""
    n = words(texts)
    best = {name: 0.0 for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            t0 = time.perf_counter()
            run(texts)
            best[name] = max(best[name], n / (time.perf_counter() - t0))
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--model", default=None, help="spaCy package (default: best installed)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    engine = build_engine(args.model)
    if engine.rules_only:
        raise SystemExit(f"no spaCy model to compare against ({engine.description})")
    import spacy

    # Baseline: the same package with the same components enabled, nothing of ours.
    disabled = [n for n in engine.nlp.component_names if n in engine.nlp.disabled]
    baseline_nlp = spacy.load(engine.model.load_target or engine.model.name, disable=disabled)
    texts = corpus(args.docs)
    engine.set_sources(["Rahmatullah Nabil", "The Wall Street Journal", "Sputnik News"])

    def ours(batch: list[str]) -> None:
        for _ in engine.suggest_many(batch, batch_size=args.batch_size):
            pass

    def baseline(batch: list[str]) -> None:
        for _ in baseline_nlp.pipe(batch, batch_size=args.batch_size):
            pass

    ours(texts[:8])  # warm up both (first calls allocate)
    baseline(texts[:8])
    rates = timed_rates({"baseline": baseline, "ours": ours}, texts, args.repeat)
    base, mine = rates["baseline"], rates["ours"]
    print(json.dumps({
        "name": "suggest_throughput",
        "ours": round(mine, 1),
        "baseline": round(base, 1),
        "ratio": round(mine / base, 3),
        "unit": "words/s",
        "model": f"{engine.model.name} {engine.model.version}",
        "components": baseline_nlp.pipe_names,
        "docs": len(texts),
        "words": words(texts),
        "batch_size": args.batch_size,
    }))


if __name__ == "__main__":
    main()
