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
lexicon, ``refine`` trims claims and resolves "the paper"), ``training`` and
``span_candidates`` (``diptych train``), ``trained`` (trained pipelines as
suggesters).

May import: ``tui.core.models``, ``errors``, ``text`` and ``schema``; spaCy
only lazily, inside the functions that need it, so importing this package stays
cheap. Never the store, the session or anything of the UI
(``tui.core.suggestions`` ties the engine to the session and its cache).
"""

from __future__ import annotations

import importlib

# Each public name and the module it lives in. The package imports them on
# first use (PEP 562), so ``from tui.core.nlp.suggesters import ...`` in the
# reader's import path does not import every cue lexicon and the engine too.
_WHERE = {
    "CUES_VERSION": "cues.finder",
    "ACTOR_LABEL": "cues.lexicon",
    "INSTALL_HINT": "discovery",
    "OFFICIAL_ENGLISH": "discovery",
    "ModelChoice": "discovery",
    "PipelineInfo": "discovery",
    "choose_model": "discovery",
    "installed_english_pipelines": "discovery",
    "spacy_available": "discovery",
    "Engine": "engine",
    "build_engine": "engine",
    "MEDIA_OUTLETS": "entities",
    "RULES_VERSION": "entities",
    "learned_version": "learned",
    "normalise_sources": "learned",
    "merge_suggestions": "merge",
    "load_patterns": "patterns",
    "ATTRIBUTION_SUGGESTER": "suggesters",
    "LEARNED_SUGGESTER": "suggesters",
    "MOTIVE_SUGGESTER": "suggesters",
    "NER_SUGGESTER": "suggesters",
    "RULES_SUGGESTER": "suggesters",
    "LayerSuggester": "suggesters",
    "Suggester": "suggesters",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{where}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
