"""Shared set-up for reader tests about suggestions: the real spaCy engine (loaded once
per module that asks for it) and a database imported from seeds/ with its cache filled."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from reader_kit import SEEDS, open_app
from tui.cli import main
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession
from tui.core.store import Store
from tui.core.suggestions import SuggestionService


def cli(*args) -> str:
    res = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def imported_db(path: Path) -> Path:
    cli("import", SEEDS, "--db", path)
    return path


def precompute(db: Path, engine) -> None:
    """Fill the cache as `diptych suggest` does, with the given engine."""
    session = AnnotationSession.open(db, annotator="alice", schema=DEFAULT_SCHEMA)
    try:
        service = SuggestionService(session)
        service.engine = engine
        service.precompute(session.store.documents())
    finally:
        session.close()


def stored(db: Path, annotator: str = "alice"):
    store = Store.open(db)
    try:
        return store.annotations(annotator=annotator), store.relations(annotator=annotator)
    finally:
        store.close()


def under_cursor(app, pane: int = 0):
    screen = app.screen
    return screen.suggestion_at(screen.panes[pane], screen.panes[pane].view.cursor)


async def press_until(pilot, app, want, *, pane: int = 0, key: str = "e", limit: int = 200):
    """Press ``key`` until the suggestion the screen targets satisfies ``want``."""
    for _ in range(limit):
        await pilot.press(key)
        sugg = under_cursor(app, pane)
        if sugg is not None and want(sugg):
            return sugg
    raise AssertionError("no such suggestion reached with " + key)


class Apps:
    """Opens apps on databases and closes their sessions afterwards."""

    def __init__(self) -> None:
        self.opened = []

    def __call__(self, db: Path, annotator: str = "alice", **kw):
        kw.setdefault("suggest", False)
        app = open_app(db, annotator, **kw)
        self.opened.append(app)
        return app

    def close(self) -> None:
        for app in self.opened:
            app.session.close()
