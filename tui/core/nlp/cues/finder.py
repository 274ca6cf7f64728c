"""Attribution and motive cues found in a parsed (or only tokenised) spaCy Doc.

This module never imports spaCy at import time: it works on the Doc/Token
objects it is given, and builds its Matchers from the pipeline's vocab when the
engine asks (:class:`CueFinder`).

Two modes, chosen per Doc by ``doc.has_annotation("DEP")``:

* parsed: the dependency parse finds the speaker (``nsubj``), whether a verb is
  really a verb ("claims the paper" vs "this claim"), the extent of a purpose or
  reason clause (the subtree of its head) and the actor (the subject of the verb
  the motive attaches to, walking up xcomp/conj chains).
* tokens only (rules fallback): the same triggers, with clause extents cut at
  punctuation and the actor taken as the words before the first auxiliary.

Span *boundaries* are decided by punctuation even in parsed mode: the small
English model often attaches an appositive or a fronted quote to the wrong
head, but commas and quotation marks are where journalists put clause breaks.
"""

from __future__ import annotations

from typing import Any

from .attribution import AttributionCues
from .lexicon import (
    _CLOSE_QUOTES,
    _DELIMS,
    _DETERMINERS,
    _EFFORT_NOUNS,
    _MOTIVE_PARTICIPLES,
    _OPEN_QUOTES,
    _OUT_OF_NOUNS,
    CITE_FORMS,
    COGNITIVE_LEMMA_OF,
    REPORT_LEMMA_OF,
)
from .predicates import CLAIM_NOUNS, forms_of
from .motive import MotiveCues

# Bump when the cue rules change, so cached cue suggestions are recomputed.
# 2: lemma lexicon with cognitive/evidential verbs, passive "by X", hedging,
#    framing and motive cut from claims, refers_to of description sources.
CUES_VERSION = "2"


class CueFinder(AttributionCues, MotiveCues):
    """Builds its Matchers once for a vocab; call :meth:`attributions` and :meth:`motives` per Doc.

    ``extra``: lemmas a patterns file adds, by kind ("reporting", "cognitive").
    """

    def __init__(self, vocab: Any, extra: dict[str, set[str]] | None = None) -> None:
        from spacy.matcher import Matcher

        self.vocab = vocab
        extra = extra or {}
        # surface form -> (lemma, "reporting" | "cognitive")
        self.predicates: dict[str, tuple[str, str]] = {}
        for kind, table in (("reporting", REPORT_LEMMA_OF), ("cognitive", COGNITIVE_LEMMA_OF),
                            ("reporting", forms_of(extra.get("reporting", ()))),
                            ("cognitive", forms_of(extra.get("cognitive", ())))):
            for form, lemma in table.items():
                self.predicates.setdefault(form, (lemma, kind))
        self.attr = Matcher(vocab, validate=True)
        self.attr.add("ACCORDING", [[{"LOWER": "according"}, {"LOWER": "to"}]])
        self.attr.add("REPORT", [[{"LOWER": {"IN": sorted(self.predicates)}}]])
        self.attr.add("NOUN", [[{"LOWER": {"IN": sorted(CLAIM_NOUNS)}}, {"LOWER": "that"}]])
        self.attr.add("CITE", [[{"LOWER": {"IN": sorted(CITE_FORMS)}}]])

        # Modifiers allowed between "in an" and "quest": words and hyphens, no clause punctuation.
        mod = {"ORTH": {"NOT_IN": sorted(_DELIMS | _OPEN_QUOTES | _CLOSE_QUOTES | {".", "to", "of"})},
               "IS_SPACE": False, "OP": "{0,4}"}
        self.motive = Matcher(vocab, validate=True)
        self.motive.add("PURPOSE", [
            [{"LOWER": "in"}, {"LOWER": "order"}, {"LOWER": {"IN": ["to", "that"]}}],
            [{"LOWER": "so"}, {"LOWER": "as"}, {"LOWER": "to"}],
            [{"LOWER": "so"}, {"LOWER": "that"}],
            [{"LOWER": "with"}, {"LOWER": "the"}, {"LOWER": {"IN": ["aim", "goal", "intention", "purpose"]}},
             {"LOWER": "of"}],
        ])
        self.motive.add("EFFORT", [
            [{"LOWER": "in"}, {"LOWER": {"IN": sorted(_DETERMINERS)}}, mod,
             {"LOWER": {"IN": list(_EFFORT_NOUNS)}}, {"LOWER": {"IN": ["to", "of", "that"]}}],
        ])
        self.motive.add("REASON", [
            [{"LOWER": "because"}, {"LOWER": "of", "OP": "?"}],
            [{"LOWER": "for"}, {"LOWER": "fear"}, {"LOWER": {"IN": ["of", "that"]}}],
            [{"LOWER": "out"}, {"LOWER": "of"}, {"LOWER": {"IN": list(_OUT_OF_NOUNS)}}],
            [{"LOWER": {"IN": ["motivated", "driven", "prompted"]}}, {"LOWER": "by"}],
        ])
        # Needs a parse (a Matcher refuses DEP patterns on unparsed docs).
        self.bare = Matcher(vocab, validate=True)
        self.bare.add("BARE", [[{"LOWER": "to", "DEP": "aux"}]])
        self.motive.add("PARTICIPLE", [[{"LOWER": {"IN": list(_MOTIVE_PARTICIPLES)}}]])
        mod_of = dict(mod, ORTH={"NOT_IN": sorted(_DELIMS | _OPEN_QUOTES | _CLOSE_QUOTES | {".", "to"})})
        self.motive.add("REASONS", [
            [{"LOWER": "for"}, mod_of, {"LOWER": {"IN": ["reason", "reasons", "motives"]}}],
        ])
