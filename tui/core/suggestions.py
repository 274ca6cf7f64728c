"""Suggestions for one annotator: cached per text, computed off the UI thread
(in a worker process when the service is given one: tui/core/worker_process.py).

The UI may not import spaCy, so this service stands between it and
``tui.core.nlp``. ``cached()`` answers from SQLite at once (before spaCy is even
imported); ``load()``, ``compute()`` and ``precompute()`` are slow and meant for
a worker thread or a headless command (``diptych suggest``).

The cache is keyed by ``(text_sha256, suggester, version)``: one row per run in
``suggestion_runs`` (so "nothing found" is cached too) and the suggestions
themselves. The reader and ``diptych suggest`` write it the same way, so a
corpus precomputed on the command line opens with its suggestions at once.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import os

from .errors import DiptychError
from .models import Document, Suggestion
from .nlp.suggesters import LEARNED_SUGGESTER, TRAINED_PREFIX  # names only: no spaCy import
from .nlp.trained import TrainedModel, TrainedSuggester, choose_trained, combine, models_dir_for
from .session import AnnotationSession
from .worker_process import RemoteEngine, RemoteTrained, WorkerProcess

LEARNED = LEARNED_SUGGESTER  # the learned suggester's name, shared with nlp
# The engine's version strings start with "<model tag>+"; the rules-only
# engine's tag starts with this.
RULES_TAG = "blank-"


@dataclass(frozen=True)
class PrecomputeResult:
    """What :meth:`SuggestionService.precompute` did."""

    computed: int  # documents parsed now
    cached: int  # documents whose every run was already cached
    words: int  # whitespace-separated words in the computed documents
    seconds: float  # time spent parsing and storing them (model load excluded)
    suggestions: int  # suggestions stored for the computed documents

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Evaluation:
    """What :meth:`SuggestionService.evaluate` measured (``scores``:
    :class:`tui.core.nlp.scoring.Score` rows)."""

    annotator: str
    documents: int
    reference_spans: int
    reference_pairs: int
    scores: list

    def summary(self) -> str:
        """One line for the reader's status: every suggester together, by overlap."""
        if not self.reference_spans:
            return f"suggestion quality: {self.annotator} has no annotations here yet, nothing to score against"
        from .nlp.scoring import ANY_SUGGESTER, PAIRS

        def pct(x: float | None) -> str:
            return "–" if x is None else f"{100 * x:.0f}%"

        parts = [f"{s.label if s.label != PAIRS else 'pairs'} P {pct(s.precision_overlap)} R {pct(s.recall_overlap)}"
                 for s in self.scores
                 if (s.suggester == ANY_SUGGESTER or s.label == PAIRS) and s.reference]
        return (f"suggestions vs {self.annotator}'s {self.reference_spans} span(s), overlap ≥50%: "
                + " · ".join(parts))

    def as_dict(self) -> dict:
        return {"annotator": self.annotator, "documents": self.documents,
                "reference_spans": self.reference_spans, "reference_pairs": self.reference_pairs,
                "scores": [s.as_dict() for s in self.scores]}


def _tag(version: str) -> str:
    return version.split("+", 1)[0]


def _ordered(found: Iterable[Suggestion]) -> list[Suggestion]:
    """The engine's order, so a cached list equals the freshly computed one."""
    return sorted(found, key=lambda s: (s.start, s.end, s.label, s.layer, s.suggester, s.role, s.group))


