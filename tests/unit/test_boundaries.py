"""Boundary arithmetic (tui.core.boundaries) and the session's resize, adjusted
accept and token check, on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.boundaries import BoundaryEdit, move_boundary
from tui.core.errors import SpanError
from tui.core.models import Suggestion
from tui.core.session import AnnotationSession

TEXT = "He said: “We will fight.” Then ISIS-K struck."


def at(word: str) -> int:
    return TEXT.index(word)


def span_of(words: str) -> tuple[int, int]:
    return at(words), at(words) + len(words)


@pytest.mark.parametrize("edit, before, after", [
    (BoundaryEdit("end", "word", 1), "We will", "We will fight"),
    (BoundaryEdit("end", "word", -1), "We will fight", "We will"),
    (BoundaryEdit("start", "word", -1), "will fight", "We will fight"),
    (BoundaryEdit("start", "word", 1), "We will fight", "will fight"),
    (BoundaryEdit("end", "char", 1), "We will fight", "We will fight."),
    (BoundaryEdit("end", "char", -1), "We will fight.", "We will fight"),
    (BoundaryEdit("start", "char", -1), "We will fight.", "“We will fight."),
    (BoundaryEdit("start", "char", 1), "“We", "We"),
])
def test_each_edit_moves_one_end(edit, before, after):
    assert move_boundary(TEXT, span_of(before), edit) == span_of(after)


def test_a_word_edit_crosses_punctuation_to_the_next_word():
    # From "fight" the next word end is "Then": the full stop and quote come along.
    assert move_boundary(TEXT, span_of("We will fight"), BoundaryEdit("end", "word", 1)) == \
        (at("We"), at("Then") + len("Then"))


def test_an_edit_that_would_empty_or_leave_the_text_is_refused():
    assert move_boundary(TEXT, span_of("We"), BoundaryEdit("end", "word", -1)) is None
    assert move_boundary(TEXT, span_of("W"), BoundaryEdit("end", "char", -1)) is None
    assert move_boundary(TEXT, (0, 2), BoundaryEdit("start", "char", -1)) is None
    assert move_boundary(TEXT, (0, len(TEXT)), BoundaryEdit("end", "char", 1)) is None
    assert move_boundary(TEXT, span_of("We"), BoundaryEdit("start", "word", 1)) is None


def test_grow_and_describe_name_the_edit():
    assert BoundaryEdit("start", "word", -1).grows and BoundaryEdit("end", "char", 1).grows
    assert not BoundaryEdit("end", "word", -1).grows
    assert BoundaryEdit("end", "char", -1).describe() == "end left by a char (shrink)"


@pytest.fixture
def session(tmp_path: Path):
    s = AnnotationSession.open(tmp_path / "b.db", annotator="alice")
    s.store.add_document("Story", TEXT, title="t")
    yield s
    s.close()


def doc_id(session) -> int:
    return session.documents(session.stories()[0].id)[0].id


def test_resize_is_one_logged_undoable_change(session):
    d = doc_id(session)
    ann = session.tag(d, *span_of("We will"), "CLAIM")
    new = session.resize(ann.id, at("“"), at("Then") - 1)
    assert new.quote == "“We will fight.”"
    (stored,) = session.annotations(d)
    assert (stored.start, stored.end, stored.quote, stored.id) == (new.start, new.end, new.quote, ann.id)
    step = session.undo()
    assert "resize CLAIM" in step.summary
    (back,) = session.annotations(d)
    assert (back.start, back.end, back.quote) == (ann.start, ann.end, "We will")


def test_resize_refuses_an_empty_span_and_a_duplicate(session):
    d = doc_id(session)
    a = session.tag(d, *span_of("We will"), "CLAIM")
    session.tag(d, *span_of("We will fight"), "CLAIM")
    with pytest.raises(SpanError):
        session.resize(a.id, 5, 5)
    with pytest.raises(SpanError):
        session.resize(a.id, *span_of("We will fight"))


def test_accept_adjusted_tags_the_fixed_span_and_decides_the_suggestion(session):
    d = doc_id(session)
    sugg = Suggestion(start=at("We"), end=at("fight") + len("fight"), label="CLAIM", score=1.0,
                      suggester="cues", version="1")
    ann = session.accept_adjusted(d, sugg, at("“"), at("Then") - 1)
    assert ann.quote == "“We will fight.”" and ann.origin == "suggestion:cues@1+adjusted"
    assert session.decisions(d) == {sugg.key: "accept"}
    assert session.visible_suggestions(d, [sugg]) == []
    session.undo()
    assert session.annotations(d) == [] and session.decisions(d) == {}


def test_token_aligned_tells_spans_cut_inside_a_token(session):
    d = doc_id(session)
    assert session.token_aligned(d, *span_of("We will fight"))
    assert session.token_aligned(d, *span_of("ISIS-K"))
    assert not session.token_aligned(d, at("ISIS-K"), at("ISIS-K") + 3)


def test_token_snap_grows_a_span_to_the_tokens_it_touches(session):
    d = doc_id(session)
    inside = (at("ISIS-K") + 1, at("ISIS-K") + 3)  # "SI"
    assert session.token_snap(d, *inside) == (at("ISIS-K"), at("ISIS-K") + len("ISIS"))
    assert session.token_snap(d, *span_of("We will")) == span_of("We will")
