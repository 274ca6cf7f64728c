"""The label colours the README and help name are the colours drawn (issue #11, defect 5),
in 16-colour (TERM=linux, screen), 256-colour and true-colour terminals alike."""

from __future__ import annotations

import colorsys

import pytest
from rich.color import ANSI_COLOR_NAMES, Color, ColorSystem, ColorType

from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession
from tui.widgets.palette import DRAWN

# Hue (degrees) each chromatic name must read as in 256 and true colour.
HUES = {"red": 0, "yellow": 60, "green": 120, "cyan": 180, "blue": 240, "magenta": 300}


def hue(color: Color) -> float:
    r, g, b = (c / 255 for c in color.get_truecolor())
    return colorsys.rgb_to_hsv(r, g, b)[0] * 360


@pytest.mark.parametrize("name", sorted(DRAWN))
def test_every_colour_name_comes_back_as_itself_in_16_colours(name):
    number = Color.parse(DRAWN[name]).downgrade(ColorSystem.STANDARD).number
    assert number % 8 == ANSI_COLOR_NAMES[name] % 8, f"{name} would show as colour {number}"


@pytest.mark.parametrize("name", sorted(HUES))
def test_chromatic_colours_keep_their_hue_in_256_colours(name):
    shown = Color.parse(DRAWN[name]).downgrade(ColorSystem.EIGHT_BIT)
    assert shown.get_truecolor() == Color.parse(DRAWN[name]).get_truecolor(), "an exact xterm palette entry"
    assert min(abs(hue(shown) - HUES[name]), 360 - abs(hue(shown) - HUES[name])) < 15


@pytest.mark.parametrize("system", [ColorSystem.STANDARD, ColorSystem.EIGHT_BIT, ColorSystem.TRUECOLOR])
def test_the_default_labels_are_told_apart(system):
    shown = {spec.name: Color.parse(DRAWN[spec.color]).downgrade(system).get_truecolor()
             for spec in DEFAULT_SCHEMA.labels}
    assert len(set(shown.values())) == len(shown), shown
    assert shown["CLAIM"] != shown["MOTIVE"]


async def test_claim_is_drawn_yellow_and_motive_magenta_not_in_the_theme_colours(app_factory, seed_db):
    session = AnnotationSession.open(seed_db, annotator="alice")
    doc = session.documents(session.stories()[0].id)[0]
    session.tag(doc.id, 0, 5, "CLAIM")
    session.tag(doc.id, 10, 17, "MOTIVE")
    session.close()
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        view = app.screen.panes[0].view
        view.move_to(40)
        await pilot.pause()
        cells = []
        for seg in view.render_line(0):
            cells += [seg.style] * len(seg.text)
        claim, motive = cells[2 + 1].bgcolor, cells[2 + 12].bgcolor  # after the two-cell gutter
    for colour, name in ((claim, "yellow"), (motive, "magenta")):
        # An ANSI-named colour would be redrawn in the theme's RGB (Monokai: orange, pink-red).
        assert colour.type is not ColorType.STANDARD
        assert colour.downgrade(ColorSystem.STANDARD).number % 8 == ANSI_COLOR_NAMES[name]
