"""Cross-article alignment: which sentences of one article say what another says.

Plain Python plus rapidfuzz; no UI imports. The unit of alignment is the sentence
(paragraphs are derived from it). Two kinds of evidence:

* verbatim — shared wording: word 4-grams both sentences contain (stemmed, so
  "numbers"/"number" still match), a near-identical character ratio (rapidfuzz),
  or a quotation of one found in the other ("small but growing").
* paraphrase — overlap of content words weighted by how rare they are in the
  story (IDF), plus overlap of named entities (with initials, so "Wall Street
  Journal" meets "WSJ").

Alignment is order-insensitive (outlets reorder) and one-to-many. Inside one
document, the second copy of a repeated passage (flagged by the importer, or
found here as a fallback) is never aligned on its own: it borrows the
counterparts of its first copy, so it cannot count as coverage twice.
Short lines (bylines, URLs, "Post a Comment") are "minor": never aligned and
never reported as "only in this article".
"""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from tui.core.align.facts import KIND_QUOTE, fact_candidates, fact_features, score_facts, set_weights
from tui.core.align.scoring import KIND_PARAPHRASE, KIND_VERBATIM, _candidates, _features, _score_pair
from tui.core.align.units import (
    ROLE_BOILERPLATE,
    ROLE_MINOR,
    ROLE_REPEAT,
    ROLE_TEXT,
    Unit,
    _coerce,
    _splitter_name,
    _units_for,
)

# Bump when anything that changes the output changes: cached alignments made by
# another version are then recomputed instead of trusted.
ALGORITHM_VERSION = "2"

# The fact aligner (tui.core.align.facts) is the default; "baseline" is the
# version-1 sentence aligner, kept so the quality bench measures both in one run.
METHOD_FACTS = "facts"
METHOD_BASELINE = "baseline"
METHODS = (METHOD_FACTS, METHOD_BASELINE)

DEFAULT_THRESHOLD_VERBATIM = 0.5
DEFAULT_THRESHOLD_PARAPHRASE = 0.3
# The fact aligner's paraphrase threshold (its scores carry numbers, clauses and order too).
DEFAULT_THRESHOLD_FACTS = 0.36

# A paraphrase pair survives only if it is within this fraction of the best
# paraphrase either of its sentences has in the other document: keeps
# one-to-many honest without letting every weak overlap through.
_COMPETITIVE = 0.8


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class AlignedPair:
    doc_a: int
    start_a: int
    end_a: int
    doc_b: int
    start_b: int
    end_b: int
    score: float
    kind: str  # one of facts.KINDS (the baseline makes verbatim and paraphrase only)

    def flipped(self) -> AlignedPair:
        return AlignedPair(
            self.doc_b, self.start_b, self.end_b, self.doc_a, self.start_a, self.end_a, self.score, self.kind
        )

    @property
    def span_a(self) -> tuple[int, int]:
        return (self.start_a, self.end_a)

    @property
    def span_b(self) -> tuple[int, int]:
        return (self.start_b, self.end_b)


# --------------------------------------------------------------------------- alignment


