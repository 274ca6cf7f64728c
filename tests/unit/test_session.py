"""AnnotationSession: the rules a user sees, on a real seeded database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.errors import ReadOnlyError, SchemaError, SpanError, StoreError
from tui.core.models import Suggestion
from tui.core.session import AnnotationSession, resolve_db_path
from tui.core.store import Store


def cue(start: int, end: int, label: str, role: str = "", relation: str = "", group: str = "g1") -> Suggestion:
    return Suggestion(start, end, label, "cues", "1", layer="attribution", group=group, role=role,
                      relation=relation)


# ---------------------------------------------------------------- tag

def test_tag_stores_quote_selector_and_origin(seeded_session, seed_docs) -> None:
    s, doc = seeded_session, seed_docs[0]
    start = doc.text.index("according to a new report")
    end = start + len("according to a new report")
    a = s.tag(doc.id, start, end, "CLAIM", attrs={"certainty": "reported"}, note="why")
    assert a.quote == "according to a new report"
    assert a.prefix == doc.text[start - len(a.prefix):start] and 0 < len(a.prefix) <= 64
    assert a.suffix == doc.text[end:end + len(a.suffix)] and 0 < len(a.suffix) <= 64
    assert (a.annotator, a.origin, a.status, a.deleted_at) == ("alice", "manual", "active", None)
    assert s.annotations(doc.id) == [a]
    stored = s.annotation(a.id)
    assert (stored.attrs, stored.note, stored.quote) == ({"certainty": "reported"}, "why", a.quote)


def test_unknown_label_is_a_schema_error(seeded_session, seed_docs) -> None:
    with pytest.raises(SchemaError) as err:
        seeded_session.tag(seed_docs[0].id, 0, 5, "EVENT")
    assert err.value.code == "D030" and "EVENT" in str(err.value) and "CLAIM" in str(err.value)
    assert seeded_session.annotations(seed_docs[0].id) == []


@pytest.mark.parametrize("span", [(-1, 5), (5, 5), (6, 5), ("len", "len+1"), (0, "len+1")])
def test_spans_outside_the_text_or_empty_are_refused(seeded_session, seed_docs, span) -> None:
    doc = seed_docs[0]
    n = len(doc.text)
    start, end = (n if v == "len" else n + 1 if v == "len+1" else v for v in span)
    with pytest.raises(SpanError) as err:
        seeded_session.tag(doc.id, start, end, "CLAIM")
    assert err.value.code == "D040" and str(n) in str(err.value)
    assert seeded_session.annotations(doc.id) == []


def test_whole_text_is_a_valid_span(seeded_session, seed_docs) -> None:
    doc = seed_docs[1]
    a = seeded_session.tag(doc.id, 0, len(doc.text), "CLAIM")
    assert a.quote == doc.text and a.prefix == "" and a.suffix == ""


def test_duplicate_span_and_label_is_refused(seeded_session, seed_docs) -> None:
    s, doc = seeded_session, seed_docs[0]
    s.tag(doc.id, 0, 5, "CLAIM")
    with pytest.raises(SpanError, match="already tagged CLAIM"):
        s.tag(doc.id, 0, 5, "CLAIM")
    s.tag(doc.id, 0, 5, "SOURCE")  # same span, other label: fine
    s.tag(doc.id, 0, 6, "CLAIM")  # other span: fine
    assert len(s.annotations(doc.id)) == 3


def test_a_deleted_span_can_be_tagged_again(seeded_session, seed_docs) -> None:
    s, doc = seeded_session, seed_docs[0]
    a = s.tag(doc.id, 0, 5, "CLAIM")
    s.delete(a.id)
    b = s.tag(doc.id, 0, 5, "CLAIM")
    assert b.id != a.id and s.annotations(doc.id) == [b]


def test_two_annotators_may_tag_the_same_span(seeded_session, seed_docs, open_session) -> None:
    bob = open_session("bob")
    a = seeded_session.tag(seed_docs[0].id, 0, 5, "CLAIM")
    b = bob.tag(seed_docs[0].id, 0, 5, "CLAIM")
    assert seeded_session.annotations(seed_docs[0].id) == [a]
    assert bob.annotations(seed_docs[0].id) == [b]
    assert {x.id for x in bob.annotations_of(seed_docs[0].id)} == {a.id, b.id}
    assert [x.id for x in bob.annotations_of(seed_docs[0].id, ["alice"])] == [a.id]
    assert bob.annotators() == ["alice", "bob"]


@pytest.mark.parametrize("label,attrs,phrase", [
    ("CLAIM", {"colour": "red"}, "has no attribute 'colour'"),
    ("CLAIM", {"certainty": "sure"}, "cannot be 'sure'"),
    ("SOURCE", {"certainty": "hedged"}, "has no attribute 'certainty'"),
    ("MOTIVE", {"explicit": True}, "cannot be True"),
])
def test_attrs_are_checked_against_the_schema(seeded_session, seed_docs, label, attrs, phrase) -> None:
    with pytest.raises(SpanError) as err:
        seeded_session.tag(seed_docs[0].id, 0, 5, label, attrs=attrs)
    assert phrase in str(err.value) and "What to do:" in str(err.value)
    assert seeded_session.annotations(seed_docs[0].id) == []


def test_valid_attrs_for_every_default_label(seeded_session, seed_docs) -> None:
    s, doc = seeded_session, seed_docs[0]
    s.tag(doc.id, 0, 5, "CLAIM", attrs={"certainty": "hedged", "checkworthy": "yes", "stance": "distances"})
    s.tag(doc.id, 0, 5, "SOURCE", attrs={"type": "named person", "named": "yes"})
    s.tag(doc.id, 0, 5, "MOTIVE", attrs={"category": "security", "explicit": "no"})
    assert len(s.annotations(doc.id)) == 3


def test_article_text_is_data(store: Store) -> None:
    """Markup and escape sequences in an article are stored and quoted verbatim."""
    text = "Breaking: [bold]not bold[/bold] \x1b[31mred?\x1b[0m and [link=x]y[/link]."
    doc, _ = store.add_document("Markup", text)
    s = AnnotationSession(store, "alice")
    a = s.tag(doc.id, 10, 31, "CLAIM")
    assert a.quote == "[bold]not bold[/bold]"
    b = s.tag(doc.id, 32, 46, "SOURCE")
    assert s.annotation(b.id).quote == text[32:46] and "\x1b" in s.annotation(b.id).quote


# ---------------------------------------------------------------- edit / delete

def test_edit_attrs_and_note(seeded_session, seed_docs) -> None:
    s = seeded_session
    a = s.tag(seed_docs[0].id, 0, 5, "CLAIM", attrs={"certainty": "hedged"})
    b = s.edit(a.id, note="checked")
    assert b.attrs == {"certainty": "hedged"} and b.note == "checked"
    c = s.edit(a.id, attrs={"checkworthy": "no"})
    assert c.attrs == {"checkworthy": "no"} and c.note == "checked"
    assert s.annotation(a.id) == c and s.annotation(a.id).attrs == {"checkworthy": "no"}
    with pytest.raises(SpanError):
        s.edit(a.id, attrs={"checkworthy": "maybe"})
    assert s.annotation(a.id).attrs == {"checkworthy": "no"}


def test_relabel_keeps_only_attrs_the_new_label_has(seeded_session, seed_docs) -> None:
    s = seeded_session
    a = s.tag(seed_docs[0].id, 0, 5, "CLAIM", attrs={"certainty": "hedged"})
    b = s.edit(a.id, label="SOURCE")
    assert b.label == "SOURCE" and b.attrs == {}
    c = s.edit(a.id, label="CLAIM", attrs={"certainty": "asserted"})
    assert c.attrs == {"certainty": "asserted"}
    with pytest.raises(SchemaError):
        s.edit(a.id, label="EVENT")
    s.undo()
    assert s.annotation(a.id).label == "SOURCE"


def test_relabel_onto_an_existing_tag_is_refused(seeded_session, seed_docs) -> None:
    s = seeded_session
    a = s.tag(seed_docs[0].id, 0, 5, "CLAIM")
    s.tag(seed_docs[0].id, 0, 5, "SOURCE")
    with pytest.raises(SpanError, match="already tagged SOURCE"):
        s.edit(a.id, label="SOURCE")
    assert s.annotation(a.id).label == "CLAIM"


def test_delete_hides_it_and_a_second_delete_is_refused(seeded_session, seed_docs) -> None:
    s = seeded_session
    a = s.tag(seed_docs[0].id, 0, 5, "CLAIM")
    assert s.delete(a.id).id == a.id
    assert s.annotations(seed_docs[0].id) == []
    with pytest.raises(SpanError, match="no longer exists"):
        s.delete(a.id)
    with pytest.raises(SpanError, match="no longer exists"):
        s.edit(a.id, note="x")
    with pytest.raises(SpanError, match="no longer exists"):
        s.delete("no-such-id")


def test_nobody_changes_another_annotators_spans(seeded_session, seed_docs, open_session) -> None:
    alice = seeded_session
    bob = open_session("bob")
    a = alice.tag(seed_docs[0].id, 0, 5, "CLAIM")
    src = alice.tag(seed_docs[0].id, 10, 20, "SOURCE")
    mine = bob.tag(seed_docs[0].id, 10, 20, "SOURCE")
    for action in (lambda: bob.edit(a.id, note="mine now"), lambda: bob.delete(a.id),
                   lambda: bob.link(a.id, mine.id), lambda: bob.link(a.id, src.id)):
        with pytest.raises(SpanError, match="belongs to alice"):
            action()
    rel = alice.link(a.id, src.id)
    with pytest.raises(SpanError, match="not yours"):
        bob.unlink(rel.id)
    assert alice.annotation(a.id) == a and alice.annotation(a.id).note == ""
    assert [r.id for r in alice.relations([seed_docs[0].id])] == [rel.id]
    assert bob.undo().summary.startswith("tag SOURCE"), "bob's undo is his own tag, not alice's work"


# ---------------------------------------------------------------- link / unlink

@pytest.mark.parametrize("head,tail,cross,expected", [
    ("CLAIM", "SOURCE", False, "attributed_to"),
    ("MOTIVE", "SOURCE", False, "attributed_to"),
    ("MOTIVE", "CLAIM", False, "motive_of"),
    ("MOTIVE", "MOTIVE", False, "motive_of"),
    ("CLAIM", "CLAIM", True, "same_as"),
])
def test_link_type_is_inferred(seeded_session, seed_docs, head, tail, cross, expected) -> None:
    s = seeded_session
    h = s.tag(seed_docs[0].id, 0, 10, head)
    t = s.tag(seed_docs[1 if cross else 0].id, 20, 30, tail)
    rel = s.link(h.id, t.id)
    assert (rel.type, rel.head_id, rel.tail_id, rel.annotator) == (expected, h.id, t.id, "alice")
    assert s.relations([seed_docs[0].id]) == [rel]


@pytest.mark.parametrize("head,tail", [("SOURCE", "CLAIM"), ("SOURCE", "SOURCE"), ("CLAIM", "MOTIVE")])
def test_link_without_an_allowed_type_is_refused(seeded_session, seed_docs, head, tail) -> None:
    s = seeded_session
    h = s.tag(seed_docs[0].id, 0, 10, head)
    t = s.tag(seed_docs[0].id, 20, 30, tail)
    with pytest.raises(SpanError, match=f"no relation goes from {head} to {tail}"):
        s.link(h.id, t.id)
    assert s.relations([seed_docs[0].id]) == []


def test_link_with_an_explicit_type(seeded_session, seed_docs) -> None:
    s = seeded_session
    a = s.tag(seed_docs[0].id, 0, 10, "CLAIM")
    b = s.tag(seed_docs[1].id, 0, 10, "CLAIM")
    src = s.tag(seed_docs[0].id, 20, 30, "SOURCE")
    assert s.link(a.id, b.id, "contradicts").type == "contradicts"
    with pytest.raises(SpanError, match="unknown relation type"):
        s.link(a.id, b.id, "likes")
    with pytest.raises(SpanError, match="attributed_to cannot go from SOURCE to CLAIM"):
        s.link(src.id, a.id, "attributed_to")
    with pytest.raises(SpanError, match="cannot go from CLAIM to SOURCE"):
        s.link(a.id, src.id, "same_as")
    assert len(s.relations([seed_docs[0].id])) == 1


def test_link_refuses_self_and_duplicates(seeded_session, seed_docs) -> None:
    s = seeded_session
    a = s.tag(seed_docs[0].id, 0, 10, "CLAIM")
    b = s.tag(seed_docs[0].id, 20, 30, "SOURCE")
    with pytest.raises(SpanError, match="itself"):
        s.link(a.id, a.id)
    s.link(a.id, b.id)
    with pytest.raises(SpanError, match="already linked"):
        s.link(a.id, b.id)
    assert len(s.relations([seed_docs[0].id])) == 1


def test_unlink_and_undo_it(seeded_session, seed_docs) -> None:
    s = seeded_session
    a = s.tag(seed_docs[0].id, 0, 10, "CLAIM")
    b = s.tag(seed_docs[0].id, 20, 30, "SOURCE")
    rel = s.link(a.id, b.id)
    s.unlink(rel.id)
    assert s.relations([seed_docs[0].id]) == []
    with pytest.raises(SpanError, match="does not exist"):
        s.unlink(rel.id)
    assert s.undo().summary == "unlink attributed_to"
    assert s.relations([seed_docs[0].id]) == [rel]


# ---------------------------------------------------------------- suggestions

def test_accept_a_cue_pair_is_one_undoable_step(seeded_session, seed_docs) -> None:
    s, doc = seeded_session, seed_docs[0]
    claim = cue(0, 40, "CLAIM", role="head", relation="attributed_to")
    source = cue(200, 225, "SOURCE", role="tail", relation="attributed_to")
    made = s.accept_suggestion(doc.id, claim, partner=source)
    assert [(a.label, a.start, a.end) for a in made] == [("CLAIM", 0, 40), ("SOURCE", 200, 225)]
    assert {a.origin for a in made} == {"suggestion:cues@1"}
    rels = s.relations([doc.id])
    assert [(r.head_id, r.tail_id, r.type) for r in rels] == [(made[0].id, made[1].id, "attributed_to")]
    assert s.decisions(doc.id) == {claim.key: "accept", source.key: "accept"}
    assert s.visible_suggestions(doc.id, [claim, source]) == []
    batches = {e["batch"] for e in s.store.events("alice")}
    assert len(batches) == 1, "two annotations, two decisions and a relation: one step"
    step = s.undo()
    assert step.summary.startswith("accept CLAIM") and "cues@1" in step.summary
    assert s.annotations(doc.id) == [] and s.relations([doc.id]) == [] and s.decisions(doc.id) == {}
    assert s.visible_suggestions(doc.id, [claim, source]) == [claim, source]
    s.redo()
    assert len(s.annotations(doc.id)) == 2 and len(s.relations([doc.id])) == 1


def test_accept_from_the_tail_side_links_head_to_tail(seeded_session, seed_docs) -> None:
    s, doc = seeded_session, seed_docs[0]
    # Only the head carries the relation name; the user accepted the SOURCE.
    claim = cue(0, 40, "CLAIM", role="head", relation="attributed_to")
    source = cue(200, 225, "SOURCE", role="tail")
    made = s.accept_suggestion(doc.id, source, partner=claim)
    by_label = {a.label: a for a in made}
    rels = s.relations([doc.id])
    assert [(r.head_id, r.tail_id, r.type) for r in rels] == [
        (by_label["CLAIM"].id, by_label["SOURCE"].id, "attributed_to")]


def test_accepting_again_reuses_spans_and_adds_no_duplicate_link(seeded_session, seed_docs) -> None:
    s, doc = seeded_session, seed_docs[0]
    claim = cue(0, 40, "CLAIM", role="head", relation="attributed_to")
    source = cue(200, 225, "SOURCE", role="tail", relation="attributed_to")
    first = s.accept_suggestion(doc.id, claim, partner=source)
    again = s.accept_suggestion(doc.id, claim, partner=source)
    assert [a.id for a in again] == [a.id for a in first]
    assert len(s.annotations(doc.id)) == 2 and len(s.relations([doc.id])) == 1


def test_accept_with_another_label(seeded_session, seed_docs) -> None:
    s, doc = seeded_session, seed_docs[0]
    ent = Suggestion(10, 20, "SOURCE", "spacy:en_core_web_sm", "3.8.0", kind="ORG")
    (a,) = s.accept_suggestion(doc.id, ent, label="CLAIM")
    assert (a.label, a.origin) == ("CLAIM", "suggestion:spacy:en_core_web_sm@3.8.0")
    with pytest.raises(SchemaError):
        s.accept_suggestion(doc.id, Suggestion(30, 40, "DATE", "spacy", "1"))


def test_reject_persists_across_reopen_and_is_undoable(db_path: Path, seeded_store: Store, seed_docs) -> None:
    doc = seed_docs[0]
    ent = Suggestion(10, 20, "SOURCE", "spacy", "1")
    other = Suggestion(30, 40, "SOURCE", "spacy", "1")
    s = AnnotationSession(seeded_store, "alice")
    s.reject_suggestion(doc.id, ent)
    assert s.visible_suggestions(doc.id, [ent, other]) == [other]
    seeded_store.close()

    st = Store.open(db_path)
    try:
        s2 = AnnotationSession(st, "alice")
        assert s2.decisions(doc.id) == {ent.key: "reject"}
        assert s2.visible_suggestions(doc.id, [ent, other]) == [other]
        bob = AnnotationSession(st, "bob")
        assert bob.visible_suggestions(doc.id, [ent, other]) == [ent, other], "decisions are per annotator"
        assert s2.undo().summary.startswith("reject suggestion")
        assert s2.visible_suggestions(doc.id, [ent, other]) == [ent, other]
        s2.redo()
        assert s2.decisions(doc.id) == {ent.key: "reject"}
    finally:
        st.close()


def test_visible_suggestions_hide_tagged_spans(seeded_session, seed_docs) -> None:
    s, doc = seeded_session, seed_docs[0]
    tagged = Suggestion(10, 20, "SOURCE", "spacy", "1")
    free = Suggestion(30, 40, "SOURCE", "spacy", "1")
    s.tag(doc.id, 10, 20, "CLAIM")  # any label on the same span counts as handled
    assert s.visible_suggestions(doc.id, [tagged, free]) == [free]
    assert s.visible_suggestions(seed_docs[1].id, [tagged, free]) == [tagged, free]


def test_suggestion_cache_round_trip(seeded_session, seed_docs) -> None:
    s, doc = seeded_session, seed_docs[0]
    assert s.cached_suggestions(doc, [("spacy", "1")]) is None
    sugg = [Suggestion(0, 5, "SOURCE", "spacy", "1", 0.5, kind="ORG")]
    s.store_suggestions(doc, "spacy", "1", sugg)
    s.store_suggestions(doc, "rules", "2", [])
    assert s.cached_suggestions(doc, [("spacy", "1"), ("rules", "2")]) == sugg
    assert s.cached_suggestions(doc, [("spacy", "1"), ("rules", "3")]) is None


# ---------------------------------------------------------------- review state

def test_statuses_are_per_annotator(seeded_session, seed_docs, open_session) -> None:
    s = seeded_session
    s.set_status(seed_docs[0].id, "in_progress")
    s.set_status(seed_docs[0].id, "done")
    s.set_status(seed_docs[1].id, "todo")
    assert s.statuses() == {seed_docs[0].id: "done", seed_docs[1].id: "todo"}
    assert open_session("bob").statuses() == {}
    with pytest.raises(StoreError, match="unknown status"):
        s.set_status(seed_docs[0].id, "finished")


def test_positions_are_saved_per_annotator(seeded_session, seed_docs, open_session) -> None:
    s, doc = seeded_session, seed_docs[1]
    assert s.position() is None
    s.save_position(doc.story_id, doc.id, 123)
    s.save_position(doc.story_id, doc.id, 456)
    pos = s.position()
    assert (pos["story_id"], pos["doc_id"], pos["offset"]) == (doc.story_id, doc.id, 456)
    assert open_session("bob").position() is None
    assert open_session("alice").position()["offset"] == 456


def test_readonly_session(db_path: Path, seeded_store: Store, seed_docs) -> None:
    seeded_store.close()
    s = AnnotationSession.open(db_path, annotator="alice", readonly=True)
    try:
        assert s.readonly and s.db_path == db_path
        assert [d.id for d in s.documents(seed_docs[0].story_id)] == [d.id for d in seed_docs]
        with pytest.raises(ReadOnlyError):
            s.tag(seed_docs[0].id, 0, 5, "CLAIM")
        with pytest.raises(ReadOnlyError):
            s.reject_suggestion(seed_docs[0].id, Suggestion(0, 5, "SOURCE", "spacy", "1"))
    finally:
        s.close()


def test_reads(seeded_session, seed_docs) -> None:
    s, doc = seeded_session, seed_docs[0]
    a = s.tag(doc.id, 0, 5, "CLAIM")
    assert s.document(doc.id) == doc and s.annotations(doc.id) == [a]
    assert [st.title for st in s.stories()] == [s.story(doc.story_id).title]
    with pytest.raises(StoreError, match="no document with id 999"):
        s.document(999)
    with pytest.raises(StoreError):
        s.tag(999, 0, 5, "CLAIM")


def test_resolve_db_path(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("DIPTYCH_DB", raising=False)
    assert resolve_db_path(None) == Path("annotations") / "diptych.db"
    monkeypatch.setenv("DIPTYCH_DB", str(tmp_path / "env.db"))
    assert resolve_db_path(None) == tmp_path / "env.db"
    assert resolve_db_path(tmp_path / "arg.db") == tmp_path / "arg.db"


def test_visible_suggestions_drop_those_inside_a_same_label_span(seeded_session, seed_docs) -> None:
    """The covered check is indexed (a document may hold 200,000 spans): it must agree
    with the plain rule, 'inside a span of the same label', on nested and overlapping spans."""
    import random

    from tui.core.models import Suggestion

    s, doc = seeded_session, seed_docs[0]
    rng = random.Random(7)
    labels = ("CLAIM", "SOURCE")
    for _ in range(40):
        a = rng.randrange(0, 300)
        try:
            s.tag(doc.id, a, a + rng.randrange(1, 60), rng.choice(labels))
        except SpanError:
            pass  # the same span drawn twice
    anns = s.annotations(doc.id)
    suggs = []
    for _ in range(400):
        a = rng.randrange(0, 380)
        suggs.append(Suggestion(a, a + rng.randrange(1, 30), rng.choice(labels), "ner", "1"))
    tagged = {(a.start, a.end) for a in anns}
    want = [g for g in suggs if (g.start, g.end) not in tagged and not any(
        a.label == g.label and a.start <= g.start and g.end <= a.end for a in anns)]
    assert 0 < len(want) < len(suggs)
    assert s.visible_suggestions(doc.id, suggs) == want
    assert s.visible_suggestions(doc.id, suggs, anns) == want
    assert s.visible_suggestions(doc.id, []) == []
