"""The provenance screen, driven with Pilot on a real database file, plus a snapshot at 80x24.

Accept an intended change of its look with
`.venv/bin/python -m pytest tests/ui/test_provenance_screen.py --snapshot-update`.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console
from reader_kit import SEEDS, open_app
from textual.widgets import Static

from tui.cli import main
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession
from tui.screens.provenance import ProvenanceScreen, provenance_renderable
from seed_passages import NABIL_CLAIM, SMALL_000, SMALL_001, STORY, span_of


@pytest.fixture
def prov_db(tmp_path: Path) -> Path:
    """The seed story as `diptych import` makes it; alice tagged the shared claim and its
    WSJ source in both articles, and Nabil's claim in 001."""
    db = tmp_path / "provenance.db"
    res = CliRunner().invoke(main, ["import", str(SEEDS), "--story", STORY, "--db", str(db)],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    session = AnnotationSession.open(db, annotator="alice", schema=DEFAULT_SCHEMA)
    try:
        d0, d1 = session.documents(session.stories()[0].id)
        c0 = session.tag(d0.id, *span_of(d0.text, SMALL_000), "CLAIM")
        w0 = session.tag(d0.id, *span_of(d0.text, "The Wall Street Journal"), "SOURCE", attrs={"type": "media outlet"})
        session.link(c0.id, w0.id, "attributed_to")
        c1 = session.tag(d1.id, *span_of(d1.text, SMALL_001), "CLAIM")
        w1 = session.tag(d1.id, *span_of(d1.text, "the Wall Street Journal"), "SOURCE")
        session.link(c1.id, w1.id, "attributed_to")
        nabil = session.tag(d1.id, *span_of(d1.text, "Rahmatullah Nabil"), "SOURCE")
        c2 = session.tag(d1.id, *span_of(d1.text, NABIL_CLAIM), "CLAIM")
        session.link(c2.id, nabil.id, "attributed_to")
    finally:
        session.close()
    return db


@pytest.fixture
def app(prov_db):
    application = open_app(prov_db, "alice")
    yield application
    application.session.close()


async def open_provenance(app, pilot, *keys: str) -> ProvenanceScreen:
    await pilot.pause()
    await pilot.press(*keys)
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, ProvenanceScreen)
    return app.screen


async def test_p_in_the_reader_shows_one_origin_behind_both_outlets(app):
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_provenance(app, pilot, "P")
        prov = screen.provenance
        (shared,) = prov.shared
        assert shared.independent == 1 and shared.outlets == ["intelnews.org", "Sputnik News"]
        assert [c.text for c in prov.single] == [NABIL_CLAIM]
        console = Console(width=100, record=True, color_system=None, file=io.StringIO())
        console.print(provenance_renderable(prov))
        view = console.export_text()
        assert "1 independent origin: Wall Street Journal" in view
        assert "└─ Wall Street Journal" in view
        status = str(screen.query_one("#provenance-status", Static).render())
        assert "1 shared claim(s), 1 carried by one outlet, 2 cited source(s)" in status
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.id == "annotate"


async def test_p_on_the_comparison_screen_opens_it_too(app):
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("C")
        await pilot.pause()
        await app.workers.wait_for_complete()
        screen = await open_provenance(app, pilot, "P")
        assert screen.provenance is not None
        await pilot.press("q")
        await pilot.pause()
        assert app.screen.id == "compare"


def test_snapshot_80x24(snap_compare, app):
    async def run_before(pilot) -> None:
        await open_provenance(app, pilot, "P")

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
