"""Provenance: for each claim of a story, its chain of attribution — the outlet
that publishes it, the source the outlet cites ("the paper" resolved to the
Wall Street Journal), and that source's own sources when the article states
them ("Taliban leaders, former officials ...") — and how many *independent*
origins stand behind it: two outlets citing one newspaper are one origin.

Built on the comparison report (claims grouped across outlets, their
``attributed_to`` sources grouped by entity) and the articles' text, for the
parts annotators rarely tag: which source a claim came from when no link was
drawn (the sentence's "says the paper"), and what a source itself cites
("the paper cites ...", "..., citing ..."). Plain Python; no UI.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from rapidfuzz import fuzz

from tui.core.align.report import Report, _alive
from tui.core.align.report_render import clean
from tui.core.align.sources import group_sources
from tui.core.align.units import sentence_spans
from tui.core.models import Annotation, Document, Relation, Suggestion

OWN = "(no source stated)"
_PRONOUNS = frozenset("he she they it we i you him her them his hers their".split())
# Ids of the stand-in annotations made from attribution-cue suggestions.
SUGGESTED = "suggested:"

# A source named by what it is: resolved to the media outlet named last before it.
REFERENCE_RE = re.compile(
    r"\b[Tt]he\s+(paper|newspaper|daily|journal|outlet|publication|broadcaster|agency|report|network)(?:['\u2019]s)?\b"
)
BARE_REFERENCE_RE = re.compile(
    r"^(?:[Tt]he\s+)?(?:paper|newspaper|daily|journal|outlet|publication|broadcaster|agency|report|network)$",
    re.IGNORECASE,
)
_MEDIA_RE = re.compile(
    r"\b(?:Journal|Times|Post|News|Herald|Tribune|Guardian|Telegraph|Reuters|Associated Press|AFP|BBC|CNN|"
    r"Agency|Gazette|Daily|Magazine|Radio|Television|TV|Press|Observer|Economist|Bloomberg)\b|^[A-Z]{2,5}$"
)
# What a source itself cites: "the paper cites X", "..., citing X", "quoting X".
_CITES_RE = re.compile(r"\b(?:cites|cited|citing|quotes|quoting|quoted|relying on|drawing on)\s+")
_LIST_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+|;\s*")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    name: str  # the source group's name
    media: bool


@dataclass
class Chain:
    """One outlet carrying one claim, and whom it has it from."""

    doc_id: int
    outlet: str
    source: str  # a source group name, or OWN
    inferred: bool  # True: read from the sentence, no attributed_to link drawn
    upstream: list[str] = field(default_factory=list)  # the source's own sources, as stated

    @property
    def origin(self) -> str:
        return self.source if self.source != OWN else f"{self.outlet} (own reporting)"


@dataclass
class ClaimProvenance:
    id: str
    text: str
    chains: list[Chain]
    suggested: bool = False  # only suggestions say this claim is there, no annotation yet

    @property
    def origins(self) -> list[str]:
        return sorted({c.origin for c in self.chains})

    @property
    def independent(self) -> int:
        return len(self.origins)

    @property
    def outlets(self) -> list[str]:
        return [c.outlet for c in self.chains]


@dataclass
class SourceNode:
    """A source upstream of the outlets: who cites it, and whom it cites."""

    name: str
    cited_by: list[str]  # outlet names
    upstream: list[str]
    claims: list[str]  # claim ids


@dataclass
class Provenance:
    story_title: str
    outlets: list[str]
    claims: list[ClaimProvenance]
    sources: list[SourceNode]

    @property
    def shared(self) -> list[ClaimProvenance]:
        return [c for c in self.claims if len(c.chains) > 1]

    @property
    def single(self) -> list[ClaimProvenance]:
        return [c for c in self.claims if len(c.chains) == 1]


# --------------------------------------------------------------------------- reading the text


def _mentions(doc: Document, sources: Sequence[Annotation], group_of: dict[str, str],
              media_names: set[str]) -> list[Mention]:
    """Annotated SOURCE spans of a document and "the paper"-like references,
    each resolved to the media outlet mentioned last before it."""
    named = sorted(
        (Mention(s.start, s.end, group_of[s.id], group_of[s.id] in media_names) for s in sources
         if s.doc_id == doc.id and s.id in group_of),
        key=lambda m: m.start,
    )
    out = list(named)
    for m in REFERENCE_RE.finditer(doc.text):
        if any(n.start <= m.start() < n.end for n in named):
            continue  # inside a tagged span
        before = [n for n in named if n.media and n.end <= m.start()]
        if before:
            out.append(Mention(m.start(), m.end(), before[-1].name, True))
    return sorted(out, key=lambda m: m.start)


def resolve_reference(doc: Document, offset: int, sources: Sequence[Annotation]) -> str | None:
    """The media outlet "the paper" (or "the newspaper", "the report"...) at
    ``offset`` of ``doc`` stands for: the last one tagged before it, or None."""
    groups = group_sources([s for s in sources if s.label == "SOURCE" and _alive(s)], {doc.id: doc.text})
    group_of = {m: g.name for g in groups for m in g.members}
    media = {g.name for g in groups if _is_media(g.name, sources, group_of)}
    for m in _mentions(doc, [s for s in sources if s.label == "SOURCE"], group_of, media):
        if m.start <= offset < m.end:
            return m.name
    return None


def _is_media(name: str, sources: Sequence[Annotation], group_of: dict[str, str]) -> bool:
    typed = [str(s.attrs.get("type", "")) for s in sources if group_of.get(s.id) == name]
    return "media outlet" in typed or bool(_MEDIA_RE.search(name))


def _cited(text: str, start: int, end: int) -> list[str]:
    """The sources listed after a citing cue, up to the end of the sentence or
    the closing quotation mark."""
    chunk = text[start:end].strip()
    if chunk[:1] in "\u201c\"":
        close = re.search(r"[\u201d\"]", chunk[1:])
        chunk = chunk[1 : close.start() + 1] if close else chunk[1:]
    chunk = re.split(r"[.!?](?:\s|$)|[\u201d\"]", chunk, maxsplit=1)[0]
    items = []
    for part in _LIST_SPLIT.split(chunk):
        part = clean(part.replace("*", "")).strip(" \u201c\u201d\"'")
        if part and len(part.split()) <= 8:
            items.append(part)
    return items


def upstream_of(doc: Document, mentions: list[Mention]) -> dict[str, list[str]]:
    """Per source group, the sources it cites in this article: a citing cue in
    a sentence, after a mention of that source in the same sentence."""
    out: dict[str, list[str]] = {}
    spans, _paras = sentence_spans(doc.text)
    for s, e in spans:
        for cue in _CITES_RE.finditer(doc.text, s, e):
            subject = [m for m in mentions if s <= m.start and m.end <= cue.start()]
            if not subject:
                continue
            listed = out.setdefault(subject[-1].name, [])
            for item in _cited(doc.text, cue.end(), e):
                _add_unique(listed, item)
    return out


def _add_unique(items: list[str], item: str) -> None:
    """Add unless already there in other words ("former Afghan security officials"
    is "former Afghan republic security officials")."""
    if not any(fuzz.token_set_ratio(item.lower(), x.lower()) >= 90 for x in items):
        items.append(item)


def _sentence_source(doc: Document, claim: Annotation, mentions: list[Mention]) -> str | None:
    """The source a claim's sentence names ("..., says the paper"), when no link was drawn."""
    spans, _ = sentence_spans(doc.text)
    for s, e in spans:
        if s <= claim.start < e or s < claim.end <= e:
            inside = [m for m in mentions if s <= m.start and m.end <= e
                      and not (claim.start <= m.start and m.end <= claim.end)]
            return inside[0].name if inside else None
    return None


