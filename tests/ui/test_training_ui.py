"""ctrl+t in the reader: `diptych train` in a background process, its progress and
result in the status line, and the new model used as the trained suggester.

Real app under Pilot, real database (tests/training_kit.py), a real child process.
The waits are bounded polls on what the screen shows, never a timing.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from reader_kit import open_app
from training_kit import build_annotated_db

from tui.core.training_job import TrainingJob
from tui.widgets.status import StatusLine


@pytest.fixture(scope="module")
def annotated_db(tmp_path_factory) -> Path:
    return build_annotated_db(tmp_path_factory.mktemp("reader-train") / "team.db")


@pytest.fixture
def one_epoch(monkeypatch):
    monkeypatch.setattr("tui.screens.reader.training.TrainingJob", functools.partial(TrainingJob, epochs=1))
    monkeypatch.delenv("DIPTYCH_TRAINED", raising=False)


async def wait_for_training(pilot, screen, polls: int = 6000) -> None:
    for _ in range(polls):
        if screen.training_job is None:
            return
        await pilot.pause(0.05)
    raise AssertionError(f"training still running after {polls} polls: {screen.suggest_status}")


async def test_ctrl_t_trains_in_the_background_and_uses_the_new_model(annotated_db, one_epoch):
    app = open_app(annotated_db, "gold")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            await pilot.press("ctrl+t")
            assert screen.training_job is not None
            assert "training" in screen.suggest_status
            await pilot.press("j")  # the reader still answers keys while it trains
            await wait_for_training(pilot, screen)
            outcome = screen.last_training
            assert outcome is not None, screen.suggest_status
            assert outcome.model.parent == annotated_db.parent / "models"
            assert (outcome.model / "scores.json").is_file()
            assert screen.suggest_status.startswith("trained trained:diptych on ")
            assert "held-out" in screen.suggest_status and "SOURCE F" in screen.suggest_status
            assert app.suggestions.trained is not None
            assert app.suggestions.trained.model.path == outcome.model
    finally:
        app.session.close()


async def test_ctrl_t_with_too_few_annotations_says_why_in_the_status(annotated_db, one_epoch):
    app = open_app(annotated_db, "alice")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            before = app.suggestions.trained
            await pilot.press("ctrl+t")
            await wait_for_training(pilot, screen)
            assert screen.last_training is None
            assert "[D051]" in screen.suggest_status
            assert "'alice' has annotated 0 document(s)" in screen.suggest_status
            assert "--annotator" in screen.suggest_status  # what to do
            assert app.suggestions.trained == before
    finally:
        app.session.close()


@pytest.fixture(scope="module")
def proposing_model(annotated_db) -> Path:
    """A model trained long enough to propose spans, its suggestions cached for every document."""
    from click.testing import CliRunner

    from tui.cli import main
    from tui.core.schema import DEFAULT_SCHEMA
    from tui.core.session import AnnotationSession
    from tui.core.suggestions import SuggestionService

    res = CliRunner().invoke(main, ["train", "--db", str(annotated_db), "--epochs", "6", "--json"])
    assert res.exit_code == 0, res.stderr
    model = Path(json.loads(res.stdout.strip().splitlines()[-1])["model"])
    session = AnnotationSession.open(annotated_db, annotator="alice", schema=DEFAULT_SCHEMA)
    try:
        service = SuggestionService(session, no_model=True, trained=str(model))
        service.precompute(session.store.documents())
    finally:
        session.close()
    return model


async def test_the_status_names_the_trained_suggester_of_the_suggestion_under_the_cursor(
        annotated_db, proposing_model, monkeypatch):
    monkeypatch.setenv("DIPTYCH_TRAINED", str(proposing_model))
    app = open_app(annotated_db, "alice")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert app.suggestions.engine is None  # shown from the cache
            for _ in range(400):
                await pilot.press("e")
                pane = screen.pane
                sugg = screen.suggestion_at(pane, pane.view.cursor)
                if sugg is not None and sugg.suggester.startswith("trained:"):
                    break
            else:
                raise AssertionError("no trained suggestion reached with e")
            status = str(screen.query_one(StatusLine).content)
            assert f"suggested {sugg.label}" in status and "by trained:diptych" in status
    finally:
        app.session.close()
