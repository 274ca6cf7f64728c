"""The gutter agrees with the stored regions (issue #11, defect 6): a repeated copy of
the title is marked `r`, as its stored region says, not `~` like its first copy."""

from __future__ import annotations

from reader_kit import settle
from suggest_kit import Apps, imported_db


async def test_a_stored_repeated_copy_is_marked_r_and_its_first_copy_is_not(tmp_path):
    db = imported_db(tmp_path / "s.db")
    apps = Apps()
    try:
        app = apps(db)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot, lambda: app.screen.alignment is not None)
            await pilot.pause()
            checked = 0
            for pane in app.screen.panes:
                view = pane.view
                for region in app.screen.repeated[pane.doc.id]:
                    copy = view.text[region.start:region.end].strip()
                    first = view.text.index(copy)
                    assert first < region.start, "the stored region is the later copy"
                    assert view._gutter_lines[view.line_of(region.start)][0] == "r"
                    assert view._gutter_lines[view.line_of(first)][0] != "r"
                    checked += 1
            assert checked, "the seeds hold a repeated title"
    finally:
        apps.close()
