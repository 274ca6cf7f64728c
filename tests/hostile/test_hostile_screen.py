"""The reader on hostile articles (imported with the real importer), driven by keys.

What is checked on the rendered screen — `ArticleView.render_line(y).text` and the
text of `App.export_screenshot()` — is that no ESC, BEL, C1 or bidi control is ever
drawn, that escapes and markup show as visible text, that a word tagged with the
keyboard after emoji / combining / wide / right-to-left characters is stored with
the right offsets and highlighted on exactly its cells, and that quotes shown in
the status line, the annotation panel and toasts stay literal.
"""

from __future__ import annotations

import html
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_kit import ACCEPTED, TARGET, make_db, unsafe

from tui.app import DiptychApp
from tui.cli import main
from tui.core.schema import DEFAULT_SCHEMA
from tui.widgets.palette import drawn
from tui.core.session import AnnotationSession
from tui.core.store import Store

# Story -> accepted files, two or three per story so every pane is wide enough
# for the longest unbroken hostile token.
STORIES = {
    "Escapes and markup": ["ansi_osc.txt", "markup.txt"],
    "Bidi and combining": ["bidi.txt", "zero_width_combining.txt"],
    "Emoji and controls": ["emoji.txt", "c0_controls.txt"],
    "Line ends": ["crlf.txt", "lone_cr.txt", "mixed_newlines.txt"],
}
JSONL_STORY = "Story \x1b[31m[red]red[/red]\u202e \u0085"
SIZE = (160, 50)

# What each article must show, as visible text (a wrapped line never splits these).
VISIBLE = {
    "ansi_osc.txt": ["␛[31mred␛[0m.", "␛[2J␛[H.", "␛]0;pwned␇.", "␛]8;;https://evil.example/␛\\click␛]8;;␛\\.",
                     "␛]52;c;ZWNobyBwd25lZA==␇.", "␛c.", "␦31m.", "␛P1$r␛\\.", "ab␈c.", "␛[1A␛[2K"],
    "markup.txt": ["[bold]Markup[/bold]", "[bold]x[/bold]", "[link=https://evil.example/]click", "me[/link]",
                   "[@click=app.quit]quit[/]", ":warning:", "[$accent]var[/]", "\\[bold]", f"[i]{TARGET}[/i]"],
    "bidi.txt": ["¤evil¤", "¤forced¤.", "¤a¤", "¤b¤", "¤c¤.", "x¤y¤z¤.", "invoice¤gpj.exe", f"¤{TARGET}¤",
                 "שלום", "مرحبا"],
    "zero_width_combining.txt": ["a¤b", "c¤d", "e¤f", "w¤x", "mid¤word", "soft-hyphen.", "◌\u0301",
                                 "caf\u00e9", unicodedata.normalize("NFC", "Z\u0351\u0352\u0353\u0354a"), "漢字とかな", "全角ＡＢＣ."],
    "emoji.txt": ["👍🏽", "👍🏿,", "👩¤👩¤👧¤👦,", "👩🏾¤💻,", "🇺🇦,", "1️⃣,", "👩🏾¤💻👍🏽🇺🇦"],
    "c0_controls.txt": ["Bell␇", "backspace␈", "vertical␋tab", "form␌feed", "DEL␡", "unit␟sep.", "NEL␦here,",
                        "line¤separator,", "paragraph¤separator.", "Tab→here,"],
    "crlf.txt": ["CRLF title", "First paragraph."],
    "lone_cr.txt": ["Lone CR title", "Old Mac line."],
    "mixed_newlines.txt": ["Mixed line ends"],
    "escapes": ["␀", "␛[31m", "␦2J,", "␡,", "¤evil¤,", "[bold]x[/bold],", "CR"],
    "raw": ["Line¤separator,", "NEL␦here,", "paragraph¤end,", "👩🏾¤💻,"],
}
# Words to tag with the keyboard, in text order: (word, label key). The word is the
# last occurrence in its article (on the line after the hostile characters).
TAG_PLAN = {
    "bidi.txt": [("שלום", "s"), (TARGET, "c")],
    # Stored in NFC: the file's "cafe" + U+0301 is one "é" on the screen and in offsets.
    "zero_width_combining.txt": [("caf\u00e9", "m"), ("漢字", "s"), (TARGET, "c")],
    "escapes": [(TARGET, "c")],
    "raw": [("שלום", "s"), (TARGET, "c")],
}
WALK_FROM_START = {"escapes"}
KEY_LABEL = {spec.key: spec.name for spec in DEFAULT_SCHEMA.labels}
# As drawn: labels are painted in fixed RGB values (tui/widgets/palette.py).
COLOUR = {spec.name: drawn(spec.color) for spec in DEFAULT_SCHEMA.labels}