class Alignment:
    """Sentence units per document and the aligned pairs between them.

    ``pairs`` only joins first copies of ``text`` units of different documents,
    each pair once (``doc_a < doc_b``). Look-ups resolve repeats to first copies.
    """

    def __init__(
        self,
        units: dict[int, list[Unit]],
        pairs: list[AlignedPair],
        lengths: dict[int, int],
        *,
        version: str = ALGORITHM_VERSION,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.units = units
        self.pairs = pairs
        self.lengths = lengths
        self.version = version
        self.params = dict(params or {})
        self._starts = {d: [u.start for u in us] for d, us in units.items()}
        self._by_unit: dict[tuple[int, int], list[AlignedPair]] = defaultdict(list)
        for p in pairs:
            self._by_unit[(p.doc_a, p.start_a)].append(p)
            self._by_unit[(p.doc_b, p.start_b)].append(p.flipped())
        for ps in self._by_unit.values():
            ps.sort(key=lambda p: (-p.score, p.doc_b, p.start_b))

    # ----- look-ups

    @property
    def doc_ids(self) -> list[int]:
        return sorted(self.units)

    def unit_at(self, doc_id: int, offset: int) -> Unit | None:
        """The sentence containing ``offset``; in the whitespace between two
        sentences, the following one; past the last sentence, None."""
        units = self.units.get(doc_id, [])
        i = bisect_right(self._starts.get(doc_id, []), offset) - 1
        if i >= 0 and offset < units[i].end:
            return units[i]
        if i + 1 < len(units):
            return units[i + 1]
        return None

    def _first_copy(self, unit: Unit) -> Unit:
        if unit.role == ROLE_REPEAT and unit.repeat_of is not None:
            return self.units[unit.doc_id][unit.repeat_of]
        return unit

    def counterparts(self, doc_id: int, offset: int) -> list[AlignedPair]:
        """Pairs for the sentence at ``offset``, oriented so ``doc_a == doc_id`` and
        ``start_a/end_a`` is that sentence (even when it is a repeated copy),
        best first. Targets are ``(doc_b, start_b, end_b)``."""
        unit = self.unit_at(doc_id, offset)
        if unit is None:
            return []
        first = self._first_copy(unit)
        out = self._by_unit.get((doc_id, first.start), [])
        if first is unit:
            return list(out)
        return [
            AlignedPair(doc_id, unit.start, unit.end, p.doc_b, p.start_b, p.end_b, p.score, p.kind) for p in out
        ]

    def has_counterpart(self, unit: Unit) -> bool:
        return bool(self._by_unit.get((unit.doc_id, self._first_copy(unit).start)))

    def only_in(self, doc_id: int, *, merge: bool = False) -> list[tuple[int, int]]:
        """Sentences (``merge=True``: runs of consecutive sentences in one
        paragraph) with no counterpart, leaving out repeats, minor lines and
        boilerplate."""
        spans: list[tuple[int, int]] = []
        last_para: int | None = None
        last_index = -2
        for u in self.units.get(doc_id, []):
            if u.role != ROLE_TEXT or self.has_counterpart(u):
                continue
            if merge and spans and u.paragraph == last_para and u.index == last_index + 1:
                spans[-1] = (spans[-1][0], u.end)
            else:
                spans.append((u.start, u.end))
            last_para, last_index = u.paragraph, u.index
        return spans

    def gutter(self, doc_id: int, others: Iterable[int] | None = None) -> list[tuple[int, int, str]]:
        """One ``(start, end, mark)`` per sentence, for the gutter: ``verbatim``
        or ``paraphrase`` (the best counterpart in ``others``, default every
        other document), ``only`` (no counterpart there), or the unit's role
        ``repeat`` / ``minor`` / ``boilerplate`` (a repeat of an aligned
        sentence shows its first copy's mark)."""
        wanted = None if others is None else set(others)
        marks = []
        for u in self.units.get(doc_id, []):
            if u.role in (ROLE_MINOR, ROLE_BOILERPLATE) or (u.role == ROLE_REPEAT and u.repeat_of is None):
                marks.append((u.start, u.end, u.role))
                continue
            pairs = [
                p
                for p in self._by_unit.get((doc_id, self._first_copy(u).start), [])
                if wanted is None or p.doc_b in wanted
            ]
            if pairs:
                marks.append((u.start, u.end, pairs[0].kind))
            else:
                marks.append((u.start, u.end, "only" if u.role == ROLE_TEXT else u.role))
        return marks

    def coverage(self, doc_id: int) -> float:
        """Share of the document's countable text (first copies of ordinary
        sentences, by characters) that has a counterpart elsewhere."""
        total = covered = 0
        for u in self.units.get(doc_id, []):
            if u.role != ROLE_TEXT:
                continue
            total += u.end - u.start
            if self.has_counterpart(u):
                covered += u.end - u.start
        return covered / total if total else 0.0

    def sync_offset(self, doc_from: int, offset: int, doc_to: int) -> int:
        """Where ``doc_to`` should scroll to follow ``offset`` in ``doc_from``.

        The sentence under ``offset`` if it is aligned, else the nearest aligned
        sentence before it (after it, if none before); the position inside the
        sentence carries over proportionally. With no anchor at all, the
        relative position in the document."""
        len_to = self.lengths.get(doc_to, 0)
        if doc_from == doc_to:
            return max(0, min(offset, len_to))
        units = self.units.get(doc_from, [])

        def target(u: Unit) -> AlignedPair | None:
            for p in self._by_unit.get((doc_from, self._first_copy(u).start), []):
                if p.doc_b == doc_to:
                    return p
            return None

        here = self.unit_at(doc_from, offset)
        if here is not None and (p := target(here)) is not None:
            frac = (offset - here.start) / max(1, here.end - here.start)
            return p.start_b + int(max(0.0, min(1.0, frac)) * (p.end_b - p.start_b))
        pivot = bisect_right(self._starts.get(doc_from, []), offset)
        for i in range(pivot - 1, -1, -1):
            if (p := target(units[i])) is not None:
                return p.start_b
        for i in range(pivot, len(units)):
            if (p := target(units[i])) is not None:
                return p.start_b
        len_from = self.lengths.get(doc_from, 0)
        return int(len_to * offset / len_from) if len_from else 0

    def paragraph_pairs(self) -> list[AlignedPair]:
        """Paragraph-level pairs: two paragraphs align when any of their
        sentences do; the score is the best sentence pair's, the kind verbatim
        if any sentence pair is."""
        spans: dict[tuple[int, int], tuple[int, int]] = {}
        para_of: dict[tuple[int, int], int] = {}
        for d, us in self.units.items():
            for u in us:
                s, e = spans.get((d, u.paragraph), (u.start, u.end))
                spans[(d, u.paragraph)] = (min(s, u.start), max(e, u.end))
                para_of[(d, u.start)] = u.paragraph
        best: dict[tuple[int, int, int, int], AlignedPair] = {}
        for p in self.pairs:
            key = (p.doc_a, para_of[(p.doc_a, p.start_a)], p.doc_b, para_of[(p.doc_b, p.start_b)])
            old = best.get(key)
            kind = KIND_VERBATIM if p.kind == KIND_VERBATIM or (old and old.kind == KIND_VERBATIM) else p.kind
            score = max(p.score, old.score if old else 0.0)
            sa, sb = spans[key[:2]], spans[key[2:]]
            best[key] = AlignedPair(key[0], sa[0], sa[1], key[2], sb[0], sb[1], score, kind)
        return sorted(best.values(), key=lambda p: (p.doc_a, p.start_a, p.doc_b, p.start_b))

    # ----- serialisation

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "params": self.params,
            "lengths": {str(d): n for d, n in sorted(self.lengths.items())},
            "units": {
                str(d): [[u.start, u.end, u.paragraph, u.role, u.repeat_of] for u in us]
                for d, us in sorted(self.units.items())
            },
            "pairs": [
                [p.doc_a, p.start_a, p.end_a, p.doc_b, p.start_b, p.end_b, round(p.score, 4), p.kind]
                for p in self.pairs
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Alignment:
        """Rebuild from :meth:`to_json`. Raises ``ValueError`` for another
        algorithm version or a malformed record: treat that as a cache miss."""
        if not isinstance(data, dict) or data.get("version") != ALGORITHM_VERSION:
            found = data.get("version") if isinstance(data, dict) else type(data).__name__
            raise ValueError(f"cached alignment has version {found!r}, this code makes {ALGORITHM_VERSION!r}")
        try:
            units = {
                int(d): [Unit(int(d), i, s, e, para, role, rep) for i, (s, e, para, role, rep) in enumerate(rows)]
                for d, rows in data["units"].items()
            }
            pairs = [
                AlignedPair(int(a), int(sa), int(ea), int(b), int(sb), int(eb), float(sc), str(k))
                for a, sa, ea, b, sb, eb, sc, k in data["pairs"]
            ]
            lengths = {int(d): int(n) for d, n in data["lengths"].items()}
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"cached alignment is malformed: {exc}") from exc
        return cls(units, pairs, lengths, version=data["version"], params=data.get("params"))

    def __repr__(self) -> str:
        return f"Alignment(docs={self.doc_ids}, pairs={len(self.pairs)})"


def _paraphrase_threshold(value: float | None, method: str) -> float:
    if value is not None:
        return value
    return DEFAULT_THRESHOLD_FACTS if method == METHOD_FACTS else DEFAULT_THRESHOLD_PARAPHRASE


def cache_key(
    docs: Sequence[Any],
    *,
    threshold_verbatim: float = DEFAULT_THRESHOLD_VERBATIM,
    threshold_paraphrase: float | None = None,
    method: str = METHOD_FACTS,
) -> str:
    """sha256 over (doc id, text hash, regions) sorted by doc id, the algorithm
    version, the sentence splitter in use and the thresholds: equal keys mean an
    equal :func:`align_story` result."""
    threshold_paraphrase = _paraphrase_threshold(threshold_paraphrase, method)
    parts = [f"align:{ALGORITHM_VERSION}:{method}:{_splitter_name()}:{threshold_verbatim!r}:{threshold_paraphrase!r}"]
    for d in sorted((_coerce(x) for x in docs), key=lambda d: d.doc_id):
        text_hash = hashlib.sha256(d.text.encode("utf-8")).hexdigest()
        parts.append(f"{d.doc_id}:{text_hash}:{list(d.repeated)}:{list(d.boilerplate)}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def align_story(
    docs: Sequence[Any],
    *,
    threshold_verbatim: float = DEFAULT_THRESHOLD_VERBATIM,
    threshold_paraphrase: float | None = None,
    method: str = METHOD_FACTS,
) -> Alignment:
    """Align the sentences of every document with those of every other.

    ``docs`` items: ``(doc_id, text)``, ``(doc_id, text, repeated_regions)``,
    ``(doc_id, text, repeated_regions, boilerplate_regions)``, a :class:`DocInput`
    or a ``models.Document``. Regions are ``(start, end)`` pairs or
    ``models.Region`` objects (whose ``kind`` then decides repeated/boilerplate).
    ``method``: ``"facts"`` (default) or ``"baseline"`` (the version-1 aligner;
    ``threshold_paraphrase`` defaults to each method's own).
    """
    if method not in METHODS:
        raise ValueError(f"align_story: method must be one of {', '.join(METHODS)}, got {method!r}")
    threshold_paraphrase = _paraphrase_threshold(threshold_paraphrase, method)
    inputs = [_coerce(d) for d in docs]
    ids = [d.doc_id for d in inputs]
    if len(set(ids)) != len(ids):
        raise ValueError(f"align_story: duplicate doc_id in {ids}")
    units = {d.doc_id: _units_for(d, short_sentences=method == METHOD_FACTS) for d in inputs}
    texts = {d.doc_id: d.text for d in inputs}
    params = {
        "method": method,
        "threshold_verbatim": threshold_verbatim,
        "threshold_paraphrase": threshold_paraphrase,
        "splitter": _splitter_name(),
    }
    lengths = {d.doc_id: len(d.text) for d in inputs}
    if method == METHOD_FACTS:
        pairs = align_facts(units, texts, ids, threshold_paraphrase)
        return Alignment(units, pairs, lengths, params=params)
    feats = [_features(texts[u.doc_id], u) for d in ids for u in units[d] if u.role == ROLE_TEXT]

    # IDF over the story's sentences: words every outlet uses ("Taliban") say
    # little about which sentences belong together.
    df: dict[str, int] = defaultdict(int)
    for f in feats:
        for t in f.content:
            df[t] += 1
    n = len(feats)
    idf = {t: math.log((n + 1) / (c + 1)) + 1.0 for t, c in df.items()}
    for f in feats:
        # fsum: exact, so the result never depends on set iteration order.
        f.weight = math.fsum(idf[t] for t in f.content)

    candidates = _candidates(feats, df)
    scored: dict[tuple[int, int], tuple[float, str]] = {}
    for i, j in candidates:
        result = _score_pair(feats[i], feats[j], idf, threshold_verbatim, threshold_paraphrase)
        if result is not None:
            scored[(i, j)] = result

    # Best paraphrase score of each sentence in each other document.
    best: dict[tuple[int, int], float] = defaultdict(float)
    for (i, j), (score, kind) in scored.items():
        if kind == KIND_PARAPHRASE:
            di, dj = feats[i].unit.doc_id, feats[j].unit.doc_id
            best[(i, dj)] = max(best[(i, dj)], score)
            best[(j, di)] = max(best[(j, di)], score)

    pairs: list[AlignedPair] = []
    for (i, j), (score, kind) in scored.items():
        ua, ub = feats[i].unit, feats[j].unit
        if kind == KIND_PARAPHRASE and not (
            score >= _COMPETITIVE * best[(i, ub.doc_id)] or score >= _COMPETITIVE * best[(j, ua.doc_id)]
        ):
            continue
        if ua.doc_id > ub.doc_id:
            ua, ub = ub, ua
        pairs.append(AlignedPair(ua.doc_id, ua.start, ua.end, ub.doc_id, ub.start, ub.end, round(score, 4), kind))
    pairs.sort(key=lambda p: (p.doc_a, p.start_a, p.doc_b, p.start_b))
    return Alignment(units, pairs, lengths, params=params)


def align_facts(units: dict[int, list[Unit]], texts: dict[int, str], ids: list[int],
                threshold: float) -> list[AlignedPair]:
    """The fact aligner's pairs (see :mod:`tui.core.align.facts`)."""
    facts = []
    for d in ids:
        # Place among the countable sentences: a repeated copy must not move it.
        text_units = [u for u in units[d] if u.role == ROLE_TEXT]
        n = max(1, len(text_units) - 1)
        facts += [fact_features(texts[d], u, k / n) for k, u in enumerate(text_units)]
    idf, df = set_weights(facts)
    scored = {}
    for i, j in fact_candidates(facts, df):
        result = score_facts(facts[i], facts[j], idf, threshold)
        if result is not None:
            scored[(i, j)] = result
    # A weak pair survives only near the best pair either sentence has in the
    # other document: many-to-many where it is earned, not every loose overlap.
    best: dict[tuple[int, int], float] = defaultdict(float)
    for (i, j), (score, _kind) in scored.items():
        di, dj = facts[i].unit.doc_id, facts[j].unit.doc_id
        best[(i, dj)] = max(best[(i, dj)], score)
        best[(j, di)] = max(best[(j, di)], score)
    pairs = []
    for (i, j), (score, kind) in scored.items():
        ua, ub = facts[i].unit, facts[j].unit
        if kind not in (KIND_VERBATIM, KIND_QUOTE) and not (
            score >= _COMPETITIVE * best[(i, ub.doc_id)] or score >= _COMPETITIVE * best[(j, ua.doc_id)]
        ):
            continue
        if ua.doc_id > ub.doc_id:
            ua, ub = ub, ua
        pairs.append(AlignedPair(ua.doc_id, ua.start, ua.end, ub.doc_id, ub.start, ub.end, score, kind))
    pairs.sort(key=lambda p: (p.doc_a, p.start_a, p.doc_b, p.start_b))
    return pairs
