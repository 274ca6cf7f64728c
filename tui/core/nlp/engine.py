"""Suggestion engine: spaCy NER, rule fallback, attribution and motive cues.

Importing this module is cheap: spaCy is imported only inside the functions
that need it, so headless commands and the UI start fast.

One :class:`Engine` holds one loaded pipeline and parses each text once; every
layer (entities, attribution cues, motive cues, learned sources) is read off
that one Doc. Each layer is a suggester with its own name and version, and
every :class:`~tui.core.models.Suggestion` records both, so a cache keyed by
``(text_sha256, suggester, version)`` is invalidated exactly when the model,
the rules or the patterns change.

What comes out (``Suggestion`` fields):

* entity layer: label SOURCE (or a patterns file's CLAIM/MOTIVE), ``kind`` =
  PERSON / ORG / NORP (model), MEDIA (outlet list, "Source: X" lines), NAME
  (capitalised-name heuristic), LEARNED (learned sources) or a pattern label.
* attribution layer: CLAIM (``role`` "head") and SOURCE ("tail"), relation
  ``attributed_to``; "citing X, Y and Z" adds X, Y, Z as further tails. A
  SOURCE with no claim in reach ("the paper cites X") comes alone (no group).
* motive layer: MOTIVE ("head") and its actor with label ``ACTOR`` ("tail"),
  relation ``motive_of``; ACTOR is not a schema label: the actor is any span.
* a ``group`` has one or more heads and one or more tails, and every head
  relates to every tail (cues that share a span are merged so that each span
  appears once: one actor with two motives is one group with two heads).
* scores are ranking hints (learned 1.0 > outlets 0.9 > model 0.8 > cues
  0.7 > weak cues 0.5 > heuristics/rules 0.4-0.5), not probabilities.
* output is sorted by (start, end, label, layer, suggester, ...), so the same
  text always gives the same list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator

from ..errors import ModelError
from ..models import LAYER_ATTRIBUTION, LAYER_ENTITY, LAYER_MOTIVE, LAYERS, Suggestion
from .cues.finder import CUES_VERSION
from .bylines import byline_ranges, credit_ranges, inside_any, titled_names
from .cues.lexicon import REPORT_FORMS
from .cues.predicates import split_predicates
from .discovery import ModelChoice, PipelineInfo, choose_model, spacy_available
from .entities import (
    _URLISH,
    PASS_THROUGH_LABELS,
    RULES_VERSION,
    SCORE_LEARNED,
    SCORE_MEDIA,
    SCORE_MODEL,
    SCORE_NAME,
    SCORE_PATTERN,
    SOURCE_KINDS,
    _capitalised_names,
    _source_lines,
    _trim_entity,
)
from .learned import _phrase_variants, learned_version, normalise_sources, stands_alone
from .merge import _cue_suggestions, _longest_first, _sorted, merge_suggestions
from .patterns import _file_hash, load_patterns
from .pipeline import _LINE_BREAKS, _add_rulers, _ensure_line_break_component, _load_model
from .suggesters import (
    ATTRIBUTION_SUGGESTER,
    LEARNED_SUGGESTER,
    MOTIVE_SUGGESTER,
    NER_SUGGESTER,
    RULES_SUGGESTER,
    LayerSuggester,
)


def _reports(root: Any) -> bool:
    """The entity is the subject of a reporting or cognitive predicate."""
    return root.dep_ in ("nsubj", "nsubjpass") and root.head.lower_ in REPORT_FORMS or (
        root.dep_ == "pobj" and root.head.lower_ == "to" and root.head.i > 0
        and root.doc[root.head.i - 1].lower_ == "according")


def engine_tag(model: PipelineInfo | None, spacy_version: str) -> str:
    """The first part of every version string: the model (or blank pipeline) it came from."""
    return f"{model.name}-{model.version}" if model else f"blank-en-{spacy_version}"


def layer_versions(tag: str, rules_only: bool, patterns_tag: str,
                   layers: Iterable[str]) -> list[tuple[str, str, str, str]]:
    """(layer, suggester name, version, description) per layer. Known before
    any model is loaded, so a command can tell whether the cache already
    holds everything (see :func:`planned_runs`)."""
    table = {
        LAYER_ENTITY: (RULES_SUGGESTER if rules_only else NER_SUGGESTER,
                       f"{tag}+ents{RULES_VERSION}{patterns_tag}",
                       "rule-based names (entity ruler + capitalised words)" if rules_only
                       else f"spaCy NER ({tag})"),
        LAYER_ATTRIBUTION: (ATTRIBUTION_SUGGESTER, f"{tag}+att{CUES_VERSION}{patterns_tag}",
                            "reporting and cognitive predicates, 'according to', 'citing'"),
        LAYER_MOTIVE: (MOTIVE_SUGGESTER, f"{tag}+mot{CUES_VERSION}",
                       "purpose and reason clauses"),
    }
    return [(layer, *table[layer]) for layer in layers]


def planned_runs(model: str | bool | None = None, *, patterns_path: str | Path | None = None,
                 layers: Iterable[str] = LAYERS) -> list[tuple[str, str]] | None:
    """The (suggester, version) cache keys :func:`build_engine` with the same
    arguments would produce, from package metadata only: no spaCy import, no
    model load. None when that cannot be known without loading (spaCy absent,
    or a pipeline whose version metadata is missing)."""
    from importlib import metadata

    if not spacy_available():
        return None
    try:
        spacy_version = metadata.version("spacy")
    except metadata.PackageNotFoundError:
        return None
    wanted = set(layers)
    layers = tuple(name for name in LAYERS if name in wanted)
    patterns_tag = f"+p{_file_hash(patterns_path)}" if patterns_path else ""
    if model is False:
        info = None
    else:
        choice = choose_model(model if isinstance(model, str) else None)
        info = choice.info if choice.name is not None else None
        if choice.name is not None and (info is None or not info.version):
            return None
    tag = engine_tag(info, spacy_version)
    return [(name, version) for _, name, version, _ in layer_versions(tag, info is None, patterns_tag, layers)]


class Engine:
    """One loaded pipeline producing every suggestion layer from one parse.

    Attributes: ``name``, ``version`` (all non-learned layers together),
    ``layers``, ``description`` (one line for the status line), ``model``
    (PipelineInfo or None), ``rules_only``, ``suggesters`` (LayerSuggester per
    layer), ``nlp`` (the spaCy Language), ``sources`` (learned phrases).
    """

    name = "diptych"

    def __init__(self, nlp: Any, *, model: PipelineInfo | None, description: str,
                 layers: tuple[str, ...], patterns_tag: str, learned_sources: Iterable[str],
                 predicates: dict[str, set[str]] | None = None) -> None:
        import spacy

        from .cues.finder import CueFinder

        self.nlp = nlp
        self.model = model
        self.rules_only = model is None
        self.description = description
        self.layers = layers
        self.parsed = (not self.rules_only) and "parser" in nlp.pipe_names
        tag = engine_tag(model, spacy.__version__)
        self._tag = tag
        self.entity_name = RULES_SUGGESTER if self.rules_only else NER_SUGGESTER
        self.version = f"{tag}+r{RULES_VERSION}c{CUES_VERSION}{patterns_tag}+" + ",".join(layers)
        self.suggesters: list[LayerSuggester] = [
            LayerSuggester(sname, sver, layer, sdesc, self)
            for layer, sname, sver, sdesc in layer_versions(tag, self.rules_only, patterns_tag, layers)]
        self._versions = {s.layer: s.version for s in self.suggesters}
        self._cues = CueFinder(nlp.vocab, predicates) if (LAYER_ATTRIBUTION in layers or LAYER_MOTIVE in layers) \
            else None
        self._learned_cache: tuple[tuple[str, ...], Any] | None = None
        self.sources: tuple[str, ...] = ()
        self.set_sources(learned_sources)

    # -- learned sources --------------------------------------------------------

    @property
    def learned_suggester(self) -> LayerSuggester:
        return LayerSuggester(LEARNED_SUGGESTER, learned_version(self.sources), LAYER_ENTITY,
                              "names the annotator tagged as SOURCE", self)

    def set_sources(self, sources: Iterable[str]) -> None:
        """Replace the learned SOURCE names (used by ``suggest`` from now on)."""
        self.sources = normalise_sources(sources)

    def add_sources(self, sources: Iterable[str]) -> None:
        self.sources = normalise_sources((*self.sources, *sources))

    def _phrase_matcher(self, phrases: tuple[str, ...]) -> Any:
        if self._learned_cache is not None and self._learned_cache[0] == phrases:
            return self._learned_cache[1]
        from spacy.matcher import PhraseMatcher

        matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        variants = sorted({v for p in phrases for v in _phrase_variants(p)})
        if variants:
            matcher.add("SOURCE", [self.nlp.make_doc(v) for v in variants])
        self._learned_cache = (phrases, matcher)
        return matcher

    def learned(self, text: str, sources: Iterable[str] | None = None) -> list[Suggestion]:
        """SOURCE suggestions for the learned names only: tokenizer and a
        PhraseMatcher, no parse, so it is cheap to rerun whenever the
        annotator tags a new SOURCE. ``sources`` None: the engine's own set."""
        phrases = self.sources if sources is None else normalise_sources(sources)
        if not phrases or not text:
            return []
        return self._learned_on_doc(self.nlp.make_doc(text), phrases)

    def _learned_on_doc(self, doc: Any, phrases: tuple[str, ...]) -> list[Suggestion]:
        if not phrases:
            return []
        from spacy.util import filter_spans

        matcher = self._phrase_matcher(phrases)
        spans = filter_spans([doc[s:e] for _, s, e in matcher(doc)
                              if stands_alone(doc.text, doc[s:e].start_char, doc[s:e].end_char)])
        version = learned_version(phrases)
        out = [Suggestion(sp.start_char, sp.end_char, "SOURCE", LEARNED_SUGGESTER, version,
                          SCORE_LEARNED, LAYER_ENTITY, kind="LEARNED") for sp in spans]
        return _sorted(out)

    # -- suggesting -------------------------------------------------------------

    def suggest(self, text: str, *, include_learned: bool = True) -> list[Suggestion]:
        if not text:
            return []
        return self._from_doc(self.nlp(text), include_learned)

    def suggest_docs(self, texts: Iterable[str], *, batch_size: int = 32, n_process: int = 1,
                     include_learned: bool = True) -> Iterator[list[Suggestion]]:
        """One list per text, in order, from ``nlp.pipe`` (one parse each)."""
        for doc in self.nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
            yield self._from_doc(doc, include_learned) if len(doc) else []

    def suggest_many(self, texts: Iterable[str], batch_size: int = 32, n_process: int = 1,
                     *, include_learned: bool = True) -> Iterator[list[Suggestion]]:
        return self.suggest_docs(texts, batch_size=batch_size, n_process=n_process,
                                 include_learned=include_learned)

    def _from_doc(self, doc: Any, include_learned: bool) -> list[Suggestion]:
        parts: list[list[Suggestion]] = []
        if include_learned and self.sources:
            parts.append(self._learned_on_doc(doc, self.sources))
        if LAYER_ENTITY in self.layers:
            parts.append(self._entities(doc))
        if self._cues is not None:
            # Motives first: a claim is cut where a motive clause at its end begins.
            motives = self._cues.motives(doc)
            if LAYER_ATTRIBUTION in self.layers:
                parts.append(_cue_suggestions(self._cues.attributions(doc, motives), LAYER_ATTRIBUTION,
                                              ATTRIBUTION_SUGGESTER, self._versions[LAYER_ATTRIBUTION]))
            if LAYER_MOTIVE in self.layers:
                parts.append(_cue_suggestions(motives, LAYER_MOTIVE,
                                              MOTIVE_SUGGESTER, self._versions[LAYER_MOTIVE]))
        return merge_suggestions(*parts)

    def _entities(self, doc: Any) -> list[Suggestion]:
        name, version = self.entity_name, self._versions[LAYER_ENTITY]
        text = doc.text
        urls = [(m.start(), m.end()) for m in _URLISH.finditer(text)]
        out: list[Suggestion] = []
        for ent in doc.ents:
            label, kind, score = self._map_entity(ent)
            if label is None:
                continue
            rng = _trim_entity(text, ent.start_char, ent.end_char,
                               name=not ent.ent_id_.startswith("diptych-pattern"))
            if rng is None or any(rng[0] < u1 and u0 < rng[1] for u0, u1 in urls):
                continue
            out.append(Suggestion(rng[0], rng[1], label, name, version, score, LAYER_ENTITY, kind=kind))
        out.extend(Suggestion(a, b, "SOURCE", name, version, SCORE_MEDIA, LAYER_ENTITY, kind="MEDIA")
                   for a, b in _source_lines(doc))
        out.extend(Suggestion(a, b, "SOURCE", name, version, SCORE_MEDIA, LAYER_ENTITY, kind="CREDIT")
                   for a, b in credit_ranges(text))
        if not self.rules_only:
            out.extend(Suggestion(a, b, "SOURCE", name, version, SCORE_MODEL, LAYER_ENTITY, kind="PERSON")
                       for a, b in titled_names(doc))
        if self.rules_only:
            names = _capitalised_names(doc)
            out.extend(Suggestion(a, b, "SOURCE", name, version, SCORE_NAME, LAYER_ENTITY, kind="NAME")
                       for a, b in titled_names(doc, names))
            taken = [(s.start, s.end) for s in out]
            for a, b in names:
                if not any(a < t1 and t0 < b for t0, t1 in taken) and \
                        not any(a < u1 and u0 < b for u0, u1 in urls):
                    out.append(Suggestion(a, b, "SOURCE", name, version, SCORE_NAME, LAYER_ENTITY, kind="NAME"))
        bylines = byline_ranges(text)
        if bylines:
            out = [s for s in out if not inside_any(s.start, s.end, bylines)]
        return merge_suggestions(_longest_first(out))

    def _map_entity(self, ent: Any) -> tuple[str | None, str, float]:
        """(label, kind, score) for a doc entity, or (None, ...) to drop it."""
        ent_id = ent.ent_id_
        if ent_id == "diptych-media":
            return "SOURCE", "MEDIA", SCORE_MEDIA
        if ent_id.startswith("diptych-pattern"):
            if ent.label_ in PASS_THROUGH_LABELS:
                return ent.label_, ent.label_, SCORE_PATTERN
            return "SOURCE", ent.label_, SCORE_PATTERN
        if ent.label_ == "GPE" and self.parsed and _reports(ent.root):
            return "SOURCE", "GPE", SCORE_MODEL  # "North Korea said": a country as an actor
        if ent.label_ not in SOURCE_KINDS:
            return None, "", 0.0
        if ent.label_ == "NORP" and self.parsed:
            root = ent.root
            nxt = ent.doc[ent.end] if ent.end < len(ent.doc) else None
            if root.dep_ in ("amod", "compound", "nmod", "npadvmod", "poss") or (nxt is not None and nxt.text == "-"):
                return None, "", 0.0  # "Afghan forces", "American-trained": an adjective
        return "SOURCE", ent.label_, SCORE_MODEL


