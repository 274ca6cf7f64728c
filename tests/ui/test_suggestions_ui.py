"""Suggestions in the reader: the cache, jump/accept/reject keys, learned sources.

Real spaCy model (loaded once for the module), real database files made by
`diptych import seeds/`, so the repeated copy in seed 000 is flagged as it is
for a user. Apps run with ``suggest=False`` (no worker: what is shown comes from
the SQLite cache) unless a test is about the worker; those get the module's
already-loaded engine instead of loading their own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reader_kit import open_app, settle
from suggest_kit import cli, imported_db, precompute, press_until, stored, under_cursor
from tui.core.models import LAYER_ENTITY, Suggestion
from tui.core.nlp.engine import build_engine
from tui.core.nlp.suggesters import LEARNED_SUGGESTER, NER_SUGGESTER
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession
from tui.core.store import Store
from tui.core.suggestions import SuggestionService

NAMED_KINDS = {"PERSON", "ORG", "MEDIA"}


@pytest.fixture(scope="module")
def engine():
    eng = build_engine(None)
    assert not eng.rules_only, eng.description
    return eng


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return imported_db(tmp_path / "s.db")


@pytest.fixture
def cached_db(db: Path, engine) -> Path:
    precompute(db, engine)
    return db


@pytest.fixture
def apps():
    opened = []

    def make(db: Path, annotator: str = "alice", engine=None, **kw):
        kw.setdefault("suggest", engine is not None)
        app = open_app(db, annotator, **kw)
        if engine is not None:
            app.suggestions.engine = engine  # already loaded: no seconds-long load per test
        opened.append(app)
        return app

    yield make
    for app in opened:
        app.session.close()


def suggestion_marks(app, pane: int = 0) -> set[str]:
    return {m.id for m in app.screen.panes[pane].view.marks("suggestion")}


def outside_repeats(db: Path, doc_id: int, suggestions: list[Suggestion]) -> list[Suggestion]:
    store = Store.open(db)
    try:
        repeats = [r for r in store.regions(doc_id) if r.kind == "repeated"]
    finally:
        store.close()
    return [s for s in suggestions if not any(r.start <= s.start and s.end <= r.end for r in repeats)]


# ---------------------------------------------------------------- the cache

async def test_cached_story_shows_suggestions_without_loading_the_model(db, apps, engine):
    cli("suggest", "--db", db)
    app = apps(db, suggest=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert app.suggestions.engine is None, "the model must not be needed to show cached suggestions"
        for i, pane in enumerate(app.screen.panes):
            doc = pane.doc
            expected = {s.key for s in outside_repeats(db, doc.id, engine.suggest(doc.text, include_learned=False))}
            assert expected, "the seeds have suggestions"
            assert suggestion_marks(app, i) == expected
        # A name everyone would want suggested, by the model, from the cache.
        first = app.screen.panes[0].doc
        start = first.text.index("Ahmad Massoud")
        assert f"{NER_SUGGESTER}:SOURCE:{start}:{start + len('Ahmad Massoud')}" in suggestion_marks(app, 0)


async def test_a_cached_story_is_not_redrawn_when_the_worker_confirms_its_suggestions(cached_db, apps, engine,
                                                                                    monkeypatch):
    from tui.screens.reader.screen import AnnotateScreen

    arrived, redrawn = [], []
    shown, redraw = AnnotateScreen.set_suggestions, AnnotateScreen.redraw

    def set_suggestions(self, doc_id, found):
        arrived.append(doc_id)
        shown(self, doc_id, found)

    monkeypatch.setattr(AnnotateScreen, "set_suggestions", set_suggestions)
    monkeypatch.setattr(AnnotateScreen, "redraw", lambda self, pane: redrawn.append(len(arrived)) or redraw(self, pane))
    app = apps(cached_db, engine=engine)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: len(arrived) == 2)
        before = {i: suggestion_marks(app, i) for i in range(2)}
    assert all(before.values()), "the cached suggestions are shown"
    assert [n for n in redrawn if n > 0] == [], "nothing changed, so no pane was redrawn for them"


async def test_repeated_copy_has_no_suggestion_marks(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        doc = app.screen.panes[0].doc
        second_copy = doc.text.index("Ahmad Massoud", doc.text.index("Ahmad Massoud") + 1)
        marks = app.screen.panes[0].view.marks("suggestion")
        assert marks and not any(m.start >= second_copy for m in marks)


def test_second_compute_does_not_run_the_pipeline(db, engine, monkeypatch):
    calls: list[int] = []
    real = engine.suggest

    def counting(text: str, **kw):
        calls.append(len(text))
        return real(text, **kw)

    monkeypatch.setattr(engine, "suggest", counting)
    for attempt in range(2):  # two opens: a new session and service each time
        session = AnnotationSession.open(db, annotator="alice", schema=DEFAULT_SCHEMA)
        try:
            service = SuggestionService(session)
            service.engine = engine
            results = [service.compute(doc) for doc in session.store.documents()]
        finally:
            session.close()
        assert all(results), "the seeds have suggestions"
        if attempt == 0:
            first = results
            assert len(calls) == 2, "the first open parses each document once"
        else:
            assert results == first, "the cache gives back what was computed"
    assert len(calls) == 2, "the second open must not run the pipeline"


def test_cache_written_by_the_cli_is_what_the_reader_computes(db, engine, monkeypatch):
    cli("suggest", "--db", db)
    calls: list[str] = []
    real = engine.suggest
    monkeypatch.setattr(engine, "suggest", lambda text, **kw: calls.append(text) or real(text, **kw))
    session = AnnotationSession.open(db, annotator="alice", schema=DEFAULT_SCHEMA)
    try:
        service = SuggestionService(session)
        service.engine = engine
        for doc in session.store.documents():
            assert service.compute(doc) == real(doc.text, include_learned=False)
    finally:
        session.close()
    assert calls == []


# ---------------------------------------------------------------- jump, accept, reject

async def test_e_and_E_jump_between_suggestions(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        v = app.screen.panes[0].view
        # One stop per span and label, same-start ones included, shortest first.
        spans = sorted({(s.start, s.end, s.label) for s in app.screen.visible_suggestions(app.screen.panes[0].doc.id)})
        assert spans[0][0] == spans[1][0] == 0, "the seed has suggestions that start together"

        def target():
            sugg = under_cursor(app)
            return (v.cursor, sugg.end, sugg.label) if sugg is not None else None

        assert v.cursor == 0 and target() == spans[0]
        await pilot.press("e")
        assert target() == spans[1]
        await pilot.press("e")
        assert target() == spans[2]
        await pilot.press("E")
        assert target() == spans[1]
        await pilot.press("E")
        assert target() == spans[0]
        await pilot.press("E")  # wraps to the last
        assert target() == spans[-1]
        await pilot.press("e")  # and back to the first
        assert target() == spans[0]
        # The other pane has its own suggestions.
        await pilot.press("tab", "e")
        other = sorted({s.start for s in app.screen.visible_suggestions(app.screen.panes[1].doc.id)})
        assert app.screen.panes[1].view.cursor == next(s for s in other if s > 0)


async def test_toggling_a_layer_hides_its_marks_and_jumps(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        doc = app.screen.panes[0].doc
        layers = {s.layer for s in app.screen.suggs[doc.id] if s.key in suggestion_marks(app)}
        assert layers == {"entity", "attribution", "motive"}
        await pilot.press("at", "number_sign")
        keys = suggestion_marks(app)
        by_key = {s.key: s for s in app.screen.suggs[doc.id]}
        assert keys and {by_key[k].layer for k in keys} == {LAYER_ENTITY}
        await pilot.press("e")
        assert under_cursor(app).layer == LAYER_ENTITY
        await pilot.press("at")
        assert any(by_key[k].layer == "attribution" for k in suggestion_marks(app))


async def test_s_accepts_an_entity_as_source_with_its_origin(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        sugg = await press_until(pilot, app, lambda s: s.kind == "PERSON")
        doc = app.screen.panes[0].doc
        assert doc.text[sugg.start:sugg.end] == "Ahmad Massoud"
        await pilot.press("s")
        await pilot.pause()
        assert sugg.key not in suggestion_marks(app)
        assert any(m.label == "SOURCE" and (m.start, m.end) == (sugg.start, sugg.end)
                   for m in app.screen.panes[0].view.marks("annotation"))
    anns, rels = stored(cached_db)
    assert [(a.label, a.quote, a.origin) for a in anns] == [
        ("SOURCE", "Ahmad Massoud", f"suggestion:{sugg.suggester}@{sugg.version}")]
    assert sugg.suggester == NER_SUGGESTER and rels == []


async def test_c_on_a_claim_cue_accepts_the_claim_its_source_and_the_link(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        claim = await press_until(pilot, app, lambda s: s.label == "CLAIM" and s.role == "head")
        doc = app.screen.panes[0].doc
        partner = next(s for s in app.screen.suggs[doc.id] if s.group == claim.group and s.role == "tail")
        quote = doc.text[partner.start:partner.end]
        await pilot.press("c")
        await pilot.pause()
    anns, rels = stored(cached_db)
    by_label = {a.label: a for a in anns}
    assert sorted(by_label) == ["CLAIM", "SOURCE"] and len(anns) == 2
    assert (by_label["CLAIM"].start, by_label["CLAIM"].end) == (claim.start, claim.end)
    assert (by_label["SOURCE"].start, by_label["SOURCE"].end) == (partner.start, partner.end)
    assert by_label["SOURCE"].quote == quote == "a new report"  # e now stops on the first claim, at 0
    assert all(a.origin == f"suggestion:{claim.suggester}@{claim.version}" for a in anns)
    assert [(r.head_id, r.tail_id, r.type) for r in rels] == [
        (by_label["CLAIM"].id, by_label["SOURCE"].id, "attributed_to")]


async def test_s_on_a_cited_source_accepts_it_with_its_claim(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("tab")
        sugg = await press_until(pilot, app, lambda s: s.role == "tail" and s.label == "SOURCE"
                                 and app.screen.panes[1].doc.text[s.start:s.end] == "Rahmatullah Nabil", pane=1)
        await pilot.press("s")
        await pilot.pause()
    anns, rels = stored(cached_db)
    quotes = {a.label: a.quote for a in anns}
    assert quotes["SOURCE"] == "Rahmatullah Nabil"
    assert quotes["CLAIM"].startswith("If there were a resistance")
    ids = {a.label: a.id for a in anns}
    assert [(r.head_id, r.tail_id, r.type) for r in rels] == [(ids["CLAIM"], ids["SOURCE"], "attributed_to")]
    assert sugg.group


async def test_m_accepts_a_motive_with_its_actor(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        motive = await press_until(pilot, app, lambda s: s.label == "MOTIVE")
        await pilot.press("m")
        await pilot.pause()
    anns, rels = stored(cached_db)
    ids = {a.label: a.id for a in anns}
    quotes = {a.label: a.quote for a in anns}
    assert quotes["MOTIVE"] == "in order to fight the Taliban" and len(anns) == 2
    assert quotes["ACTOR"].startswith("SMALL BUT GROWING NUMBERS of American-trained members")
    assert motive.relation == "motive_of"
    assert [(r.head_id, r.tail_id, r.type) for r in rels] == [(ids["MOTIVE"], ids["ACTOR"], "motive_of")]


async def test_x_rejects_and_the_rejection_survives_a_restart_and_u_undoes_it(cached_db, apps):
    first = apps(cached_db)
    async with first.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        sugg = await press_until(pilot, first, lambda s: s.kind == "PERSON")
        assert sugg.key in suggestion_marks(first)
        await pilot.press("x")
        await pilot.pause()
        assert sugg.key not in suggestion_marks(first)
        await pilot.press("q")
    assert stored(cached_db)[0] == [], "rejecting tags nothing"
    again = apps(cached_db)
    async with again.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert sugg.key not in suggestion_marks(again), "a rejected suggestion stays rejected after restart"
        assert suggestion_marks(again), "only that one is hidden"
        await pilot.press("u")
        await pilot.pause()
        assert sugg.key in suggestion_marks(again)
    bob = apps(cached_db, "bob")
    async with bob.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert sugg.key in suggestion_marks(bob), "decisions are per annotator"


# The named sources of both seed articles, as a reader would list them
# (not the byline "Joseph Fitsanakis": the writer is not proposed as a source).
NAMED_SOURCES = {
    0: ["The Wall Street Journal", "Ahmad Massoud"],
    1: ["Wall Street Journal", "Rahmatullah Nabil", "National Directorate of Security", "WSJ", "Sputnik News",
        "Biden"],
}


async def test_every_named_source_of_both_articles_tagged_with_e_and_s_only(cached_db, apps):
    app = apps(cached_db)
    pressed: list[str] = []

    async def press(*keys: str) -> None:
        pressed.extend(keys)
        await pilot.press(*keys)

    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        for index, pane in enumerate(app.screen.panes):
            if index:
                await press("tab")
            seen: set[tuple[int, int, str]] = set()
            for _ in range(300):
                await press("e")
                sugg = under_cursor(app, index)
                if sugg is None or (sugg.start, sugg.end, sugg.label) in seen:
                    break  # wrapped around (or accepted it all): every suggestion visited
                seen.add((sugg.start, sugg.end, sugg.label))
                named = {(s.start, s.end) for s in app.screen.visible_suggestions(pane.doc.id)
                         if s.kind in NAMED_KINDS}
                if sugg is not None and sugg.label == "SOURCE" and (sugg.start, sugg.end) in named:
                    await press("s")
            else:
                raise AssertionError("e never wrapped around")
        await pilot.pause()
        docs = {pane.index: pane.doc for pane in app.screen.panes}
    assert set(pressed) == {"e", "s", "tab"}
    anns, _ = stored(cached_db)
    for index, names in NAMED_SOURCES.items():
        text = docs[index].text
        sources = [a for a in anns if a.doc_id == docs[index].id and a.label == "SOURCE"]
        for name in names:
            start = text.index(name)
            assert any(a.start <= start and start + len(name) <= a.end for a in sources), \
                f"{name!r} in article {index} was not tagged as SOURCE"
    assert all(a.origin.startswith("suggestion:") for a in anns)


# ---------------------------------------------------------------- learned sources

async def test_a_tagged_source_is_suggested_elsewhere_from_then_on(db, engine, apps):
    store = Store.open(db)
    other, _ = store.add_document("Other story", "Officials in Kabul said on Monday that talks would resume.",
                                  title="other")
    store.close()
    assert not any(s.suggester == LEARNED_SUGGESTER for s in engine.suggest(other.text))
    kabul_other = other.text.index("Kabul")
    app = apps(db, engine=engine)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        # The model does not suggest the place as a source: the annotator tags it by hand.
        await pilot.press("tab", "slash")
        await pilot.pause()
        await pilot.press(*"Kabul", "enter")
        await pilot.pause()
        pane = app.screen.panes[1]
        assert pane.doc.text[pane.view.cursor:].startswith("Kabul")
        assert under_cursor(app, 1) is None
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        anns, _ = stored(db)
        assert [(a.quote, a.origin) for a in anns] == [("Kabul", "manual")]
        # The other story shows it as a learned suggestion, ready to accept with s.
        await pilot.press("shift+tab", "right_square_bracket")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.story.title == "Other story"
        marks = {m.id for m in app.screen.panes[0].view.marks("suggestion")}
        assert any(m.startswith(f"{LEARNED_SUGGESTER}:SOURCE:{kabul_other}:") for m in marks), marks
        await pilot.press("e")
        while app.screen.panes[0].view.cursor != kabul_other:
            await pilot.press("e")
        await pilot.press("s")
        await pilot.pause()
    anns, _ = stored(db)
    learned = [a for a in anns if a.doc_id == other.id]
    assert [(a.quote, a.origin.split("@")[0]) for a in learned] == [("Kabul", f"suggestion:{LEARNED_SUGGESTER}")]


def test_learned_pass_finds_a_tagged_name_in_another_story(db, engine):
    store = Store.open(db)
    other, _ = store.add_document("Other story", "Ahmad Massoud and Kabul officials spoke.", title="other")
    store.close()
    session = AnnotationSession.open(db, annotator="alice", schema=DEFAULT_SCHEMA)
    try:
        service = SuggestionService(session)
        service.engine = engine
        assert service.learned(other) == []
        first = session.store.documents(session.stories()[0].id)[0]
        start = first.text.index("Ahmad Massoud")
        session.tag(first.id, start, start + len("Ahmad Massoud"), "SOURCE")
        found = [(other.text[s.start:s.end], s.suggester) for s in service.learned(other)]
        assert found == [("Ahmad Massoud", LEARNED_SUGGESTER)]
        # Another annotator has learned nothing.
        bob = SuggestionService(AnnotationSession(session.store, "bob", DEFAULT_SCHEMA))
        bob.engine = engine
        assert bob.learned(other) == []
    finally:
        session.close()


# ---------------------------------------------------------------- known UI bugs (the lead fixes them)

async def test_c_at_a_claim_that_starts_with_an_actor_accepts_the_claim(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        doc = app.screen.panes[0].doc
        claim = next(s for s in app.screen.visible_suggestions(doc.id) if s.label == "CLAIM")
        assert claim.start == 0 == app.screen.panes[0].view.cursor
        await pilot.press("c")
        await pilot.pause()
    anns, rels = stored(cached_db)
    assert {(a.label, a.start, a.end) for a in anns} >= {("CLAIM", claim.start, claim.end)}
    assert len(rels) == 1


async def test_x_removes_the_highlight_of_a_span_two_suggesters_found(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("tab")
        text = app.screen.panes[1].doc.text
        sugg = await press_until(pilot, app, lambda s: text[s.start:s.end] == "Rahmatullah Nabil", pane=1)
        await pilot.press("x")
        await pilot.pause()
        assert not app.screen.panes[1].view.marks_at(sugg.start, "suggestion")


async def test_accepting_a_claim_does_not_bring_back_its_rejected_source(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        doc = app.screen.panes[0].doc
        wsj = doc.text.index("The Wall Street Journal")
        tail = await press_until(pilot, app, lambda s: s.start == wsj and s.role == "tail")
        await pilot.press("x")  # not the source of this claim, says the annotator
        await press_until(pilot, app, lambda s: s.group == tail.group and s.role == "head")
        await pilot.press("c")
        await pilot.pause()
    anns, _ = stored(cached_db)
    assert [a.label for a in anns] == ["CLAIM"]


async def test_no_source_suggestion_inside_an_accepted_source(cached_db, apps):
    app = apps(cached_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("tab")
        text = app.screen.panes[1].doc.text
        await press_until(pilot, app, lambda s: text[s.start:s.end] == "President Biden", pane=1)
        await pilot.press("s")
        await pilot.pause()
        start = text.index("President Biden")
        inside = [s for s in app.screen.visible_suggestions(app.screen.panes[1].doc.id)
                  if s.label == "SOURCE" and start <= s.start and s.end <= start + len("President Biden")]
        assert inside == []


async def test_switching_story_from_the_second_pane_to_a_one_document_story(db, apps):
    store = Store.open(db)
    store.add_document("Other story", "Officials in Kabul said on Monday that talks would resume.", title="o")
    store.close()
    app = apps(db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("tab", "right_square_bracket")
        await pilot.pause()
        assert app.screen.story.title == "Other story"
        assert len(app.screen.panes) == 1 and app.screen.current == 0


async def test_Q_scores_the_cached_suggestions_against_my_annotations(cached_db, apps):
    """With suggestions off, Q scores what is cached (no model load) against
    this annotator's spans of the story; the figures are those of the core's
    evaluation, every suggester together."""
    session = AnnotationSession.open(cached_db, annotator="alice", schema=DEFAULT_SCHEMA)
    try:
        text = session.document(2).text
        claim_text = "hundreds of thousands of Afghan National Army soldiers"
        a = text.index(claim_text)
        b = text.index(", and could become fodder")
        claim = session.tag(2, a, text.index(" by the terrorists", b) + len(" by the terrorists"), "CLAIM")
        src = session.tag(2, text.index("The report warned"), text.index("The report warned") + 10, "SOURCE")
        session.link(claim.id, src.id)
    finally:
        session.close()
    app = apps(cached_db)
    async with app.run_test(size=(200, 48)) as pilot:
        await pilot.pause()
        await pilot.press("Q")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = app.screen.suggest_status
        assert status.startswith("suggestions vs alice's 2 span(s)"), status
        figures = dict(part.rsplit(" P ", 1) for part in status.split(": ", 1)[1].split(" · "))
        # the one CLAIM, its SOURCE and their link are each matched by a cue of the cache
        assert figures["CLAIM"].endswith("R 100%") and figures["SOURCE"].endswith("R 100%")
        assert figures["pairs"].endswith("R 100%")
        # precision counts every pair suggested in the story, and alice linked only one
        assert not figures["pairs"].startswith("100%")
        assert set(figures) == {"CLAIM", "SOURCE", "pairs"}
    assert app.suggestions.engine is None, "the model was not loaded to score"
