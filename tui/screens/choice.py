"""A small modal list: pick one of a few options with j/k and enter, or a shown key."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.core.text import safe_text


class ChoiceScreen(ModalScreen[str | None]):
    """Returns the chosen option's value, or None on escape."""

    BINDINGS = [
        Binding("escape", "cancel", "cancel", id="choice.cancel"),
        Binding("j", "down", "down", show=False, id="choice.down"),
        Binding("k", "up", "up", show=False, id="choice.up"),
    ]
    DEFAULT_CSS = """
    ChoiceScreen { align: center middle; }
    ChoiceScreen > Vertical { width: 60; max-width: 95%; height: auto; border: round $accent;
                              background: $surface; }
    ChoiceScreen OptionList { height: auto; max-height: 12; }
    """

    def __init__(self, title: str, options: list[tuple[str, str, str]]) -> None:
        """options: (value, key, description)."""
        super().__init__()
        self.title_text = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(safe_text(self.title_text), style="bold"))
            yield OptionList(*[Option(Text(safe_text(f"{key}  {desc}")), id=value) for value, key, desc in self.options])

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_key(self, event) -> None:
        for value, key, _ in self.options:
            if event.character == key:
                event.stop()
                self.dismiss(value)

    def action_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
