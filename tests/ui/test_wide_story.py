"""A story with more documents than two: only two panes are displayed (a story of
500 would otherwise be laid out whole on every tab), tab moves between those two,
W brings every other document in beside the focused one in turn, and the panes
not displayed keep their marks."""

from __future__ import annotations

from pathlib import Path

from tui.core.session import AnnotationSession

from reader_kit import make_db, open_app, settle

DOCS = 9


async def test_tab_walks_a_window_of_panes_through_every_document(tmp_path: Path) -> None:
    db = make_db(tmp_path / "wide.db", {f"doc{i}": f"Article {i} says the plan will work. Critics disagree."
                                        for i in range(DOCS)})
    tagger = AnnotationSession.open(db, annotator="alice")
    last = tagger.documents(tagger.stories()[0].id)[-1]
    tagger.tag(last.id, 0, 7, "SOURCE")
    tagger.close()
    app = open_app(db)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, lambda: bool(getattr(app.screen, "panes", None)))
            screen = app.screen
            assert len(screen.panes) == DOCS
            assert [p.display for p in screen.panes] == [i < 2 for i in range(DOCS)]
            assert [m.label for m in screen.panes[-1].view.marks("annotation")] == ["SOURCE"]
            await pilot.press("tab")
            await pilot.pause()
            assert screen.current == 1 and app.focused is screen.pane.view
            await pilot.press("tab")
            await pilot.pause()
            assert screen.current == 0, "tab stays within the two panes shown"
            seen = {0, 1}
            for _ in range(DOCS - 2):
                await pilot.press("W")
                await pilot.pause()
                shown = [p.index for p in screen.panes if p.display]
                assert len(shown) == 2 and screen.current in shown
                seen |= set(shown)
            assert seen == set(range(DOCS))
            await pilot.press("tab")
            await pilot.pause()
            assert screen.current == DOCS - 1 and app.focused is screen.panes[-1].view
    finally:
        app.session.close()
