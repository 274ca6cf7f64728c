"""The suggestion engine: model discovery, the entity suggester, attribution
and motive cue suggesters, and learned SOURCE names.

May import: ``tui.core.models``, ``errors``, ``text`` and ``schema``; spaCy
only lazily, inside the functions that need it. Never the store, the session
or anything of the UI (``tui.core.suggestions`` is what ties the engine to the
session and its cache).
"""

from __future__ import annotations

from .engine import (
    ACTOR_LABEL,
    ATTRIBUTION_SUGGESTER,
    CUES_VERSION,
    INSTALL_HINT,
    LEARNED_SUGGESTER,
    MEDIA_OUTLETS,
    MOTIVE_SUGGESTER,
    NER_SUGGESTER,
    OFFICIAL_ENGLISH,
    RULES_SUGGESTER,
    RULES_VERSION,
    Engine,
    LayerSuggester,
    ModelChoice,
    PipelineInfo,
    Suggester,
    build_engine,
    choose_model,
    installed_english_pipelines,
    learned_version,
    load_patterns,
    merge_suggestions,
    normalise_sources,
    spacy_available,
)

__all__ = [
    "ACTOR_LABEL", "ATTRIBUTION_SUGGESTER", "CUES_VERSION", "INSTALL_HINT", "LEARNED_SUGGESTER",
    "MEDIA_OUTLETS", "MOTIVE_SUGGESTER", "NER_SUGGESTER", "OFFICIAL_ENGLISH", "RULES_SUGGESTER",
    "RULES_VERSION", "Engine", "LayerSuggester", "ModelChoice", "PipelineInfo", "Suggester",
    "build_engine", "choose_model", "installed_english_pipelines", "learned_version", "load_patterns",
    "merge_suggestions", "normalise_sources", "spacy_available",
]