# --------------------------------------------------------------------------- suggested claims


def suggested_claims(doc: Document, suggestions: Iterable[Suggestion], annotations: Sequence[Annotation],
                     rejected: Iterable[str] = ()) -> tuple[list[Annotation], list[Relation]]:
    """Attribution-cue suggestions of ``doc`` as stand-in annotations, so claims
    nobody has tagged yet have a provenance too: each suggested CLAIM (ids start
    with ``SUGGESTED``) ``attributed_to`` its suggested SOURCE (or the SOURCE
    already tagged on that span). A suggestion on a span already tagged with
    its label, or rejected (``rejected``: suggestion keys), is left out."""
    tagged = {(a.label, a.start, a.end): a for a in annotations if a.doc_id == doc.id and _alive(a)}
    claims_tagged = [a for a in tagged.values() if a.label == "CLAIM"]
    rejected = set(rejected)
    groups: dict[str, dict[str, Suggestion]] = defaultdict(dict)
    for sg in suggestions:
        if sg.group and sg.role in ("head", "tail") and sg.key not in rejected:
            groups[sg.group][sg.role] = sg
    anns: list[Annotation] = []
    rels: list[Relation] = []

    def stand_in(sg: Suggestion) -> Annotation:
        return Annotation(f"{SUGGESTED}{doc.id}:{sg.key}", doc.id, "", sg.label, sg.start, sg.end,
                          doc.text[sg.start:sg.end], origin=f"suggestion:{sg.suggester}@{sg.version}")

    made: dict[tuple[int, int], Annotation] = {}
    for group in sorted(groups):
        head, tail = groups[group].get("head"), groups[group].get("tail")
        if head is None or head.label != "CLAIM" or head.relation != "attributed_to":
            continue
        if any(c.start < head.end and head.start < c.end for c in claims_tagged):
            continue  # the annotator has this claim already
        claim = made.get((head.start, head.end))
        if claim is None:  # two cues on one claim: one claim, two sources
            claim = made[(head.start, head.end)] = stand_in(head)
            anns.append(claim)
        # A pronoun ("He added that ...") names nobody this can trace.
        if tail is not None and tail.label == "SOURCE" and doc.text[tail.start:tail.end].lower() not in _PRONOUNS:
            source = tagged.get(("SOURCE", tail.start, tail.end))
            if source is None:
                source = stand_in(tail)
                anns.append(source)
            rels.append(Relation(f"{SUGGESTED}{claim.id}", claim.id, source.id, "attributed_to", ""))
    return anns, rels


