"""Shared fixtures: real SQLite files in tmp_path, the two seed articles.

Keep these small and generic; a test that needs more builds it from these.

- ``seed_files``      the seed article paths, sorted (session-scoped, read-only)
- ``seed_importer``   ``seed_importer(store)`` imports both seeds into any Store
- ``db_path``         a not-yet-existing database file in tmp_path
- ``store``           a fresh, empty Store on ``db_path`` (closed afterwards)
- ``seeded_store``    ``store`` with both seeds imported into ``SEED_STORY``
- ``seed_docs``       the two seeded Documents, in seed-file order
- ``seeded_session``  an AnnotationSession for ``"alice"`` on ``seeded_store``
- ``open_session``    factory: another session on the same file (own connection)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tui.core.models import Document
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession
from tui.core.store import Store

REPO = Path(__file__).resolve().parents[1]
SEEDS_DIR = REPO / "seeds"
SEED_STORY = "Ex-Afghan forces join Islamic State"


def seed_paths() -> list[Path]:
    paths = sorted(SEEDS_DIR.glob("*.txt"))
    assert len(paths) == 2, f"expected the two seed articles in {SEEDS_DIR}, found {paths}"
    return paths


def import_seeds(store: Store, story: str = SEED_STORY) -> list[Document]:
    """Import the seed articles with Store.add_document; returns them in file order."""
    docs = []
    for path in seed_paths():
        doc, _created = store.add_document(story, path.read_text(encoding="utf-8"), title=path.stem,
                                           source_path=str(path))
        docs.append(doc)
    return docs


@pytest.fixture(scope="session")
def seed_files() -> list[Path]:
    return seed_paths()


@pytest.fixture(scope="session")
def seed_importer() -> Callable[..., list[Document]]:
    """``seed_importer(store, story=SEED_STORY)`` imports both seeds into any store."""
    return import_seeds


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "diptych.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    st = Store.open(db_path)
    yield st
    st.close()


@pytest.fixture
def seeded_store(store: Store) -> Store:
    import_seeds(store)
    return store


@pytest.fixture
def seed_docs(seeded_store: Store) -> list[Document]:
    by_path = {d.source_path: d for d in seeded_store.documents()}
    return [by_path[str(p)] for p in seed_paths()]


@pytest.fixture
def seeded_session(seeded_store: Store) -> AnnotationSession:
    # Closing is the store fixture's job: both share one connection.
    return AnnotationSession(seeded_store, "alice")


@pytest.fixture
def open_session(db_path: Path) -> Iterator[Callable[..., AnnotationSession]]:
    """``open_session("bob")`` opens a second connection to ``db_path``, as
    another process would; every session opened this way is closed afterwards."""
    opened: list[AnnotationSession] = []

    def _open(annotator: str = "alice", **kwargs) -> AnnotationSession:
        # The default schema unless told: never whatever annotations/schema.toml the cwd has.
        kwargs.setdefault("schema", DEFAULT_SCHEMA)
        session = AnnotationSession.open(db_path, annotator=annotator, **kwargs)
        opened.append(session)
        return session

    yield _open
    for session in opened:
        session.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI every consumer package of the test extra is installed by `make test`, so a
    test skipped because one could not be imported is a broken install: fail it there."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") and "could not import" in str(report.longrepr):
        report.outcome = "failed"


@pytest.fixture
def keys_wait_for_saves(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """``pilot.press`` returns once the reader's saves of those keys are committed.

    The reader saves on a writer thread (tui/screens/reader/saving.py), so a key's
    change reaches the database a moment after the key. Tests that check what a
    key stored wait here, like a person watching the header go from "saving…" to
    "saved" (a bounded poll, not a timing). A module that tests the waiting
    itself sets ``RAW_KEYS = True`` and gets Textual's own press.
    """
    if getattr(request.module, "RAW_KEYS", False):
        return
    from textual.pilot import Pilot

    press = Pilot.press

    async def press_then_wait(self, *keys: str) -> None:
        await press(self, *keys)
        for _ in range(3000):
            try:
                screen = self.app._annotate_screen()
            except Exception:  # not the reader app, or it has exited
                return
            if not getattr(screen, "pending", None):
                return
            await self.pause(0.01)
        raise AssertionError("the reader's saves were still pending after 3000 polls")

    monkeypatch.setattr(Pilot, "press", press_then_wait)
