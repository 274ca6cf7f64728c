"""Suggestions for one annotator: cached per text, computed off the UI thread.

The UI may not import spaCy, so this service stands between it and
``tui.core.nlp``. ``cached()`` answers from SQLite at once (before spaCy is even
imported); ``load()`` and ``compute()`` are slow and meant for a worker thread.
"""

from __future__ import annotations

import threading
from collections import defaultdict

from .models import Document, Suggestion
from .session import AnnotationSession

LEARNED = "learned-sources"


class SuggestionService:
    def __init__(self, session: AnnotationSession, *, model: str | None = None, no_model: bool = False,
                 patterns_path: str | None = None) -> None:
        self.session = session
        self.model = model
        self.no_model = no_model
        self.patterns_path = patterns_path
        self.engine = None
        self.description = "suggestions: model not loaded yet"
        self.error: str | None = None
        # Engine calls are not thread-safe (spaCy pipelines share state).
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        return self.engine is not None

    def cached(self, doc: Document) -> list[Suggestion]:
        """What was computed for this text last time, whatever model did it."""
        runs = [run for run in self.session.store.latest_runs(doc.text_sha256) if run[0] != LEARNED]
        return self.session.cached_suggestions(doc, runs) or []

    def load(self) -> str:
        """Import spaCy and load the pipeline (seconds). Returns the status description."""
        from . import nlp  # spaCy is imported only here, off the UI thread

        with self._lock:
            if self.engine is None:
                self.engine = nlp.build_engine(False if self.no_model else self.model,
                                               patterns_path=self.patterns_path)
                self.description = self.engine.description
        return self.description

    def compute(self, doc: Document) -> list[Suggestion]:
        """Suggestions for a document from the loaded engine, through the cache."""
        if self.engine is None:
            self.load()
        runs = [(s.name, s.version) for s in self.engine.suggesters]
        found = self.session.cached_suggestions(doc, runs)
        if found is None:
            with self._lock:
                found = list(self.engine.suggest(doc.text))
            by_run: dict[tuple[str, str], list[Suggestion]] = defaultdict(list)
            for s in found:
                by_run[(s.suggester, s.version)].append(s)
            for name, version in runs:
                self.session.store_suggestions(doc, name, version, by_run.get((name, version), []))
        return found + self.learned(doc)

    def learned(self, doc: Document) -> list[Suggestion]:
        """SOURCE names this annotator tagged anywhere, found again in this text (cheap)."""
        if self.engine is None:
            return []
        names = self.session.source_names()
        if not names:
            return []
        with self._lock:
            return list(self.engine.learned(doc.text, names))
