"""A one-line prompt at the bottom of the screen (search text)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input


class PromptScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "cancel", id="prompt.cancel")]
    DEFAULT_CSS = """
    PromptScreen { align: left bottom; background: transparent; }
    PromptScreen > Input { dock: bottom; width: 100%; border: tall $accent; }
    """

    def __init__(self, placeholder: str, value: str = "") -> None:
        super().__init__()
        self.placeholder = placeholder
        self.value = value

    def compose(self) -> ComposeResult:
        yield Input(self.value, placeholder=self.placeholder, id="prompt")

    def on_mount(self) -> None:
        # Keys typed right after the key that opened the prompt were held by
        # the App (tui.screens.typeahead): replay them once the field has
        # focus (focus() is queued on the App, so this call runs after it).
        self.query_one(Input).focus()
        self.app.call_later(self._release, until_closed=True)

    async def _release(self, *, until_closed: bool) -> None:
        release = getattr(self.app, "release_keys", None)
        if release is not None:
            await release(until_closed=until_closed)

    def dismiss(self, result=None):
        # Keys typed after the prompt's Enter/Escape go to the screen below.
        done = super().dismiss(result)
        self.app.call_later(self._release, until_closed=False)
        return done

    def on_key(self, event) -> None:
        # Type-ahead over a slow link: keys may arrive before the Input has focus.
        field = self.query_one(Input)
        if field.has_focus:
            return
        if event.key == "enter":
            event.stop()
            self.dismiss(field.value)
        elif event.is_printable and event.character:
            event.stop()
            field.focus()
            field.insert_text_at_cursor(event.character)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
