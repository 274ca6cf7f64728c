"""O shows other annotators' spans dimmed, R reloads (issue #11, defect 9)."""

from __future__ import annotations

from tui.core.session import AnnotationSession
from tui.widgets.status import StatusLine


def status(app) -> str:
    return str(app.screen.query_one(StatusLine).render())


async def test_O_shows_bobs_spans_dimmed_and_R_brings_his_new_ones(app_factory, seed_db):
    bob = AnnotationSession.open(seed_db, annotator="bob")
    doc = bob.documents(bob.stories()[0].id)[0]
    bob.tag(doc.id, 0, 5, "CLAIM")
    app = app_factory()
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            view = app.screen.panes[0].view
            assert not view.marks("others"), "hidden until asked for"
            await pilot.press("O")
            assert {(m.start, m.end, m.label) for m in view.marks("others")} == {(0, 5, "CLAIM")}
            assert "bob" in status(app) and "CLAIM" in status(app)
            assert not view.marks("annotation"), "bob's span is not alice's"
            style = view._compose_style([("others", next(iter(view.marks("others"))))], False, view._base)
            assert style.dim
            bob.tag(doc.id, 6, 9, "SOURCE")
            await pilot.press("R")
            assert {(m.start, m.end) for m in view.marks("others")} == {(0, 5), (6, 9)}
            await pilot.press("O")
            assert not view.marks("others")
    finally:
        bob.close()
