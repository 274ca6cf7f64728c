"""Every key acts on what the screen shows as its target (issue #11, defects 1, 3, 4, 7, 10).

The real app under Pilot on a real database; annotations made through the session
before the app opens, or by keys, and checked in the database afterwards.
"""

from __future__ import annotations

from pathlib import Path

from tui.core.session import AnnotationSession
from tui.core.store import Store
from tui.screens.attributes import AttributeForm
from tui.widgets.status import HeaderBar, StatusLine


def stored(db: Path, annotator: str = "alice"):
    store = Store.open(db)
    try:
        return store.annotations(annotator=annotator)
    finally:
        store.close()


def status(app) -> str:
    return str(app.screen.query_one(StatusLine).render())


def header(app) -> str:
    return str(app.screen.query_one(HeaderBar).render())


def tag_first(db: Path, spans: list[tuple[int, int, str]], doc: int = 0) -> None:
    session = AnnotationSession.open(db, annotator="alice")
    try:
        doc_id = session.documents(session.stories()[0].id)[doc].id
        for start, end, label in spans:
            session.tag(doc_id, start, end, label)
    finally:
        session.close()


async def test_status_follows_the_focused_pane_on_tab_and_shift_tab(app_factory, seed_db):
    tag_first(seed_db, [(0, 5, "SOURCE")], doc=1)
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await pilot.press("V", "c")
        assert "CLAIM" in status(app)
        await pilot.press("tab")
        assert "SOURCE" in status(app) and "CLAIM" not in status(app), status(app)
        await pilot.press("shift+tab")
        assert "CLAIM" in status(app) and "SOURCE" not in status(app), status(app)
        await pilot.press("tab", "x")
    labels = sorted(a.label for a in stored(seed_db))
    assert labels == ["CLAIM"], "x in the right pane deleted its SOURCE, not the left pane's CLAIM"


async def test_status_follows_the_focused_pane_in_link_mode(app_factory, seed_db):
    tag_first(seed_db, [(0, 5, "SOURCE")], doc=1)
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await pilot.press("V", "c", "r")
        assert "Linking" in status(app) or "LINK" in header(app)
        await pilot.press("tab")
        assert "SOURCE" in status(app), status(app)


async def test_a_reaches_every_span_that_starts_at_the_same_offset(app_factory, seed_db):
    tag_first(seed_db, [(0, 117, "ACTOR"), (0, 177, "CLAIM")])
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert "ACTOR" in status(app), "the innermost span is the first target"
        await pilot.press("a")
        assert screen.pane.view.cursor == 0
        assert "CLAIM" in status(app), status(app)
        assert {(m.start, m.end) for m in screen.pane.view.marks("target")} == {(0, 177)}
        await pilot.press("x")
    assert [(a.start, a.end, a.label) for a in stored(seed_db)] == [(0, 117, "ACTOR")]


async def test_z_switches_between_the_spans_under_the_cursor_and_enter_acts_on_it(app_factory, seed_db):
    tag_first(seed_db, [(0, 117, "ACTOR"), (0, 177, "CLAIM")])
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        view = app.screen.pane.view
        await pilot.press("l", "l")  # inside both spans
        assert "ACTOR" in status(app) and "1/2" in status(app)
        await pilot.press("z")
        assert "CLAIM" in status(app) and "2/2" in status(app)
        assert {(m.start, m.end) for m in view.marks("target")} == {(0, 177)}
        await pilot.press("enter")
        form = app.screen
        assert isinstance(form, AttributeForm) and form.annotation.label == "CLAIM"
        await pilot.press("escape")
        await pilot.press("Z")
        assert "ACTOR" in status(app)
        await pilot.press("A", "A")  # back and forth visits each span once
        assert "CLAIM" in status(app) or "ACTOR" in status(app)


async def test_refused_duplicate_says_already_tagged_without_not_saved(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("V", "c")
        await pilot.press("V", "c")  # once the first is saved
        await pilot.pause()
        assert "NOT SAVED" not in header(app)
        assert any("already tagged" in str(n.message) for n in app._notifications), [
            n.message for n in app._notifications]
    assert len(stored(seed_db)) == 1


async def test_header_does_not_say_saved_before_anything_was_saved(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert "saved" not in header(app), header(app)
        await pilot.press("c")
        assert "saved " in header(app)


async def test_search_highlights_clear_on_escape_and_stay_in_their_pane(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        left, right = (p.view for p in app.screen.panes)
        await pilot.press("slash", *"Taliban", "enter")
        assert left.marks("search")
        await pilot.press("tab", "n")
        assert right.marks("search") and not left.marks("search"), "highlights only in the searched pane"
        await pilot.press("escape")
        assert not right.marks("search") and not left.marks("search")
        await pilot.press("slash", *"Taliban", "enter")
        assert right.marks("search")
        await pilot.press("slash", "ctrl+u", "enter")
        assert not right.marks("search"), "an empty search clears the highlights"


async def test_the_cursor_keeps_three_lines_of_context_above_and_below(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.screen.pane.view
        height = view.scrollable_content_region.height
        for _ in range(height + 5):
            await pilot.press("j")
            row = view.line_of(view.cursor) - round(view.scroll_y)
            assert row <= height - 1 - 3, (row, height)
        assert view.scroll_y > 0
        for _ in range(8):
            await pilot.press("k")
        row = view.line_of(view.cursor) - round(view.scroll_y)
        assert row >= 3 or view.scroll_y == 0


async def test_messages_are_said_in_the_status_line_not_over_the_text(app_factory):
    from textual.widgets._toast import Toast

    app = app_factory()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("V", "c")
        await pilot.pause()
        assert status(app).startswith("tagged CLAIM"), status(app)
        assert not [t for t in app.screen.query(Toast) if t.display], "no toast over the article"
        await pilot.press("h")  # still inside the claim
        assert not status(app).startswith("tagged") and "CLAIM" in status(app), "gone at the next key"


async def test_the_selection_is_named_with_its_text_and_length(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await pilot.press("v", "l", "l")
        line = status(app)
        start, end = app.screen.pane.view.selection_range()
        assert line.startswith("selection “SMALL BUT GROWING") and f"{end - start} chars" in line, line
        await pilot.press("escape")
        assert not status(app).startswith("selection")
