"""Line layout of ArticleView, as pure functions: word-wrapping an article into
display lines and cutting a line into drawable clusters (one glyph each)."""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from rich.cells import cell_len, get_character_cell_size

from tui.core import text as textops

_DOTTED_CIRCLE = "◌"
_TOKEN_RE = re.compile(r"([^ \t]*)([ \t]*)")


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
        if _is_plain(text[pos:pe]):
            _wrap_plain(text, pos, pe, width, add)
        else:
            _wrap_paragraph(text, pos, pe, width, add, _cells)
        if nl < 0:
            break
        pos = nl + 1
    return lines


_NON_SPACE = re.compile(r"[^ ]")


def _wrap_plain(text: str, pos: int, pe: int, width: int, add) -> None:
    """_wrap_paragraph for a paragraph of one cell per code point and no tabs (most
    are), a line at a time instead of a word at a time: a line ends before the
    first word reaching past ``width`` cells, or inside a word wider than the
    line. tests/ui/test_article_view.py checks it against _wrap_paragraph."""
    s = pos
    while pe - s > width:
        limit = s + width
        if text[limit] == " ":
            m = _NON_SPACE.search(text, limit, pe)
            if m is None:
                break  # only spaces left: they stay on this line (cropped when drawn)
            ts = m.start()
        else:
            ts = text.rfind(" ", s, limit) + 1
            if ts <= s:
                ts = limit  # a word wider than the line: cut it
        add(_Line(s, ts, False))
        s = ts
    add(_Line(s, pe, True))


def _wrap_paragraph(text: str, pos: int, pe: int, width: int, add, cells) -> None:
    """Wrap ``text[pos:pe]`` (no newline) word by word, measuring with ``cells``."""
    line_start, col = pos, 0
    for m in _TOKEN_RE.finditer(text, pos, pe):
        ts, te = m.span()
        if ts == te:
            continue
        word, spaces = m.group(1), m.group(2)
        ww = cells(word)
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
        col += cells(spaces) if spaces else 0
    add(_Line(line_start, pe, True))