def build_engine(model: str | bool | None = None, *, learned_sources: Iterable[str] = (),
                 patterns_path: str | Path | None = None,
                 layers: Iterable[str] = LAYERS) -> Engine:
    """Load the suggestion engine.

    ``model``: a package name or pipeline directory (must be installed, else
    ModelError), None for the best installed English pipeline, or False to
    force the rules-only engine. ``learned_sources``: SOURCE names the
    annotator tagged or accepted. ``patterns_path``: an entity-ruler JSONL.
    ``layers``: which of ``entity``, ``attribution``, ``motive`` to produce.
    """
    wanted = set(layers)
    unknown = wanted - set(LAYERS)
    if unknown:
        raise ModelError(f"unknown suggestion layers {sorted(unknown)}", hint=f"use {', '.join(LAYERS)}")
    layers = tuple(name for name in LAYERS if name in wanted)
    if not spacy_available():
        raise ModelError("spaCy is not installed, so no suggestions can be made",
                         hint="pip install 'spacy>=3.8,<3.9'")
    patterns, predicates = split_predicates(load_patterns(patterns_path) if patterns_path else [])
    patterns_tag = f"+p{_file_hash(patterns_path)}" if patterns_path else ""
    import spacy

    _ensure_line_break_component()
    if model is False:
        choice = ModelChoice(None, "forced rules only (no model)")
    else:
        choice = choose_model(model if isinstance(model, str) else None)
    if choice.name is None:
        nlp = spacy.blank("en")
        nlp.add_pipe(_LINE_BREAKS)
        nlp.add_pipe("sentencizer")
        _add_rulers(nlp, patterns)
        description = f"rules only: {choice.reason}"
        return Engine(nlp, model=None, description=description, layers=layers,
                      patterns_tag=patterns_tag, learned_sources=learned_sources, predicates=predicates)
    info = choice.info
    assert info is not None
    nlp = _load_model(info, layers)
    first = next((n for n in nlp.pipe_names if n in ("parser", "senter")), None)
    nlp.add_pipe(_LINE_BREAKS, **({"before": first} if first else {"first": True}))
    _add_rulers(nlp, patterns)
    what = f"spaCy {info.name} {info.version}"
    if choice.reason and not choice.reason.startswith("best installed"):
        what += f" ({choice.reason})"
    return Engine(nlp, model=info, description=what, layers=layers,
                  patterns_tag=patterns_tag, learned_sources=learned_sources, predicates=predicates)
