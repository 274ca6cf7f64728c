"""Review core: agreement figures (checked against numbers worked out by hand),
span comparison, copying into gold, and the per-annotator queue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main
from tui.core.errors import SpanError
from tui.core.models import Annotation
from tui.core.review import (
    ReviewError,
    agreement,
    agreement_table,
    cohen_kappa,
    compare_spans,
    copy_to_gold,
    first_with_work,
    progress,
    queue,
    remove_from_gold,
    resume_point,
    span_f1,
    step,
    story_statuses,
)
from tui.core.session import AnnotationSession
from tui.core.store import Store

# Non-space tokens (spaCy English): The mayor said taxes will rise . Critics disagree .  -> 10
TEXT = "The mayor said taxes will rise. Critics disagree."
QUIET = "Nothing here ."  # 3 tokens, no spans


def _at(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


@pytest.fixture
def store(tmp_path: Path):
    st = Store.open(tmp_path / "a.db")
    yield st
    st.close()


@pytest.fixture
def hand(store: Store) -> Store:
    """alice: SOURCE "The mayor", CLAIM "taxes will rise", SOURCE "Critics".
    bob:   SOURCE "mayor",     CLAIM "taxes will rise", CLAIM "Critics disagree".
    A second document only alice annotated: it must not count."""
    doc, _ = store.add_document("s", TEXT, title="one")
    lonely, _ = store.add_document("s", "Alice alone annotated this .", title="two")
    alice, bob = AnnotationSession(store, "alice"), AnnotationSession(store, "bob")
    for quote, label in (("The mayor", "SOURCE"), ("taxes will rise", "CLAIM"), ("Critics", "SOURCE")):
        alice.tag(doc.id, *_at(TEXT, quote), label)
    for quote, label in (("mayor", "SOURCE"), ("taxes will rise", "CLAIM"), ("Critics disagree", "CLAIM")):
        bob.tag(doc.id, *_at(TEXT, quote), label)
    alice.tag(lonely.id, 0, 5, "SOURCE")
    return store


# ------------------------------------------------------------------ the formulas


def test_cohen_kappa_by_hand() -> None:
    # po = 0.8, pa = 0.3, pb = 0.1, pe = 0.03 + 0.63 = 0.66, kappa = 0.14 / 0.34
    assert cohen_kappa(1, 2, 0, 7) == pytest.approx(0.14 / 0.34)
    assert cohen_kappa(5, 0, 0, 5) == pytest.approx(1.0)
    assert cohen_kappa(0, 5, 5, 0) == pytest.approx(-1.0)
    assert cohen_kappa(0, 0, 0, 10) is None  # both constant: undefined
    assert cohen_kappa(0, 0, 0, 0) is None


def test_span_f1_by_hand() -> None:
    a = [(1, 0, 9), (1, 32, 39)]
    b = [(1, 4, 9)]
    assert span_f1(a, b) == 0.0
    # overlap: P = 1/1, R = 1/2 -> F1 = 2/3
    assert span_f1(a, b, overlap=True) == pytest.approx(2 / 3)
    assert span_f1([], []) is None
    assert span_f1(a, []) == 0.0
    # same offsets in another document do not overlap
    assert span_f1([(1, 0, 5)], [(2, 0, 5)], overlap=True) == 0.0


# ------------------------------------------------------------------ agreement on the hand case


def _row(results, label):
    return next(r for r in results if r.label == label)


def test_agreement_matches_hand_computed_figures(hand: Store) -> None:
    results = agreement(hand)
    assert [(r.a, r.b, r.label) for r in results] == [("alice", "bob", "CLAIM"), ("alice", "bob", "SOURCE"),
                                                      ("alice", "bob", "ALL")]
    source = _row(results, "SOURCE")
    assert (source.documents, source.spans_a, source.spans_b, source.exact_matches, source.tokens) == (1, 2, 1, 0, 10)
    assert source.exact_f1 == 0.0
    assert source.overlap_f1 == pytest.approx(2 / 3)
    # SOURCE tokens: alice {The, mayor, Critics}, bob {mayor}: both 1, only alice 2, neither 7
    # po = 0.8, pe = 0.3*0.1 + 0.7*0.9 = 0.66 -> kappa = 0.14 / 0.34 = 0.41176
    assert source.kappa == pytest.approx(0.411765, abs=1e-6)

    claim = _row(results, "CLAIM")
    assert (claim.spans_a, claim.spans_b, claim.exact_matches) == (1, 2, 1)
    # P = 1/2, R = 1/1 -> F1 = 2/3, the same with overlap (bob's second CLAIM overlaps nothing)
    assert claim.exact_f1 == pytest.approx(2 / 3)
    assert claim.overlap_f1 == pytest.approx(2 / 3)
    # CLAIM tokens: alice {taxes will rise}, bob {taxes will rise, Critics disagree}
    # both 3, only bob 2, neither 5: po = 0.8, pe = 0.3*0.5 + 0.7*0.5 = 0.5 -> kappa = 0.6
    assert claim.kappa == pytest.approx(0.6)

    pooled = _row(results, "ALL")
    # exact: 1 match of 3 vs 3 -> 1/3; overlap: 2 of 3 found each way -> 2/3
    assert pooled.exact_f1 == pytest.approx(1 / 3)
    assert pooled.overlap_f1 == pytest.approx(2 / 3)
    # pooled table: both 4, only alice 2, only bob 2, neither 12 (n = 20)
    # po = 0.8, pe = 0.3*0.3 + 0.7*0.7 = 0.58 -> kappa = 0.22 / 0.42
    assert pooled.kappa == pytest.approx(0.22 / 0.42)
    assert pooled.tokens == 20


def test_a_document_both_marked_done_without_spans_counts(hand: Store) -> None:
    quiet, _ = hand.add_document("s", QUIET, title="three")
    hand.set_doc_status(quiet.id, "alice", "done")
    hand.set_doc_status(quiet.id, "bob", "in_progress")
    source = _row(agreement(hand), "SOURCE")
    assert source.documents == 2 and source.tokens == 13
    # three more agreed "outside" tokens: po = 11/13, pe = (3*1 + 10*12) / 169 = 123/169
    # kappa = (143 - 123) / (169 - 123) = 20 / 46
    assert source.kappa == pytest.approx(20 / 46)
    assert source.exact_f1 == 0.0  # span figures are unchanged


def test_agreement_scope_and_errors(hand: Store) -> None:
    only_claim = agreement(hand, labels=["CLAIM"])
    assert [r.label for r in only_claim] == ["CLAIM", "ALL"]
    assert only_claim[-1].kappa == pytest.approx(0.6)
    with pytest.raises(ReviewError, match="no annotations by carol"):
        agreement(hand, annotators=["alice", "carol"])
    other = hand.ensure_story("empty")
    with pytest.raises(ReviewError, match="needs two annotators"):
        agreement(hand, story=other)


def test_three_annotators_give_three_pairs(hand: Store) -> None:
    doc = hand.documents()[0]
    AnnotationSession(hand, "carol").tag(doc.id, *_at(TEXT, "The mayor"), "SOURCE")
    pairs = {(r.a, r.b) for r in agreement(hand)}
    assert pairs == {("alice", "bob"), ("alice", "carol"), ("bob", "carol")}
    ac = next(r for r in agreement(hand) if (r.a, r.b, r.label) == ("alice", "carol", "SOURCE"))
    # alice {The mayor, Critics}, carol {The mayor}: exact P = 1, R = 1/2 -> 2/3
    assert ac.exact_f1 == pytest.approx(2 / 3)


def test_agreement_table_and_cli(hand: Store, tmp_path: Path) -> None:
    table = agreement_table(agreement(hand))
    lines = table.splitlines()
    assert lines[0].split() == ["A", "B", "label", "docs", "spans", "A", "spans", "B", "exact", "exact", "F1",
                                "overlap", "F1", "kappa", "tokens"]
    assert lines[3].split() == ["alice", "bob", "SOURCE", "1", "2", "1", "0", "0.000", "0.667", "0.412", "10"]
    db = str(hand.path)
    runner = CliRunner()
    result = runner.invoke(main, ["agreement", "--db", db], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == table
    result = runner.invoke(main, ["agreement", "--db", db, "--annotators", "alice", "bob", "--json"])
    payload = json.loads(result.stdout)
    assert payload["annotators"] == ["alice", "bob"] and payload["story"] is None
    claim = next(r for r in payload["results"] if r["label"] == "CLAIM")
    assert claim["kappa"] == pytest.approx(0.6) and claim["exact_matches"] == 1
    result = runner.invoke(main, ["agreement", "--db", db, "--annotators", "alice,zed"])
    assert result.exit_code == 1 and "no annotations by zed" in result.stderr


# ------------------------------------------------------------------ comparison


def _ann(who: str, start: int, end: int, label: str = "CLAIM") -> Annotation:
    return Annotation(id=f"{who}-{start}-{end}-{label}", doc_id=1, annotator=who, label=label, start=start, end=end,
                      quote="x")


def test_compare_spans_statuses() -> None:
    got = compare_spans({
        "alice": [_ann("alice", 0, 10), _ann("alice", 20, 30), _ann("alice", 40, 45, "SOURCE")],
        "bob": [_ann("bob", 0, 10), _ann("bob", 22, 35), _ann("bob", 40, 45, "CLAIM")],
        "carol": [_ann("carol", 0, 10), _ann("carol", 20, 30)],
    })
    assert [(c.start, c.end, c.label, c.annotators, c.status) for c in got] == [
        (0, 10, "CLAIM", ("alice", "bob", "carol"), "match"),
        (20, 30, "CLAIM", ("alice", "carol"), "partial"),  # two of three
        (22, 35, "CLAIM", ("bob",), "partial"),  # overlaps alice's and carol's CLAIM
        (40, 45, "CLAIM", ("bob",), "only"),  # same place, other label: not alike
        (40, 45, "SOURCE", ("alice",), "only"),
    ]
    assert got[1].ids == ("alice-20-30-CLAIM", "carol-20-30-CLAIM")


def test_compare_spans_counts_annotators_without_spans() -> None:
    got = compare_spans({"alice": [_ann("alice", 0, 4)], "bob": []})
    assert [(c.annotators, c.status) for c in got] == [(("alice",), "only")]


# ------------------------------------------------------------------ gold


@pytest.fixture
def two(store: Store):
    doc, _ = store.add_document("s", TEXT, title="one")
    doc2, _ = store.add_document("s", "Officials confirmed taxes would rise.", title="two")
    alice = AnnotationSession(store, "alice")
    claim = alice.tag(doc.id, *_at(TEXT, "taxes will rise"), "CLAIM", attrs={"certainty": "reported"})
    source = alice.tag(doc.id, *_at(TEXT, "The mayor"), "SOURCE")
    alice.link(claim.id, source.id)
    other = alice.tag(doc2.id, 0, 9, "CLAIM")
    alice.link(claim.id, other.id, "same_as")
    bob = AnnotationSession(store, "bob")
    bob_claim = bob.tag(doc.id, *_at(TEXT, "Critics disagree"), "CLAIM")
    return {"doc": doc, "doc2": doc2, "claim": claim, "source": source, "other": other, "bob_claim": bob_claim}


def test_copy_whole_version_to_gold_with_relations_and_undo(store: Store, two: dict) -> None:
    review = AnnotationSession(store, "carol")
    result = copy_to_gold(review, two["doc"].id, "alice")
    gold = store.annotations(two["doc"].id, "gold")
    assert [(g.start, g.end, g.label, g.origin) for g in gold] == [(0, 9, "SOURCE", "gold:from:alice"),
                                                                    (15, 30, "CLAIM", "gold:from:alice")]
    assert {g.id for g in gold}.isdisjoint({two["claim"].id, two["source"].id})
    assert gold[1].attrs == {"certainty": "reported"}
    rels = store.relations(annotator="gold")
    assert [(r.type, r.head_id, r.tail_id) for r in rels] == [("attributed_to", gold[1].id, gold[0].id)]
    assert len(result.created) == 2 and len(result.relations) == 1
    # the same-as link waits for its other end; accepting it later links them
    copy_to_gold(review, two["doc2"].id, [two["other"].id])
    assert sorted(r.type for r in store.relations(annotator="gold")) == ["attributed_to", "same_as"]
    # again: nothing duplicated
    again = copy_to_gold(review, two["doc"].id, "alice")
    assert again.created == () and len(again.existing) == 2 and again.batch is None
    # undo (carol's) reverses the last copy: the other document's span and the same_as link
    review.undo()
    assert store.annotations(two["doc2"].id, "gold") == []
    assert [r.type for r in store.relations(annotator="gold")] == ["attributed_to"]
    review.undo()
    assert store.annotations(two["doc"].id, "gold") == []


def test_copy_single_spans_from_two_annotators(store: Store, two: dict) -> None:
    copy_to_gold(store, two["doc"].id, [two["claim"].id, two["bob_claim"].id], gold="adjudicated")
    gold = store.annotations(two["doc"].id, "adjudicated")
    assert [(g.quote, g.origin) for g in gold] == [("taxes will rise", "gold:from:alice"),
                                                   ("Critics disagree", "gold:from:bob")]
    assert store.relations(annotator="adjudicated") == []  # the SOURCE end was not accepted
    copy_to_gold(store, two["doc"].id, [two["source"].id], gold="adjudicated")
    assert [r.type for r in store.relations(annotator="adjudicated")] == ["attributed_to"]
    # logged as the gold name when called with a bare store
    assert {e["annotator"] for e in store.events() if "adjudicated" in e["summary"]} == {"adjudicated"}


def test_copy_to_gold_refuses_bad_input(store: Store, two: dict) -> None:
    with pytest.raises(SpanError, match="is on document"):
        copy_to_gold(store, two["doc2"].id, [two["claim"].id])
    with pytest.raises(SpanError, match="no longer exists"):
        copy_to_gold(store, two["doc"].id, ["nope"])
    with pytest.raises(ReviewError):
        copy_to_gold(store, two["doc"].id, "gold")


def test_remove_from_gold_hides_span_and_its_relations(store: Store, two: dict) -> None:
    review = AnnotationSession(store, "carol")
    copy_to_gold(review, two["doc"].id, "alice")
    source = next(g for g in store.annotations(two["doc"].id, "gold") if g.label == "SOURCE")
    assert remove_from_gold(review, [source.id]) is not None
    assert [g.label for g in store.annotations(two["doc"].id, "gold")] == ["CLAIM"]
    assert store.relations(annotator="gold") == []
    with pytest.raises(SpanError, match="belongs to alice"):
        remove_from_gold(review, [two["claim"].id])
    review.undo()
    assert len(store.annotations(two["doc"].id, "gold")) == 2 and len(store.relations(annotator="gold")) == 1


# ------------------------------------------------------------------ queue


def test_queue_progress_and_first_with_work(store: Store) -> None:
    ids = [store.add_document("first", f"Text number {i} .", title=f"d{i}")[0].id for i in range(3)]
    later = store.add_document("second", "Another text .", title="e")[0].id
    store.set_doc_status(ids[0], "alice", "done")
    store.set_doc_status(ids[1], "alice", "in_progress")
    store.set_doc_status(ids[2], "bob", "done")
    items = queue(store, "alice")
    assert [(i.story_id, i.doc_id, i.status) for i in items] == [
        (1, ids[0], "done"), (1, ids[1], "in_progress"), (1, ids[2], "todo"), (2, later, "todo")]
    assert progress(store, "alice") == (1, 4)
    assert progress(items) == (1, 4)
    assert progress(store, "alice", story_id=2) == (0, 1)
    assert first_with_work(store, "alice").doc_id == ids[1]
    assert first_with_work(store, "bob").doc_id == ids[0]
    for doc_id in ids + [later]:
        store.set_doc_status(doc_id, "carol", "done")
    assert first_with_work(store, "carol") is None


def test_step_walks_the_queue(store: Store) -> None:
    ids = [store.add_document("s", f"Text {i} .")[0].id for i in range(3)]
    store.set_doc_status(ids[1], "alice", "done")
    items = queue(store, "alice")
    assert step(items, ids[0], +1).doc_id == ids[1]
    assert step(items, ids[0], +1, skip_done=True).doc_id == ids[2]
    assert step(items, ids[2], +1) is None
    assert step(items, ids[0], -1) is None
    assert step(items, None, -1).doc_id == ids[2]
    assert step(items, None, +1).doc_id == ids[0]


def test_story_statuses_and_resume_point(store: Store) -> None:
    a = [store.add_document("first", f"Text {i} .")[0].id for i in range(2)]
    b = store.add_document("second", "Other .")[0].id
    store.set_doc_status(a[0], "alice", "done")
    store.set_doc_status(a[1], "alice", "done")
    store.set_doc_status(b, "alice", "in_progress")
    got = [(s.title, s.done, s.in_progress, s.total, s.status) for s in story_statuses(store, "alice")]
    assert got == [("first", 2, 0, 2, "done"), ("second", 0, 1, 1, "in_progress")]
    assert [s.status for s in story_statuses(store, "bob")] == ["todo", "todo"]
    item, offset = resume_point(store, "alice")
    assert (item.doc_id, offset) == (b, 0)  # no saved position: first with work
    store.save_position("alice", 1, a[1], 42)
    item, offset = resume_point(store, "alice")
    assert (item.doc_id, item.status, offset) == (a[1], "done", 42)
