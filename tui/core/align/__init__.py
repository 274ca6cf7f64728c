"""Cross-article alignment: which sentences of one article say what another says.

This package owns sentence units, pair scoring, story alignment, its cache, the
comparison report built on it, and the claim/source matching across outlets
and provenance. It may import tui.core.models, tui.core.errors,
tui.core.text, tui.core.boilerplate and tui.core.outfiles (reports), and rapidfuzz; spaCy only
lazily; never the store, the session or the UI (the cache takes a session as
an argument, it does not import one).

The names below are re-exported so ``from tui.core.align import Alignment,
align_story`` keeps working; new code may import from the submodules.
"""

from __future__ import annotations

from tui.core.align.alignment import (
    ALGORITHM_VERSION,
    DEFAULT_THRESHOLD_PARAPHRASE,
    DEFAULT_THRESHOLD_VERBATIM,
    AlignedPair,
    Alignment,
    align_story,
    cache_key,
)
from tui.core.align.claims import NEGATION_CUES, ProposedLink, propose_claim_links
from tui.core.align.scoring import KIND_PARAPHRASE, KIND_VERBATIM
from tui.core.align.sources import SourceGroup, group_sources, is_proper_name, source_name
from tui.core.align.units import (
    MIN_WORDS,
    ROLE_BOILERPLATE,
    ROLE_MINOR,
    ROLE_REPEAT,
    ROLE_TEXT,
    DocInput,
    Unit,
    inputs_from,
    sentence_spans,
)
from tui.core.align.words import STOPWORDS, word_diff

__all__ = [
    "ALGORITHM_VERSION",
    "DEFAULT_THRESHOLD_PARAPHRASE",
    "DEFAULT_THRESHOLD_VERBATIM",
    "KIND_PARAPHRASE",
    "KIND_VERBATIM",
    "MIN_WORDS",
    "NEGATION_CUES",
    "ROLE_BOILERPLATE",
    "ROLE_MINOR",
    "ROLE_REPEAT",
    "ROLE_TEXT",
    "STOPWORDS",
    "AlignedPair",
    "Alignment",
    "DocInput",
    "ProposedLink",
    "SourceGroup",
    "Unit",
    "align_story",
    "cache_key",
    "group_sources",
    "inputs_from",
    "is_proper_name",
    "propose_claim_links",
    "sentence_spans",
    "source_name",
    "word_diff",
]
