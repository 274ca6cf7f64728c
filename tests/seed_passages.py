"""Passages of the seed articles that several tests tag (000 = intelnews.org, 001 = Sputnik News)."""

from __future__ import annotations

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
