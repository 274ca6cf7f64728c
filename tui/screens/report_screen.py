"""What the report screens (comparison, provenance) share: a title naming the
story and whose annotations, a scrolling body of rendered text, a status line,
and the keys to scroll, close and switch between this annotator and everyone.

A subclass sets ``PREFIX`` (its widget ids and binding ids start with it),
``HEADING``, ``VIEW_ID`` and ``PLACEHOLDER``, and implements ``load``."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.core.align.report_render import clean
from tui.core.text import safe_text as _s


def report_bindings(prefix: str) -> list[Binding]:
    """The keys every report screen has; ids ``<prefix>.close`` etc. for keymaps."""
    return [
        Binding("escape,q", "close", "back", id=f"{prefix}.close"),
        Binding("j,down", "scroll(1)", "down", show=False, id=f"{prefix}.down"),
        Binding("k,up", "scroll(-1)", "up", show=False, id=f"{prefix}.up"),
        Binding("pagedown,space", "page(1)", "page down", show=False, id=f"{prefix}.page_down"),
        Binding("pageup", "page(-1)", "page up", show=False, id=f"{prefix}.page_up"),
        Binding("g,home", "edge(0)", "top", show=False, id=f"{prefix}.top"),
        Binding("G,end", "edge(1)", "bottom", show=False, id=f"{prefix}.bottom"),
    ]


class ReportScreen(Screen[None]):
    PREFIX = ""
    HEADING = ""
    VIEW_ID = ""
    PLACEHOLDER = ""

    def __init__(self, story_id: int, *, everyone: bool = False) -> None:
        super().__init__(id=self.PREFIX)
        self.story_id = story_id
        self.everyone = everyone

    @property
    def session(self):
        return self.app.session

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id=f"{self.PREFIX}-title")
        body = VerticalScroll(id=f"{self.PREFIX}-body")
        # The screen's keys scroll it; a focused container would add its own
        # (animated) bindings for the same keys.
        body.can_focus = False
        with body:
            yield Static(Text(self.PLACEHOLDER, style="dim"), id=self.VIEW_ID)
        yield Static("", id=f"{self.PREFIX}-status")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        raise NotImplementedError

    def _whose(self) -> str:
        return "everyone's annotations" if self.everyone else f"{clean(self.session.annotator)}'s annotations"

    def _title(self) -> Text:
        story = self.session.story(self.story_id)
        text = Text(f"{self.HEADING}  ", style="bold")
        text.append(clean(story.title) if story else f"story {self.story_id}")
        text.append(f"  · {self._whose()}", style="dim")
        return text

    def say(self, message: str, error: bool = False) -> None:
        if self.is_attached:
            self.query_one(f"#{self.PREFIX}-status", Static).update(
                Text(_s(message), style="bold red" if error else ""))

    @property
    def body(self) -> VerticalScroll:
        return self.query_one(f"#{self.PREFIX}-body", VerticalScroll)

    def action_scroll(self, step: int) -> None:
        self.body.scroll_relative(y=step, animate=False)

    def action_page(self, step: int) -> None:
        if step > 0:
            self.body.scroll_page_down(animate=False)
        else:
            self.body.scroll_page_up(animate=False)

    def action_edge(self, end: int) -> None:
        if end:
            self.body.scroll_end(animate=False)
        else:
            self.body.scroll_home(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_toggle_annotators(self) -> None:
        self.everyone = not self.everyone
        self.say(f"loading {self._whose()}…")
        self.load()
