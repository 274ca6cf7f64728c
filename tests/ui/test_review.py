"""Review sessions (queue, progress, resume) and adjudication into gold, driven by keys."""

from __future__ import annotations

from click.testing import CliRunner
from reader_kit import make_db, settle

from tui.app import DiptychApp
from tui.cli import main
from tui.core.session import AnnotationSession
from tui.launch import pick_story


def two_story_db(tmp_path):
    db = make_db(tmp_path / "queue.db")
    make_db(db, {"b1": "A second story. It has one article only."}, story="Second story")
    make_db(db, {"c1": "A third story, also short."}, story="Third story")
    return db


def review_app(db, annotator="alice", compare=()):
    session = AnnotationSession.open(db, annotator=annotator)
    story = pick_story(session, None, review=True)
    return DiptychApp(session, story_id=story, review=True, compare=tuple(compare), suggest=False)


async def test_queue_opens_first_story_with_work_and_walks_it(tmp_path):
    db = two_story_db(tmp_path)
    s = AnnotationSession.open(db, annotator="alice")
    for doc in s.documents(1):
        s.set_status(doc.id, "done")
    s.close()
    app = review_app(db)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, lambda: app.screen.story.title == "Second story")
            assert app.screen.story.title == "Second story"
            assert "queue 2/4" in str(app.screen.query_one("#header").render())
            await pilot.press("right_square_bracket")
            await settle(pilot, lambda: app.screen.story.title == "Third story")
            assert app.screen.story.title == "Third story"
            await pilot.press("right_square_bracket")  # the finished first story is skipped
            await settle(pilot, lambda: app.screen.story.title == "Second story")
            assert app.screen.story.title == "Second story"
            await pilot.press("D", "D")  # in progress, then done
            assert "queue 3/4" in str(app.screen.query_one("#header").render())
            await pilot.press("right_square_bracket")
            await settle(pilot, lambda: app.screen.story.title == "Third story")
            assert app.screen.story.title == "Third story"
            await pilot.press("right_square_bracket")  # nothing else is left
            await settle(pilot, lambda: app.screen.story.title == "Third story")
            assert app.screen.story.title == "Third story"
    finally:
        app.session.close()


async def test_resume_lands_where_the_annotator_stopped(tmp_path):
    db = two_story_db(tmp_path)
    app = review_app(db)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("tab", "right_parenthesis")
            cursor = app.screen.pane.view.cursor
            await pilot.press("q")
    finally:
        app.session.close()
    again = review_app(db)
    try:
        async with again.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert again.screen.current == 1
            assert again.screen.pane.view.cursor == cursor
    finally:
        again.session.close()


def annotate_two(db):
    text = AnnotationSession.open(db, annotator="x").document(1).text
    a = AnnotationSession.open(db, annotator="alice")
    b = AnnotationSession.open(db, annotator="bob")
    claim_end = text.index(", according")
    shared_a = a.tag(1, 0, claim_end, "CLAIM")
    b.tag(1, 0, claim_end, "CLAIM")
    src = a.tag(1, text.index("a new report"), text.index("a new report") + len("a new report"), "SOURCE")
    a.link(shared_a.id, src.id)
    b.tag(1, text.index("Some observers"), text.index("Some observers") + len("Some observers"), "SOURCE")
    a.close()
    b.close()
    return text


async def test_adjudication_accepts_rejects_and_undoes(tmp_path):
    db = make_db(tmp_path / "adj.db")
    text = annotate_two(db)
    app = review_app(db, annotator="gold", compare=("alice", "bob"))
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            header = str(app.screen.query_one("#header").render())
            assert "REVIEW alice·bob" in header
            kinds = {m.style for m in app.screen.pane.view.marks("suggestion")}
            assert kinds == {"match", "only"}
            await pilot.press("y")  # cursor is on the shared claim at 0
            gold = app.session.annotations(1)
            assert [(g.label, g.start, g.origin) for g in gold] == [("CLAIM", 0, "gold:from:alice")]
            await pilot.press("e")
            assert app.screen.pane.view.cursor == text.index("a new report")
            await pilot.press("x")  # reject alice's extra source
            await pilot.press("e")
            assert app.screen.pane.view.cursor == text.index("Some observers")
            await pilot.press("s")  # the label key accepts a candidate of that label
            assert sorted(g.label for g in app.session.annotations(1)) == ["CLAIM", "SOURCE"]
            await pilot.press("u")
            assert [g.label for g in app.session.annotations(1)] == ["CLAIM"]
    finally:
        app.session.close()
    # The rejection is remembered for gold after a restart.
    again = review_app(db, annotator="gold", compare=("alice", "bob"))
    try:
        async with again.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            starts = sorted(m.start for m in again.screen.pane.view.marks("suggestion"))
            assert text.index("a new report") not in starts
            assert text.index("Some observers") in starts
    finally:
        again.session.close()


async def test_accept_whole_version_copies_spans_and_links(tmp_path):
    db = make_db(tmp_path / "ver.db")
    annotate_two(db)
    app = review_app(db, annotator="gold", compare=("alice", "bob"))
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("Y")  # the candidate under the cursor is alice's (and bob's) claim
            assert app.session.annotations(1) == [], "Y asks first"
            await pilot.press("y")
            gold = app.session.annotations(1)
            assert sorted(g.label for g in gold) == ["CLAIM", "SOURCE"]
            rels = app.session.relations([1])
            assert [r.type for r in rels] == ["attributed_to"]
    finally:
        app.session.close()


def test_review_compare_needs_annotators(tmp_path):
    db = make_db(tmp_path / "cli.db")
    result = CliRunner().invoke(main, ["review", "--db", str(db), "--compare"])
    assert result.exit_code == 2
    assert "--compare needs the annotators" in result.output
