"""The reader driven by keys through Pilot, checked against the database."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Select

from tui.core.session import AnnotationSession
from tui.core.store import Store
from tui.screens.attributes import AttributeForm
from tui.screens.help import HelpScreen
from tui.screens.stories import StoriesScreen
from tui.widgets.annotation_panel import AnnotationPanel

from reader_kit import make_db, open_app


def stored(db: Path, annotator: str = "alice"):
    store = Store.open(db)
    try:
        return store.annotations(annotator=annotator), store.relations(annotator=annotator)
    finally:
        store.close()


def view(app, index: int = 0):
    return app.screen.panes[index].view


async def test_layout_shows_story_panes_and_header(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        header = str(app.screen.query_one("#header").render())
        assert "Seed story" in header and "2 docs" in header and "alice" in header
        assert len(app.screen.panes) == 2
        assert app.screen.panes[0].doc.title.startswith("000_")
        assert app.focused is view(app, 0)


async def test_motion_keys_move_the_cursor(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        v = view(app)
        text = v.text
        await pilot.press("l")
        assert v.cursor == text.index("BUT")
        await pilot.press("h")
        assert v.cursor == 0
        await pilot.press("j")
        assert v.line_of(v.cursor) == 1
        await pilot.press("k")
        assert v.line_of(v.cursor) == 0
        await pilot.press("right_parenthesis")
        assert v.cursor == text.index("Some observers")
        await pilot.press("left_parenthesis")
        assert v.cursor == 0
        await pilot.press("right_curly_bracket")
        assert v.cursor == text.index("In the weeks")
        await pilot.press("G")
        assert v.cursor >= len(text) - 20
        await pilot.press("g")
        assert v.cursor == 0
        await pilot.press("pagedown")
        assert v.line_of(v.cursor) > 5


async def test_tab_switches_panes(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("tab")
        assert app.focused is view(app, 1)
        await pilot.press("shift+tab")
        assert app.focused is view(app, 0)


async def test_visual_selection_tags_claim_snapped_to_words(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("l", "v", "l", "c")
        await pilot.pause()
    anns, _ = stored(seed_db)
    assert len(anns) == 1
    assert anns[0].label == "CLAIM"
    assert anns[0].quote == "BUT GROWING"
    assert anns[0].origin == "manual"


async def test_label_key_without_selection_tags_word(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
    anns, _ = stored(seed_db)
    assert [(a.label, a.quote) for a in anns] == [("SOURCE", "SMALL")]


async def test_sentence_selection_and_escape(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("V")
        assert view(app).selection_range() is not None
        await pilot.press("escape")
        assert view(app).selection_range() is None
        await pilot.press("V", "m")
        await pilot.pause()
    anns, _ = stored(seed_db)
    assert anns[0].label == "MOTIVE"
    assert anns[0].quote.startswith("SMALL BUT GROWING") and anns[0].quote.endswith("report.")


async def test_jump_between_annotations(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        v = view(app)
        await pilot.press("s", "right_parenthesis", "c", "g")
        second = v.text.index("Some")
        await pilot.press("a")
        assert v.cursor == second
        await pilot.press("a")  # wraps to the first
        assert v.cursor == 0
        await pilot.press("A")
        assert v.cursor == second


async def test_enter_edits_attributes_and_note_with_keys(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("c")  # saved before enter: enter edits what the screen shows
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AttributeForm)
        # certainty: open the dropdown, take the third choice ("reported")
        await pilot.press("enter", "down", "down", "down", "enter")
        await pilot.pause()
        assert app.screen.query_one("#attr-certainty", Select).value == "reported"
        app.screen.query_one("#note").value = "check [bold] wording"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, AttributeForm)
    anns, _ = stored(seed_db)
    assert anns[0].attrs == {"certainty": "reported"}
    assert anns[0].note == "check [bold] wording"


async def test_escape_in_form_changes_nothing(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("c")  # saved before enter: enter edits what the screen shows
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#attr-certainty", Select).value = "hedged"
        await pilot.press("escape")
        await pilot.pause()
    anns, _ = stored(seed_db)
    assert anns[0].attrs == {}


async def test_delete_undo_redo(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        assert len(stored(seed_db)[0]) == 1
        await pilot.press("x")
        assert stored(seed_db)[0] == []
        await pilot.press("u")
        assert len(stored(seed_db)[0]) == 1
        await pilot.press("u")
        assert stored(seed_db)[0] == []
        await pilot.press("ctrl+r")
        assert len(stored(seed_db)[0]) == 1
        assert [m.label for m in view(app).marks("annotation")] == ["CLAIM"]


async def test_link_claim_to_source_in_other_pane(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("V", "c")           # claim: first sentence of article 1
        await pilot.press("tab", "s")         # source: first word of article 2
        await pilot.press("shift+tab", "r")
        assert "LINK" in str(app.screen.query_one("#header").render())
        await pilot.press("tab", "enter")
        await pilot.pause()
    anns, rels = stored(seed_db)
    by_id = {a.id: a for a in anns}
    assert len(rels) == 1
    assert rels[0].type == "attributed_to"
    assert by_id[rels[0].head_id].label == "CLAIM"
    assert by_id[rels[0].tail_id].label == "SOURCE"
    assert by_id[rels[0].head_id].doc_id != by_id[rels[0].tail_id].doc_id


async def test_link_start_needs_a_claim_or_motive_and_escape_cancels(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("s", "r")
        assert app.screen.link_head is None
        await pilot.press("x", "c")
        await pilot.press("r")
        assert app.screen.link_head is not None
        await pilot.press("escape")
        assert app.screen.link_head is None
    assert stored(seed_db)[1] == []


async def test_undo_after_restart(seed_db, app_factory):
    first = app_factory()
    async with first.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("c", "l", "m", "q")
    assert len(stored(seed_db)[0]) == 2
    second = app_factory()
    async with second.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("u")
        assert [a.label for a in stored(seed_db)[0]] == ["CLAIM"]
        await pilot.press("u")
        assert stored(seed_db)[0] == []
        await pilot.press("ctrl+r")
        assert [a.label for a in stored(seed_db)[0]] == ["CLAIM"]


async def test_search_and_next_previous_match(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        v = view(app)
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"taliban", "enter")
        await pilot.pause()
        matches = [i for i in range(len(v.text)) if v.text.lower().startswith("taliban", i)]
        assert v.cursor == matches[0]
        await pilot.press("n")
        assert v.cursor == matches[1]
        await pilot.press("N")
        assert v.cursor == matches[0]


async def test_story_list_and_story_keys(tmp_path):
    db = make_db(tmp_path / "two.db")
    make_db(db, {"other": "A second story about something else entirely."}, story="Other story")
    app = open_app(db)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("o")
            await pilot.pause()
            assert isinstance(app.screen, StoriesScreen)
            await pilot.press("j", "enter")
            await pilot.pause()
            assert app.screen.story.title == "Other story"
            assert len(app.screen.panes) == 1
            await pilot.press("right_square_bracket")
            await pilot.pause()
            assert app.screen.story.title == "Seed story"
            await pilot.press("left_square_bracket")
            await pilot.pause()
            assert app.screen.story.title == "Other story"
    finally:
        app.session.close()


async def test_help_screen_lists_every_binding(app_factory):
    from tui.bindings import all_keys

    app = app_factory()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        from tui.screens.help import help_table

        table = help_table(app.schema, app.keymap)
        ids = [str(cell) for cell in table.columns[2]._cells]
        assert set(k.id for k in all_keys(app.schema)) <= set(ids)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_offers_every_action(app_factory):
    from tui.bindings import all_keys

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        titles = {cmd.title for cmd in app.get_system_commands(app.screen)}
        for key in all_keys(app.schema):
            assert key.description.capitalize() in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "CommandPalette"


async def test_quit_saves_position_and_reopen_restores_it(seed_db, app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("tab", "right_parenthesis", "right_parenthesis")
        cursor = view(app, 1).cursor
        await pilot.press("q")
    again = app_factory()
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.focused is view(again, 1)
        assert view(again, 1).cursor == cursor


async def test_panel_lists_annotations_and_jumps(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.screen.query_one(AnnotationPanel)
        assert not panel.display  # narrow terminal: starts hidden
        await pilot.press("c", "G", "h", "s", "g", "p")
        await pilot.pause()
        assert panel.display and panel.option_count == 2
        assert app.focused is panel
        target = app.screen.anns[view(app).doc_id][1]
        await pilot.press("j", "enter")
        await pilot.pause()
        assert view(app).cursor == target.start
        assert app.focused is view(app)
        await pilot.press("p")          # shown: p moves the focus into it
        assert app.focused is panel
        await pilot.press("escape")     # back to the article, panel stays
        assert app.focused is view(app) and panel.display
        await pilot.press("p", "p")     # focused: p hides it
        assert not panel.display and app.focused is view(app)


async def test_refresh_shows_work_saved_by_another_process(seed_db, app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        other = AnnotationSession.open(seed_db, annotator="alice")
        other.tag(1, 0, 5, "SOURCE")
        other.close()
        assert view(app).marks("annotation") == frozenset()
        await pilot.press("R")
        await pilot.pause()
        assert [m.label for m in view(app).marks("annotation")] == ["SOURCE"]


async def test_status_key_cycles_document_status(seed_db, app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("D")
        assert app.session.statuses()[1] == "in_progress"
        await pilot.press("D")
        assert app.session.statuses()[1] == "done"
        assert "1/2 done" in str(app.screen.query_one("#header").render())


async def test_read_only_database_refuses_writes_and_shows_stored_state(seed_db):
    from tui.app import DiptychApp

    session = AnnotationSession(Store.open(seed_db, readonly=True), "alice")
    app = DiptychApp(session, story_id=1, suggest=False)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("c")
            await pilot.pause()
            header = str(app.screen.query_one("#header").render())
            assert "NOT SAVED" in header
            assert view(app).marks("annotation") == frozenset()
    finally:
        session.close()
    assert stored(seed_db)[0] == []


async def test_resize_rewraps_and_keeps_cursor(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("right_curly_bracket", "l", "l")
        cursor = view(app).cursor
        narrow_line = view(app).line_of(cursor)
        await pilot.resize_terminal(250, 50)
        await pilot.pause()
        assert view(app).cursor == cursor
        assert view(app).line_of(cursor) < narrow_line


async def test_keymap_remaps_a_binding_by_id(app_factory, seed_db):
    app = app_factory(keymap={"tag.CLAIM": "z"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        assert stored(seed_db)[0] == []
        await pilot.press("z")
        assert [a.label for a in stored(seed_db)[0]] == ["CLAIM"]


async def test_mouse_click_moves_cursor(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        v = view(app)
        await pilot.click(v, offset=(8, 1))
        await pilot.pause()
        assert v.cursor > 0
        assert v.line_of(v.cursor) == 1


async def test_four_articles_two_side_by_side_at_80_columns(tmp_path):
    texts = {f"art{i}": f"Article number {i} says something. " * 40 for i in range(4)}
    db = make_db(tmp_path / "four.db", texts)
    app = open_app(db)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert len(app.screen.panes) == 4
            assert [p.display for p in app.screen.panes] == [True, True, False, False]
            # W brings the next summarised article beside the focused one: the last one in two steps.
            await pilot.press("W", "W")
            await pilot.pause()
            await pilot.press("tab")
            await pilot.pause()
            last = app.screen.panes[3]
            assert app.focused is last.view
            # The focused pane is on screen, wide enough to read.
            assert last.region.width >= 30
            assert 0 <= last.region.x < 80
            await pilot.press("s")
            assert [a.quote for a in app.screen.anns[last.doc.id]] == ["Article"]
    finally:
        app.session.close()


async def test_schema_file_adds_a_label_with_its_key(tmp_path, seed_db):
    schema = tmp_path / "schema.toml"
    schema.write_text('[labels.EVIDENCE]\nkey = "w"\ncolor = "red"\n'
                      '[labels.EVIDENCE.attributes]\nkind = ["document", "image"]\n', encoding="utf-8")
    from tui.app import DiptychApp
    from tui.core.session import AnnotationSession

    session = AnnotationSession.open(seed_db, annotator="alice", schema=schema)
    app = DiptychApp(session, story_id=1, suggest=False)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("w")
            assert [a.label for a in app.screen.anns[1]] == ["EVIDENCE"]
    finally:
        session.close()


async def test_help_scrolls_with_j_and_k(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        from textual.containers import VerticalScroll

        scroller = app.screen.query_one(VerticalScroll)
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert scroller.scroll_y == 3
        await pilot.press("k")
        await pilot.pause()
        assert scroller.scroll_y == 2
