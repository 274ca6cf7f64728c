"""Passages of the seed articles that several tests tag (000 = intelnews.org, 001 = Sputnik News)."""

from __future__ import annotations

from pathlib import Path

STORY = "Seed story"
SMALL_000 = ("“relatively small, but growing” numbers of former members of Afghanistan’s security and "
             "intelligence agencies, are now joining ISIS-K")
SMALL_001 = ("A “small but growing” number of former Afghan special forces and intelligence personnel "
             "have been joining Daesh-K")
NABIL_CLAIM = "For the time being, [Daesh-K] is the only other armed group"


def span_of(text: str, passage: str) -> tuple[int, int]:
    """(start, end) of the first occurrence of ``passage`` in ``text``."""
    start = text.index(passage)
    return start, start + len(passage)


SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def seed_store(path: Path):
    """A new Store at ``path`` holding the two seed articles: (store, first, second)."""
    from tui.core.store import Store

    store = Store.open(path)
    first, second = (store.add_document("seeds", p.read_text(encoding="utf-8"), title=p.stem)[0]
                     for p in sorted(SEEDS.glob("*.txt")))
    return store, first, second
