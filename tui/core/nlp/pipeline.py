"""Assembling the spaCy pipeline: loading a model with only the components the
layers need, the line-break sentence component and the entity rulers."""

from __future__ import annotations

import re
from typing import Any

from ..errors import ModelError
from ..models import LAYER_ATTRIBUTION, LAYER_MOTIVE
from .discovery import INSTALL_HINT, PipelineInfo
from .entities import MEDIA_OUTLETS

_LINE_BREAKS = "diptych_line_breaks"
# The last character before a forced sentence start: a line's whitespace run,
# or the period of "ISIS-K." before a capitalised word.
_SENTENCE_BREAKS = re.compile(r"\s*\n\s*|(?<=\w-\w)\.(?=[ \t]+[A-Z])|(?<=\w-\w\w)\.(?=[ \t]+[A-Z])")


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
