"""Review shows both sides (issue #11): a candidate names its annotators, text and
boundaries and the other annotator's version when they differ; `Y` asks before
writing; `e` stops on same-start candidates and `y` accepts only the one shown."""

from __future__ import annotations

from reader_kit import make_db

from tui.app import DiptychApp
from tui.core.session import AnnotationSession
from tui.screens.choice import ChoiceScreen
from tui.widgets.status import StatusLine


def status(app) -> str:
    return str(app.screen.query_one(StatusLine).render())


def differing(db) -> str:
    a = AnnotationSession.open(db, annotator="alice")
    b = AnnotationSession.open(db, annotator="bob")
    text = a.document(1).text
    a.tag(1, 0, 177, "CLAIM")
    b.tag(1, 0, 117, "CLAIM")
    a.close()
    b.close()
    return text


def gold_app(db):
    session = AnnotationSession.open(db, annotator="gold")
    return DiptychApp(session, story_id=session.stories()[0].id, compare=("alice", "bob"), suggest=False)


async def test_a_candidate_names_who_where_and_the_other_version(tmp_path):
    db = make_db(tmp_path / "r.db")
    differing(db)
    app = gold_app(db)
    try:
        async with app.run_test(size=(200, 40)) as pilot:
            await pilot.pause()
            line = status(app)
            assert "by bob" in line and "0–117" in line, line
            assert "alice: 0–177" in line, "the other annotator's version"
            await pilot.press("e")  # the same-start candidate is the next stop
            assert app.screen.pane.view.cursor == 0
            line = status(app)
            assert "by alice" in line and "bob: 0–117" in line, line
            await pilot.press("y")
        gold = app.session.annotations(1)
        assert [(g.start, g.end) for g in gold] == [(0, 177)], "y took the candidate the status named"
    finally:
        app.session.close()


async def test_Y_asks_before_copying_a_whole_version(tmp_path):
    db = make_db(tmp_path / "r.db")
    differing(db)
    app = gold_app(db)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            await pilot.press("Y")
            assert isinstance(app.screen, ChoiceScreen)
            await pilot.press("n")
            assert app.session.annotations(1) == []
            await pilot.press("Y", "y")
            assert [(g.start, g.end) for g in app.session.annotations(1)] == [(0, 117)]
    finally:
        app.session.close()
