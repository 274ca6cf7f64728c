"""The annotation panel shows every line of an entry, wrapped ones included (issue #11, defect 8)."""

from __future__ import annotations

import pytest

from tui.core.session import AnnotationSession
from tui.widgets.annotation_panel import AnnotationPanel


@pytest.mark.parametrize("size, focused", [((80, 24), True), ((100, 30), True), ((140, 24), False),
                                           ((160, 48), False), ((160, 48), True), ((200, 50), True)])
async def test_a_wrapped_relation_line_is_shown_whole(app_factory, seed_db, size, focused):
    session = AnnotationSession.open(seed_db, annotator="alice")
    doc = session.documents(session.stories()[0].id)[0]
    start = doc.text.index("a new report")
    claim = session.tag(doc.id, 0, 177, "CLAIM")
    source = session.tag(doc.id, start, start + len("a new report"), "SOURCE")
    session.link(claim.id, source.id, "attributed_to")
    # Enough entries for the panel to need its scrollbar, which narrows every line.
    for i in range(30):
        at = doc.text.index(" ", 400 + 20 * i) + 1
        session.tag(doc.id, at, doc.text.index(" ", at), "ACTOR")
    session.close()
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        panel = app.screen.query_one(AnnotationPanel)
        if focused:
            await pilot.press("p", "j", "j", "k", "k")
        assert panel.display
        await pilot.pause()
        region = panel.region
        screen = [strip.text for strip in app.screen._compositor.render_strips()]
        shown = "\n".join(line[region.x:region.right] for line in screen[region.y:region.bottom])
        assert "attributed_to SOURCE" in shown
        assert "report”" in shown, shown
        assert "SMALL BUT GROWING" in shown
