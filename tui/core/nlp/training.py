"""Training a span categoriser on the team's annotations (``diptych train``).

Input is plain data (:class:`TrainDoc`: a text and its labelled character
spans), so the same :func:`train` serves the command (documents from the
database), the reader's background job and the benches (a ``--data`` folder).

What is trained: a blank English pipeline with one span categoriser (spaCy's
``spancat_singlelabel``, named ``spancat``; spans key :data:`SPANS_KEY`) for
every label in the data (CLAIM, SOURCE, MOTIVE, ACTOR...). Its candidate spans
come from :mod:`.span_candidates`; nearly all are no span at all, so the loss
of "no label" is down-weighted (:data:`NEGATIVE_WEIGHT`), without which CLAIMs,
rare among thousands of candidates, were never learnt on small data. One
document per update (``batch_size`` 1): with a handful of documents, bigger
batches leave too few updates. Its token encoder has the same shape as the
installed pipeline's ``tok2vec`` and starts from its weights when one is
installed (``base_model``), then is fine-tuned with the rest; with none it
starts from random weights.

Deterministic: the held-out split is a seeded shuffle of the documents'
keys, spaCy's and NumPy's seeds are fixed, batches are shuffled with a seeded
generator, CPU only. The same data, seed and settings give the same scores.

spaCy is imported only inside the functions that train.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import TrainingError
from .span_candidates import SUGGESTER, candidate_spans, register

SPANS_KEY = "diptych"
COMPONENT = "spancat"
META_FILE = "diptych.json"  # name, date, hash: what the suggester's version is made of
SCORES_FILE = "scores.json"
DATA_FILE = "training.json"
MIN_DOCS = 2  # one to learn from and one to score on: anything less cannot be measured
DEFAULT_EPOCHS = 15
DEFAULT_HOLDOUT = 0.25
NEGATIVE_WEIGHT: float | None = 0.2


@dataclass(frozen=True)
class TrainSpan:
    start: int
    end: int
    label: str


@dataclass(frozen=True)
class TrainDoc:
    """One annotated document: ``key`` identifies it (doc id or file:line) and
    orders the held-out split, so it must be stable across runs."""

    key: str
    text: str
    spans: tuple[TrainSpan, ...]


@dataclass(frozen=True)
class LabelScore:
    label: str
    gold: int
    predicted: int
    correct: int  # exact matches
    overlap: int  # gold spans matched by a prediction of the label overlapping >= 50% of the longer

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def overlap_recall(self) -> float:
        return self.overlap / self.gold if self.gold else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f": round(self.f, 4), "overlap_recall": round(self.overlap_recall, 4)}


@dataclass
class TrainResult:
    nlp: Any  # the trained spaCy Language
    scores: list[LabelScore]
    summary: dict[str, Any] = field(default_factory=dict)

    def scores_dict(self) -> dict[str, Any]:
        return {"labels": {s.label: s.as_dict() for s in self.scores},
                "held_out_docs": self.summary.get("held_out_docs", []),
                "note": "exact = same start, end and label; overlap = same label and >= 50% of the longer span"}


def split_docs(docs: Iterable[TrainDoc], holdout: float = DEFAULT_HOLDOUT,
               seed: int = 0) -> tuple[list[TrainDoc], list[TrainDoc]]:
    """(train, held out): a seeded shuffle of the documents ordered by key, at
    least one document on each side. Refuses fewer than :data:`MIN_DOCS`."""
    docs = sorted(docs, key=lambda d: d.key)
    if len(docs) < MIN_DOCS:
        raise TrainingError(
            f"only {len(docs)} annotated document(s): training needs at least {MIN_DOCS} "
            "(some to learn from, at least one held out to score the result on)",
            hint="annotate more documents (or pick the annotator who has: --annotator), then train again")
    if not 0 < holdout < 1:
        raise TrainingError(f"--holdout must be between 0 and 1, not {holdout}")
    order = list(range(len(docs)))
    random.Random(seed).shuffle(order)
    n_held = min(len(docs) - 1, max(1, round(len(docs) * holdout)))
    held = sorted(order[:n_held])
    train = sorted(order[n_held:])
    return [docs[i] for i in train], [docs[i] for i in held]


def _tok2vec_config(base: Any | None) -> dict[str, Any]:
    if base is not None and "tok2vec" in base.pipe_names:
        cfg = json.loads(json.dumps(base.config["components"]["tok2vec"]["model"]))
        width = cfg["encode"]["width"]
        cfg["embed"]["width"] = width  # it was a reference into the other config
        return cfg
    return {"@architectures": "spacy.Tok2Vec.v2",
            "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 96,
                      "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"], "rows": [5000, 1000, 2500, 2500],
                      "include_static_vectors": False},
            "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 96, "depth": 4,
                       "window_size": 1, "maxout_pieces": 3}}


def _load_base(base_model: str | None) -> Any | None:
    if not base_model:
        return None
    import spacy

    return spacy.load(base_model, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "ner",
                                           "senter", "morphologizer"])


def build_pipeline(labels: Iterable[str], *, base: Any | None = None, threshold: float = 0.5,
                   negative_weight: float | None = NEGATIVE_WEIGHT) -> Any:
    """``negative_weight`` None: one logistic per label (``spancat``); a number:
    one softmax over the labels and "none" (``spancat_singlelabel``) whose
    "none" loss is scaled by it, since nearly every candidate is no span at all."""
    import spacy

    register()
    nlp = spacy.blank("en")
    config: dict[str, Any] = {
        "spans_key": SPANS_KEY,
        "suggester": {"@misc": SUGGESTER, "max_short": 6, "max_long": 60},
        "model": {"@architectures": "spacy.SpanCategorizer.v1",
                  "reducer": {"@layers": "spacy.mean_max_reducer.v1", "hidden_size": 128},
                  "scorer": {"@layers": "spacy.LinearLogistic.v1"},
                  "tok2vec": _tok2vec_config(base)},
    }
    if negative_weight is None:
        nlp.add_pipe("spancat", name=COMPONENT, config={**config, "threshold": threshold})
    else:
        config["model"]["scorer"] = {"@layers": "Softmax.v2"}
        nlp.add_pipe("spancat_singlelabel", name=COMPONENT,
                     config={**config, "negative_weight": negative_weight, "allow_overlap": True})
    for label in sorted(set(labels)):
        nlp.get_pipe(COMPONENT).add_label(label)
    return nlp


def _example(nlp: Any, doc: TrainDoc, stats: dict[str, list[int]]) -> Any:
    from spacy.tokens import SpanGroup
    from spacy.training import Example

    predicted = nlp.make_doc(doc.text)
    reference = nlp.make_doc(doc.text)
    spans, kept = [], set()
    words = [t.text for t in reference]
    cands = set(candidate_spans(words))
    for sp in doc.spans:
        span = reference.char_span(sp.start, sp.end, label=sp.label, alignment_mode="expand")
        row = stats.setdefault(sp.label, [0, 0, 0])  # spans, aligned, candidates
        row[0] += 1
        if span is None or (span.start, span.end, sp.label) in kept:
            continue
        row[1] += 1
        row[2] += (span.start, span.end) in cands
        kept.add((span.start, span.end, sp.label))
        spans.append(span)
    reference.spans[SPANS_KEY] = SpanGroup(reference, name=SPANS_KEY, spans=spans)
    return Example(predicted, reference)


def predict_spans(nlp: Any, texts: Iterable[str], batch_size: int = 8) -> Iterable[list[TrainSpan]]:
    for doc in nlp.pipe(texts, batch_size=batch_size):
        group = doc.spans.get(SPANS_KEY, [])
        yield sorted({TrainSpan(s.start_char, s.end_char, s.label_) for s in group},
                     key=lambda s: (s.start, s.end, s.label))


def _overlaps(a: TrainSpan, b: TrainSpan) -> bool:
    inter = min(a.end, b.end) - max(a.start, b.start)
    return inter > 0 and inter >= 0.5 * max(a.end - a.start, b.end - b.start)


def score_spans(gold: list[list[TrainSpan]], predicted: list[list[TrainSpan]],
                labels: Iterable[str]) -> list[LabelScore]:
    """Per label exact precision/recall and overlap recall over aligned lists of documents."""
    out = []
    for label in sorted(set(labels)):
        g_n = p_n = exact = over = 0
        for g_doc, p_doc in zip(gold, predicted):
            g = {s for s in g_doc if s.label == label}
            p = {s for s in p_doc if s.label == label}
            g_n += len(g)
            p_n += len(p)
            exact += len(g & p)
            over += sum(1 for s in g if any(_overlaps(s, q) for q in p))
        out.append(LabelScore(label, g_n, p_n, exact, over))
    return out


def _fix_seeds(seed: int) -> None:
    from spacy.util import fix_random_seed

    fix_random_seed(seed)


def train(docs: Iterable[TrainDoc], *, base_model: str | None = None, epochs: int = DEFAULT_EPOCHS,
          holdout: float = DEFAULT_HOLDOUT, seed: int = 0, batch_size: int = 1, dropout: float = 0.1,
          progress: Callable[[int, int, float], None] | None = None,
          split: tuple[list[TrainDoc], list[TrainDoc]] | None = None,
          negative_weight: float | None = NEGATIVE_WEIGHT) -> TrainResult:
    """Train on part of ``docs``, score on the held-out rest.

    ``base_model``: an installed pipeline whose ``tok2vec`` weights start the
    encoder (None: random start). ``progress(epoch, epochs, loss)`` is called
    after each epoch. ``split``: (train, held out) to use instead of
    :func:`split_docs` (benches that fix their own split).
    """
    from spacy.util import minibatch

    docs = [d for d in docs if d.spans]
    train_docs, held = split if split is not None else split_docs(docs, holdout, seed)
    if not train_docs or not held:
        raise TrainingError("nothing to learn from or nothing to score on after the split",
                            hint=f"give at least {MIN_DOCS} annotated documents")
    if epochs < 1:
        raise TrainingError(f"--epochs must be at least 1, not {epochs}")
    labels = sorted({s.label for d in train_docs for s in d.spans})
    _fix_seeds(seed)
    base = _load_base(base_model)
    nlp = build_pipeline(labels, base=base, negative_weight=negative_weight)
    stats: dict[str, list[int]] = {}
    examples = [_example(nlp, d, stats) for d in train_docs]
    optimizer = nlp.initialize(lambda: examples)
    copied = base is not None and "tok2vec" in base.pipe_names
    if copied:
        # Same architecture, so the installed encoder's weights drop straight in.
        nlp.get_pipe(COMPONENT).model.get_ref("tok2vec").from_bytes(base.get_pipe("tok2vec").model.to_bytes())
    rng = random.Random(seed)
    losses_by_epoch = []
    for epoch in range(1, epochs + 1):
        order = list(examples)
        rng.shuffle(order)
        losses: dict[str, float] = {}
        for batch in minibatch(order, size=batch_size):
            nlp.update(batch, drop=dropout, sgd=optimizer, losses=losses)
        loss = float(losses.get(COMPONENT, 0.0))
        losses_by_epoch.append(round(loss, 4))
        if progress is not None:
            progress(epoch, epochs, loss)
    predicted = list(predict_spans(nlp, (d.text for d in held)))
    gold = [sorted(set(d.spans), key=lambda s: (s.start, s.end, s.label)) for d in held]
    all_labels = sorted(set(labels) | {s.label for d in held for s in d.spans})
    scores = score_spans(gold, predicted, all_labels)
    summary = {
        "train_docs": [d.key for d in train_docs],
        "held_out_docs": [d.key for d in held],
        "labels": {label: {"spans": row[0], "aligned_to_tokens": row[1], "among_candidates": row[2]}
                   for label, row in sorted(stats.items())},
        "held_out_spans": {label: sum(1 for d in held for s in d.spans if s.label == label)
                           for label in all_labels},
        "epochs": epochs, "seed": seed, "holdout": holdout, "batch_size": batch_size, "dropout": dropout,
        "base_model": base_model or "", "encoder_from_base": copied, "losses": losses_by_epoch,
        "negative_weight": negative_weight,
    }
    return TrainResult(nlp, scores, summary)


def model_hash(nlp: Any) -> str:
    return hashlib.sha1(nlp.get_pipe(COMPONENT).to_bytes(exclude=["cfg"])).hexdigest()[:10]


def save(result: TrainResult, models_dir: Path, name: str, *, extra: dict[str, Any] | None = None,
         now: datetime | None = None) -> Path:
    """Write the pipeline, its scores and the data summary to
    ``models_dir/<name>-<date>/`` (a new folder every time) and return it."""
    import spacy

    now = now or datetime.now(UTC)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    target = models_dir / f"{name}-{stamp}"
    n = 1
    while target.exists():
        n += 1
        target = models_dir / f"{name}-{stamp}-{n}"
    nlp = result.nlp
    nlp.meta["name"] = name
    nlp.meta["version"] = "0.0.0"
    nlp.meta["description"] = "Diptych span suggester trained by `diptych train`"
    # Written beside, then renamed: a run killed half-way leaves no folder that
    # looks like a model (find_models also skips folders without META_FILE).
    final, target = target, target.with_name("." + target.name + ".partial")
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    nlp.to_disk(target)
    digest = model_hash(nlp)
    meta = {"name": name, "date": now.isoformat(timespec="seconds"), "stamp": stamp, "hash": digest,
            "spans_key": SPANS_KEY, "spacy": spacy.__version__, "labels": list(nlp.get_pipe(COMPONENT).labels)}
    (target / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (target / SCORES_FILE).write_text(json.dumps(result.scores_dict(), indent=2, sort_keys=True) + "\n",
                                      encoding="utf-8")
    summary = {**result.summary, **(extra or {})}
    (target / DATA_FILE).write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    target.rename(final)
    return final


def format_scores(scores: Iterable[LabelScore]) -> list[str]:
    """The per-label table ``diptych train`` prints."""
    lines = [f"{'label':<8} {'gold':>5} {'pred':>5} {'P':>6} {'R':>6} {'F':>6} {'R~':>6}"]
    for s in scores:
        lines.append(f"{s.label:<8} {s.gold:>5} {s.predicted:>5} {s.precision:>6.2f} {s.recall:>6.2f} "
                     f"{s.f:>6.2f} {s.overlap_recall:>6.2f}")
    lines.append("P/R/F: exact spans; R~: recall with >= 50% overlap")
    return lines
