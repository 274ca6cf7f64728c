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
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache
from typing import Iterable, NamedTuple

from rich.cells import cell_len, get_character_cell_size
from rich.color import ColorParseError
from rich.errors import StyleSyntaxError
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.core import text as textops
from tui.core.schema import DEFAULT_SCHEMA

GUTTER_WIDTH = 2
# One spare cell right of the text so a cursor at a line's end (on the newline)
# or a single trailing space never has to be cropped.
END_RESERVE = 1
MIN_WRAP = 4
DEFAULT_WIDTH = 80
_BUCKET_SHIFT = 7  # marks are indexed in buckets of 128 code points
_STRIP_CACHE_SIZE = 1024

KINDS = ("annotation", "suggestion", "diff", "search", "link")
_FALLBACK_COLOURS = ("yellow", "cyan", "magenta", "green", "red", "blue", "bright_yellow", "bright_cyan")
# Backgrounds dark enough that black text would be hard to read on them.
_DARK = frozenset({"black", "red", "blue", "magenta", "bright_black"})
_DOTTED_CIRCLE = "◌"
_TOKEN_RE = re.compile(r"([^ \t]*)([ \t]*)")


@dataclass(frozen=True)
class Mark:
    """A styled span of the article, ``[start, end)`` in code points."""

    start: int
    end: int
    label: str
    id: str = ""
    style: str = ""


class _Line(NamedTuple):
    start: int
    end: int  # exclusive end of the text shown on this line (newline excluded)
    hard: bool  # ends at a newline or the end of text: the cursor may sit on `end`


class _Cluster(NamedTuple):
    start: int
    end: int
    text: str  # what is drawn: display_char() of the code points
    width: int


# ------------------------------------------------------------------ layout helpers


def _clusters(text: str, start: int, end: int) -> list[_Cluster]:
    """Split ``text[start:end]`` (no newlines) into drawable clusters.

    A cluster is one visible code point plus the zero-width ones after it
    (combining marks, variation selectors, skin tones), so styles and the
    cursor never cut a glyph in two. A zero-width code point with nothing
    before it on the line sits on a dotted circle, so it still has a cell.
    """
    out: list[_Cluster] = []
    display_char = textops.display_char
    for i in range(start, end):
        ch = text[i]
        shown = display_char(ch)
        if shown == ch and get_character_cell_size(ch) == 0:
            if out:
                prev = out[-1]
                joined = prev.text + ch
                out[-1] = _Cluster(prev.start, i + 1, joined, cell_len(joined))
                continue
            shown = _DOTTED_CIRCLE + ch
        out.append(_Cluster(i, i + 1, shown, cell_len(shown)))
    return out


@cache
def _odd_width_re() -> re.Pattern[str]:
    """Matches code points that do not take exactly one cell."""
    try:
        # Rich's own width table, so we agree with Textual's measurements.
        from rich._unicode_data import load

        ranges = [(a, b) for a, b, w in load("auto").widths if w != 1]
        body = "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)
        return re.compile(f"[{body}]")
    except Exception:  # a private module moved: treat all non-ASCII as odd
        return re.compile(r"[^\x00-\x7f]")


def _is_plain(s: str) -> bool:
    """One code point per cell, drawn as itself. ``isprintable`` is False
    for every code point display_char() replaces (controls, format
    characters, separators, surrogates)."""
    return s.isprintable() and (s.isascii() or not _odd_width_re().search(s))


def _cells(s: str) -> int:
    if _is_plain(s):
        return len(s)
    return cell_len("".join(map(textops.display_char, s)))


def wrap_lines(text: str, width: int) -> list[_Line]:
    """Word-wrap ``text`` into display lines at most ``width`` cells wide.

    Lines break after spaces/tabs; a word wider than the line is cut between
    clusters. Spaces that overflow a line stay on it (they are cropped when
    drawn). Every offset ``0..len(text)`` belongs to exactly one line: line
    ``i`` covers ``[start_i, start_{i+1})``, the newline belonging to the
    line it ends.
    """
    width = max(width, 2)
    lines: list[_Line] = []
    add = lines.append
    n = len(text)
    pos = 0
    while True:
        nl = text.find("\n", pos)
        pe = n if nl < 0 else nl
        line_start, col = pos, 0
        for m in _TOKEN_RE.finditer(text, pos, pe):
            ts, te = m.span()
            if ts == te:
                continue
            word, spaces = m.group(1), m.group(2)
            ww = _cells(word)
            if col > 0 and col + ww > width:
                add(_Line(line_start, ts, False))
                line_start, col = ts, 0
            if ww > width and ww == len(word) and _is_plain(word):
                # One cell per code point: cut by count (a 10 MB run without a space
                # would take a minute cluster by cluster).
                cut, end = ts, ts + len(word)
                while col + (end - cut) > width:
                    cut += width - col
                    add(_Line(line_start, cut, False))
                    line_start, col = cut, 0
                col += end - cut
            elif ww > width:
                for cl in _clusters(text, ts, ts + len(word)):
                    if col > 0 and col + cl.width > width:
                        add(_Line(line_start, cl.start, False))
                        line_start, col = cl.start, 0
                    col += cl.width
            else:
                col += ww
            col += _cells(spaces) if spaces else 0
        add(_Line(line_start, pe, True))
        if nl < 0:
            break
        pos = nl + 1
    return lines


