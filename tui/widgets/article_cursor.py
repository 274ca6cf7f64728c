"""The cursor of ArticleView: moving it (and scrolling to it), the anchor-based
selection, and the motions by word, sentence, paragraph, line and page."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from tui.core import text as textops

SCROLL_MARGIN = 3


class ArticleCursor:
    """A mixin of ArticleView: its state is set up in ArticleView.__init__."""

    # A selection made exactly (boundary keys, V): taken as it is, never snapped to
    # words, until the cursor moves or the selection is dropped.
    _exact: tuple[int, int] | None = None

    # ----------------------------------------------------------------- cursor

    def move_to(self, offset: int, center: bool = False, *, keep_goal: bool = False) -> None:
        """Put the cursor on ``offset`` (clamped), extending an active
        selection, and scroll so it is visible (centred with ``center``)."""
        self._ensure_layout()
        offset = max(0, min(offset, len(self._text)))
        if not keep_goal:
            self._goal = None
        if offset != self._cursor:
            self._exact = None
        old_cursor, old_sel = self._cursor, self.selection
        self._cursor = offset
        new_sel = self.selection
        if old_cursor != offset:
            self._invalidate_offsets(old_cursor, old_cursor)
            self._invalidate_offsets(offset, offset)
        self._invalidate_selection_change(old_sel, new_sel)
        self._scroll_cursor_visible(center=center)
        if old_cursor != offset:
            self.post_message(self.CursorMoved(self, offset))
        if old_sel != new_sel:
            self.post_message(self.SelectionChanged(self, self.selection_range(), new_sel))

    def _scroll_cursor_visible(self, center: bool = False) -> None:
        if not self._lines or not self.is_mounted:
            return
        line = self.line_of(self._cursor)
        height = self._view_height
        top = round(self.scroll_y)
        # A few lines of context stay visible above and below the cursor (less in a short view).
        margin = min(SCROLL_MARGIN, (height - 1) // 2)
        if center:
            target = line - height // 2
        elif line < top + margin:
            target = line - margin
        elif line >= top + height - margin:
            target = line - height + 1 + margin
        else:
            return
        self.scroll_to(y=max(0, target), animate=False)

    def start_selection(self) -> None:
        """Drop the selection anchor at the cursor; motions then extend it."""
        old = self.selection
        self._anchor = self._cursor
        self._exact = None
        self._invalidate_selection_change(old, self.selection)
        if old != self.selection:
            self.post_message(self.SelectionChanged(self, self.selection_range(), self.selection))

    def clear_selection(self) -> None:
        old = self.selection
        self._anchor = None
        self._exact = None
        if old is not None:
            self._invalidate_selection_change(old, None)
            self.post_message(self.SelectionChanged(self, None, None))

    def select_range(self, start: int, end: int, *, exact: bool = False) -> None:
        """Select ``[start, end)`` (anchor at start, cursor on the last char);
        ``exact`` keeps it as it is instead of snapping it to words."""
        n = len(self._text)
        start, end = sorted((max(0, min(start, n)), max(0, min(end, n))))
        old = self.selection
        self._exact = (start, end) if exact and start < end else None
        self._anchor = start
        old_cursor = self._cursor
        self._cursor = max(start, end - 1)
        self._invalidate_offsets(old_cursor, old_cursor)
        self._invalidate_selection_change(old, self.selection)
        self._invalidate_offsets(self._cursor, self._cursor)
        self._goal = None
        self._scroll_cursor_visible()
        if old_cursor != self._cursor:
            self.post_message(self.CursorMoved(self, self._cursor))
        if old != self.selection:
            self.post_message(self.SelectionChanged(self, self.selection_range(), self.selection))

    @property
    def exact(self) -> bool:
        """Whether the selection is exact (made by boundary keys or V), not word-snapped."""
        return self._exact is not None and self._anchor is not None

    def selection_range(self) -> tuple[int, int] | None:
        """The selection snapped to whole words (or as made, when exact), or
        None when there is no selection or it holds no word.

        A selection extended forward onto the first character of a sentence
        (``v )``) ends with the sentence before it: the cursor only marks where
        the next one begins, and its first word is not the user's."""
        sel = self.selection
        if sel is None:
            return None
        if self._exact is not None and self._anchor is not None:
            return self._exact
        lo, hi = sel
        if self._anchor is not None and self._cursor > self._anchor:
            starts = self._starts_of("sentence")
            i = bisect_left(starts, self._cursor)
            if i < len(starts) and starts[i] == self._cursor:
                hi = self._cursor
        s, e = textops.snap_to_words(self._text, lo, hi)
        return (s, e) if e > s else None

    # ---------------------------------------------------------------- motions

    def _starts_of(self, which: str) -> list[int]:
        if which == "word":
            if self._word_starts is None:
                self._word_starts = [s for s, _ in textops.words(self._text)]
            return self._word_starts
        if which == "sentence":
            if self._sentence_starts is None:
                self._sentence_starts = [s for s, _ in textops.sentences(self._text)]
            return self._sentence_starts
        if self._paragraph_starts is None:
            self._paragraph_starts = [s for s, _ in textops.paragraphs(self._text)]
        return self._paragraph_starts

    def _step(self, which: str, direction: int) -> None:
        starts = self._starts_of(which)
        if direction > 0:
            i = bisect_right(starts, self._cursor)
            target = starts[i] if i < len(starts) else len(self._text)
        else:
            i = bisect_left(starts, self._cursor) - 1
            target = starts[i] if i >= 0 else 0
        self.move_to(target)

    def move_word(self, direction: int = 1) -> None:
        """To the next/previous word start (vim ``w``/``b``)."""
        self._step("word", direction)

    def move_sentence(self, direction: int = 1) -> None:
        self._step("sentence", direction)

    def move_paragraph(self, direction: int = 1) -> None:
        self._step("paragraph", direction)

    def move_start(self) -> None:
        self.move_to(0)

    def move_end(self) -> None:
        self.move_to(len(self._text))

    def move_line(self, direction: int = 1, count: int = 1) -> None:
        """Up/down ``count`` display lines, keeping the goal column."""
        self._ensure_layout()
        index, col = self.position_of(self._cursor)
        if self._goal is None:
            self._goal = col
        target = max(0, min(index + direction * count, len(self._lines) - 1))
        if target == index:
            return  # already on the first/last line: stay put, as vim does
        goal = self._goal
        self.move_to(self.offset_at(target, goal), keep_goal=True)

    def page(self, direction: int = 1) -> None:
        """Scroll a screenful (less one line) and move the cursor with it."""
        self._ensure_layout()
        height = self._view_height
        step = max(1, height - 1)
        self.scroll_to(y=max(0, round(self.scroll_y) + direction * step), animate=False)
        self.move_line(direction, step)
