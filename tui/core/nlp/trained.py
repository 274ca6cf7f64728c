"""Pipelines trained by ``diptych train`` as suggesters.

A trained model is a folder ``<models dir>/<name>-<stamp>/`` (the models dir
is ``models/`` next to the database) holding a spaCy pipeline and
``diptych.json`` (name, date, hash). As a suggester it is named
``trained:<name>`` and versioned ``<name>-<stamp>+<hash>``, so the cache
keeps each trained model's suggestions apart and a retrained model is
recomputed. Finding and choosing models reads the JSON files only; spaCy is
imported when a model is first used.

Which model: ``choose_trained(models_dir, wanted)``: ``wanted`` None or
"newest" takes the newest model in the folder (none if the folder is empty);
"none" (or "off") switches trained suggestions off; anything else is a
folder name, a path or a model name (its newest version).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ModelError
from ..models import LAYER_ATTRIBUTION, LAYER_ENTITY, LAYER_MOTIVE, Suggestion
from .merge import _sorted
from .suggesters import TRAINED_PREFIX
from .training import META_FILE, SPANS_KEY

MODELS_DIRNAME = "models"
# Ranking hint: the model's probability scaled below the NER's 0.8 and the cues' 0.7.
SCORE_TRAINED = 0.6
# Which reader layer (toggle key) a trained label shows in.
LABEL_LAYERS = {"SOURCE": LAYER_ENTITY, "CLAIM": LAYER_ATTRIBUTION, "MOTIVE": LAYER_MOTIVE,
                "ACTOR": LAYER_MOTIVE}
OFF = ("none", "off")


@dataclass(frozen=True)
class TrainedModel:
    path: Path
    name: str
    stamp: str
    date: str
    hash: str
    labels: tuple[str, ...] = ()

    @property
    def suggester(self) -> str:
        return TRAINED_PREFIX + self.name

    @property
    def version(self) -> str:
        return f"{self.name}-{self.stamp}+{self.hash}"


def models_dir_for(db_path: str | Path) -> Path:
    return Path(db_path).resolve().parent / MODELS_DIRNAME


def read_model(path: str | Path) -> TrainedModel | None:
    """The model in ``path``, or None when it is not a folder ``diptych train`` wrote."""
    path = Path(path)
    try:
        meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
        return TrainedModel(path, str(meta["name"]), str(meta["stamp"]), str(meta.get("date", "")),
                            str(meta["hash"]), tuple(str(x) for x in meta.get("labels", ())))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def find_models(models_dir: str | Path) -> list[TrainedModel]:
    """Every trained model in the folder, newest first."""
    folder = Path(models_dir)
    if not folder.is_dir():
        return []
    found = [m for m in (read_model(p) for p in sorted(folder.iterdir()) if p.is_dir() and not p.name.startswith("."))
             if m is not None]
    return sorted(found, key=lambda m: (m.stamp, m.path.name), reverse=True)


def choose_trained(models_dir: str | Path, wanted: str | None = None) -> TrainedModel | None:
    if wanted is not None and wanted.strip().lower() in OFF:
        return None
    models = find_models(models_dir)
    if wanted is None or wanted.strip().lower() in ("", "newest"):
        return models[0] if models else None
    path = Path(wanted).expanduser()
    if path.is_dir():
        model = read_model(path)
        if model is None:
            raise ModelError(f"{path} is not a model written by `diptych train` (no {META_FILE})",
                             hint="give a folder under annotations/models/, a model name, or 'none'")
        return model
    for m in models:
        if wanted in (m.path.name, m.name, m.suggester):
            return m
    have = ", ".join(m.path.name for m in models) or "none"
    raise ModelError(f"no trained model {wanted!r} in {models_dir}",
                     hint=f"trained models there: {have}; train one with `diptych train`, or use 'none'")


class TrainedSuggester:
    """A trained pipeline as a suggester (satisfies ``suggesters.Suggester``)."""

    def __init__(self, model: TrainedModel) -> None:
        self.model = model
        self.name = model.suggester
        self.version = model.version
        self.layers = tuple(sorted({LABEL_LAYERS.get(lb, LAYER_ENTITY) for lb in model.labels}))
        self.description = f"trained {model.path.name}"
        self._nlp: Any = None
        self._lock = threading.Lock()

    def load(self) -> Any:
        with self._lock:
            if self._nlp is None:
                import spacy

                from .span_candidates import register

                register()
                try:
                    self._nlp = spacy.load(self.model.path)
                except (OSError, ValueError) as err:
                    raise ModelError(f"cannot load the trained model in {self.model.path}: {err}",
                                     hint="train again with `diptych train`, or switch it off with "
                                          "DIPTYCH_TRAINED=none") from err
        return self._nlp

    def _from_doc(self, doc: Any) -> list[Suggestion]:
        group = doc.spans.get(SPANS_KEY, [])
        scores = getattr(group, "attrs", {}).get("scores")
        out = {}
        for i, span in enumerate(group):
            raw = scores[i] if scores is not None and i < len(scores) else 1.0
            # spancat_singlelabel keeps one score per span in a one-item row.
            score = float(raw.max()) if hasattr(raw, "max") else float(raw)
            key = (span.start_char, span.end_char, span.label_)
            text = doc.text[span.start_char:span.end_char]
            if not text.strip():
                continue
            if key not in out or score > out[key].score:
                out[key] = Suggestion(span.start_char, span.end_char, span.label_, self.name, self.version,
                                      round(score * SCORE_TRAINED, 4),
                                      LABEL_LAYERS.get(span.label_, LAYER_ENTITY), kind="TRAINED")
        return _sorted(out.values())

    def suggest(self, text: str) -> list[Suggestion]:
        if not text:
            return []
        return self._from_doc(self.load()(text))

    def suggest_docs(self, texts: Iterable[str], *, batch_size: int = 32,
                     n_process: int = 1) -> Iterator[list[Suggestion]]:
        for doc in self.load().pipe(texts, batch_size=batch_size):
            yield self._from_doc(doc) if len(doc) else []


def combine(suggestions: Iterable[Suggestion], more: Iterable[Suggestion] = ()) -> list[Suggestion]:
    """Other suggesters' suggestions with the trained ones added, without
    duplicates: a trained span that another suggester already proposed with
    the same label (or, for SOURCE names, overlaps) is left out, so each span
    shows once and names the suggester that proposed it first."""
    every = [*suggestions, *more]
    others = [s for s in every if not s.suggester.startswith(TRAINED_PREFIX)]
    taken = {(s.start, s.end, s.label) for s in others}
    entity = [(s.start, s.end, s.label) for s in others if s.layer == LAYER_ENTITY]
    kept = list(others)
    for s in every:
        if not s.suggester.startswith(TRAINED_PREFIX) or (s.start, s.end, s.label) in taken:
            continue
        if s.layer == LAYER_ENTITY and any(a < s.end and s.start < b and lb == s.label for a, b, lb in entity):
            continue
        taken.add((s.start, s.end, s.label))
        kept.append(s)
    return _sorted(kept)
