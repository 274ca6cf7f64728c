"""The comparison report: what each outlet carries, on whose word, and why.

Four tables over one story (plain data; renderers for JSON, CSV and plain text;
no UI imports):

* claims x outlets — a row is a group of CLAIMs joined by ``same_as``
  relations or, where the annotator has not linked them, by a ``same_as``
  proposal from the alignment. Per outlet: carried or not, the certainty
  attribute (hedged / asserted / reported) and the sources the claim is
  ``attributed_to``.
* sources — per outlet, every SOURCE with its name, named yes/no and type; and
  source groups x outlets (the same entity named across outlets: "the Wall
  Street Journal" / "WSJ").
* motives per outlet by category.
* passages only one outlet has (from the alignment).

Every string taken from an article is a display string: control and bidi
characters are shown escaped (``\\x1b``) so a report printed to a terminal
cannot drive it. Offsets and annotation ids stay exact.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from tui.core.align.alignment import Alignment
from tui.core.align.claims import propose_claim_links
from tui.core.align.sources import group_sources, is_proper_name
from tui.core.align.report_render import ReportRender, clean
from tui.core.models import Annotation, Document, Relation


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Outlet:
    """A column: one document, named by its outlet (else title, else id)."""

    doc_id: int
    name: str
    title: str


@dataclass
class ClaimCell:
    annotation_ids: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    certainty: list[str] = field(default_factory=list)
    attribution: list[str] = field(default_factory=list)  # source group names

    @property
    def carried(self) -> bool:
        return bool(self.annotation_ids)


@dataclass
class ClaimRow:
    id: str  # "C1", "C2"... in order of first appearance
    text: str  # the first quote, for display
    cells: dict[int, ClaimCell]  # doc_id -> cell, every outlet present
    contradicts: list[str] = field(default_factory=list)  # other row ids
    partial: list[str] = field(default_factory=list)

    @property
    def carried_by(self) -> list[int]:
        return [d for d, c in self.cells.items() if c.carried]


@dataclass
class SourceRow:
    doc_id: int
    annotation_id: str
    quote: str
    name: str  # the group's display name
    named: str  # "yes" / "no" (attribute, else inferred: see named_inferred)
    type: str  # the "type" attribute, "" if unset
    claims: list[str]  # claim row ids attributed to it
    named_inferred: bool = False


@dataclass
class SourceGroupRow:
    name: str
    cells: dict[int, list[str]]  # doc_id -> quotes (empty: not cited)

    @property
    def cited_by(self) -> list[int]:
        return [d for d, qs in self.cells.items() if qs]


@dataclass
class MotiveItem:
    annotation_id: str
    quote: str
    actors: list[str]  # quotes of motive_of targets
    explicit: str
    sources: list[str] = field(default_factory=list)  # attributed_to: source group names


@dataclass
class MotiveRow:
    category: str
    cells: dict[int, list[MotiveItem]]


@dataclass
class OnlyInRow:
    doc_id: int
    start: int
    end: int
    text: str


@dataclass
class PairRow:
    """One aligned pair of sentences (``doc_a < doc_b``), as the alignment made it."""

    id: str  # "P1", "P2"... in document then offset order
    doc_a: int
    start_a: int
    end_a: int
    text_a: str
    doc_b: int
    start_b: int
    end_b: int
    text_b: str
    kind: str
    score: float


@dataclass
class Report(ReportRender):
    story_title: str
    outlets: list[Outlet]
    claims: list[ClaimRow]
    sources: list[SourceRow]
    source_groups: list[SourceGroupRow]
    motives: list[MotiveRow]
    only_in: list[OnlyInRow]
    coverage: dict[int, float] = field(default_factory=dict)
    pairs: list[PairRow] = field(default_factory=list)

    def outlet_name(self, doc_id: int) -> str:
        for o in self.outlets:
            if o.doc_id == doc_id:
                return o.name
        return f"doc {doc_id}"

    # ----- JSON

    def to_json(self) -> dict[str, Any]:
        return {
            "story": self.story_title,
            "outlets": [{"doc_id": o.doc_id, "outlet": o.name, "title": o.title} for o in self.outlets],
            "coverage": {str(d): round(c, 4) for d, c in sorted(self.coverage.items())},
            "claims": [
                {
                    "id": r.id,
                    "text": r.text,
                    "carried_by": r.carried_by,
                    "contradicts": r.contradicts,
                    "partial": r.partial,
                    "outlets": {
                        str(d): {
                            "carried": c.carried,
                            "annotation_ids": c.annotation_ids,
                            "quotes": c.quotes,
                            "certainty": c.certainty,
                            "attribution": c.attribution,
                        }
                        for d, c in r.cells.items()
                    },
                }
                for r in self.claims
            ],
            "sources": [
                {
                    "doc_id": s.doc_id,
                    "outlet": self.outlet_name(s.doc_id),
                    "annotation_id": s.annotation_id,
                    "quote": s.quote,
                    "name": s.name,
                    "named": s.named,
                    "named_inferred": s.named_inferred,
                    "type": s.type,
                    "claims": s.claims,
                }
                for s in self.sources
            ],
            "source_groups": [
                {"name": g.name, "cited_by": g.cited_by, "outlets": {str(d): qs for d, qs in g.cells.items()}}
                for g in self.source_groups
            ],
            "motives": [
                {
                    "category": m.category,
                    "outlets": {
                        str(d): [
                            {"annotation_id": i.annotation_id, "quote": i.quote, "actors": i.actors,
                             "explicit": i.explicit, "sources": i.sources}
                            for i in items
                        ]
                        for d, items in m.cells.items()
                    },
                }
                for m in self.motives
            ],
            "only_in": [
                {
                    "doc_id": p.doc_id,
                    "outlet": self.outlet_name(p.doc_id),
                    "start": p.start,
                    "end": p.end,
                    "text": p.text,
                }
                for p in self.only_in
            ],
            "aligned_pairs": [
                {
                    "id": p.id,
                    "kind": p.kind,
                    "score": p.score,
                    "a": {"doc_id": p.doc_a, "outlet": self.outlet_name(p.doc_a), "start": p.start_a,
                          "end": p.end_a, "text": p.text_a},
                    "b": {"doc_id": p.doc_b, "outlet": self.outlet_name(p.doc_b), "start": p.start_b,
                          "end": p.end_b, "text": p.text_b},
                }
                for p in self.pairs
            ],
        }


# --------------------------------------------------------------------------- building


def _alive(a: Annotation | Relation) -> bool:
    return a.deleted_at is None and getattr(a, "status", "active") != "deleted"


def _outlets(documents: Sequence[Document]) -> list[Outlet]:
    base = [(d.id, clean(d.outlet or d.title or f"doc {d.id}") or f"doc {d.id}", d.title) for d in documents]
    counts: dict[str, int] = defaultdict(int)
    for _, name, _ in base:
        counts[name] += 1
    # Two articles from one outlet: tell the columns apart by id.
    return [Outlet(i, f"{name} #{i}" if counts[name] > 1 else name, clean(title)) for i, name, title in sorted(base)]


def _looks_named(quote: str) -> bool:
    """A SOURCE without a ``named`` attribute: named if it is a proper name
    ("Rahmatullah Nabil", "WSJ"), not a description ("Taliban leaders")."""
    return is_proper_name(quote)


def build_report(
    story_title: str,
    documents: Sequence[Document],
    annotations: Iterable[Annotation],
    relations: Iterable[Relation],
    alignment: Alignment | None = None,
    *,
    use_alignment_links: bool = True,
) -> Report:
    """Build the comparison of one story.

    ``annotations``/``relations`` of every annotator are pooled (pass one
    annotator's to compare theirs only); deleted ones are ignored, as are
    annotations of documents not in ``documents``. With an ``alignment``,
    CLAIMs the annotator has not linked are grouped by its ``same_as``
    proposals, and passages only one outlet has are listed."""
    outlets = _outlets(documents)
    doc_ids = [o.doc_id for o in outlets]
    texts = {d.id: d.text for d in documents}
    anns = [a for a in annotations if _alive(a) and a.doc_id in texts]
    rels = [r for r in relations if _alive(r)]
    by_id = {a.id: a for a in anns}
    claims = sorted((a for a in anns if a.label == "CLAIM"), key=lambda a: (a.doc_id, a.start, a.end, a.id))
    sources = sorted((a for a in anns if a.label == "SOURCE"), key=lambda a: (a.doc_id, a.start, a.end, a.id))
    motives = sorted((a for a in anns if a.label == "MOTIVE"), key=lambda a: (a.doc_id, a.start, a.end, a.id))

    def quote_of(a: Annotation) -> str:
        return clean(a.quote or texts[a.doc_id][a.start : a.end])

    # Source groups first: claims name their sources by group.
    groups = group_sources(sources, texts)
    group_of = {m: g.name for g in groups for m in g.members}

    # ----- claim rows: union-find over same_as links
    parent = {c.id: c.id for c in claims}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra

    claim_ids = set(parent)
    typed: dict[frozenset[str], str] = {}
    for r in rels:
        if r.head_id in claim_ids and r.tail_id in claim_ids:
            typed[frozenset((r.head_id, r.tail_id))] = r.type
            if r.type == "same_as":
                union(r.head_id, r.tail_id)
    proposed_partial: list[tuple[str, str]] = []
    if alignment is not None and use_alignment_links:
        for link in propose_claim_links(alignment, claims):
            # The annotator's own verdict on a pair wins over the proposal.
            if frozenset((link.head_id, link.tail_id)) in typed:
                continue
            if link.type == "same_as":
                union(link.head_id, link.tail_id)
            elif link.type == "partial":
                proposed_partial.append((link.head_id, link.tail_id))

    attributed: dict[str, list[str]] = defaultdict(list)  # claim id -> source ids
    motive_actors: dict[str, list[str]] = defaultdict(list)
    motive_sources: dict[str, list[str]] = defaultdict(list)
    for r in rels:
        if r.type == "attributed_to" and r.head_id in claim_ids and r.tail_id in by_id:
            attributed[r.head_id].append(r.tail_id)
        if r.type == "motive_of" and r.head_id in by_id and r.tail_id in by_id:
            motive_actors[r.head_id].append(quote_of(by_id[r.tail_id]))
        if (r.type == "attributed_to" and r.head_id in by_id and by_id[r.head_id].label == "MOTIVE"
                and r.tail_id in by_id):
            motive_sources[r.head_id].append(group_of.get(r.tail_id) or quote_of(by_id[r.tail_id]))

    rows: list[ClaimRow] = []
    row_of: dict[str, str] = {}
    by_root: dict[str, ClaimRow] = {}
    for c in sorted(claims, key=lambda a: (doc_ids.index(a.doc_id), a.start)):
        root = find(c.id)
        row = by_root.get(root)
        if row is None:
            row = ClaimRow(f"C{len(rows) + 1}", quote_of(c), {d: ClaimCell() for d in doc_ids})
            by_root[root] = row
            rows.append(row)
        row_of[c.id] = row.id
        cell = row.cells[c.doc_id]
        cell.annotation_ids.append(c.id)
        cell.quotes.append(quote_of(c))
        certainty = c.attrs.get("certainty")
        if certainty and str(certainty) not in cell.certainty:
            cell.certainty.append(str(certainty))
        for sid in attributed.get(c.id, []):
            name = group_of.get(sid) or quote_of(by_id[sid])
            if name not in cell.attribution:
                cell.attribution.append(name)
    row_by_id = {r.id: r for r in rows}

    def note(pair_type: str, a: str, b: str) -> None:
        ra, rb = row_of.get(a), row_of.get(b)
        if not ra or not rb or ra == rb:
            return
        for x, y in ((ra, rb), (rb, ra)):
            target = row_by_id[x].contradicts if pair_type == "contradicts" else row_by_id[x].partial
            if y not in target:
                target.append(y)

    for pair, kind in typed.items():
        if kind in ("contradicts", "partial") and len(pair) == 2:
            a, b = sorted(pair)
            note(kind, a, b)
    for a, b in proposed_partial:
        note("partial", a, b)

    # ----- sources
    claims_of_source: dict[str, list[str]] = defaultdict(list)
    for cid, sids in attributed.items():
        for sid in sids:
            if row_of[cid] not in claims_of_source[sid]:
                claims_of_source[sid].append(row_of[cid])
    source_rows = []
    for s in sorted(sources, key=lambda a: (doc_ids.index(a.doc_id), a.start)):
        named = s.attrs.get("named")
        inferred = named is None or named == ""
        if inferred:
            named = "yes" if _looks_named(quote_of(s)) else "no"
        source_rows.append(
            SourceRow(
                s.doc_id, s.id, quote_of(s), clean(group_of.get(s.id, "")), str(named),
                str(s.attrs.get("type", "") or ""), claims_of_source.get(s.id, []), inferred,
            )
        )
    group_rows = []
    for g in groups:
        cells: dict[int, list[str]] = {d: [] for d in doc_ids}
        for m in g.members:
            cells[by_id[m].doc_id].append(quote_of(by_id[m]))
        group_rows.append(SourceGroupRow(clean(g.name), cells))
    # Sources more outlets cite come first.
    group_rows.sort(key=lambda g: (-len(g.cited_by), g.name.lower()))

    # ----- motives
    by_category: dict[str, dict[int, list[MotiveItem]]] = {}
    for m in sorted(motives, key=lambda a: (doc_ids.index(a.doc_id), a.start)):
        category = str(m.attrs.get("category") or "uncategorised")
        cells_m = by_category.setdefault(category, {d: [] for d in doc_ids})
        cells_m[m.doc_id].append(
            MotiveItem(m.id, quote_of(m), motive_actors.get(m.id, []), str(m.attrs.get("explicit", "") or ""),
                       motive_sources.get(m.id, []))
        )
    motive_rows = [MotiveRow(cat, cells_m) for cat, cells_m in sorted(by_category.items())]

    # ----- only in one outlet
    only: list[OnlyInRow] = []
    coverage: dict[int, float] = {}
    pairs: list[PairRow] = []
    if alignment is not None:
        for p in alignment.pairs:
            if p.doc_a in texts and p.doc_b in texts:
                pairs.append(PairRow(f"P{len(pairs) + 1}", p.doc_a, p.start_a, p.end_a,
                                     clean(texts[p.doc_a][p.start_a:p.end_a]), p.doc_b, p.start_b, p.end_b,
                                     clean(texts[p.doc_b][p.start_b:p.end_b]), p.kind, p.score))
        for d in doc_ids:
            if d not in alignment.units:
                continue
            coverage[d] = alignment.coverage(d)
            for s, e in alignment.only_in(d, merge=True):
                only.append(OnlyInRow(d, s, e, clean(texts[d][s:e])))

    return Report(clean(story_title), outlets, rows, source_rows, group_rows, motive_rows, only, coverage, pairs)