class SuggestionService:
    def __init__(self, session: AnnotationSession, *, model: str | None = None, no_model: bool = False,
                 patterns_path: str | None = None, trained: str | None = None,
                 worker: WorkerProcess | None = None) -> None:
        self.session = session
        self.model = model
        self.no_model = no_model
        self.patterns_path = patterns_path
        # With a worker process, the engine (spaCy) loads and runs there, and
        # this process never imports it: the reader's keys never wait for a parse.
        self.worker = worker
        self.engine = None
        self.description = "suggestions: model not loaded yet"
        self.error: str | None = None
        # The trained pipeline (`diptych train`) used beside the engine: ``trained``,
        # else $DIPTYCH_TRAINED, else the newest in models/ next to the db; "none": off.
        # Choosing reads JSON files only; the pipeline loads with the engine, in
        # the worker process when there is one (never in the reader's).
        self.trained: TrainedSuggester | None = None
        self.use_trained(trained if trained is not None else os.environ.get("DIPTYCH_TRAINED"))
        # Engine calls are not thread-safe (spaCy pipelines share state).
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        return self.engine is not None

    def cached(self, doc: Document) -> list[Suggestion]:
        """What was computed for this text last time, by one model (or the rules).

        The newest run per suggester may come from different engines (a corpus
        precomputed with ``--no-model``, then opened with the model): the
        entity layer would then show twice, once per engine. Keep the runs of
        one engine tag: the rules' when this service runs without a model, else
        a model's, and among those the tag with the most layers.
        """
        runs = [run for run in self.session.store.latest_runs(doc.text_sha256)
                if run[0] != LEARNED and not run[0].startswith(TRAINED_PREFIX)]
        by_tag: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for name, version in runs:
            by_tag[_tag(version)].append((name, version))
        if len(by_tag) > 1:
            def rank(tag: str) -> tuple[bool, int, str]:
                wanted = tag.startswith(RULES_TAG) == self.no_model
                return (wanted, len(by_tag[tag]), tag)

            runs = by_tag[max(by_tag, key=rank)]
        found = self.session.cached_suggestions(doc, runs) or []
        trained = self.session.cached_suggestions(doc, self._trained_runs()) if self.trained else None
        return _ordered(combine(found, trained or []))

    # -- the trained suggester ----------------------------------------------------

    def use_trained(self, wanted: str | None) -> TrainedModel | None:
        """Choose the trained model (see ``tui.core.nlp.trained.choose_trained``).
        A bad choice is not fatal: it leaves trained suggestions off and says why."""
        self.trained_error = None
        try:
            chosen = choose_trained(models_dir_for(self.session.store.path), wanted)
        except DiptychError as err:
            self.trained, self.trained_error = None, err.message
            return None
        if chosen is None:
            self.trained = None
        elif self.worker is not None:
            self.trained = RemoteTrained(self.worker, chosen)
        else:
            self.trained = TrainedSuggester(chosen)
        return chosen

    def _trained_runs(self) -> list[tuple[str, str]]:
        return [(self.trained.name, self.trained.version)] if self.trained else []

    def load(self) -> str:
        """Import spaCy and load the pipeline (seconds). Returns the status description."""
        with self._lock:
            if self.engine is None:
                model = False if self.no_model else self.model
                if self.worker is not None:
                    self.engine = RemoteEngine(self.worker, model, patterns_path=self.patterns_path)
                else:
                    from .nlp.engine import build_engine  # spaCy is imported only here, off the UI thread

                    self.engine = build_engine(model, patterns_path=self.patterns_path)
                self.description = self.engine.description
            if self.trained is not None:
                self.trained.load()
            self.description = self.engine.description + (
                f" + {self.trained.description}" if self.trained else
                f" (trained model off: {self.trained_error})" if self.trained_error else "")
        return self.description

    def runs(self) -> list[tuple[str, str]]:
        """(suggester, version) of every layer of the loaded engine: the cache keys."""
        if self.engine is None:
            self.load()
        return [(s.name, s.version) for s in self.engine.suggesters] + self._trained_runs()

    def planned_runs(self) -> list[tuple[str, str]] | None:
        """The cache keys the engine will use, known without loading it (from
        package metadata), or None when only loading can tell."""
        if self.engine is not None:
            return self.runs()
        from .nlp.engine import planned_runs  # no spaCy import

        return planned_runs(False if self.no_model else self.model, patterns_path=self.patterns_path)

    def all_cached(self, docs: Sequence[Document]) -> bool:
        """True when every document's every run is cached already, decided
        without loading the model (False when that cannot be known)."""
        runs = self.planned_runs()
        if runs is None:
            return False
        return all(self.session.cached_suggestions(doc, runs) is not None for doc in docs)

    def compute(self, doc: Document) -> list[Suggestion]:
        """Suggestions for a document from the loaded engine, through the cache."""
        runs = self.runs()
        engine_runs = [run for run in runs if not run[0].startswith(TRAINED_PREFIX)]
        found = self.session.cached_suggestions(doc, engine_runs)
        if found is None:
            with self._lock:
                found = list(self.engine.suggest(doc.text, include_learned=False))
            self._store(doc, engine_runs, found)
        # Apart from the engine's: a newly trained model must not re-parse every text.
        trained: list[Suggestion] = []
        if self.trained is not None:
            cached = self.session.cached_suggestions(doc, self._trained_runs())
            if cached is None:
                with self._lock:
                    cached = self.trained.suggest(doc.text)
                self._store(doc, self._trained_runs(), cached)
            trained = list(cached)
        return _ordered(combine(found, trained)) + self.learned(doc)

    def precompute(self, docs: Sequence[Document], *, batch_size: int = 32, n_process: int = 1,
                   force: bool = False, progress: Callable[[Document], None] | None = None) -> PrecomputeResult:
        """Fill the cache for many documents with ``nlp.pipe`` batching.

        Documents whose every run is cached are skipped unless ``force``.
        ``progress(doc)`` is called after each document is stored (computed or
        skipped), in order.
        """
        runs = self.runs()
        todo: list[Document] = []
        skipped = 0
        for doc in docs:
            if not force and self.session.cached_suggestions(doc, runs) is not None:
                skipped += 1
                if progress is not None:
                    progress(doc)
            else:
                todo.append(doc)
        words = sum(len(doc.text.split()) for doc in todo)
        stored = 0
        started = time.perf_counter()
        if todo:
            with self._lock:
                results = self.engine.suggest_docs((doc.text for doc in todo), batch_size=batch_size,
                                                   n_process=n_process, include_learned=False)
                if self.trained is not None:
                    more = self.trained.suggest_docs((doc.text for doc in todo), batch_size=batch_size)
                    results = (a + b for a, b in zip(results, more))
                for doc, found in zip(todo, results):
                    self._store(doc, runs, found)
                    stored += len(found)
                    if progress is not None:
                        progress(doc)
        return PrecomputeResult(computed=len(todo), cached=skipped, words=words,
                                seconds=time.perf_counter() - started, suggestions=stored)

    def _store(self, doc: Document, runs: Iterable[tuple[str, str]], found: Iterable[Suggestion]) -> None:
        by_run: dict[tuple[str, str], list[Suggestion]] = defaultdict(list)
        for s in found:
            by_run[(s.suggester, s.version)].append(s)
        if self.session.readonly:
            return  # a cache is an optimisation: a read-only file just recomputes
        # One transaction per document: a killed run leaves each text either
        # fully cached or not at all, never with some layers missing.
        with self.session.store.transaction():
            for name, version in runs:
                self.session.store_suggestions(doc, name, version, by_run.get((name, version), []))

    def evaluate(self, docs: Sequence[Document], annotator: str, *, cached_only: bool = False) -> Evaluation:
        """Score every suggester against ``annotator``'s spans and
        ``attributed_to`` links on these documents (suggestions through the
        cache, computed where missing; ``cached_only``: what is cached, never
        loading the model)."""
        from .nlp import scoring  # plain Python: no spaCy

        reference: list[scoring.SpanKey] = []
        ref_pairs: list[scoring.PairKey] = []
        spans, pairs = [], []
        store = self.session.store
        for doc in docs:
            anns = [a for a in store.annotations(doc.id, annotator) if a.status == "active"]
            reference.extend((doc.id, a.start, a.end, a.label) for a in anns)
            by_id = {a.id: a for a in anns}
            for rel in store.relations(annotator=annotator, doc_ids=[doc.id]):
                head, tail = by_id.get(rel.head_id), by_id.get(rel.tail_id)
                if rel.type == "attributed_to" and head and tail and head.label == "CLAIM" and tail.label == "SOURCE":
                    ref_pairs.append((doc.id, (head.start, head.end), (tail.start, tail.end)))
            found = self.cached(doc) if cached_only else self.compute(doc)
            spans.append(scoring.spans_of(doc.id, found))
            pairs.append(scoring.suggested_pairs(doc.id, found))
        scores = scoring.score_spans(reference, scoring.merge_by_suggester(spans))
        scores += scoring.score_pairs(ref_pairs, scoring.merge_by_suggester(pairs))
        return Evaluation(annotator=annotator, documents=len(docs), reference_spans=len(reference),
                          reference_pairs=len(ref_pairs), scores=scores)

    def learned(self, doc: Document) -> list[Suggestion]:
        """SOURCE names this annotator tagged anywhere, found again in this text (cheap)."""
        if self.engine is None:
            return []
        names = self.session.source_names()
        if not names:
            return []
        with self._lock:
            return list(self.engine.learned(doc.text, names))
