"""Stories of 3 and 5 articles in the reader: two panes side by side, the others
summarised in a strip, `W` to choose, `tab` among the shown; snapshots at 80x24.

The articles beyond the two seeds are constructed for these tests (not news text)."""

from __future__ import annotations

from pathlib import Path

import pytest
from reader_kit import SEEDS, make_db, open_app, settle

from tui.screens.reader.outlets import OthersStrip

SEED_TEXTS = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
CONSTRUCTED = {
    "c-wire": ("Former Afghan special forces join Islamic State affiliate\n"
               "A small but growing number of former members of Afghanistan's security and intelligence "
               "agencies are joining ISIS-K, the Wall Street Journal reported.\n"
               "The newspaper cited Taliban leaders and former officials.\n"),
    "c-weekly": ("Why ex-soldiers turn to the Islamic State\n"
                 "Many of the recruits have been left without wages since the government in Kabul collapsed.\n"
                 "Analysts fear their training will make the group harder to defeat.\n"),
    "c-daily": ("Taliban face a new armed opponent\n"
                "For now the only armed resistance to the Taliban comes from the Islamic State's local branch.\n"
                "God help us.\n"),
}


def story(n: int) -> dict[str, str]:
    texts = dict(SEED_TEXTS)
    for name in list(CONSTRUCTED)[: n - 2]:
        texts[name] = CONSTRUCTED[name]
    return texts


@pytest.fixture(params=[3, 5])
def app(request, tmp_path: Path):
    db = make_db(tmp_path / f"n{request.param}.db", story(request.param))
    application = open_app(db, "alice")
    yield application
    application.session.close()


async def ready(app, pilot):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen = app.screen
    await settle(pilot, lambda: screen.alignment is not None)
    return screen


def strip_text(screen) -> str:
    return str(screen.query_one(OthersStrip).render())


async def test_two_panes_side_by_side_and_the_others_summarised(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        n = len(screen.panes)
        assert [p.display for p in screen.panes] == [True, True] + [False] * (n - 2)
        strip = screen.query_one(OthersStrip)
        assert strip.display
        lines = strip_text(screen).splitlines()
        assert len(lines) == n - 2
        assert all("% shared" in line for line in lines)
        # Every shown pane keeps room to read at 80 columns.
        assert all(p.size.width >= 30 for p in screen.panes if p.display)


async def test_w_chooses_which_article_is_beside_the_focused_one(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        n = len(screen.panes)
        seen = set()
        for _ in range(n - 1):
            await pilot.press("W")
            await pilot.pause()
            assert screen.current == 0 and screen.shown[0] == 0 and len(screen.shown) == 2
            assert [p.index for p in screen.panes if p.display] == screen.shown
            seen.add(screen.shown[1])
        assert seen == set(range(1, n))  # W walks through every other article
        # tab stays on the shown panes.
        await pilot.press("tab")
        assert screen.current == screen.shown[1]
        await pilot.press("tab")
        assert screen.current == 0


async def test_the_strip_says_whether_a_summarised_article_has_this_sentence(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        intel = screen.panes[0]
        intel.view.move_to(intel.doc.text.index("According to The Wall Street Journal"))
        await pilot.pause()
        wire = next((line for line in strip_text(screen).splitlines() if "outlet 2" in line), "")
        assert "relatively small" not in wire and ("~" in wire or '"' in wire or "=" in wire), wire
        intel.view.move_to(intel.doc.text.index("They teamed up under Ahmad Massoud"))
        await pilot.pause()
        assert all("+ not this sentence" in line for line in strip_text(screen).splitlines())


def test_snapshot_reader_80x24(snap_compare, app):
    async def run_before(pilot) -> None:
        await ready(app, pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


async def test_f_and_s_follow_the_alignment_into_every_article(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        intel, sputnik = screen.panes[0], screen.panes[1]
        intel.view.move_to(intel.doc.text.index("In making this claim"))
        await pilot.pause()
        pairs = screen.alignment.counterparts(intel.doc.id, intel.view.cursor)
        assert pairs and any(p.doc_b == sputnik.doc.id for p in pairs)
        await pilot.press("f")
        await pilot.pause()
        target = next(p for p in pairs if p.doc_b == sputnik.doc.id)
        assert target.start_b <= sputnik.view.cursor < target.end_b
        await pilot.press("S")
        await pilot.pause()
        assert screen.sync
        intel.view.move_to(intel.doc.text.index("According to The Wall Street Journal"))
        await pilot.pause()
        follow = screen.alignment.sync_offset(intel.doc.id, intel.view.cursor, sputnik.doc.id)
        assert sputnik.view.cursor == follow


async def test_the_comparison_report_fits_80_columns(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        for pane in screen.panes:  # the same source tagged wherever the article names it
            at = pane.doc.text.find("Wall Street Journal")
            if at >= 0:
                app.session.tag(pane.doc.id, at, at + len("Wall Street Journal"), "SOURCE")
        await pilot.press("C")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        report = app.screen.report
        assert report is not None and len(report.outlets) == len(screen.panes)
        from rich.console import Console
        import io

        from tui.screens.compare import report_renderable

        console = Console(width=78, record=True, color_system=None, file=io.StringIO())
        console.print(report_renderable(report))
        text = console.export_text()
        header = next(line for line in text.splitlines() if line.strip().startswith("source "))
        assert all(o.name in header for o in report.outlets)  # one column per outlet, names whole
        assert max(len(line) for line in text.splitlines()) <= 78
