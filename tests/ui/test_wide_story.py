"""A story with more documents than fit side by side: only a window of panes is
displayed (a story of 500 would otherwise be laid out whole on every tab), it
always holds the focused pane, tab walks every document in order and wraps, and
the panes out of the window keep their marks."""

from __future__ import annotations

from pathlib import Path

from tui.core.session import AnnotationSession
from tui.widgets.pane import MIN_WIDTH

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
            fit = 80 // MIN_WIDTH
            assert len(screen.panes) == DOCS > fit
            assert [p.display for p in screen.panes] == [i < fit for i in range(DOCS)]
            assert [m.label for m in screen.panes[-1].view.marks("annotation")] == ["SOURCE"]
            seen = []
            for _ in range(DOCS + 1):
                await pilot.press("tab")
                await pilot.pause()
                shown = [p.index for p in screen.panes if p.display]
                assert screen.current in shown and len(shown) == fit
                assert app.focused is screen.pane.view
                seen.append(screen.current)
            assert seen == [*range(1, DOCS), 0, 1]
            await pilot.press("shift+tab", "shift+tab")
            await pilot.pause()
            assert screen.current == DOCS - 1 and app.focused is screen.panes[-1].view
            assert screen.panes[-1].display and not screen.panes[0].display
    finally:
        app.session.close()