# ------------------------------------------------------------------------ widget


class ArticleView(ScrollView, can_focus=True, inherit_bindings=False):
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

    # ---------------------------------------------------------------- styles

    def _colour(self, label: str) -> str:
        colour = self._label_colors.get(label)
        if colour:
            try:
                Style(color=colour)
                return colour
            except ColorParseError:
                pass
        return _FALLBACK_COLOURS[sum(map(ord, label)) % len(_FALLBACK_COLOURS)]

    def _parse_style(self, spec: str) -> Style | None:
        """A Rich style string as a Style; None when empty or not a style."""
        if not spec:
            return None
        key = ("parse", spec)
        if key not in self._style_cache:
            try:
                self._style_cache[key] = Style.parse(spec)
            except (StyleSyntaxError, ColorParseError):
                self._style_cache[key] = None  # type: ignore[assignment]
        return self._style_cache[key]

    def _kind_style(self, kind: str, mark: Mark, under: str | None) -> Style:
        """Style of one mark; ``under`` is the background colour beneath it."""
        custom = self._parse_style(mark.style)
        if custom is not None:
            return custom
        # A style that is not a Rich style names a sub-kind (an entity type
        # such as "PERSON"): it picks the colour when label_colors lists it.
        key = mark.style if mark.style in self._label_colors else mark.label
        if kind == "annotation":
            colour = self._colour(key)
            return Style(bgcolor=colour, color="bright_white" if colour in _DARK else "black")
        if kind == "suggestion":
            colour = self._colour(key)
            return Style(underline=True) if colour == under else Style(underline=True, color=colour)
        if kind == "diff":
            return Style(italic=True)
        if kind == "search":
            return Style(reverse=True)
        if kind == "link":
            return Style(bold=True, underline=True, reverse=True)
        return Style(underline=True)

    def _compose_style(self, active: list[tuple[str, Mark]], selected: bool, base: Style) -> Style:
        by_kind: dict[str, list[Mark]] = {}
        for kind, m in active:
            by_kind.setdefault(kind, []).append(m)
        parts: list[tuple] = []
        for kind in sorted(by_kind, key=lambda k: (KINDS.index(k) if k in KINDS else len(KINDS), k)):
            group = by_kind[kind]
            inner = min(group, key=lambda m: (m.end - m.start, -m.start, m.label))
            parts.append((kind, inner.label, inner.style, len(group) > 1))
        key = (tuple(parts), selected, base)
        style = self._style_cache.get(key)
        if style is not None:
            return style
        style = base
        under: str | None = None
        ann_colour: str | None = None
        for kind, label, spec, overlapped in parts:
            mark = Mark(0, 1, label, style=spec)
            layer = self._kind_style(kind, mark, under)
            if kind == "annotation":
                ann_colour = under = None if self._parse_style(spec) else layer.bgcolor and layer.bgcolor.name
                if overlapped:
                    layer += Style(bold=True)
            style += layer
        if selected:
            style += Style(bgcolor="bright_black", color=ann_colour or "bright_white")
        self._style_cache[key] = style
        return style

    def _cursor_style(self, style: Style) -> Style:
        key = ("cursor", style, self.has_focus)
        cached = self._style_cache.get(key)
        if cached is None:
            if not self.has_focus:
                cached = style + Style(underline=True)
            elif style.reverse:
                cached = style + Style(reverse=False, bold=True, underline=True)
            else:
                cached = style + Style(reverse=True)
            self._style_cache[key] = cached
        return cached

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

    # ----------------------------------------------------------------- cursor

    def move_to(self, offset: int, center: bool = False, *, keep_goal: bool = False) -> None:
        """Put the cursor on ``offset`` (clamped), extending an active
        selection, and scroll so it is visible (centred with ``center``)."""
        self._ensure_layout()
        offset = max(0, min(offset, len(self._text)))
        if not keep_goal:
            self._goal = None
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
        if center:
            target = line - height // 2
        elif line < top:
            target = line
        elif line >= top + height:
            target = line - height + 1
        else:
            return
        self.scroll_to(y=max(0, target), animate=False)

    def start_selection(self) -> None:
        """Drop the selection anchor at the cursor; motions then extend it."""
        old = self.selection
        self._anchor = self._cursor
        self._invalidate_selection_change(old, self.selection)
        if old != self.selection:
            self.post_message(self.SelectionChanged(self, self.selection_range(), self.selection))

    def clear_selection(self) -> None:
        old = self.selection
        self._anchor = None
        if old is not None:
            self._invalidate_selection_change(old, None)
            self.post_message(self.SelectionChanged(self, None, None))

    def select_range(self, start: int, end: int) -> None:
        """Select ``[start, end)`` (anchor at start, cursor on the last char)."""
        n = len(self._text)
        start, end = sorted((max(0, min(start, n)), max(0, min(end, n))))
        old = self.selection
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

    def selection_range(self) -> tuple[int, int] | None:
        """The selection snapped to whole words, or None when there is no
        selection or it holds no word."""
        sel = self.selection
        if sel is None:
            return None
        s, e = textops.snap_to_words(self._text, *sel)
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
