"""Fixtures for driving the real app under App.run_test() on real database files."""

from __future__ import annotations

from pathlib import Path

import pytest
from reader_kit import make_db, open_app

from tui.app import DiptychApp


@pytest.fixture
def seed_db(tmp_path: Path) -> Path:
    return make_db(tmp_path / "reader.db")


@pytest.fixture
def app_factory(seed_db: Path):
    opened: list[DiptychApp] = []

    def factory(annotator: str = "alice", db: Path | None = None, **kwargs) -> DiptychApp:
        app = open_app(db or seed_db, annotator, **kwargs)
        opened.append(app)
        return app

    yield factory
    for app in opened:
        app.session.close()


@pytest.fixture(autouse=True)
def _saves_follow_keys(keys_wait_for_saves) -> None:
    """Every test here checks what keys stored after they are saved (tests/conftest.py)."""
