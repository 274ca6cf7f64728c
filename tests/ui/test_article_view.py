"""ArticleView under a real (headless) Textual app, driven by Pilot."""

from __future__ import annotations

import random
from pathlib import Path

from rich.cells import cell_len
from rich.style import Style
from textual.app import App, ComposeResult

from tui.core import text as T
from tui.widgets.article_cursor import SCROLL_MARGIN
from tui.widgets.palette import DRAWN
from tui.widgets.article_view import GUTTER_WIDTH, ArticleView, Mark, _clusters, wrap_lines

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))
SEED_A = SEEDS[0].read_text(encoding="utf-8")
SEED_B = SEEDS[1].read_text(encoding="utf-8")

HOSTILE = (
    "[bold]x[/bold] and [red]not red[/] \x1b[31mred\x1b[0m \x1b]0;title\x07 tail\n"
    "مرحبا بالعالم עברית e\u0301te 中文字 👍🏽 a\tb c\rd \u202eevil\u202c z\u200bw end"
)


class ViewApp(App[None]):
    def __init__(self, text: str, **kwargs) -> None:
        super().__init__()
        self.article = text
        self.kwargs = kwargs
        self.events: list[tuple[str, object]] = []

    def compose(self) -> ComposeResult:
        yield ArticleView(self.article, id="view", **self.kwargs)

    def on_article_view_cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        self.events.append(("cursor", message.offset))

    def on_article_view_selection_changed(self, message: ArticleView.SelectionChanged) -> None:
        self.events.append(("selection", message.range))


def rows(view: ArticleView) -> list[str]:
    return [view.render_line(y).text for y in range(view.scrollable_content_region.height)]


def cell_styles(view: ArticleView, y: int) -> list[tuple[str, Style]]:
    """(text, style) per drawn cluster of screen row ``y``, gutter excluded."""
    out: list[tuple[str, Style]] = []
    for seg in view.render_line(y):
        for ch in seg.text:
            if cell_len(ch) == 0 and out:
                out[-1] = (out[-1][0] + ch, out[-1][1])
            else:
                out.append((ch, seg.style))
    return out[GUTTER_WIDTH:]


def screen_row(view: ArticleView, offset: int) -> int:
    return view.line_of(offset) - round(view.scroll_y)


# Labels are drawn in fixed RGB values (tui/widgets/palette.py): read them back as the names.
_NAMES = {rgb: name for name, rgb in DRAWN.items()}


def bg(style: Style) -> str | None:
    return _NAMES.get(style.bgcolor.name, style.bgcolor.name) if style.bgcolor else None


def fg(style: Style) -> str | None:
    return _NAMES.get(style.color.name, style.color.name) if style.color else None


# ------------------------------------------------------------------- wrapping


def test_wrap_lines_partition_every_offset():
    text = SEED_A + "\n\n" + HOSTILE + "\n"
    for width in (4, 9, 20, 37, 77):
        lines = wrap_lines(text, width)
        assert lines[0].start == 0 and lines[-1].end == len(text)
        for a, b in zip(lines, lines[1:]):
            assert b.start == (a.end + 1 if a.hard else a.end)
            if a.hard:
                assert text[a.end] == "\n"
            else:
                assert "\n" not in text[a.start : a.end]
        for line in lines:
            shown = T.display_text(text[line.start : line.end]).rstrip(" →")
            assert cell_len(shown) <= width + 1, (width, shown)


