"""tui.core.align.provenance: chains of attribution and independent origins,
on the seed story and on a constructed story with two independent origins."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core import align as A
from tui.core.align.provenance import OWN, build_provenance, resolve_reference
from tui.core.align.provenance_render import to_csv, to_json, to_text, tree_lines
from tui.core.align.report import build_report
from tui.core.models import Annotation, Document, Relation

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))
INTEL = SEEDS[0].read_text(encoding="utf-8")
SPUTNIK = SEEDS[1].read_text(encoding="utf-8")
SMALL_000 = ("“relatively small, but growing” numbers of former members of Afghanistan’s security and "
             "intelligence agencies, are now joining ISIS-K")
SMALL_001 = ("A “small but growing” number of former Afghan special forces and intelligence personnel "
             "have been joining Daesh-K")
TRAINED = "Some of those joining ISIS-K have been trained in unconventional warfare and intelligence-gathering"
NABIL_CLAIM = "For the time being, [Daesh-K] is the only other armed group"
WSJ_SOURCES = ["Taliban leaders", "former Afghan republic security officials", "people who know the defectors"]


def ann(ident: str, doc: Document, phrase: str, label: str, **attrs) -> Annotation:
    s = doc.text.index(phrase)
    return Annotation(ident, doc.id, "alice", label, s, s + len(phrase), phrase, attrs=attrs)


def rel(head: str, tail: str, kind: str = "attributed_to") -> Relation:
    return Relation(f"r-{head}-{tail}", head, tail, kind, "alice")


def provenance_of(docs, anns, rels):
    alignment = A.align_story(docs)
    report = build_report("story", docs, anns, rels, alignment)
    return build_provenance(report, docs, anns)


@pytest.fixture(scope="module")
def seed():
    intel = Document(1, 1, INTEL, "a", title="intel", outlet="intelnews.org")
    sputnik = Document(2, 1, SPUTNIK, "b", title="sputnik", outlet="Sputnik News")
    anns = [
        ann("c0", intel, SMALL_000, "CLAIM"),
        ann("w0", intel, "The Wall Street Journal", "SOURCE", type="media outlet"),
        ann("c1", sputnik, SMALL_001, "CLAIM"),
        ann("w1", sputnik, "the Wall Street Journal", "SOURCE"),
        ann("t0", intel, TRAINED, "CLAIM"),  # no link drawn: "claims the paper" says whose it is
        ann("n1", sputnik, "Rahmatullah Nabil", "SOURCE", type="named person"),
        ann("c2", sputnik, NABIL_CLAIM, "CLAIM"),
    ]
    rels = [rel("c0", "w0"), rel("c1", "w1"), rel("c2", "n1")]
    return intel, sputnik, anns, provenance_of([intel, sputnik], anns, rels)


def test_seed_story_both_outlets_trace_to_the_wall_street_journal_one_origin(seed):
    _intel, _sputnik, _anns, prov = seed
    shared = [c for c in prov.shared if any("relatively small" in x for x in [c.text])]
    assert len(shared) == 1
    claim = shared[0]
    assert [(ch.outlet, ch.source) for ch in claim.chains] == [
        ("intelnews.org", "Wall Street Journal"), ("Sputnik News", "Wall Street Journal")]
    assert claim.independent == 1 and claim.origins == ["Wall Street Journal"]
    # What the paper itself cites, read from each article ("the paper cites ...", "..., citing ...").
    assert claim.chains[0].upstream == WSJ_SOURCES
    assert claim.chains[1].upstream == ["Taliban leaders", "former Afghan security officials",
                                        "people who know the defectors"]
    wsj = next(n for n in prov.sources if n.name == "Wall Street Journal")
    assert wsj.cited_by == ["intelnews.org", "Sputnik News"] and wsj.upstream == WSJ_SOURCES


def test_the_paper_is_resolved_to_the_wall_street_journal(seed):
    intel, _sputnik, anns, prov = seed
    at = INTEL.index("claims the paper") + len("claims ")
    assert resolve_reference(intel, at, anns) == "Wall Street Journal"
    assert resolve_reference(intel, 0, anns) is None
    trained = next(c for c in prov.claims if c.text.startswith("Some of those joining"))
    (chain,) = trained.chains
    assert (chain.source, chain.inferred) == ("Wall Street Journal", True)


def test_claims_carried_by_one_outlet_only(seed):
    *_, prov = seed
    single = {c.text: c for c in prov.single}
    assert single[NABIL_CLAIM].chains[0].source == "Rahmatullah Nabil"
    assert single[NABIL_CLAIM].outlets == ["Sputnik News"]


def test_renderings(seed):
    *_, prov = seed
    lines = tree_lines(prov)
    top = lines.index(" · ".join(WSJ_SOURCES))
    assert lines[top + 1].startswith("└─ Wall Street Journal")
    assert lines[top + 2:top + 4] == ["   ├─ intelnews.org", "   └─ Sputnik News"]
    text = to_text(prov, 80)
    assert "1 independent origin: Wall Street Journal" in text
    assert all(len(line) <= 80 for line in text.splitlines())
    data = to_json(prov)
    first = data["shared_claims"][0]
    assert first["independent_origins"] == 1 and first["outlets"] == ["intelnews.org", "Sputnik News"]
    assert [c["outlets"] for c in data["single_outlet_claims"]] == [["intelnews.org"], ["Sputnik News"]]
    rows = to_csv(prov).splitlines()
    assert rows[0] == "claim,text,outlets,independent_origins,outlet,source,inferred,upstream,suggested"
    assert len(rows) == 1 + sum(len(c.chains) for c in prov.claims)


def test_constructed_story_with_two_independent_origins():
    # Constructed sentences: two outlets, each with its own agency.
    a = Document(1, 1, "The dam upstream of the town burst on Monday night, Reuters reported, citing local "
                       "officials.\nRescue teams reached the valley by morning.", "a", outlet="Daily One")
    b = Document(2, 1, "The dam upstream of the town burst on Monday night, according to the Associated Press.\n"
                       "Officials in the capital declined to comment.", "b", outlet="Daily Two")
    c = Document(3, 1, "The dam upstream of the town burst on Monday night.\nNo one was hurt.", "c",
                 outlet="Daily Three")
    anns = [
        ann("ca", a, "The dam upstream of the town burst on Monday night", "CLAIM"),
        ann("ra", a, "Reuters", "SOURCE", type="media outlet"),
        ann("cb", b, "The dam upstream of the town burst on Monday night", "CLAIM"),
        ann("ap", b, "the Associated Press", "SOURCE", type="media outlet"),
        ann("cc", c, "The dam upstream of the town burst on Monday night", "CLAIM"),
    ]
    prov = provenance_of([a, b, c], anns, [rel("ca", "ra"), rel("cb", "ap")])
    (claim,) = prov.shared
    assert claim.outlets == ["Daily One", "Daily Two", "Daily Three"]
    assert [ch.source for ch in claim.chains] == ["Reuters", "Associated Press", OWN]
    assert claim.chains[0].upstream == ["local officials"]
    # Reuters, the AP, and Daily Three's own unsourced report: three independent origins.
    assert claim.independent == 3
    # Without Daily Three: two.
    prov2 = provenance_of([a, b], anns[:4], [rel("ca", "ra"), rel("cb", "ap")])
    assert prov2.shared[0].independent == 2
    assert prov2.shared[0].origins == ["Associated Press", "Reuters"]


def test_suggested_claims_have_a_provenance_too(seed):
    from tui.core.align.provenance import SUGGESTED, suggested_claims
    from tui.core.models import LAYER_ATTRIBUTION, Suggestion

    intel, sputnik, anns, _prov = seed

    def cue(doc, phrase, label, group, role):
        s = doc.text.index(phrase)
        return Suggestion(s, s + len(phrase), label, "cues", "1", layer=LAYER_ATTRIBUTION, group=group, role=role,
                          relation="attributed_to" if role == "head" else "")

    second = "those joining ISIS-K appear to do so for two reasons"
    in_intel = [
        cue(intel, second, "CLAIM", "g1", "head"), cue(intel, "the report", "SOURCE", "g1", "tail"),
        # A cue on a claim alice tagged already proposes nothing new.
        cue(intel, SMALL_000, "CLAIM", "g2", "head"), cue(intel, "The Wall Street Journal", "SOURCE", "g2", "tail"),
    ]
    in_sputnik = [
        # A pronoun names nobody: the claim stays, without a source.
        cue(sputnik, "joining Daesh became", "CLAIM", "g3", "head"), cue(sputnik, "He", "SOURCE", "g3", "tail"),
        # Rejected suggestions stay out.
        cue(sputnik, "could become fodder for recruitment", "CLAIM", "g4", "head"),
    ]
    extra, links = suggested_claims(intel, in_intel, anns)
    more, more_links = suggested_claims(sputnik, in_sputnik, anns, rejected=[in_sputnik[-1].key])
    extra += more
    links += more_links
    assert [a.quote for a in extra] == [second, "the report", "joining Daesh became"]
    assert all(a.id.startswith(SUGGESTED) for a in extra)
    assert len(links) == 1
    rels = [rel("c0", "w0"), rel("c1", "w1"), rel("c2", "n1")] + links
    docs = [intel, sputnik]
    report = build_report("story", docs, anns + extra, rels, A.align_story(docs))
    prov = build_provenance(report, docs, anns + extra, rels)
    reasons = next(c for c in prov.claims if c.text.startswith("those joining"))
    assert reasons.suggested
    # "the report" stands for the outlet tagged last before it: the Wall Street Journal.
    assert [(ch.outlet, ch.source) for ch in reasons.chains] == [("intelnews.org", "Wall Street Journal")]
    daesh = next(c for c in prov.claims if c.text == "joining Daesh became")
    assert daesh.suggested and daesh.chains[0].source == OWN
    assert not next(c for c in prov.claims if "relatively small" in c.text).suggested
