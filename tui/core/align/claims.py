"""Proposed links between CLAIMs of different articles whose sentences align:
``same_as``, ``partial``, or ``contradicts`` when a negation cue differs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Sequence

from rapidfuzz import fuzz

from tui.core.align.alignment import Alignment
from tui.core.align.scoring import _dice
from tui.core.align.words import STOPWORDS, _WORD, _fold, _stem
from tui.core.models import Annotation

# Words whose presence on only one side of two otherwise matching claims is a
# principled reason to suspect a contradiction.
NEGATION_CUES = frozenset(
    "not no never none nobody nothing neither nor without deny denied denies denying "
    "false untrue cannot can't won't didn't doesn't don't isn't wasn't aren't weren't "
    "hasn't haven't hadn't couldn't wouldn't shouldn't".split()
)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class ProposedLink:
    """A suggested CLAIM -> CLAIM relation across documents."""

    head_id: str
    tail_id: str
    type: str  # "same_as", "partial" or (negation cue only) "contradicts"
    score: float


# --------------------------------------------------------------------------- claims


def _alive(a: Annotation) -> bool:
    return a.deleted_at is None and a.status != "deleted"


def _claim_similarity(a: Annotation, b: Annotation) -> tuple[float, bool]:
    """Similarity of the two claim texts themselves, and whether a negation cue
    differs between them (one side only)."""
    fa = [_fold(m.group()) for m in _WORD.finditer(a.quote)]
    fb = [_fold(m.group()) for m in _WORD.finditer(b.quote)]
    ca = {_stem(w) for w in fa if w not in STOPWORDS}
    cb = {_stem(w) for w in fb if w not in STOPWORDS}
    content = _dice(ca, cb)
    chars = fuzz.token_set_ratio(" ".join(fa), " ".join(fb)) / 100.0
    neg_a = {w for w in fa if w in NEGATION_CUES or w.endswith("n't")}
    neg_b = {w for w in fb if w in NEGATION_CUES or w.endswith("n't")}
    return max(content, chars * content ** 0.5), bool(neg_a) != bool(neg_b)


def propose_claim_links(
    alignment: Alignment,
    claims: Sequence[Annotation],
    *,
    same_as_threshold: float = 0.5,
    partial_floor: float = 0.25,
) -> list[ProposedLink]:
    """Propose links between CLAIMs of different documents whose sentences align.

    ``same_as`` when the aligned pair and the claims' own wording agree
    strongly (claim-text similarity >= ``same_as_threshold``), ``partial``
    down to ``partial_floor``, nothing below. ``contradicts`` only for otherwise ``same_as``
    claims where a negation cue ("not", "denied", "never"...) is on one side
    only. One link per unordered pair, head = claim of the lower doc id; the
    score is the aligned pair's score times the claims' agreement."""
    live = [c for c in claims if c.label == "CLAIM" and _alive(c)]
    best: dict[tuple[str, str], ProposedLink] = {}
    by_doc: dict[int, list[Annotation]] = defaultdict(list)
    for c in live:
        by_doc[c.doc_id].append(c)
    for c in live:
        # Every sentence the claim touches, and their counterparts.
        touched = [
            u for u in alignment.units.get(c.doc_id, []) if u.start < max(c.end, c.start + 1) and c.start < u.end
        ]
        for u in touched:
            for p in alignment.counterparts(c.doc_id, u.start):
                if p.doc_b <= c.doc_id:
                    continue  # each unordered pair once, from the lower doc id
                for other in by_doc.get(p.doc_b, []):
                    if not (other.start < p.end_b and p.start_b < max(other.end, other.start + 1)):
                        continue
                    sim, negation = _claim_similarity(c, other)
                    if sim < partial_floor:
                        continue  # different parts of aligned sentences: not one claim
                    score = round(p.score * (0.5 + 0.5 * sim), 4)
                    if sim >= same_as_threshold and p.score >= 0.5 * same_as_threshold:
                        kind = "contradicts" if negation else "same_as"
                    else:
                        kind = "partial"
                    key = (c.id, other.id)
                    if key not in best or score > best[key].score:
                        best[key] = ProposedLink(c.id, other.id, kind, score)
    return sorted(best.values(), key=lambda link: (-link.score, link.head_id, link.tail_id))
