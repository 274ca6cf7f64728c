"""The footer lists the keys that matter, tab, e and q included, and at 60x20 shows
nothing but whole or cut-off key names (issue #11, defect 10: a stray "d")."""

from __future__ import annotations

import pytest

from tui.bindings import all_keys
from tui.core.schema import DEFAULT_SCHEMA


def footer_line(app) -> str:
    return [strip.text for strip in app.screen._compositor.render_strips()][-1]


async def test_the_80_column_footer_names_tab_e_and_q(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        line = footer_line(app)
    for item in ("tab pane", "e sugg", "q quit", "c claim", "s source", "m motive", "v select", "x del", "? help"):
        assert item in line, line


@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
async def test_every_word_of_the_footer_belongs_to_a_key(app_factory, size):
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        words = footer_line(app).split()
    shown = [k for k in all_keys(DEFAULT_SCHEMA) if k.show]
    known = {w for k in shown for w in k.footer.split()} | {"tab", "esc", "?"} | {k.keys.split(",")[0] for k in shown}
    for word in words:
        assert word in known or (word is words[-1] and any(w.startswith(word) for w in known)), (word, words)