def name_of(doc) -> str:
    if doc.source_path.endswith(".txt"):
        return Path(doc.source_path).name
    return "escapes" if "\x00" in doc.text else "raw"


@pytest.fixture(scope="module")
def screen_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("screen") / "screen.db"
    for story, files in STORIES.items():
        res = CliRunner().invoke(main, ["import", *(str(ACCEPTED / f) for f in files), "--story", story,
                                        "--db", str(db)])
        assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["import", str(ACCEPTED / "hostile_records.jsonl"), "--db", str(db)])
    assert res.exit_code == 0, res.output
    return db


@pytest.fixture
def screen_db(screen_template: Path, tmp_path: Path) -> Path:
    db = tmp_path / "screen.db"
    shutil.copy(screen_template, db)
    return db


def open_app(db: Path, **kwargs) -> DiptychApp:
    session = AnnotationSession.open(db, annotator="alice", schema=DEFAULT_SCHEMA)
    return DiptychApp(session, story_id=session.stories()[0].id, suggest=False, **kwargs)


def screenshot_text(app: DiptychApp) -> str:
    """The characters of the SVG screenshot (markup and styles dropped)."""
    svg = re.sub(r"<style.*?</style>", "", app.export_screenshot(), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\u00a0", " ")


def rendered_lines(view) -> list[str]:
    """Every display line of an article that fits its pane, as drawn."""
    height = view.scrollable_content_region.height
    assert view.line_count <= height, "the article should fit its pane in this test"
    return [view.render_line(y).text for y in range(view.line_count)]


def cells_with_background(view, offset: int, colour: str) -> str:
    """The characters drawn on ``colour`` background in the screen row holding ``offset``."""
    row = view.line_of(offset) - round(view.scroll_y)
    return "".join(seg.text for seg in view.render_line(row)
                   if seg.style is not None and seg.style.bgcolor is not None and seg.style.bgcolor.name == colour)


async def visit_stories(app: DiptychApp, pilot):
    """Yield each story's screen once, moving on with `]`."""
    seen = set()
    while app.screen.story_id not in seen:
        seen.add(app.screen.story_id)
        await pilot.pause()
        yield app.screen
        await pilot.press("right_square_bracket")
        await pilot.pause()


# ------------------------------------------------------------------ rendering


async def test_hostile_articles_are_drawn_as_visible_text(screen_db: Path) -> None:
    app = open_app(screen_db)
    shown: set[str] = set()
    try:
        async with app.run_test(size=SIZE) as pilot:
            async for screen in visit_stories(app, pilot):
                for pane in screen.panes:
                    # A story of 3+ articles shows two side by side: W brings this one beside the focused.
                    for _ in range(len(screen.panes)):
                        if pane.display:
                            break
                        await pilot.press("W")
                        await pilot.pause()
                    name = name_of(pane.doc)
                    lines = rendered_lines(pane.view)
                    for line in lines:
                        assert not unsafe(line), (name, unsafe(line), line)
                    for token in VISIBLE[name]:
                        assert any(token in line for line in lines), (name, token, lines)
                    if name in ("crlf.txt", "lone_cr.txt", "mixed_newlines.txt"):
                        assert not any("␍" in line for line in lines), "normalised line ends draw no CR"
                    shown.add(name)
                text = screenshot_text(app)
                assert not unsafe(text), unsafe(text)
                if screen.story.title == JSONL_STORY:
                    # The story in the header, the outlet in a pane title, as typed in the file.
                    assert "Story ␛[31m[red]red[/red]¤ ␦" in text
                    assert "Outlet ␛[2J [link=https://evil.example/]x[/link]" in text
                    # A pane title is cut to the pane's width on screen; its full text is shown as data too.
                    titles = [str(p.title_bar.render()) for p in screen.panes]
                    assert any("Title ␛]0;pwned␇ [bold]bold[/bold] ¤evil" in t for t in titles), titles
                    assert not any(unsafe(t) for t in titles)
            assert app.return_code is None, "[@click=app.quit] in an article must not quit the app"
            await pilot.press("o")  # the story list shows every hostile title as text
            await pilot.pause()
            stories = screenshot_text(app)
            assert not unsafe(stories) and "Story ␛[31m[red]red[/red]¤ ␦" in stories
            await pilot.press("escape", "left_square_bracket")  # back to the JSONL story
            await pilot.pause()
            assert app.screen.story.title == JSONL_STORY
            await pilot.press("C", "a")  # the comparison report, with everyone's (mallory's) spans
            await app.workers.wait_for_complete()
            await pilot.pause()
            report = screenshot_text(app)
            assert not unsafe(report), unsafe(report)
            assert "Outlet \\x1b[2J" in report and "NUL \\x00 here" in report and "ESC \\x1b[31m red" in report
    finally:
        app.session.close()
    assert shown == set(VISIBLE)


# ------------------------------------------------------------------ tagging with keys


async def test_words_after_hostile_characters_are_tagged_with_the_right_offsets(screen_db: Path) -> None:
    app = open_app(screen_db)
    expected: list[tuple[int, int, int, str, str]] = []
    try:
        async with app.run_test(size=SIZE) as pilot:
            async for screen in visit_stories(app, pilot):
                for index, pane in enumerate(screen.panes):
                    # A story of 3+ articles shows two side by side: W brings this one beside the focused.
                    for _ in range(len(screen.panes)):
                        if pane.display:
                            break
                        await pilot.press("W")
                    for _ in range(len(screen.panes)):
                        if screen.current == index:
                            break
                        await pilot.press("tab")
                    assert screen.current == index
                    view, text = pane.view, pane.doc.text
                    name = name_of(pane.doc)
                    plan = TAG_PLAN.get(name, [(TARGET, "c")])
                    # From the start across every hostile character, or (a key press costs
                    # ~80 ms under Pilot) from the start of the last line, which holds
                    # hostile characters before its words too.
                    if name in WALK_FROM_START:
                        await pilot.press("g")
                    else:
                        await pilot.press("G", "left_curly_bracket")
                        assert text[view.cursor - 1] == "\n" and view.cursor <= text.rindex(plan[0][0])
                    for word, key in plan:
                        start = text.rindex(word)
                        for _ in range(100):  # word by word
                            if view.cursor >= start:
                                break
                            await pilot.press("l")
                        assert view.cursor == start, (name, word, view.cursor, start)
                        await pilot.press(key)
                        await pilot.pause()
                        expected.append((pane.doc.id, start, start + len(word), KEY_LABEL[key], word))
                    await pilot.press("g")  # the cursor off the tagged words, to see their colours
                    await pilot.pause()
                    for doc_id, start, end, label, word in expected:
                        if doc_id == pane.doc.id:
                            # The highlighted cells are exactly the word, wherever it sits after wide,
                            # zero-width or right-to-left characters.
                            drawn = cells_with_background(view, start, COLOUR[label])
                            assert drawn == word, (name_of(pane.doc), word, drawn)
    finally:
        app.session.close()
    with Store.open(screen_db, readonly=True) as st:
        got = {(a.doc_id, a.start, a.end, a.label, a.quote) for a in st.annotations(annotator="alice")}
        for doc_id, start, end, label, word in expected:
            assert st.document(doc_id).text[start:end] == word
    assert got == set(expected)
    assert len(expected) == 15


# ------------------------------------------------------------------ quotes in status line, panel and toasts

QUOTE_TEXT = ("[b]x[/b] [@click=app.quit]q[/] said.\n"
              "Then \x1b[31mred\x1b]0;pwned\x07 \u202eevil\u202c \u009b2J said.\n")


async def test_hostile_quotes_stay_literal_in_status_line_panel_and_toasts(tmp_path: Path) -> None:
    db = make_db(tmp_path / "quotes.db", {"quotes": QUOTE_TEXT})
    app = open_app(db)
    try:
        async with app.run_test(size=(160, 30), notifications=True) as pilot:
            await pilot.pause()
            await pilot.press("V", "c")  # the first sentence, tagged CLAIM
            await pilot.pause()
            status = str(app.screen.query_one("#status").render())
            assert "“[b]x[/b] [@click=app.quit]q[/] said.”" in status
            text = screenshot_text(app)
            assert not unsafe(text), unsafe(text)
            assert "tagged CLAIM" in text  # the toast
            assert text.count("[@click=app.quit]q[/]") >= 4  # article, panel, status line, toast
            assert app.return_code is None
            await pilot.press("enter")  # the attribute form quotes the span too
            await pilot.pause()
            form = screenshot_text(app)
            assert not unsafe(form) and "“[b]x[/b] [@click=app.quit]q[/] said.”" in form
            await pilot.press("escape")
            await pilot.pause()

            await pilot.press("right_curly_bracket", "V", "s")  # the second sentence, tagged SOURCE
            await pilot.pause()
            status = str(app.screen.query_one("#status").render())
            assert not unsafe(status) and "␛[31mred␛]0;pwned␇ ¤evil¤ ␦2J said." in status
            text = screenshot_text(app)
            assert not unsafe(text), unsafe(text)
            assert "tagged SOURCE" in text and text.count("␛[31mred␛]0;pwned␇") >= 4

            await pilot.press("x")  # delete it: the toast quotes it again
            await pilot.pause()
            text = screenshot_text(app)
            assert not unsafe(text) and "deleted SOURCE" in text
    finally:
        app.session.close()
    with Store.open(db, readonly=True) as st:
        (claim,) = st.annotations(annotator="alice")
        assert claim.quote == "[b]x[/b] [@click=app.quit]q[/] said."


# ------------------------------------------------------------------ one giant line


async def test_a_giant_line_is_drawn_and_its_last_word_tagged(tmp_path: Path) -> None:
    line = "A giant line " + "that never ends \x1b[31m " * 40_000 + f"then {TARGET}"
    db = make_db(tmp_path / "giant.db", {"giant": line})
    app = open_app(db)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            view = app.screen.panes[0].view
            assert view.line_count > 1000
            await pilot.press("G")
            await pilot.press("h")
            assert view.cursor == line.index(TARGET)
            await pilot.press("c")
            await pilot.pause()
            height = view.scrollable_content_region.height
            rows = [view.render_line(y).text for y in range(height)]
            assert not any(unsafe(r) for r in rows)
            assert any(TARGET in r for r in rows) and any("␛[31m" in r for r in rows)
    finally:
        app.session.close()
    with Store.open(db, readonly=True) as st:
        (ann,) = st.annotations(annotator="alice")
        assert (ann.start, ann.end, ann.quote) == (line.index(TARGET), len(line), TARGET)


async def test_a_hostile_annotator_name_is_drawn_as_text(screen_db: Path) -> None:
    session = AnnotationSession.open(screen_db, annotator="mallory\x1b]0;x\x07[b]", schema=DEFAULT_SCHEMA)
    story = next(s.id for s in session.stories() if s.title == JSONL_STORY)
    app = DiptychApp(session, story_id=story, suggest=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            header = screenshot_text(app)
            await pilot.press("C")
            await app.workers.wait_for_complete()
            await pilot.pause()
            report = screenshot_text(app)
    finally:
        session.close()
    assert not unsafe(header), unsafe(header)
    assert not unsafe(report), unsafe(report)
