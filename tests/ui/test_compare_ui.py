"""Comparing the articles in the reader: gutter, counterpart jump, sync, diff, claim links."""

from __future__ import annotations

from tui.core.session import AnnotationSession
from tui.core.text import sentence_at
from tui.screens.choice import ChoiceScreen
from tui.screens.proposals import ProposalsScreen

WSJ_000 = "According to The Wall Street Journal"
WSJ_001 = "A “small but growing” number"


async def aligned(app, pilot):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert app.screen.alignment is not None


def gutter_column(view) -> str:
    return "".join(view.render_line(y).text[:1] for y in range(view.size.height))


async def put_cursor(app, pilot, pane: int, text: str):
    view = app.screen.panes[pane].view
    view.move_to(view.text.index(text), center=True)
    await pilot.pause()


async def test_gutter_marks_shared_and_only_here_sentences(app_factory):
    app = app_factory()
    async with app.run_test(size=(100, 40)) as pilot:
        await aligned(app, pilot)
        await put_cursor(app, pilot, 1, WSJ_001)
        column = gutter_column(app.screen.panes[1].view)
        assert "=" in column or "~" in column     # a sentence with a counterpart
        assert "+" in column                      # a sentence only this article has


async def test_f_jumps_other_pane_to_counterpart(app_factory):
    app = app_factory()
    async with app.run_test(size=(100, 40)) as pilot:
        await aligned(app, pilot)
        await put_cursor(app, pilot, 0, WSJ_000)
        await pilot.press("f")
        other = app.screen.panes[1].view
        start, end = sentence_at(other.text, other.cursor)
        assert "Wall Street Journal" in other.text[start:end]


async def test_sync_scrolling_follows_the_alignment(app_factory):
    app = app_factory()
    async with app.run_test(size=(100, 40)) as pilot:
        await aligned(app, pilot)
        await pilot.press("S")
        assert app.screen.sync
        await put_cursor(app, pilot, 0, WSJ_000)
        await pilot.press("l")  # a motion in the focused pane drags the other along
        other = app.screen.panes[1].view
        start, end = sentence_at(other.text, other.cursor)
        assert "Wall Street Journal" in other.text[start:end]
        await pilot.press("S")
        before = other.cursor
        await pilot.press("g")
        assert other.cursor == before


async def test_diff_toggle_marks_differing_words_in_both_panes(app_factory):
    app = app_factory()
    async with app.run_test(size=(100, 40)) as pilot:
        await aligned(app, pilot)
        await put_cursor(app, pilot, 0, WSJ_000)
        await pilot.press("d")
        left = app.screen.panes[0].view.marks("diff")
        right = app.screen.panes[1].view.marks("diff")
        assert left and right
        await pilot.press("d")
        assert not app.screen.panes[0].view.marks("diff")


def claim_on(session: AnnotationSession, doc_id: int, phrase: str):
    text = session.document(doc_id).text
    start = text.index(phrase)
    return session.tag(doc_id, start, start + len(phrase), "CLAIM")


async def test_link_claims_across_outlets_choosing_the_type(app_factory, seed_db):
    s = AnnotationSession.open(seed_db, annotator="alice")
    claim_on(s, 1, "relatively small, but growing")
    claim_on(s, 2, "small but growing")
    s.close()
    app = app_factory()
    async with app.run_test(size=(100, 40)) as pilot:
        await aligned(app, pilot)
        await put_cursor(app, pilot, 0, "relatively small")
        await pilot.press("r", "tab")
        await put_cursor(app, pilot, 1, "small but growing")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("c")
        await pilot.pause()
        assert [r.type for r in app.session.relations([1, 2])] == ["contradicts"]


async def test_proposed_claim_links_accept_and_reject(app_factory, seed_db):
    s = AnnotationSession.open(seed_db, annotator="alice")
    claim_on(s, 1, "“relatively small, but growing” numbers of former members of Afghanistan’s security and "
                   "intelligence agencies, are now joining ISIS-K")
    claim_on(s, 2, "A “small but growing” number of former Afghan special forces and intelligence personnel "
                   "have been joining Daesh-K")
    claim_on(s, 1, "Other Afghans with access to weapons")
    claim_on(s, 2, "The US-backed government of Afghanistan")
    s.close()
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await aligned(app, pilot)
        await pilot.press("L")
        await pilot.pause()
        assert isinstance(app.screen, ProposalsScreen)
        assert len(app.screen.rows) == 1  # only the aligned pair is proposed
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.rows == []
        await pilot.press("escape")
        rels = app.session.relations([1, 2])
        assert [r.type for r in rels] in (["same_as"], ["partial"])
        await pilot.press("u")  # undo the accepted link, then reject the proposal instead
        await pilot.press("L")
        await pilot.pause()
        assert len(app.screen.rows) == 1
        await pilot.press("x", "escape")
        await pilot.press("L")
        await pilot.pause()
        assert app.screen.rows == []
        assert app.session.relations([1, 2]) == []
