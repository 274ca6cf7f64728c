"""Moving one end of a span by a word or a character: the arithmetic behind the
reader's boundary keys, on plain offsets.

A span is half-open ``(start, end)``. Each edit moves one END of it, left or right,
by one word or one character, and never makes the span empty or lets it leave the
text: an edit that cannot be made returns None, so the caller can say why instead
of saving a span the user did not ask for.

Plain Python only (no Textual, no Rich, no spaCy).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from tui.core.text import Span, words

SIDES = ("start", "end")
UNITS = ("word", "char")


def word_edges(text: str) -> tuple[list[int], list[int]]:
    """The sorted word starts and word ends of ``text`` (see :func:`move_boundary`)."""
    spans = words(text)
    return [s for s, _ in spans], [e for _, e in spans]


@dataclass(frozen=True)
class BoundaryEdit:
    """One boundary key: which end moves, by what, and which way (-1 left, +1 right)."""

    side: str
    unit: str
    direction: int

    @property
    def grows(self) -> bool:
        return (self.side == "start") == (self.direction < 0)

    def describe(self) -> str:
        verb = "grow" if self.grows else "shrink"
        way = "left" if self.direction < 0 else "right"
        return f"{self.side} {way} by a {self.unit} ({verb})"


def move_boundary(text: str, span: Span, edit: BoundaryEdit, *, edges: tuple[list[int], list[int]] | None = None
                  ) -> Span | None:
    """``span`` with one end moved as ``edit`` says, or None when it cannot move
    (it would empty the span or leave the text).

    By a word, the start moves to the start of the previous/next word and the end
    to the end of the previous/next word, so whole words are added or dropped and
    the punctuation between them follows the words. By a character, the end moves
    exactly one code point, punctuation and quotes included (an opening quote or
    a final full stop is one ``;`` or ``"`` away). ``edges`` (word starts and
    ends, from :func:`word_edges`) saves re-scanning a long text on every key.
    """
    start, end = span
    n = len(text)
    if edit.side not in SIDES or edit.unit not in UNITS or edit.direction not in (-1, 1):
        raise ValueError(f"not a boundary edit: {edit}")
    if edit.unit == "char":
        if edit.side == "start":
            start += edit.direction
        else:
            end += edit.direction
    else:
        starts, ends = edges if edges is not None else word_edges(text)
        if edit.side == "start":
            if edit.direction < 0:
                i = bisect_left(starts, start) - 1
                if i < 0:
                    return None
                start = starts[i]
            else:
                i = bisect_right(starts, start)
                if i >= len(starts):
                    return None
                start = starts[i]
        else:
            if edit.direction > 0:
                i = bisect_right(ends, end)
                if i >= len(ends):
                    return None
                end = ends[i]
            else:
                i = bisect_left(ends, end) - 1
                if i < 0:
                    return None
                end = ends[i]
    if not 0 <= start < end <= n:
        return None
    return start, end
