"""Fixtures of the hostile-input suite: a seeded database made once, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hostile_kit import seeded_db


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeded_db(tmp_path_factory.mktemp("template") / "seeded.db")


@pytest.fixture
def db(seeded_template: Path, tmp_path: Path) -> Path:
    """A database already holding content (seed articles, an annotation, a
    relation) that no hostile input may change."""
    path = tmp_path / "db" / "hostile.db"
    path.parent.mkdir()
    shutil.copy(seeded_template, path)
    return path


@pytest.fixture(autouse=True)
def _saves_follow_keys(keys_wait_for_saves) -> None:
    """Tests that press keys check what they stored once it is saved (tests/conftest.py)."""
