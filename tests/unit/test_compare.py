"""tui.core.align.report: the comparison report over the seed story."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tui.core.align import align_story
from tui.core.align.report import Report, build_report
from tui.core.align.report_render import clean
from tui.core.models import Annotation, Document, Relation

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))
INTEL = SEEDS[0].read_text(encoding="utf-8")
SPUTNIK = SEEDS[1].read_text(encoding="utf-8")
SECOND_COPY = INTEL.index("In the weeks after", INTEL.index("In the weeks after") + 1)
SECOND_COPY_END = INTEL.index("No comments")

DOCS = [
    Document(10, 1, INTEL, "sha-a", title="American-trained Afghan forces joining ISIS", outlet="intelNews"),
    Document(11, 1, SPUTNIK, "sha-b", title="Ex-Afghan special forces reportedly joining IS", outlet="Sputnik"),
]
TEXTS = {10: INTEL, 11: SPUTNIK}


def ann(ident: str, doc: int, label: str, phrase: str, nth: int = 0, **attrs) -> Annotation:
    pos = -1
    for _ in range(nth + 1):
        pos = TEXTS[doc].index(phrase, pos + 1)
    return Annotation(ident, doc, "alice", label, pos, pos + len(phrase), phrase, attrs=attrs)


def rel(head: str, tail: str, type_: str) -> Relation:
    return Relation(f"{head}-{type_}-{tail}", head, tail, type_, "alice")


ANNOTATIONS = [
    # intelnews (10)
    ann("c-i-growing", 10, "CLAIM", "“relatively small, but growing” numbers of former members of Afghanistan’s "
        "security and intelligence agencies, are now joining ISIS-K", certainty="reported"),
    ann("c-i-fled", 10, "CLAIM", "most of them have now fled the country", certainty="hedged"),
    ann("s-i-wsj", 10, "SOURCE", "The Wall Street Journal", type="media outlet", named="yes"),
    ann("s-i-paper", 10, "SOURCE", "the paper", type="media outlet"),
    ann("m-i-income", 10, "MOTIVE", "in order to secure a regular income", category="economic", explicit="yes"),
    ann("m-i-resist", 10, "MOTIVE", "the only armed group that is putting up resistance against the Taliban",
        category="political"),
    # sputnik (11)
    ann("c-s-growing", 11, "CLAIM", "A “small but growing” number of former Afghan special forces and intelligence "
        "personnel have been joining Daesh-K", certainty="reported"),
    ann("c-s-attractive", 11, "CLAIM", "joining Daesh became “very attractive” after they were “left behind” by the "
        "United States", certainty="asserted"),
    ann("s-s-wsj", 11, "SOURCE", "the Wall Street Journal", type="media outlet"),
    ann("s-s-nabil", 11, "SOURCE", "Rahmatullah Nabil, former chief of Afghanistan’s National Directorate of Security",
        type="named person", named="yes"),
    ann("s-s-wsj2", 11, "SOURCE", "WSJ", type="media outlet"),
    ann("s-s-anon", 11, "SOURCE", "one former unnamed Afghan official", type="anonymous", named="no"),
    ann("s-s-leaders", 11, "SOURCE", "Taliban* leaders"),
    ann("m-s-income", 11, "MOTIVE", "lack of income to support themselves and their families", category="economic"),
    ann("m-s-fear", 11, "MOTIVE", "fears of being hunted down by the Taliban", category="security"),
    ann("a-s-personnel", 11, "ACTOR", "The former security forces personnel"),
]
RELATIONS = [
    rel("c-i-growing", "s-i-wsj", "attributed_to"),
    rel("c-s-growing", "s-s-wsj", "attributed_to"),
    rel("c-s-attractive", "s-s-nabil", "attributed_to"),
    rel("m-s-fear", "a-s-personnel", "motive_of"),
    rel("m-i-income", "s-i-paper", "attributed_to"),
]


@pytest.fixture(scope="module")
def alignment():
    return align_story([(10, INTEL, [(SECOND_COPY, SECOND_COPY_END)]), (11, SPUTNIK)])


@pytest.fixture(scope="module")
def report(alignment) -> Report:
    return build_report("Ex-Afghan forces join Islamic State", DOCS, ANNOTATIONS, RELATIONS, alignment)


def row_with(report: Report, annotation_id: str):
    rows = [r for r in report.claims if any(annotation_id in c.annotation_ids for c in r.cells.values())]
    assert len(rows) == 1
    return rows[0]


def test_both_outlets_carry_the_small_but_growing_claim_citing_the_wsj(report):
    row = row_with(report, "c-i-growing")
    assert row is row_with(report, "c-s-growing")  # grouped by the alignment
    assert row.carried_by == [10, 11]
    for doc in (10, 11):
        assert row.cells[doc].attribution == ["Wall Street Journal"]
        assert row.cells[doc].certainty == ["reported"]


def test_claims_only_one_outlet_makes_stay_apart(report):
    assert row_with(report, "c-i-fled").carried_by == [10]
    attractive = row_with(report, "c-s-attractive")
    assert attractive.carried_by == [11]
    assert attractive.cells[11].attribution == ["Rahmatullah Nabil"]
    assert not attractive.cells[10].carried
    assert len(report.claims) == 3


def test_sources_across_outlets(report):
    groups = {g.name: g for g in report.source_groups}
    assert groups["Wall Street Journal"].cited_by == [10, 11]
    assert groups["Wall Street Journal"].cells[11] == ["the Wall Street Journal", "WSJ"]
    # Only Sputnik quotes a named former official.
    assert groups["Rahmatullah Nabil"].cited_by == [11]
    named_people = [s for s in report.sources if s.type == "named person" and s.named == "yes"]
    assert [(s.doc_id, s.name) for s in named_people] == [(11, "Rahmatullah Nabil")]
    # Most-cited first.
    assert report.source_groups[0].name == "Wall Street Journal"


def test_sources_per_outlet_rows(report):
    by_id = {s.annotation_id: s for s in report.sources}
    assert [s.doc_id for s in report.sources] == [10, 10, 11, 11, 11, 11, 11]
    assert by_id["s-s-anon"].named == "no" and by_id["s-s-anon"].type == "anonymous"
    assert not by_id["s-s-anon"].named_inferred
    # No "named" attribute: inferred from the words, and said so.
    assert (by_id["s-s-wsj"].named, by_id["s-s-wsj"].named_inferred) == ("yes", True)
    assert (by_id["s-i-paper"].named, by_id["s-i-paper"].named_inferred) == ("no", True)
    assert (by_id["s-s-leaders"].named, by_id["s-s-leaders"].named_inferred) == ("no", True)  # a description
    assert (by_id["s-s-wsj2"].named, by_id["s-s-wsj2"].named_inferred) == ("yes", True)
    claim_row = row_with(report, "c-s-growing").id
    assert by_id["s-s-wsj"].claims == [claim_row] and by_id["s-i-wsj"].claims == [claim_row]
    assert by_id["s-s-wsj2"].claims == []


def test_motives_per_outlet_by_category(report):
    motives = {m.category: m for m in report.motives}
    assert sorted(motives) == ["economic", "political", "security"]
    assert [len(motives["economic"].cells[d]) for d in (10, 11)] == [1, 1]
    assert [len(motives["security"].cells[d]) for d in (10, 11)] == [0, 1]
    assert motives["security"].cells[11][0].actors == ["The former security forces personnel"]
    assert motives["economic"].cells[10][0].explicit == "yes"
    assert motives["economic"].cells[10][0].sources == ["the paper"]


def test_passages_only_one_outlet_has(report):
    only = {(p.doc_id, p.text[:40]) for p in report.only_in}
    texts_10 = [p.text for p in report.only_in if p.doc_id == 10]
    texts_11 = [p.text for p in report.only_in if p.doc_id == 11]
    assert any("President Biden" in t for t in texts_11)
    assert any("Rahmatullah Nabil" in t for t in texts_11)
    # The repeated half of seed 000 is listed once, not twice.
    assert sum("Ahmad Massoud" in t for t in texts_10) == 1
    assert not any("Wall Street Journal" in t for t in texts_10)
    assert only and all(p.start < SECOND_COPY for p in report.only_in if p.doc_id == 10)
    assert 0 < report.coverage[10] < 1 and 0 < report.coverage[11] < 1


def test_without_alignment_only_the_annotators_links_group_claims():
    plain = build_report("s", DOCS, ANNOTATIONS, RELATIONS, None)
    assert row_with(plain, "c-i-growing") is not row_with(plain, "c-s-growing")
    assert plain.only_in == [] and plain.coverage == {}
    linked = build_report("s", DOCS, ANNOTATIONS, RELATIONS + [rel("c-i-growing", "c-s-growing", "same_as")], None)
    assert row_with(linked, "c-i-growing") is row_with(linked, "c-s-growing")


def test_the_annotators_verdict_beats_the_alignment(alignment):
    for verdict, field in (("contradicts", "contradicts"), ("partial", "partial")):
        rep = build_report("s", DOCS, ANNOTATIONS, RELATIONS + [rel("c-s-growing", "c-i-growing", verdict)], alignment)
        a, b = row_with(rep, "c-i-growing"), row_with(rep, "c-s-growing")
        assert a is not b
        assert getattr(a, field) == [b.id] and getattr(b, field) == [a.id]


def test_deleted_annotations_and_relations_are_ignored(alignment):
    gone = [Annotation(**{**a.__dict__, "deleted_at": "2024-01-01"}) if a.id == "s-s-nabil" else a for a in ANNOTATIONS]
    rep = build_report("s", DOCS, gone, RELATIONS, alignment)
    assert "Rahmatullah Nabil" not in {g.name for g in rep.source_groups}
    assert row_with(rep, "c-s-attractive").cells[11].attribution == []
    dead_rel = [Relation(**{**r.__dict__, "deleted_at": "x"}) if r.type == "attributed_to" else r for r in RELATIONS]
    rep = build_report("s", DOCS, ANNOTATIONS, dead_rel, alignment)
    assert row_with(rep, "c-i-growing").cells[10].attribution == []


def test_renderers(report):
    data = report.to_json()
    assert json.loads(json.dumps(data)) == data
    assert [o["outlet"] for o in data["outlets"]] == ["intelNews", "Sputnik"]
    growing = next(c for c in data["claims"] if "c-s-growing" in c["outlets"]["11"]["annotation_ids"])
    assert growing["carried_by"] == [10, 11]

    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert list(rows[0]) == list(Report.CSV_COLUMNS)
    assert {r["table"] for r in rows} == {"claims", "sources", "source_groups", "motives", "only_in", "aligned_pairs"}
    carried = {(r["outlet"], r["value"]) for r in rows if r["table"] == "claims" and r["row"] == growing["id"]
               and r["field"] == "carried"}
    assert carried == {("intelNews", "yes"), ("Sputnik", "yes")}
    wsj = [r for r in rows if r["table"] == "source_groups" and r["row"] == "Wall Street Journal" and r["field"] == "count"]
    assert {(r["outlet"], r["value"]) for r in wsj} == {("intelNews", "1"), ("Sputnik", "2")}

    for width in (50, 80, 120):
        text = report.to_text(width)
        assert all(len(line) <= width for line in text.splitlines()), width
        for heading in ("Claims x outlets", "Sources x outlets", "Sources per outlet",
                        "Motives per outlet by category", "Passages only one outlet has"):
            assert heading in text
        assert "Rahmatullah Nabil" in text and "Wall Street Journal" in text


def test_article_text_never_reaches_the_terminal_as_control_characters():
    hostile = "Evil \x1b[31mred\x1b[0m claim said the \u202eofficial\u202c today in the town.\x9bC1"
    doc = Document(1, 1, hostile, "h", title="t\x1b]0;pwned\x07", outlet="Bad\x1bOutlet")
    a = Annotation("c", 1, "x", "CLAIM", 0, len(hostile), hostile)
    rep = build_report("story\x1b[2J", [doc], [a], [], align_story([(1, hostile)]))
    for out in (rep.to_text(80), rep.to_csv(), json.dumps(rep.to_json(), ensure_ascii=False)):
        for bad in ("\x1b", "\x07", "\x9b", "\u202e"):
            assert bad not in out
    assert "\\x1b[31mred" in rep.to_text(200)
    assert clean("a\n\tb") == "a b"


def test_two_articles_from_one_outlet_get_distinct_columns():
    docs = [Document(1, 1, "One sentence here about ports.", "a", outlet="Reuters"),
            Document(2, 1, "Another sentence about ships.", "b", outlet="Reuters"),
            Document(3, 1, "Third sentence about docks.", "c")]
    rep = build_report("s", docs, [], [], None)
    assert [o.name for o in rep.outlets] == ["Reuters #1", "Reuters #2", "doc 3"]
    assert "(none)" in rep.to_text(80)
