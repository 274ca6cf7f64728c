"""Helpers for driving the real app under App.run_test() on real database files."""

from __future__ import annotations

from pathlib import Path

from tui.app import DiptychApp
from tui.core.session import AnnotationSession
from tui.core.store import Store

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
STORY = "Seed story"


def make_db(path: Path, texts: dict[str, str] | None = None, story: str = STORY) -> Path:
    """A database holding the two seed articles (or the given texts) in one story."""
    store = Store.open(path)
    if texts is None:
        texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    for i, (name, text) in enumerate(texts.items()):
        store.add_document(story, text, title=name, outlet=f"outlet {i}")
    store.close()
    return path


def open_app(db: Path, annotator: str = "alice", *, suggest: bool = False, **kwargs) -> DiptychApp:
    session = AnnotationSession.open(db, annotator=annotator)
    story = session.stories()[0].id
    return DiptychApp(session, story_id=story, suggest=suggest, **kwargs)


async def settle(pilot, done, tries: int = 300) -> None:
    """Let the app work until ``done()`` holds: an async action (a story switch mounts new
    panes) may need more than one idle turn on a loaded machine. Bounded, and it asserts
    the outcome, never how long it took."""
    for _ in range(tries):
        if done():
            return
        await pilot.pause(0.01)
    assert done()
