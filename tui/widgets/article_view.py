"""ArticleView: a line-based, word-wrapped, read-only article with marks.

The article text is data: it is cut into display lines and drawn as
``rich.segment.Segment`` objects, never parsed as markup, and every code point
is passed through :func:`tui.core.text.display_char` so escape sequences,
control and bidi characters show as visible glyphs.

Only the lines on screen are rendered; rendered lines are kept in an LRU cache
and dropped line by line when the cursor, the selection or the marks on them
change, and all at once when the width (re-wrap), the colours or the theme do.

How marks are drawn (one cell per code point cluster):

- ``annotation``: background in the label's colour. Where annotations nest or
  overlap the innermost (shortest) one gives the background, and characters
  covered by two or more annotations are also **bold**.
- ``suggestion``: underline, foreground in the label's colour (underline only
  where the background already has that colour).
- ``diff``: italic. ``search``: reverse video. ``link``: bold, underline,
  reverse. Any other kind: underline.
- A mark's own ``style``, when it is a Rich style string such as
  ``"bold red"``, replaces its kind's default. Any other value (an entity type
  such as ``"PERSON"``) names a sub-kind: its colour is used when
  ``label_colors`` lists it, else the label's colour.
- Selection: bright-black background, text in the annotation's colour (white
  when not annotated). Cursor: the cell's style in reverse video when focused
  (bold underline where the cell is already reversed), underline when not.

Key bindings are deliberately absent (even ScrollView's scroll keys): the app
maps its keys, by binding id, onto the motion methods here.

This module holds the widget (layout state, rendering, invalidation, mouse); the
wrapping is in article_layout, and the marks, styles and cursor are mixins in
article_marks, article_styles and article_cursor.
"""

from __future__ import annotations

from bisect import bisect_right

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.core.schema import DEFAULT_SCHEMA
from tui.widgets.article_cursor import ArticleCursor
from tui.widgets.article_layout import _Cluster, _Line, _clusters, _is_plain, wrap_lines
from tui.widgets.article_marks import ArticleMarks, Mark
from tui.widgets.article_styles import ArticleStyles

GUTTER_WIDTH = 2
# One spare cell right of the text so a cursor at a line's end (on the newline)
# or a single trailing space never has to be cropped.
END_RESERVE = 1
MIN_WRAP = 4
DEFAULT_WIDTH = 80
_STRIP_CACHE_SIZE = 1024


# ------------------------------------------------------------------------ widget


