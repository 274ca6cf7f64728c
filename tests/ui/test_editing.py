"""Exact spans in few keys, driven through Pilot and checked in the database: the
boundary keys, exact selections, count prefixes, the layer toggles on ! @ # and the
jump to the next sentence with no annotation (suggestion keys: test_exact_suggestions.py)."""

from __future__ import annotations

from pathlib import Path

from tui.core.store import Store


def stored(db: Path, annotator: str = "alice"):
    store = Store.open(db)
    try:
        return store.annotations(annotator=annotator)
    finally:
        store.close()


def view(app, index: int = 0):
    return app.screen.panes[index].view


def span_of(text: str, words: str) -> tuple[int, int]:
    return text.index(words), text.index(words) + len(words)


async def test_boundary_keys_resize_the_annotation_under_the_cursor_and_u_undoes(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        v = view(app)
        text = v.text
        v.move_to(text.index("Some observers"))
        await pilot.press("v", "l", "c")
        (ann,) = stored(seed_db)
        assert ann.quote == "Some observers"
        v.move_to(ann.start)
        expected = [
            ("greater_than_sign", "Some observers are"),
            ("less_than_sign", "Some observers"),
            ("full_stop", "observers"),
            ("comma", "Some observers"),
            ("quotation_mark", "Some observers "),
            ("colon", "Some observers"),
            ("apostrophe", "ome observers"),
            ("semicolon", "Some observers"),
        ]
        for key, quote in expected:
            await pilot.press(key)
            (now,) = stored(seed_db)
            assert (now.id, now.quote) == (ann.id, quote), key
            assert (now.start, now.end) == (text.index(quote), text.index(quote) + len(quote))
        await pilot.press("greater_than_sign", "greater_than_sign")
        assert stored(seed_db)[0].quote == "Some observers are expressing"
        await pilot.press("u")
        assert stored(seed_db)[0].quote == "Some observers are"


async def test_a_count_repeats_a_boundary_key_in_one_saved_change(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        v = view(app)
        v.move_to(v.text.index("Some observers"))
        await pilot.press("c", "3", "greater_than_sign")
        assert stored(seed_db)[0].quote == "Some observers are expressing"
        await pilot.press("u")
        assert stored(seed_db)[0].quote == "Some"


async def test_a_selection_made_exact_keeps_an_opening_quote_and_the_final_stop(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        v = view(app)
        text = v.text
        quote = "“relatively small, but growing”"
        start = text.index(quote) + 1  # on "relatively": v starts on a word
        v.move_to(start)
        await pilot.press("v", "l", "l", "l")
        assert v.selection_range() == span_of(text, "relatively small, but growing")
        await pilot.press("semicolon", "quotation_mark")
        assert v.exact and v.selection_range() == span_of(text, quote)
        await pilot.press("c")
        (ann,) = stored(seed_db)
        assert ann.quote == quote


async def test_v_and_a_sentence_motion_stop_before_the_next_sentence(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        v = view(app)
        text = v.text
        first_end = text.index("according to a new report.") + len("according to a new report.")
        await pilot.press("v", "right_parenthesis")
        assert v.cursor == text.index("Some observers")
        assert v.selection_range() == (0, first_end)
        await pilot.press("c")
        (ann,) = stored(seed_db)
        assert (ann.start, ann.end) == (0, first_end) and ann.quote.endswith("new report.")


async def test_V_selects_the_sentence_exactly_and_a_count_takes_more(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        v = view(app)
        text = v.text
        sentence = "For now, the only armed resistance"
        v.move_to(text.index(sentence) + 5)
        await pilot.press("V")
        start = text.index(sentence)
        end = text.index("also known as ISIS-K.") + len("also known as ISIS-K.")
        assert v.exact and v.selection_range() == (start, end)
        await pilot.press("escape", "2", "V")
        second_end = text.index("are now joining ISIS-K.") + len("are now joining ISIS-K.")
        assert v.selection_range() == (start, second_end)
        assert text[start:second_end].count("“") == 1 and text[second_end - 1] == "."


async def test_count_prefixes_repeat_motions_and_are_dropped_by_other_keys(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        v = view(app)
        text = v.text
        await pilot.press("3", "l")
        assert v.cursor == text.index("NUMBERS of")
        await pilot.press("g", "2", "right_parenthesis")
        assert v.cursor == text.index("In the weeks")
        await pilot.press("g", "1", "2", "l")
        words = text.split()
        assert text[v.cursor:].startswith(words[12])
        await pilot.press("g", "5", "j")
        assert v.line_of(v.cursor) == 5
        # A count before a key that takes none is dropped, not kept for later.
        await pilot.press("g", "4", "question_mark", "escape", "l")
        assert v.cursor == text.index("BUT")
        # 0 alone is no count; after a digit it is one.
        await pilot.press("g", "0", "l")
        assert v.cursor == text.index("BUT")
        await pilot.press("g", "1", "0", "l")
        assert text[v.cursor:].startswith(words[10])


async def test_count_shows_in_the_status_line(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("4", "2")
        assert "count 42" in str(app.screen.query_one("#status").render())


async def test_U_jumps_to_the_next_sentence_with_no_annotation(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        v = view(app)
        text = v.text
        await pilot.press("V", "c")  # the first sentence
        v.move_to(text.index("In the weeks"))
        await pilot.press("V", "c")
        await pilot.press("g", "U")
        assert v.cursor == text.index("Some observers")
        await pilot.press("U")
        assert v.cursor == text.index("They teamed up")


async def test_boundary_key_with_nothing_under_the_cursor_says_so(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("greater_than_sign")
        assert stored(seed_db) == []
        assert any("no span here" in n.message for n in app._notifications)


async def test_equals_links_the_span_under_the_cursor_with_the_one_tagged_before(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        v = view(app)
        text = v.text
        v.move_to(text.index("a new report"))
        await pilot.press("v", "l", "l", "s")  # the SOURCE first
        await pilot.press("g", "V", "c")  # then the CLAIM: the cursor is on its full stop
        await pilot.press("equals_sign")
        store = Store.open(seed_db)
        try:
            anns = {a.id: a for a in store.annotations(annotator="alice")}
            rels = store.relations(annotator="alice")
        finally:
            store.close()
        assert [(anns[r.head_id].label, r.type, anns[r.tail_id].quote) for r in rels] == [
            ("CLAIM", "attributed_to", "a new report")]
        await pilot.press("equals_sign")  # again: said, not stored twice
        assert any("already linked" in n.message for n in app._notifications)
        await pilot.press("u")
        store = Store.open(seed_db)
        try:
            assert store.relations(annotator="alice") == []
        finally:
            store.close()


async def test_equals_refuses_two_spans_the_schema_cannot_link(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        v = view(app)
        await pilot.press("c")  # "SMALL" as a CLAIM
        v.move_to(v.text.index("Some observers"))
        await pilot.press("c", "equals_sign")  # CLAIM and CLAIM in one article: no relation
        assert any("cannot be linked" in n.message for n in app._notifications)


async def test_a_span_off_token_boundaries_is_named_on_screen(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        v = view(app)
        text = v.text
        v.move_to(text.index("Some observers"))
        await pilot.press("v", "l", "colon")  # "Some observer": the end inside a token
        assert v.selection_range() == span_of(text, "Some observer")
        messages = [n.message for n in app._notifications]
        assert any("NOT on token boundaries" in m for m in messages)
        await pilot.press("c")
        (ann,) = stored(seed_db)
        assert ann.quote == "Some observer"
        assert any("does not fall on token boundaries" in n.message for n in app._notifications)
        # A span on token boundaries is not flagged.
        app._notifications.clear()
        v.move_to(ann.start)
        await pilot.press("quotation_mark")
        assert stored(seed_db)[0].quote == "Some observers"
        assert not any("token boundaries" in n.message for n in app._notifications)


async def test_minus_snaps_the_span_under_the_cursor_to_token_boundaries(app_factory, seed_db):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        v = view(app)
        text = v.text
        v.move_to(text.index("Some observers"))
        await pilot.press("v", "l", "colon", "c")  # "Some observer", off token boundaries
        assert stored(seed_db)[0].quote == "Some observer"
        v.move_to(text.index("Some observers"))
        await pilot.press("minus")
        assert stored(seed_db)[0].quote == "Some observers"
        await pilot.press("minus")  # already aligned: said, nothing saved
        assert any("already on token boundaries" in n.message for n in app._notifications)
        assert stored(seed_db)[0].quote == "Some observers"
