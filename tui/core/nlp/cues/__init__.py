"""Attribution and motive cues read off a spaCy Doc.

``lexicon`` (trigger words, labels, scores), ``spans`` (cue records and token
helpers), ``attribution`` and ``motive`` (the two halves of the finder),
``finder`` (:class:`CueFinder`, which builds the Matchers for a vocab).
"""

from __future__ import annotations

from .finder import CUES_VERSION, CueFinder
from .lexicon import ACTOR_LABEL
from .spans import Cue, CueSpan

__all__ = ["ACTOR_LABEL", "CUES_VERSION", "Cue", "CueFinder", "CueSpan"]
