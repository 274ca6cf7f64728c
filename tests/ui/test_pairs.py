"""Accepting one end of a suggested pair (issue #11, defect 2): the partner is shown
before accepting, the message names what was created, and `i` accepts one end alone.

Real spaCy model, real database imported from seeds/ with its suggestion cache filled.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from suggest_kit import Apps, imported_db, precompute, press_until, stored
from tui.core.nlp.engine import build_engine
from tui.widgets.status import StatusLine


@pytest.fixture(scope="module")
def engine():
    eng = build_engine(None)
    assert not eng.rules_only, eng.description
    return eng


@pytest.fixture
def cached_db(tmp_path: Path, engine) -> Path:
    db = imported_db(tmp_path / "s.db")
    precompute(db, engine)
    return db


@pytest.fixture
def apps():
    made = Apps()
    yield made
    made.close()


def status(app) -> str:
    return str(app.screen.query_one(StatusLine).render())


def messages(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def is_new_report(app):
    text = app.screen.panes[0].doc.text
    return lambda s: s.label == "SOURCE" and text[s.start:s.end] == "a new report"


async def test_the_partner_is_marked_and_named_before_accepting(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        source = await press_until(pilot, app, is_new_report(app))
        view = app.screen.pane.view
        targets = sorted((m.start, m.end) for m in view.marks("target"))
        assert (source.start, source.end) in targets and len(targets) == 2, targets
        claim = next(t for t in targets if t != (source.start, source.end))
        assert view.text[claim[0]:claim[1]].startswith("SMALL BUT GROWING")
        assert "SOURCE + CLAIM" in status(app) and "i alone" in status(app), status(app)
    assert stored(cached_db) == ([], [])


async def test_accepting_one_end_says_what_was_created(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.pause()
        await press_until(pilot, app, is_new_report(app))
        await pilot.press("s")
        await pilot.pause()
        assert any("tagged SOURCE + CLAIM, linked" in m for m in messages(app)), messages(app)
    anns, rels = stored(cached_db)
    assert sorted(a.label for a in anns) == ["CLAIM", "SOURCE"] and len(rels) == 1


async def test_i_accepts_one_end_alone(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.pause()
        await press_until(pilot, app, is_new_report(app))
        await pilot.press("i")
        await pilot.pause()
        assert any("tagged SOURCE alone" in m for m in messages(app)), messages(app)
        # The claim end is still offered, on its own now.
        await pilot.press("g")
        claim = await press_until(pilot, app, lambda s: s.label == "CLAIM" and s.start == 0)
        assert claim is not None
    anns, rels = stored(cached_db)
    assert [(a.label, a.quote) for a in anns] == [("SOURCE", "a new report")] and rels == []


async def test_m_on_a_motive_names_its_actor_and_i_takes_the_motive_alone(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.pause()
        await press_until(pilot, app, lambda s: s.label == "MOTIVE")
        assert "MOTIVE + ACTOR" in status(app), status(app)
        await pilot.press("i")
        await pilot.pause()
    anns, rels = stored(cached_db)
    assert [a.label for a in anns] == ["MOTIVE"] and rels == []


async def test_a_source_just_deleted_is_not_suggested_again_there(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        text = app.screen.panes[0].doc.text
        sugg = await press_until(pilot, app, lambda s: s.label == "SOURCE" and not s.group
                                 and " " not in text[s.start:s.end])
        await pilot.press("v", "s")  # tagged by hand on the suggested word: no decision recorded
        assert [a.quote for a in stored(cached_db)[0]] == [text[sugg.start:sugg.end]]
        await pilot.press("x")
        assert stored(cached_db)[0] == []
        shown = {(m.start, m.end, m.label) for m in app.screen.pane.view.marks("suggestion")}
        assert (sugg.start, sugg.end, "SOURCE") not in shown


async def test_hiding_a_layer_stops_the_status_naming_its_suggestion(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await press_until(pilot, app, lambda s: s.layer == "entity" and not s.group)
        assert "suggested" in status(app)
        at = app.screen.pane.view.cursor
        await pilot.press("exclamation_mark")
        assert app.screen.pane.view.cursor == at
        assert all(t.item.layer != "entity" for t in app.screen.targets_at(app.screen.pane, at))
        assert "entity" not in status(app) and "PERSON" not in status(app) and "ORG" not in status(app), status(app)


async def test_the_pane_title_counts_undecided_suggestions(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        pane = app.screen.panes[0]

        def undecided() -> int:
            return len({(s.start, s.end, s.label) for s in app.screen.visible_suggestions(pane.doc.id)})

        before = undecided()
        assert before > 0 and f"· {before} sugg.]" in str(pane.title_bar.render())
        await press_until(pilot, app, lambda s: s.label == "SOURCE" and not s.group)
        await pilot.press("x")
        assert undecided() < before and f"· {undecided()} sugg.]" in str(pane.title_bar.render())


async def test_a_refused_duplicate_with_suggestions_shown_says_already_tagged(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.pause()
        for keys in (("V", "c"), ("V", "c"), ("g", "V", "c")):
            await pilot.press(*keys)
        await pilot.pause()
        header = str(app.screen.query_one("#header").render())
        assert "NOT SAVED" not in header, header
        assert sum("already tagged" in m for m in messages(app)) == 2, messages(app)
    assert [a.label for a in stored(cached_db)[0]] == ["CLAIM"]
