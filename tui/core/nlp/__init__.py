"""The suggestion engine: model discovery, the entity suggester, attribution
and motive cue suggesters, and learned SOURCE names.

Modules: ``discovery`` (installed pipelines, :func:`choose_model`), ``patterns``
(the ``--patterns`` file), ``engine`` (:class:`Engine`, :func:`build_engine`,
:func:`planned_runs`: the cache keys without loading a model), ``pipeline``
(assembling the spaCy pipeline), ``suggesters`` (suggester names, the
protocol), ``entities`` (entity-layer rules), ``bylines`` (bylines, datelines,
credits, "<org> <title> <name>"), ``learned`` (learned sources), ``merge``
(combining and ordering), ``scoring`` (precision/recall against an
annotator), ``cues`` (attribution and motive: ``predicates`` is the lemma
lexicon, ``refine`` trims claims and resolves "the paper").

May import: ``tui.core.models``, ``errors``, ``text`` and ``schema``; spaCy
only lazily, inside the functions that need it, so importing this package stays
cheap. Never the store, the session or anything of the UI
(``tui.core.suggestions`` ties the engine to the session and its cache).
"""

from __future__ import annotations

from .cues.finder import CUES_VERSION
from .cues.lexicon import ACTOR_LABEL
from .discovery import (
    INSTALL_HINT,
    OFFICIAL_ENGLISH,
    ModelChoice,
    PipelineInfo,
    choose_model,
    installed_english_pipelines,
    spacy_available,
)
from .engine import Engine, build_engine
from .entities import MEDIA_OUTLETS, RULES_VERSION
from .learned import learned_version, normalise_sources
from .merge import merge_suggestions
from .patterns import load_patterns
from .suggesters import (
    ATTRIBUTION_SUGGESTER,
    LEARNED_SUGGESTER,
    MOTIVE_SUGGESTER,
    NER_SUGGESTER,
    RULES_SUGGESTER,
    LayerSuggester,
    Suggester,
)

__all__ = [
    "ACTOR_LABEL", "ATTRIBUTION_SUGGESTER", "CUES_VERSION", "INSTALL_HINT", "LEARNED_SUGGESTER",
    "MEDIA_OUTLETS", "MOTIVE_SUGGESTER", "NER_SUGGESTER", "OFFICIAL_ENGLISH", "RULES_SUGGESTER",
    "RULES_VERSION", "Engine", "LayerSuggester", "ModelChoice", "PipelineInfo", "Suggester",
    "build_engine", "choose_model", "installed_english_pipelines", "learned_version", "load_patterns",
    "merge_suggestions", "normalise_sources", "spacy_available",
]
