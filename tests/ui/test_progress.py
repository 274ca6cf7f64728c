"""Progress that means something (issue #11): each pane's title shows its document's
status, how many sentences hold an annotation, and how many suggestions are undecided."""

from __future__ import annotations

from tui.core.text import sentences


def title(app, index: int = 0) -> str:
    return str(app.screen.panes[index].title_bar.render())


async def test_the_pane_title_counts_annotated_sentences_and_shows_the_status(app_factory):
    app = app_factory()
    async with app.run_test(size=(240, 30)) as pilot:
        await pilot.pause()
        total = len(sentences(app.screen.panes[0].doc.text))
        assert f"[todo · 0/{total} sent. · 0 sugg.]" in title(app), title(app)
        await pilot.press("V", "c")
        assert f"[in progress · 1/{total} sent." in title(app), title(app)
        await pilot.press("right_parenthesis", "l", "s")  # a word inside the next sentence
        assert f"2/{total} sent." in title(app), title(app)
        await pilot.press("D")
        assert "[done · 2/" in title(app), title(app)
        other = len(sentences(app.screen.panes[1].doc.text))
        assert f"[todo · 0/{other} sent." in title(app, 1)


async def test_at_80_columns_the_status_line_shows_the_focused_documents_progress(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        total = len(sentences(app.screen.panes[1].doc.text))
        await pilot.press("tab")
        from tui.widgets.status import StatusLine

        line = str(app.screen.query_one(StatusLine).render())
        assert line.startswith(f"0/{total} sent. · 0 sugg."), line
