"""How good the suggestions are: per label, precision and recall (exact and
overlap >= 50%) against a reference annotation, for each suggestion system
side by side with the plain spaCy NER baseline, in the same run.

Systems:

- ``rules``: the rules-only engine (``build_engine(False)``: no model, no parse);
- ``model+cues``: the engine with the installed model (NER, parse-based
  attribution and motive cues);
- ``trained``: a pipeline trained on the team's annotations (``diptych train``,
  issue #13 part B), given with ``--trained-model DIR``: its ``doc.ents`` and
  its span group (``diptych``, or spaCy's ``sc``) are read as suggestions.
  Without one, the output says how to get one;
- ``baseline``: ``spacy.load`` of the same model, every PERSON/ORG/NORP/GPE
  entity as a SOURCE: what one gets from spaCy alone.

Data (``--data DIR``, default ``bench/data/seeds``): a development set as
``bench/devset.py`` reads it (``annotations.jsonl`` in Diptych's flat format,
the texts beside it; see bench/README.md, "Development sets"). CLAIM→SOURCE
pairs come from the reference's ``relations`` (``attributed_to``). The
default data is the two seed articles, which the rules were written against:
SEEDS ONLY — NOT A DEVELOPMENT SET.

Prints one JSON object on stdout (``ours`` / ``baseline``: SOURCE recall and
precision by overlap, model+cues vs the NER baseline) and the side-by-side
table on stderr.

    python bench/bench_suggest_quality.py [--data DIR] [--model NAME] [--trained-model DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # also when loaded by path (tests)

from devset import SEEDS_DATA, load_devset  # noqa: E402

from tui.core.nlp import scoring  # noqa: E402

LABELS = ("SOURCE", "CLAIM", "MOTIVE")
BASELINE_KINDS = ("PERSON", "ORG", "NORP", "GPE")


def reference(records: list[dict]) -> tuple[list, list]:
    spans = [(r["text_sha256"], r["start"], r["end"], r["label"]) for r in records]
    by_id = {r["id"]: r for r in records if "id" in r}
    pairs = []
    for r in records:
        for rel in r.get("relations", []):
            tail = by_id.get(rel.get("child"))
            if rel.get("label") == "attributed_to" and tail and r["label"] == "CLAIM" and tail["label"] == "SOURCE":
                pairs.append((r["text_sha256"], (r["start"], r["end"]), (tail["start"], tail["end"])))
    return spans, pairs


def engine_system(engine, texts: dict[str, str]) -> tuple[list, list]:
    spans, pairs = [], []
    for sha, found in zip(texts, engine.suggest_docs(texts.values(), include_learned=False)):
        spans += [(sha, s.start, s.end, s.label) for s in found]
        for items in scoring.suggested_pairs(sha, found).values():
            pairs += items
    return spans, pairs


def baseline_system(model: str, texts: dict[str, str]) -> list:
    import spacy

    nlp = spacy.load(model)
    out = []
    for sha, doc in zip(texts, nlp.pipe(texts.values())):
        out += [(sha, e.start_char, e.end_char, "SOURCE") for e in doc.ents if e.label_ in BASELINE_KINDS]
    return out


def trained_system(path: str | None, texts: dict[str, str]) -> tuple[list | None, str]:
    if not path:
        return None, "train with `diptych train` and pass --trained-model DIR to score it"
    import spacy

    from tui.core.nlp.training import SPANS_KEY

    nlp = spacy.load(path)
    out = []
    for sha, doc in zip(texts, nlp.pipe(texts.values())):
        out += [(sha, e.start_char, e.end_char, e.label_) for e in doc.ents]
        # the span group `diptych train` writes (spaCy's default "sc" for other pipelines)
        for key in {SPANS_KEY, "sc"}:
            out += [(sha, s.start_char, s.end_char, s.label_) for s in doc.spans.get(key, [])]
    return out, f"trained pipeline {path}"


def rows(spans: list, pairs: list | None, ref_spans: list, ref_pairs: list) -> dict[str, dict]:
    out = {s.label: s.as_dict() for s in scoring.score_spans(ref_spans, {"x": spans}, labels=LABELS)
           if s.suggester == "x"}
    if pairs is not None:
        (p,) = scoring.score_pairs(ref_pairs, {"x": pairs})
        out[scoring.PAIRS] = p.as_dict()
    for row in out.values():
        del row["suggester"]
    return out


def pct(x: float | None) -> str:
    return "  –  " if x is None else f"{100 * x:4.0f}%"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=SEEDS_DATA,
                    help="development set: annotations.jsonl (flat format) and texts (default: seeds only)")
    ap.add_argument("--model", default=None, help="spaCy package (default: best installed)")
    ap.add_argument("--trained-model", default=None, help="a pipeline trained by `diptych train`")
    args = ap.parse_args()

    from tui.core.nlp import build_engine, choose_model

    devset = load_devset(args.data)
    texts = devset.texts
    ref_spans, ref_pairs = reference(devset.records)
    seeds_only = devset.seeds_only
    model = choose_model(args.model).name
    systems: dict[str, dict] = {}
    notes: dict[str, str] = {}
    systems["rules"] = rows(*engine_system(build_engine(False), texts), ref_spans, ref_pairs)
    if model:
        systems["model+cues"] = rows(*engine_system(build_engine(model), texts), ref_spans, ref_pairs)
        systems["baseline"] = rows(baseline_system(model, texts), None, ref_spans, ref_pairs)
    else:
        notes["model+cues"] = notes["baseline"] = "no spaCy model installed"
    trained, notes["trained"] = trained_system(args.trained_model, texts)
    if trained is not None:
        systems["trained"] = rows(trained, None, ref_spans, ref_pairs)

    title = "SEEDS ONLY — NOT A DEVELOPMENT SET" if seeds_only else f"data: {args.data}"
    print(f"suggestion quality, {len(texts)} text(s), {len(ref_spans)} reference spans, {len(ref_pairs)} "
          f"CLAIM→SOURCE links — {title}", file=sys.stderr)
    names = list(systems)
    print(f"{'label':14}" + "".join(f"{n:>26}" for n in names), file=sys.stderr)
    print(f"{'':14}" + "".join(f"{'P/R exact  P/R ≥50%':>26}" for _ in names), file=sys.stderr)
    for label in (*LABELS, scoring.PAIRS):
        cells = []
        for n in names:
            r = systems[n].get(label)
            cells.append(f"{'n/a':>26}" if r is None else
                         f"{pct(r['precision'])}/{pct(r['recall'])} {pct(r['precision_overlap'])}/"
                         f"{pct(r['recall_overlap'])}".rjust(26))
        print(f"{label:14}" + "".join(cells), file=sys.stderr)
    for n, why in notes.items():
        print(f"{n}: {why}", file=sys.stderr)

    result: dict = {"name": "suggest_quality", "data": str(args.data), "seeds_only": seeds_only,
                    "texts": len(texts), "reference_spans": len(ref_spans), "reference_pairs": len(ref_pairs),
                    "model": model, "systems": systems, "notes": notes, "unit": "%"}
    if "model+cues" in systems:
        ours, base = systems["model+cues"]["SOURCE"], systems["baseline"]["SOURCE"]
        result["ours"] = {"source_recall_overlap": 100 * (ours["recall_overlap"] or 0),
                          "source_precision_overlap": 100 * (ours["precision_overlap"] or 0)}
        result["baseline"] = {"source_recall_overlap": 100 * (base["recall_overlap"] or 0),
                              "source_precision_overlap": 100 * (base["precision_overlap"] or 0)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
