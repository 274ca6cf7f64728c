"""Marks of ArticleView: the Mark span, the index of marks by kind (buckets of 128
code points) that finds the marks over a line, the gutter glyphs and search matches."""

from __future__ import annotations

import re
from typing import Iterable, NamedTuple

from rich.cells import cell_len
from rich.style import Style

from tui.core import text as textops

_BUCKET_SHIFT = 7  # marks are indexed in buckets of 128 code points


class Mark(NamedTuple):
    """A styled span of the article, ``[start, end)`` in code points.

    A named tuple, not a frozen dataclass: a document may carry 200,000 marks,
    and a tuple is made several times faster and takes less memory."""

    start: int
    end: int
    label: str
    id: str = ""
    style: str = ""


class ArticleMarks:
    """A mixin of ArticleView: its state is set up in ArticleView.__init__."""

    # ----------------------------------------------------------------- marks

    def set_marks(self, kind: str, marks: Iterable[Mark]) -> None:
        """Replace every mark of ``kind``; only lines whose marks changed are
        redrawn. Duplicates collapse; empty or inverted marks are ignored."""
        new = frozenset(m for m in marks if m.end > m.start)
        old = self._marks.get(kind, frozenset())
        if new == old:
            return
        changed = old ^ new
        buckets = self._buckets.setdefault(kind, {})
        if len(changed) > len(new) // 2 + 64:
            buckets.clear()
            for m in new:
                self._bucket_add(buckets, m)
        else:
            for m in old - new:
                for b in range(m.start >> _BUCKET_SHIFT, ((m.end - 1) >> _BUCKET_SHIFT) + 1):
                    bucket = buckets.get(b)
                    if bucket is not None:
                        bucket.remove(m)
            for m in new - old:
                self._bucket_add(buckets, m)
        self._marks[kind] = new
        if not self._lines:
            return
        if len(changed) > 256:
            self._invalidate_all()
        else:
            for m in changed:
                self._invalidate_offsets(m.start, m.end - 1)

    @staticmethod
    def _bucket_add(buckets: dict[int, list[Mark]], m: Mark) -> None:
        for b in range(m.start >> _BUCKET_SHIFT, ((m.end - 1) >> _BUCKET_SHIFT) + 1):
            buckets.setdefault(b, []).append(m)

    def marks(self, kind: str) -> frozenset[Mark]:
        return self._marks.get(kind, frozenset())

    def _marks_between(self, start: int, end: int) -> list[tuple[str, Mark]]:
        """(kind, mark) pairs overlapping ``[start, end)``."""
        found: list[tuple[str, Mark]] = []
        if end <= start:
            end = start + 1
        for kind, buckets in self._buckets.items():
            if not buckets:
                continue
            seen: set[int] = set()
            for b in range(start >> _BUCKET_SHIFT, ((end - 1) >> _BUCKET_SHIFT) + 1):
                for m in buckets.get(b, ()):
                    if m.start < end and m.end > start and id(m) not in seen:
                        seen.add(id(m))
                        found.append((kind, m))
        return found

    def marks_at(self, offset: int, kind: str | None = None) -> list[Mark]:
        """Marks covering ``offset``, innermost (shortest) first."""
        hits = [m for k, m in self._marks_between(offset, offset + 1) if kind is None or k == kind]
        hits.sort(key=lambda m: (m.end - m.start, -m.start, m.label, m.id))
        return hits

    def set_gutter(self, marks: list[tuple[int, str, str]]) -> None:
        """Gutter glyphs: ``(offset, one-cell char, style)``, drawn on the line
        holding ``offset``. Later entries win on a shared line."""
        old_lines = set(self._gutter_lines)
        self._gutter = list(marks)
        if not self._lines:
            return
        self._place_gutter()
        for index in old_lines | set(self._gutter_lines):
            self._strips.discard(index)
            self.refresh_line(index)

    def _place_gutter(self) -> None:
        placed: dict[int, tuple[str, Style]] = {}
        for offset, char, style in self._gutter:
            shown = "".join(map(textops.display_char, char[:1])) or " "
            if shown == "\n" or cell_len(shown) != 1:
                shown = "?"
            placed[self.line_of(offset)] = (shown, self._parse_style(style) or Style())
        self._gutter_lines = placed

    def search(self, query: str) -> list[tuple[int, int]]:
        """Case-insensitive matches of ``query`` (literal text); they become
        the "search" marks. An empty query clears them."""
        if not query:
            self.set_marks("search", [])
            return []
        spans = [m.span() for m in re.finditer(re.escape(query), self._text, re.IGNORECASE)]
        self.set_marks("search", [Mark(s, e, "search") for s, e in spans])
        return spans