class ArticleView(ArticleCursor, ArticleMarks, ArticleStyles, ScrollView, can_focus=True,
                  inherit_bindings=False):
    """A read-only article: word-wrapped, marked up by offset, with a cursor,
    an anchor-based selection and a one-cell gutter column."""

    ALLOW_SELECT = False  # our own selection, not the screen's text selection

    DEFAULT_CSS = """
    ArticleView {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        height: 1fr;
    }
    """

    class CursorMoved(Message):
        """The cursor moved to ``offset``."""

        def __init__(self, view: ArticleView, offset: int) -> None:
            super().__init__()
            self.view = view
            self.offset = offset

        @property
        def control(self) -> ArticleView:
            return self.view

    class SelectionChanged(Message):
        """The selection changed: ``range`` is word-snapped (None when there is
        no selection or it holds no word); ``raw`` is the unsnapped range."""

        def __init__(self, view: ArticleView, range: tuple[int, int] | None, raw: tuple[int, int] | None) -> None:
            super().__init__()
            self.view = view
            self.range = range
            self.raw = raw

        @property
        def control(self) -> ArticleView:
            return self.view

    def __init__(
        self,
        text: str,
        *,
        doc_id: int = 0,
        label_colors: dict[str, str] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._text = text
        self.doc_id = doc_id
        colours = {spec.name: spec.color for spec in DEFAULT_SCHEMA.labels}
        colours.update(label_colors or {})
        self._label_colors = colours
        self._cursor = 0
        self._anchor: int | None = None
        self._goal: int | None = None  # goal cell column for line motions
        self._drag_from: int | None = None
        # Layout, rebuilt on every width change.
        self._wrap_width = -1
        self._lines: list[_Line] = []
        self._starts: list[int] = []
        self._clusters_cache: LRUCache[int, list[_Cluster] | None] = LRUCache(_STRIP_CACHE_SIZE)
        self._strips: LRUCache[int, Strip] = LRUCache(_STRIP_CACHE_SIZE)
        # Marks by kind: the set (for diffs) and buckets of 128 code points.
        self._marks: dict[str, frozenset[Mark]] = {}
        self._buckets: dict[str, dict[int, list[Mark]]] = {}
        self._gutter: list[tuple[int, str, str]] = []
        self._gutter_lines: dict[int, tuple[str, Style]] = {}
        # Boundaries, computed once on first use.
        self._word_starts: list[int] | None = None
        self._sentence_starts: list[int] | None = None
        self._paragraph_starts: list[int] | None = None
        self._style_cache: dict[tuple, Style] = {}
        self._base_style: Style | None = None

    # ------------------------------------------------------------- properties

    @property
    def text(self) -> str:
        return self._text

    @property
    def cursor(self) -> int:
        """Code-point offset of the cursor, ``0..len(text)``."""
        return self._cursor

    @cursor.setter
    def cursor(self, offset: int) -> None:
        self.move_to(offset)

    @property
    def selection(self) -> tuple[int, int] | None:
        """The raw selection: from the anchor to the cursor, both characters
        included, or None."""
        if self._anchor is None:
            return None
        lo, hi = sorted((self._anchor, self._cursor))
        return lo, min(hi + 1, len(self._text))

    @property
    def label_colors(self) -> dict[str, str]:
        return dict(self._label_colors)

    def set_label_colors(self, colours: dict[str, str]) -> None:
        """Set colours (ANSI names) for the given labels and redraw."""
        self._label_colors.update(colours)
        self._style_cache.clear()
        self._invalidate_all()

    # ---------------------------------------------------------------- layout

    @property
    def _view_width(self) -> int:
        """Cells available for a line (gutter included); a provisional 80
        before the widget has been laid out."""
        width = self.scrollable_content_region.width
        return width if width > 0 else DEFAULT_WIDTH

    @property
    def _view_height(self) -> int:
        return max(1, self.scrollable_content_region.height)

    @property
    def _text_width(self) -> int:
        return max(MIN_WRAP, self._view_width - GUTTER_WIDTH - END_RESERVE)

    def _ensure_layout(self) -> None:
        if not self._lines or self._wrap_width != self._text_width:
            self._rewrap()

    def _rewrap(self) -> None:
        old_row = self.line_of(self._cursor) - round(self.scroll_y) if self._lines else None
        width = self._text_width
        self._wrap_width = width
        self._lines = wrap_lines(self._text, width)
        self._starts = [line.start for line in self._lines]
        self._clusters_cache.clear()
        self._strips.clear()
        self._place_gutter()
        self.virtual_size = Size(self._view_width, len(self._lines))
        height = self._view_height
        line = self.line_of(self._cursor)
        if old_row is not None and 0 <= old_row < height:
            # Keep the cursor on the same screen row it was on.
            self.scroll_to(y=max(0, line - old_row), animate=False)
        else:
            self._scroll_cursor_visible()
        self.refresh()

    def on_mount(self, event: events.Mount) -> None:
        # Before the first layout the width is unknown: wrapping at a provisional
        # width would be thrown away by the resize that follows (seconds for a
        # long article). Whatever needs lines before then wraps on demand.
        if self.scrollable_content_region.width > 0:
            self._rewrap()

    def on_resize(self, event: events.Resize) -> None:
        if self._wrap_width != self._text_width:
            self._rewrap()
        else:
            self._scroll_cursor_visible()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base_style = None
        self._style_cache.clear()
        self._strips.clear()

    @property
    def _base(self) -> Style:
        # DOMNode.rich_style walks every ancestor on each call; it only changes
        # when styles are re-applied, which calls notify_style_update.
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def on_focus(self, event: events.Focus) -> None:
        self._invalidate_offsets(self._cursor, self._cursor)

    def on_blur(self, event: events.Blur) -> None:
        self._invalidate_offsets(self._cursor, self._cursor)

    def line_of(self, offset: int) -> int:
        """Index of the display line holding ``offset``."""
        if not self._starts:
            self._ensure_layout()
        return max(0, bisect_right(self._starts, offset) - 1)

    @property
    def line_count(self) -> int:
        self._ensure_layout()
        return len(self._lines)

    def _line_clusters(self, index: int) -> list[_Cluster] | None:
        """Clusters of a display line, or None when the line is plain
        (one code point per cell, drawn as itself)."""
        cached = self._clusters_cache.get(index, False)
        if cached is not False:
            return cached  # type: ignore[return-value]
        line = self._lines[index]
        segment = self._text[line.start : line.end]
        clusters = None if _is_plain(segment) else _clusters(self._text, line.start, line.end)
        self._clusters_cache.set(index, clusters)
        return clusters

    def _last_position(self, index: int) -> int:
        line = self._lines[index]
        if line.hard or line.end == line.start:
            return line.end
        clusters = self._line_clusters(index)
        return clusters[-1].start if clusters else line.end - 1

    def position_of(self, offset: int) -> tuple[int, int]:
        """(display line, cell column) of ``offset``; the column counts from
        the first text cell, after the gutter."""
        self._ensure_layout()
        offset = max(0, min(offset, len(self._text)))
        index = self.line_of(offset)
        line = self._lines[index]
        clusters = self._line_clusters(index)
        if clusters is None:
            return index, offset - line.start
        col = 0
        for cl in clusters:
            if offset < cl.end:
                return index, col
            col += cl.width
        return index, col

    def offset_at(self, index: int, col: int) -> int:
        """The offset drawn at cell ``col`` of display line ``index`` (past the
        end: the line's last cursor position)."""
        self._ensure_layout()
        index = max(0, min(index, len(self._lines) - 1))
        line = self._lines[index]
        last = self._last_position(index)
        if col <= 0:
            return line.start
        clusters = self._line_clusters(index)
        if clusters is None:
            return min(line.start + col, last)
        x = 0
        for cl in clusters:
            if col < x + cl.width:
                return cl.start
            x += cl.width
        return last

    def visible_range(self) -> tuple[int, int]:
        """Offsets ``[start, end)`` of the text on screen."""
        self._ensure_layout()
        top = min(round(self.scroll_y), len(self._lines) - 1)
        bottom = top + self._view_height
        end = self._starts[bottom] if bottom < len(self._starts) else len(self._text)
        return self._starts[top], end

    # ------------------------------------------------------------- rendering

    def render_line(self, y: int) -> Strip:
        width = self._view_width
        if not self._lines or self._wrap_width != max(MIN_WRAP, width - GUTTER_WIDTH - END_RESERVE):
            self._rewrap()
        index = round(self.scroll_y) + y
        base = self._base
        if not 0 <= index < len(self._lines):
            return Strip.blank(width, base)
        strip = self._strips.get(index)
        if strip is None or strip.cell_length != width:
            strip = self._render_display_line(index, width, base)
            self._strips.set(index, strip)
        return strip

    def _render_display_line(self, index: int, width: int, base: Style) -> Strip:
        line = self._lines[index]
        ls, le = line.start, line.end
        text = self._text
        active_marks = self._marks_between(ls, max(le, ls + 1))
        sel = self.selection
        cursor = self._cursor

        # Style changes only where a mark or the selection starts or ends.
        cuts = {ls, le}
        for _kind, m in active_marks:
            if ls < m.start < le:
                cuts.add(m.start)
            if ls < m.end < le:
                cuts.add(m.end)
        if sel is not None:
            for b in sel:
                if ls < b < le:
                    cuts.add(b)
        bounds = sorted(cuts)

        def style_at(offset: int) -> Style:
            covering = [(k, m) for k, m in active_marks if m.start <= offset < m.end]
            selected = sel is not None and sel[0] <= offset < sel[1]
            return self._compose_style(covering, selected, base)

        gutter = self._gutter_lines.get(index)
        segments: list[Segment] = [
            Segment(gutter[0], base + gutter[1]) if gutter else Segment(" ", base),
            Segment(" " * (GUTTER_WIDTH - 1), base),
        ]

        clusters = self._line_clusters(index)
        cells = GUTTER_WIDTH
        if clusters is None:
            # Plain text: offsets are cells; cut at style bounds and the cursor.
            cells += le - ls
            for a, b in zip(bounds, bounds[1:]):
                style = style_at(a)
                if a <= cursor < b:
                    if a < cursor:
                        segments.append(Segment(text[a:cursor], style))
                    segments.append(Segment(text[cursor], self._cursor_style(style)))
                    if cursor + 1 < b:
                        segments.append(Segment(text[cursor + 1 : b], style))
                else:
                    segments.append(Segment(text[a:b], style))
        else:
            bound_i = 0
            run: list[str] = []
            run_style: Style | None = None
            current = style_at(ls)
            for cl in clusters:
                cells += cl.width
                while bound_i + 1 < len(bounds) and cl.start >= bounds[bound_i + 1]:
                    bound_i += 1
                    current = style_at(bounds[bound_i])
                style = self._cursor_style(current) if cl.start <= cursor < cl.end else current
                if style is not run_style and run:
                    segments.append(Segment("".join(run), run_style))
                    run = []
                run_style = style
                run.append(cl.text)
            if run:
                segments.append(Segment("".join(run), run_style))

        if line.hard:
            if cursor == le:
                segments.append(Segment(" ", self._cursor_style(style_at(le) if le < len(text) else base)))
                cells += 1
            elif sel is not None and sel[0] <= le < sel[1] and le < len(text):
                segments.append(Segment(" ", self._compose_style([], True, base)))
                cells += 1
        if cells < width:
            segments.append(Segment(" " * (width - cells), base))
        elif cells > width:  # overflowing trailing spaces
            return Strip(segments).crop(0, width)
        # Passing the length saves Strip from measuring every segment again.
        return Strip(segments, width)

    # ------------------------------------------------------------ invalidation

    def _invalidate_all(self) -> None:
        self._strips.clear()
        self.refresh()

    def _invalidate_offsets(self, start: int, end: int) -> None:
        """Forget and redraw the display lines holding offsets ``start..end``."""
        if not self._lines:
            return
        first = self.line_of(min(start, end))
        last = self.line_of(max(start, end))
        if last - first > len(self._strips):
            for index in [i for i in self._strips.keys() if first <= i <= last]:
                self._strips.discard(index)
        else:
            for index in range(first, last + 1):
                self._strips.discard(index)
        top = round(self.scroll_y)
        height = self._view_height
        lo, hi = max(first, top), min(last, top + height - 1)
        if lo <= hi:
            self.refresh_lines(lo, hi - lo + 1)

    def _invalidate_selection_change(self, old: tuple[int, int] | None, new: tuple[int, int] | None) -> None:
        if old == new:
            return
        if old is None or new is None:
            s, e = old or new  # type: ignore[misc]
            self._invalidate_offsets(s, e)
            return
        for a, b in ((old[0], new[0]), (old[1], new[1])):
            if a != b:
                self._invalidate_offsets(min(a, b), max(a, b))

    # ------------------------------------------------------------------ mouse

    def _offset_at_event(self, event: events.MouseEvent) -> int:
        self._ensure_layout()
        pos = event.get_content_offset_capture(self)
        index = round(self.scroll_y) + pos.y
        if index < 0:
            return 0
        if index >= len(self._lines):
            return len(self._text)
        return self.offset_at(index, pos.x - GUTTER_WIDTH)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button not in (0, 1):
            return
        self.focus()
        offset = self._offset_at_event(event)
        if event.shift:
            if self._anchor is None:
                self.start_selection()
        else:
            self.clear_selection()
        self._drag_from = offset
        self.capture_mouse()
        self.move_to(offset)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_from is None:
            return
        offset = self._offset_at_event(event)
        if self._anchor is None and offset != self._drag_from:
            self._anchor = self._drag_from
            self._invalidate_offsets(self._drag_from, self._drag_from)
        self.move_to(offset)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag_from is not None:
            self._drag_from = None
            self.release_mouse()
