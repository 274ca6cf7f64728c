"""Screenshots of the main screens compared with accepted SVGs (tests/ui/__snapshots__).

After an intended change of the look, review and accept with
`.venv/bin/python -m pytest tests/ui/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import pytest
from reader_kit import open_app

from tui.core.session import AnnotationSession


@pytest.fixture
def tagged_db(seed_db):
    """The seed story with a claim, its source in the other article, a motive and a link."""
    session = AnnotationSession.open(seed_db, annotator="alice")
    text0 = session.document(1).text
    text1 = session.document(2).text
    claim = session.tag(1, 0, text0.index(", according"), "CLAIM", attrs={"certainty": "reported"})
    motive = session.tag(1, text0.index("in order to"), text0.index(", according"), "MOTIVE")
    start = text1.index("the Wall Street Journal")
    source = session.tag(2, start, start + len("the Wall Street Journal"), "SOURCE")
    session.link(claim.id, source.id)
    session.link(motive.id, claim.id, "motive_of")
    session.close()
    return seed_db


@pytest.fixture
def app(tagged_db):
    application = open_app(tagged_db)
    yield application
    application.session.close()


async def settled(pilot) -> None:
    """Let the alignment worker finish so the gutter is drawn before the screenshot."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_main_screen_80x24(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24), run_before=settled)


def test_main_screen_160x48(snap_compare, app):
    assert snap_compare(app, terminal_size=(160, 48), press=["tab", "right_curly_bracket"], run_before=settled)


def test_help_screen(snap_compare, app):
    assert snap_compare(app, terminal_size=(100, 40), press=["question_mark"], run_before=settled)


def test_attribute_form(snap_compare, app):
    assert snap_compare(app, terminal_size=(100, 30), press=["enter"], run_before=settled)
