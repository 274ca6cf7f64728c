"""Keys typed in one burst (a paste, a slow SSH link) are not lost or misrouted.

The terminal driver posts every key of a burst to the App at once, before any
is handled; ``burst`` does exactly that. ``/taliban<Enter>`` must search, and a
key after the Enter must reach the reader (``n``: next match).
"""

from __future__ import annotations

from textual import events

from tui.screens.search import PromptScreen
from tui.widgets.article_view import ArticleView

CHARS = {"slash": "/", "enter": "\r", "escape": "\x1b"}


def burst(app, *keys: str) -> None:
    """Post ``keys`` to the App back to back, as the driver does for one read."""
    for key in keys:
        app.post_message(events.Key(key, CHARS.get(key, key)))


def matches(view: ArticleView, word: str) -> list[int]:
    return [i for i in range(len(view.text)) if view.text.lower().startswith(word, i)]


async def test_search_typed_in_one_burst(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.screen.query(ArticleView).first()
        burst(app, "slash", *"taliban", "enter")
        await pilot.pause()
        await pilot.pause()
        assert not isinstance(app.screen, PromptScreen)
        assert app.screen.search_query == "taliban"
        assert view.cursor == matches(view, "taliban")[0]


async def test_keys_after_the_enter_of_a_burst_go_to_the_reader(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.screen.query(ArticleView).first()
        burst(app, "slash", *"taliban", "enter", "n")
        await pilot.pause()
        await pilot.pause()
        assert view.cursor == matches(view, "taliban")[1]


async def test_escape_in_a_burst_cancels_and_the_rest_reaches_the_reader(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.screen.query(ArticleView).first()
        burst(app, "slash", *"xyz", "escape", "slash", *"taliban", "enter")
        await pilot.pause()
        await pilot.pause()
        assert app.screen.search_query == "taliban"
        assert view.cursor == matches(view, "taliban")[0]


async def test_pilot_presses_without_pauses(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.screen.query(ArticleView).first()
        await pilot.press("slash", *"taliban", "enter")
        await pilot.pause()
        assert view.cursor == matches(view, "taliban")[0]
