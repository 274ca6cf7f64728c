"""The comparison screen, driven with Pilot on real database files, plus one snapshot.

Accept an intended change of its look with
`.venv/bin/python -m pytest tests/ui/test_compare_screen.py --snapshot-update`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from reader_kit import SEEDS, make_db, open_app
from rich.console import Console
from textual.widgets import Static

from tui.cli import main
from tui.core.align.cache import story_report
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession
from tui.screens.compare import CompareScreen, report_renderable
from seed_passages import NABIL_CLAIM, SMALL_000, SMALL_001, STORY, span_of



@pytest.fixture
def compare_db(tmp_path: Path) -> Path:
    """The seed story as `diptych import` makes it; alice tagged the shared claim and
    its WSJ source in both articles and Nabil's claim in 001; bob tagged one motive."""
    db = tmp_path / "compare.db"
    res = CliRunner().invoke(main, ["import", str(SEEDS), "--story", STORY, "--db", str(db)],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    session = AnnotationSession.open(db, annotator="alice", schema=DEFAULT_SCHEMA)
    try:
        d0, d1 = session.documents(session.stories()[0].id)
        c0 = session.tag(d0.id, *span_of(d0.text, SMALL_000), "CLAIM", attrs={"certainty": "reported"})
        w0 = session.tag(d0.id, *span_of(d0.text, "The Wall Street Journal"), "SOURCE",
                         attrs={"type": "media outlet", "named": "yes"})
        session.link(c0.id, w0.id, "attributed_to")
        c1 = session.tag(d1.id, *span_of(d1.text, SMALL_001), "CLAIM", attrs={"certainty": "reported"})
        w1 = session.tag(d1.id, *span_of(d1.text, "the Wall Street Journal"), "SOURCE",
                         attrs={"type": "media outlet"})
        session.link(c1.id, w1.id, "attributed_to")
        nabil = session.tag(d1.id, *span_of(d1.text, "Rahmatullah Nabil"), "SOURCE",
                            attrs={"type": "named person", "named": "yes"})
        c2 = session.tag(d1.id, *span_of(d1.text, NABIL_CLAIM), "CLAIM", attrs={"certainty": "asserted"})
        session.link(c2.id, nabil.id, "attributed_to")
        motive = session.tag(d0.id, *span_of(d0.text, "in order to secure a regular income"), "MOTIVE",
                             attrs={"category": "economic", "explicit": "yes"})
        session.link(motive.id, w0.id, "attributed_to")
        bob = AnnotationSession(session.store, "bob", DEFAULT_SCHEMA)
        bob.tag(d1.id, *span_of(d1.text, "fears of being hunted down by the Taliban"), "MOTIVE",
                attrs={"category": "security"})
    finally:
        session.close()
    return db


@pytest.fixture
def app(compare_db):
    application = open_app(compare_db, "alice")
    yield application
    application.session.close()


async def open_compare(app, pilot) -> CompareScreen:
    await pilot.pause()
    screen = CompareScreen(app.story_id)
    app.push_screen(screen)
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert app.screen is screen
    return screen


def _plain(renderable, width: int = 100) -> str:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


async def test_opens_with_the_report_and_closes(app):
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_compare(app, pilot)
        report = screen.report
        assert report is not None
        d0, d1 = (o.doc_id for o in report.outlets)
        small = next(r for r in report.claims if "small, but growing" in r.text)
        assert small.carried_by == [d0, d1]
        assert small.cells[d1].attribution == ["Wall Street Journal"]
        assert {g.name: g.cited_by for g in report.source_groups} == {
            "Wall Street Journal": [d0, d1], "Rahmatullah Nabil": [d1]}
        assert [m.category for m in report.motives] == ["economic"]  # alice's only
        status = str(screen.query_one("#compare-status", Static).render())
        assert "2 claims, 3 sources, 1 motive across 2 outlets" in status

        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.id == "annotate"
        screen = await open_compare(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert app.screen.id == "annotate"


async def test_keyboard_scrolling(app):
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_compare(app, pilot)
        body = screen.body
        assert body.max_scroll_y > body.size.height, "the report should be taller than the screen"
        assert body.scroll_y == 0
        await pilot.press("j", "j", "j")
        assert body.scroll_y == 3
        await pilot.press("k")
        assert body.scroll_y == 2
        await pilot.press("pagedown")
        assert body.scroll_y == 2 + body.scrollable_content_region.height
        await pilot.press("pageup")
        assert body.scroll_y == 2
        await pilot.press("G")
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("g")
        assert body.scroll_y == 0
        await pilot.press("down", "end", "up")
        assert body.scroll_y == body.max_scroll_y - 1


async def test_s_writes_the_csv_and_says_where(app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_compare(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        target = tmp_path / "annotations" / "seed-story-compare.csv"
        assert target.exists()
        assert screen.saved_to == target.resolve()
        status = str(screen.query_one("#compare-status", Static).render())
        assert str(target.resolve()) in status
        text = target.read_text(encoding="utf-8")
        assert text == screen.report.to_csv()
        rows = list(csv.DictReader(io.StringIO(text)))
        small = next(r["row"] for r in rows if r["field"] == "text" and "small, but growing" in r["value"])
        carried = [r["outlet"] for r in rows if r["row"] == small and r["field"] == "carried" and r["value"] == "yes"]
        assert carried == ["intelnews.org", "Sputnik News"]


async def test_a_switches_to_everyones_annotations(app):
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_compare(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.everyone
        assert sorted(m.category for m in screen.report.motives) == ["economic", "security"]
        assert "everyone's annotations" in str(screen.query_one("#compare-title", Static).render())
        await pilot.press("a")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [m.category for m in screen.report.motives] == ["economic"]


def test_article_text_is_never_markup(tmp_path):
    hostile = ("[bold red]Officials[/] said the \x1b[31mfigures\x1b[0m were [link=http://x]wrong[/link] "
               "and will be revised next week by the ministry.\n")
    db = make_db(tmp_path / "hostile.db", {"a": hostile, "b": "Nothing in common at all with that other one here.\n"})
    session = AnnotationSession.open(db, annotator="alice", schema=DEFAULT_SCHEMA)
    try:
        doc = session.documents(session.stories()[0].id)[0]
        session.tag(doc.id, 0, hostile.index(" were"), "CLAIM")
        session.tag(doc.id, 0, len("[bold red]Officials[/]"), "SOURCE")
        text = _plain(report_renderable(story_report(session, doc.story_id, annotators=["alice"])))
    finally:
        session.close()
    assert "[bold red]Officials[/] said the \\x1b[31mfigures\\x1b[0m" in text
    assert "[link=http://x]wrong[/link]" in text  # in the only-in passage
    assert "\x1b" not in text


def test_snapshot_100x40(snap_compare, app):
    async def run_before(pilot) -> None:
        await open_compare(app, pilot)

    assert snap_compare(app, terminal_size=(100, 40), run_before=run_before)