# --------------------------------------------------------------------------- building


def build_provenance(report: Report, documents: Sequence[Document], annotations: Sequence[Annotation],
                     relations: Sequence[Relation] | None = None) -> Provenance:
    """Chains and independent origins for every claim row of ``report``.

    ``annotations`` (and ``relations``) are those the report was built from:
    their SOURCEs give the mentions "the paper" resolves to, and a SOURCE that
    is only "the paper" counts as the outlet it stands for. Without
    ``relations`` the report's attribution names are used as they are."""
    docs = {d.id: d for d in documents}
    live = [a for a in annotations if _alive(a) and a.doc_id in docs]
    sources = [a for a in live if a.label == "SOURCE"]
    claims = {a.id: a for a in live if a.label == "CLAIM"}
    groups = group_sources(sources, {d.id: d.text for d in documents})
    group_of = {m: clean(g.name) for g in groups for m in g.members}
    media = {clean(g.name) for g in groups if _is_media(clean(g.name), sources, group_of)}
    mentions = {d: _mentions(doc, sources, group_of, media) for d, doc in docs.items()}
    for src in sources:
        # "the paper" tagged as a SOURCE: the media outlet named last before it.
        if BARE_REFERENCE_RE.match(" ".join(docs[src.doc_id].text[src.start:src.end].split())):
            before = [m for m in mentions[src.doc_id] if m.media and m.end <= src.start and m.name != group_of[src.id]]
            if before:
                group_of[src.id] = before[-1].name
    mentions = {d: _mentions(doc, sources, group_of, media) for d, doc in docs.items()}
    upstream = {d: upstream_of(doc, mentions[d]) for d, doc in docs.items()}
    attributed: dict[str, list[str]] = defaultdict(list)
    for r in relations or ():
        if r.type == "attributed_to" and _alive(r) and r.head_id in claims and r.tail_id in group_of:
            attributed[r.head_id].append(r.tail_id)

    rows: list[ClaimProvenance] = []
    nodes: dict[str, SourceNode] = {}
    for row in report.claims:
        chains = []
        for o in report.outlets:
            cell = row.cells.get(o.doc_id)
            if cell is None or not cell.carried:
                continue
            if relations is None:
                names = list(cell.attribution)
            else:
                names = []
                for cid in cell.annotation_ids:
                    for sid in attributed.get(cid, []):
                        if group_of[sid] not in names:
                            names.append(group_of[sid])
            inferred = False
            if not names:
                for cid in cell.annotation_ids:
                    found = _sentence_source(docs[o.doc_id], claims[cid], mentions[o.doc_id]) if cid in claims else None
                    if found:
                        names, inferred = [found], True
                        break
            for name in names or [OWN]:
                ups = upstream[o.doc_id].get(name, []) if name != OWN else []
                chains.append(Chain(o.doc_id, o.name, name, inferred, list(ups)))
                if name == OWN:
                    continue
                node = nodes.setdefault(name, SourceNode(name, [], [], []))
                if o.name not in node.cited_by:
                    node.cited_by.append(o.name)
                for u in ups:
                    _add_unique(node.upstream, u)
                if row.id not in node.claims:
                    node.claims.append(row.id)
        ids = [i for o in report.outlets if (cell := row.cells.get(o.doc_id)) for i in cell.annotation_ids]
        rows.append(ClaimProvenance(row.id, row.text, chains, bool(ids) and all(i.startswith(SUGGESTED) for i in ids)))
    ordered = sorted(nodes.values(), key=lambda n: (-len(n.cited_by), n.name.lower()))
    return Provenance(report.story_title, [o.name for o in report.outlets], rows, ordered)


__all__ = ["OWN", "SUGGESTED", "Chain", "ClaimProvenance", "Provenance", "SourceNode", "build_provenance",
           "resolve_reference", "suggested_claims", "upstream_of"]
