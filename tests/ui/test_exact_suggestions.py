"""Suggestion keys for exact spans in few keys, through Pilot on the real model's
cached suggestions: T then a label key, e skipping what is already tagged, and a
boundary fix before the label key accepts a suggestion."""

from __future__ import annotations

from test_suggestions_ui import apps, cached_db, db, engine, stored, under_cursor  # noqa: F401 (fixtures)

from tui.core.store import Store


def untagged_starts(screen, pane, label: str | None = None) -> list[int]:
    doc_id = pane.doc.id
    anns = screen.anns.get(doc_id, [])
    return sorted({s.start for s in screen.visible_suggestions(doc_id)
                   if (label is None or s.label == label)
                   and not any(a.start <= s.start and s.end <= a.end for a in anns)})


async def test_T_then_a_label_key_jumps_to_the_next_suggestion_of_that_label(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        screen, pane = app.screen, app.screen.panes[0]
        sources = untagged_starts(screen, pane, "SOURCE")
        assert len(sources) >= 2
        await pilot.press("T", "s")
        assert pane.view.cursor == sources[0]
        await pilot.press("T", "s")
        assert pane.view.cursor == sources[1]
        assert stored(cached_db) == ([], []), "T s moves: it tags nothing"
        # T followed by anything else is not a jump: the key acts as itself and T is forgotten.
        await pilot.press("T", "l")
        moved = pane.view.cursor
        assert moved > sources[1] and screen.label_jump_at is None
        await pilot.press("s")
        assert pane.view.cursor == moved and stored(cached_db)[0], "s after T l tags, it does not jump"


async def test_e_skips_suggestions_inside_spans_already_tagged(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        screen, pane = app.screen, app.screen.panes[0]
        v = pane.view
        text = v.text
        before = sorted({s.start for s in screen.visible_suggestions(pane.doc.id)})
        first_end = text.index("Some observers")
        inside = [s for s in before if 0 < s < first_end]
        assert inside, "the seed's first sentence holds suggestions"
        await pilot.press("V", "c")
        await pilot.press("g", "e")
        expected = [s for s in untagged_starts(screen, pane) if s > 0][0]
        assert expected >= first_end and v.cursor == expected


async def test_a_boundary_key_on_a_suggestion_then_its_label_key_accepts_the_fixed_span(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        pane = app.screen.panes[0]
        v = pane.view
        await pilot.press("T", "s")
        sugg = under_cursor(app)
        assert sugg is not None and sugg.label == "SOURCE"
        await pilot.press("comma")  # one word more on the left
        assert v.exact and v.selection_range()[1] == sugg.end and v.selection_range()[0] < sugg.start
        start = v.selection_range()[0]
        await pilot.press("s")
        anns, _ = stored(cached_db)
        (ann,) = anns
        assert (ann.start, ann.end, ann.label) == (start, sugg.end, "SOURCE")
        assert ann.origin.endswith("+adjusted") and sugg.suggester in ann.origin
        store = Store.open(cached_db)
        try:
            assert store.decisions(pane.doc.id, "alice").get(sugg.key) == "accept"
        finally:
            store.close()
        await pilot.press("u")
        assert stored(cached_db)[0] == []


async def test_esc_drops_an_adjusted_suggestion_and_the_label_key_then_accepts_it_whole(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("T", "s")
        sugg = under_cursor(app)
        await pilot.press("quotation_mark", "escape")
        v = app.screen.panes[0].view
        assert v.selection is None and v.cursor == sugg.start
        await pilot.press("s")
        anns, _ = stored(cached_db)
        (ann,) = [a for a in anns if a.label == "SOURCE"]
        assert (ann.start, ann.end) == (sugg.start, sugg.end) and not ann.origin.endswith("+adjusted")


async def test_exclamation_mark_toggles_the_entity_layer_and_digits_no_longer_do(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        screen = app.screen
        doc = screen.panes[0].doc
        by_key = {s.key: s for s in screen.suggs[doc.id]}

        def layers() -> set[str]:
            return {by_key[m.id].layer for m in screen.panes[0].view.marks("suggestion")}

        assert "entity" in layers()
        await pilot.press("1")  # a count now, not a layer toggle
        assert "entity" in layers()
        await pilot.press("exclamation_mark")
        assert "entity" not in layers() and layers()
        await pilot.press("exclamation_mark")
        assert "entity" in layers()
