"""Styles of ArticleView: a mark kind's default style, and the style of a cell where
marks, the selection and the cursor meet (cached per combination)."""

from __future__ import annotations

from rich.color import ColorParseError
from rich.errors import StyleSyntaxError
from rich.style import Style

from tui.widgets.article_marks import Mark
from tui.widgets.palette import drawn

KINDS = ("others", "annotation", "suggestion", "diff", "search", "link", "target")
_FALLBACK_COLOURS = ("yellow", "cyan", "magenta", "green", "red", "blue", "bright_yellow", "bright_cyan")
# Backgrounds dark enough that black text would be hard to read on them.
_DARK = frozenset({"black", "red", "blue", "magenta", "bright_black"})


class ArticleStyles:
    """A mixin of ArticleView: its state is set up in ArticleView.__init__."""

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
            name = self._colour(key)
            colour = drawn(name)
            return Style(bgcolor=colour, color=drawn("bright_white") if name in _DARK else drawn("black"))
        if kind == "suggestion":
            colour = drawn(self._colour(key))
            return Style(underline=True) if colour == under else Style(underline=True, color=colour)
        if kind == "others":
            # Another annotator's span: their label's colour, dimmed, under this annotator's own.
            return Style(color=drawn(self._colour(key)), dim=True)
        if kind == "diff":
            return Style(italic=True)
        if kind == "search":
            # Not reverse: that is the cursor's look, and it would hide the label colours.
            return Style(bold=True, italic=True, underline=True)
        if kind == "target":
            # What keys act on: framed above and below, the label colours left showing.
            return Style(bold=True, underline=True, overline=True)
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
            style += Style(bgcolor=drawn("bright_black"), color=ann_colour or drawn("bright_white"))
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
