"""What a suggester is: the names stored with every suggestion and in the
cache, the :class:`Suggester` protocol, and the per-layer view of an engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Iterator, Protocol, runtime_checkable

from ..models import Suggestion

if TYPE_CHECKING:
    from .engine import Engine

# Suggester names, as stored in Suggestion.suggester and in the cache.
NER_SUGGESTER = "spacy-ner"
RULES_SUGGESTER = "rule-names"
ATTRIBUTION_SUGGESTER = "attribution-cues"
MOTIVE_SUGGESTER = "motive-cues"
LEARNED_SUGGESTER = "learned-sources"
# Pipelines trained by `diptych train` are named "trained:<name>" (see trained.py).
TRAINED_PREFIX = "trained:"


@runtime_checkable
class Suggester(Protocol):
    name: str
    version: str
    layers: tuple[str, ...]

    def suggest(self, text: str) -> list[Suggestion]: ...

    def suggest_docs(self, texts: Iterable[str], *, batch_size: int = 32,
                     n_process: int = 1) -> Iterator[list[Suggestion]]: ...


@dataclass
class LayerSuggester:
    """One suggester (one layer) of an engine. Satisfies :class:`Suggester`;
    its ``suggest`` runs the whole engine and keeps its own suggestions, so
    prefer ``Engine.suggest`` to get every layer from one parse."""

    name: str
    version: str
    layer: str
    description: str
    engine: "Engine" = field(repr=False, compare=False)

    @property
    def layers(self) -> tuple[str, ...]:
        return (self.layer,)

    def suggest(self, text: str) -> list[Suggestion]:
        return [s for s in self.engine.suggest(text) if s.suggester == self.name]

    def suggest_docs(self, texts: Iterable[str], *, batch_size: int = 32,
                     n_process: int = 1) -> Iterator[list[Suggestion]]:
        for sugg in self.engine.suggest_docs(texts, batch_size=batch_size, n_process=n_process):
            yield [s for s in sugg if s.suggester == self.name]
