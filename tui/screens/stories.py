"""Story list (`o`): every story with its documents and this annotator's progress."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.core.review import StoryStatus
from tui.core.text import display_text
from tui.widgets.windowed_options import WindowedOptionList


class StoryList(WindowedOptionList):
    """The stories, a window at a time: a database may hold 10,000."""

    empty = "no stories yet: diptych import FILES"

    def __init__(self, current: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.current = current

    def make_option(self, row: StoryStatus) -> Option:
        sid, title, docs, done, anns = row.story_id, row.title, row.total, row.done, row.annotations
        line = Text()
        line.append("✔ " if docs and done == docs else ("… " if done or anns else "  "),
                    style="green" if docs and done == docs else "yellow")
        line.append(display_text(title, keep_newlines=False), style="bold" if sid == self.current else "")
        line.append(f"  {done}/{docs} done · {anns} annotations", style="dim")
        return Option(line, id=str(sid))


class StoriesScreen(ModalScreen[int | None]):
    """Returns the chosen story id, or None."""

    BINDINGS = [
        Binding("escape,q,o", "cancel", "close", id="stories.close"),
        Binding("j", "cursor_down", "down", show=False, id="stories.down"),
        Binding("k", "cursor_up", "up", show=False, id="stories.up"),
    ]
    DEFAULT_CSS = """
    StoriesScreen { align: center middle; }
    StoriesScreen > Vertical { width: 90%; max-width: 110; height: 80%; border: round $accent;
                               background: $surface; }
    StoriesScreen OptionList { height: 1fr; }
    """

    def __init__(self, rows: list[StoryStatus], current: int) -> None:
        super().__init__()
        self.rows = rows
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Stories — enter opens, esc closes", style="bold"))
            yield StoryList(self.current, id="story-list")

    def on_mount(self) -> None:
        lst = self.query_one(StoryList)
        lst.set_items(self.rows, [str(row.story_id) for row in self.rows])
        lst.focus()
        lst.select_id(str(self.current))

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)