async def test_wraps_to_width_and_rewraps_on_resize_keeping_cursor():
    app = ViewApp(SEED_A)
    async with app.run_test(size=(50, 12)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        width = view.scrollable_content_region.width
        texts = rows(view)
        assert all(cell_len(t) == width for t in texts)
        assert texts[0].startswith("  SMALL BUT GROWING NUMBERS")
        # The first paragraph, re-joined from its display lines, is unchanged.
        first_para = SEED_A.split("\n")[0]
        para_lines = [view._lines[i] for i in range(view.line_of(len(first_para)) + 1)]
        assert "".join(SEED_A[line.start : line.end] for line in para_lines) == first_para
        for line in para_lines:
            assert len(SEED_A[line.start : line.end].rstrip()) <= width - 3

        target = SEED_A.index("Ahmad Shah Massoud")
        view.move_to(target)
        await pilot.pause()
        lines_before = view.line_count
        row_before = screen_row(view, target)
        assert 0 <= row_before < 12

        await pilot.resize_terminal(90, 12)
        await pilot.pause()
        assert view.cursor == target
        assert view.line_count < lines_before
        row = screen_row(view, target)
        assert 0 <= row < view.scrollable_content_region.height
        _line, col = view.position_of(target)
        cells = cell_styles(view, row)
        assert cells[col][0] == "A" and cells[col][1].reverse

        await pilot.resize_terminal(30, 8)
        await pilot.pause()
        assert view.cursor == target
        assert 0 <= screen_row(view, target) < view.scrollable_content_region.height
        assert all(cell_len(t) == view.scrollable_content_region.width for t in rows(view))


# -------------------------------------------------------------------- motions


async def test_word_sentence_paragraph_motions():
    app = ViewApp(SEED_B)
    async with app.run_test(size=(60, 16)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        word_starts = [s for s, _ in T.words(SEED_B)]
        seen = []
        for _ in range(12):
            view.move_word(1)
            seen.append(view.cursor)
        assert seen == word_starts[1:13]
        view.move_word(-1)
        assert view.cursor == word_starts[11]

        view.move_start()
        sentence_starts = [s for s, _ in T.sentences(SEED_B)]
        for expected in sentence_starts[1:5]:
            view.move_sentence(1)
            assert view.cursor == expected
        mid = sentence_starts[4] + 5
        view.move_to(mid)
        view.move_sentence(-1)
        assert view.cursor == sentence_starts[4]

        view.move_start()
        para_starts = [s for s, _ in T.paragraphs(SEED_B)]
        view.move_paragraph(1)
        view.move_paragraph(1)
        assert view.cursor == para_starts[2]
        view.move_paragraph(-1)
        assert view.cursor == para_starts[1]

        view.move_end()
        assert view.cursor == len(SEED_B)
        view.move_word(1)
        assert view.cursor == len(SEED_B)
        view.move_start()
        view.move_word(-1)
        assert view.cursor == 0
        await pilot.pause()
        assert ("cursor", word_starts[1]) in app.events


async def test_line_motion_keeps_goal_column_across_short_lines():
    text = "a long first line of words here\nshort\nanother long line of words here"
    app = ViewApp(text)
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        view.move_to(text.index("line"))  # column 13
        assert view.position_of(view.cursor) == (0, 13)
        view.move_line(1)
        assert view.cursor == text.index("\nanother")  # end of "short"
        view.move_line(1)
        assert view.position_of(view.cursor) == (2, 13)
        view.move_line(-1)
        view.move_line(-1)
        assert view.cursor == text.index("line")
        view.move_word(1)  # a horizontal motion resets the goal
        col = view.position_of(view.cursor)[1]
        view.move_line(1)
        view.move_line(1)
        assert view.position_of(view.cursor)[1] == col


async def test_page_and_move_to_center_scroll():
    app = ViewApp(SEED_A)
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        height = view.scrollable_content_region.height
        view.page(1)
        await pilot.pause()
        # A screenful less one line, and the cursor keeps its scroll margin above it.
        assert view.line_of(view.cursor) == height - 1
        assert round(view.scroll_y) == height - 1 - SCROLL_MARGIN
        view.page(-1)
        assert round(view.scroll_y) == 0 and view.line_of(view.cursor) == 0

        target = SEED_A.index("Joseph Fitsanakis")
        view.move_to(target, center=True)
        await pilot.pause()
        assert screen_row(view, target) == height // 2
        start, end = view.visible_range()
        assert start <= target < end
        assert rows(view)[height // 2].startswith("  Joseph Fitsanakis")

        view.move_end()
        await pilot.pause()
        assert view.line_of(view.cursor) == view.line_count - 1
        assert screen_row(view, view.cursor) == height - 1


# ------------------------------------------------------------------ selection


async def test_selection_extends_with_motions_and_snaps_to_words():
    app = ViewApp(SEED_A)
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        start = SEED_A.index("merican-trained")  # inside a word
        view.move_to(start)
        view.start_selection()
        view.move_word(1)
        view.move_word(1)  # cursor on "of"
        assert view.selection == (start, SEED_A.index("of Afghanistan") + 1)
        s, e = view.selection_range()
        assert SEED_A[s:e] == "American-trained members of"
        await pilot.pause()
        assert app.events[-1] == ("selection", (s, e))

        # Selected cells are drawn differently from unselected ones.
        row = screen_row(view, start)
        _l, col = view.position_of(start + 2)
        assert bg(cell_styles(view, row)[col][1]) == "bright_black"

        view.clear_selection()
        assert view.selection is None and view.selection_range() is None
        assert bg(cell_styles(view, row)[col][1]) != "bright_black"

        sentence = T.sentences(SEED_A)[1]
        view.select_range(*sentence)
        assert view.selection_range() == sentence
        assert view.cursor == sentence[1] - 1
        await pilot.pause()
        assert app.events[-1] == ("selection", sentence)


async def test_click_moves_cursor_and_drag_selects():
    app = ViewApp(SEED_A)
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        # Row 0 reads "  SMALL BUT GROWING ..."; cell 2+6 is the "B" of "BUT".
        await pilot.click(view, offset=(GUTTER_WIDTH + 6, 0))
        assert view.cursor == 6 and view.selection is None
        # Row 1, text column 3.
        await pilot.click(view, offset=(GUTTER_WIDTH + 3, 1))
        assert view.cursor == view.offset_at(1, 3) == view._lines[1].start + 3
        # Clicking past the end of a line lands on its last position.
        await pilot.click(view, offset=(view.scrollable_content_region.width - 1, 0))
        assert view.line_of(view.cursor) == 0

        await pilot.mouse_down(view, offset=(GUTTER_WIDTH + 7, 0))  # "U" of "BUT"
        await pilot.hover(view, offset=(GUTTER_WIDTH + 4, 1))
        await pilot.mouse_up(view, offset=(GUTTER_WIDTH + 4, 1))
        end = view._lines[1].start + 4
        assert view.selection == (7, end + 1)
        s, e = view.selection_range()
        assert s == 6 and SEED_A[s:e].startswith("BUT GROWING") and e == T.word_at(SEED_A, end)[1]


async def test_click_maps_wide_and_combining_characters():
    text = "中文字 e\u0301te 👍🏽 ok"
    app = ViewApp(text)
    async with app.run_test(size=(40, 5)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        assert view.position_of(1) == (0, 2)  # "文" starts at cell 2
        assert view.position_of(text.index("t")) == (0, 8)  # after "e\u0301" (1 cell)
        assert view.position_of(text.index("👍") + 1) == (0, 11)  # the skin tone shares the emoji's cell
        await pilot.click(view, offset=(GUTTER_WIDTH + 3, 0))  # right half of "文"
        assert view.cursor == 1
        await pilot.click(view, offset=(GUTTER_WIDTH + 7, 0))  # the accented e
        assert view.cursor == text.index("e")
        await pilot.click(view, offset=(GUTTER_WIDTH + 14, 0))  # "o" after the emoji
        assert view.cursor == text.index("ok")


# --------------------------------------------------------------- hostile text


async def test_hostile_text_is_shown_literally_and_safely():
    app = ViewApp(HOSTILE)
    async with app.run_test(size=(50, 10)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        shown = "".join(rows(view))
        for ch in shown:
            o = ord(ch)
            assert o >= 0x20 and not 0x7F <= o < 0xA0, repr(ch)
        assert "[bold]x[/bold]" in shown and "[red]not red[/]" in shown
        assert "␛[31mred␛[0m" in shown and "␛]0;title␇" in shown
        assert "a→b" in shown and "c␍d" in shown and "¤evil¤" in shown and "z¤w" in shown
        for y in range(view.line_count):
            strip = view.render_line(y)
            assert cell_len(strip.text) == strip.cell_length == view.scrollable_content_region.width
            assert all(seg.control is None for seg in strip)
        # Offsets map to cells exactly across wide and zero-width characters.
        for offset, ch in enumerate(HOSTILE):
            if ch == "\n":
                continue
            line, col = view.position_of(offset)
            full = _clusters(HOSTILE, view._lines[line].start, view._lines[line].end)
            expected = sum(c.width for c in full if c.end <= offset)
            assert col == expected, offset
            if view.offset_at(line, col) != offset:
                # Only zero-width code points share a cell with the one before.
                assert cell_len(T.display_char(ch)) == 0
        view.move_to(HOSTILE.index("文"))
        row = screen_row(view, view.cursor)
        cells = cell_styles(view, row)
        cursor_cells = [c for c, style in cells if style.reverse]
        assert cursor_cells == ["文"]


async def test_overflowing_spaces_and_empty_lines_fill_exactly_the_width():
    text = "word" + " " * 100 + "next\n\n\t\t" + "中" * 60 + "\n"
    app = ViewApp(text)
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        width = view.scrollable_content_region.width
        for y in range(view.line_count):
            strip = view.render_line(y)
            assert cell_len(strip.text) == strip.cell_length == width
        assert view.render_line(0).text.startswith("  word   ")
        view.move_to(len(text))  # the empty last line after the final newline
        row = screen_row(view, len(text))
        assert cell_styles(view, row)[0][1].reverse


# ---------------------------------------------------------------------- marks


async def test_annotation_nesting_suggestion_and_marks_at():
    app = ViewApp(SEED_A, label_colors={"CLAIM": "yellow", "SOURCE": "cyan", "MOTIVE": "magenta"})
    async with app.run_test(size=(70, 10)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        outer = Mark(0, 40, "CLAIM", id="c1")
        inner = Mark(6, 19, "SOURCE", id="s1")  # "BUT GROWING"
        view.set_marks("annotation", [outer, inner])
        view.set_marks("suggestion", [Mark(45, 52, "MOTIVE")])
        view.move_to(60)
        await pilot.pause()
        cells = cell_styles(view, 0)
        assert bg(cells[1][1]) == "yellow" and not cells[1][1].bold
        assert bg(cells[8][1]) == "cyan" and cells[8][1].bold  # covered twice: bold
        assert bg(cells[39][1]) == "yellow" and bg(cells[40][1]) == bg(view.rich_style)
        assert cells[46][1].underline and fg(cells[46][1]) == "magenta"
        assert not cells[44][1].underline
        assert view.marks_at(8) == [inner, outer]
        assert view.marks_at(8, "annotation") == [inner, outer]
        assert view.marks_at(46) == [Mark(45, 52, "MOTIVE")]
        assert view.marks_at(41) == []

        # Changing marks redraws the line (the cached strip is dropped).
        view.set_marks("annotation", [inner])
        assert bg(cell_styles(view, 0)[1][1]) == bg(view.rich_style)
        assert bg(cell_styles(view, 0)[8][1]) == "cyan" and not cell_styles(view, 0)[8][1].bold


async def test_mark_style_is_a_rich_style_or_a_sub_kind():
    app = ViewApp(SEED_A, label_colors={"CLAIM": "yellow", "SOURCE": "cyan", "PERSON": "green"})
    async with app.run_test(size=(70, 10)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        view.set_marks(
            "suggestion",
            [
                Mark(0, 5, "SOURCE", style="PERSON"),  # listed sub-kind: its colour
                Mark(6, 9, "SOURCE", style="ORG"),  # unlisted: the label's colour
                Mark(10, 17, "CLAIM", style="bold red"),  # a Rich style replaces the default
            ],
        )
        view.set_marks("annotation", [Mark(6, 9, "SOURCE")])
        view.move_to(60)
        cells = cell_styles(view, 0)
        assert cells[0][1].underline and fg(cells[0][1]) == "green"
        # Underline only: cyan text on a cyan annotation would vanish.
        assert cells[7][1].underline and bg(cells[7][1]) == "cyan" and fg(cells[7][1]) != "cyan"
        assert cells[11][1].bold and fg(cells[11][1]) == "red" and not cells[11][1].underline


async def test_search_and_gutter():
    app = ViewApp(SEED_B)
    async with app.run_test(size=(70, 12)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        hits = view.search("taliban")
        assert len(hits) == SEED_B.lower().count("taliban") > 3
        assert all(SEED_B[s:e].lower() == "taliban" for s, e in hits)
        s, e = hits[0]
        row = screen_row(view, s)
        _l, col = view.position_of(s)
        # Not reverse video: that is the cursor's look.
        found = cell_styles(view, row)[col][1]
        assert found.italic and found.underline and not found.reverse
        assert view.search("") == [] and not view.marks("search")
        assert not cell_styles(view, row)[col][1].italic

        offset = SEED_B.index("The debacle")
        view.set_gutter([(offset, "●", "red"), (0, "x\x1b", "")])
        row = screen_row(view, offset)
        strip = view.render_line(row)
        assert strip.text[0] == "●"
        assert list(strip)[0].style.color.name == "red"
        assert view.render_line(0).text[0] == "x"
        view.set_gutter([])
        assert view.render_line(row).text[0] == " "


async def test_long_article_with_2000_spans_renders():
    rng = random.Random(7)
    paragraphs = [p for p in (SEED_A + "\n" + SEED_B).split("\n") if p.strip()]
    body = []
    while sum(len(p.split()) for p in body) < 20_000:
        body.append(rng.choice(paragraphs))
    text = "\n".join(body)
    words = T.words(text)
    marks = []
    for i in range(2000):
        a = rng.randrange(len(words) - 5)
        b = a + rng.randrange(1, 5)
        marks.append(Mark(words[a][0], words[b][1], rng.choice(["CLAIM", "SOURCE", "MOTIVE"]), id=f"m{i}"))
    app = ViewApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        view.set_marks("annotation", marks)
        await pilot.pause()
        assert len(view.marks("annotation")) == len(set(marks))
        target = marks[1234]
        view.move_to(target.start, center=True)
        await pilot.pause()
        row = screen_row(view, target.start)
        _l, col = view.position_of(target.start + 1)
        style = cell_styles(view, row)[col][1]
        expected = view.marks_at(target.start + 1, "annotation")[0]
        assert bg(style) == view.label_colors[expected.label]
        view.move_end()
        await pilot.pause()
        assert rows(view)[-1].strip()  # the last line is drawn
        assert len(rows(view)) == 24


def test_plain_paragraphs_wrap_line_by_line_as_word_by_word() -> None:
    """The fast wrap of plain paragraphs must cut exactly where the word-by-word
    wrap does: long words, runs of spaces, leading and trailing spaces."""
    import random

    from tui.widgets.article_layout import _wrap_paragraph, _wrap_plain

    rng = random.Random(16)
    pieces = ["a", "to", "word", "longer", "x" * 13, "y" * 40, " ", "  ", "   "]
    for _ in range(600):
        text = "".join(rng.choice(pieces) + rng.choice(["", " "]) for _ in range(rng.randrange(0, 30)))
        for width in (2, 3, 5, 8, 13, 40):
            fast: list = []
            slow: list = []
            _wrap_plain(text, 0, len(text), width, fast.append)
            _wrap_paragraph(text, 0, len(text), width, slow.append, len)
            assert fast == slow, (text, width)
