"""Header and status lines; all text is assembled from plain strings (never markup)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.core.text import display_text


class HeaderBar(Static):
    DEFAULT_CSS = """
    HeaderBar { height: 1; background: $primary; color: $text; padding: 0 1; }
    """

    def show(self, *, story: str, documents: int, annotator: str, save_state: str, progress: str = "",
             mode: str = "", error: bool = False) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("Diptych ", style="bold")
        text.append(story, style="bold")
        text.append(f" · {documents} docs · {display_text(annotator, keep_newlines=False)}")
        if progress:
            text.append(f" · {progress}")
        if mode:
            text.append(f" · {mode}", style="bold reverse")
        text.append(" · ")
        text.append(save_state, style="bold red" if error else "green")
        self.update(text)


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: 1; background: $surface; padding: 0 1; }
    """

    def say(self, *parts: tuple[str, str] | str) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for part in parts:
            if isinstance(part, tuple):
                text.append(part[0], style=part[1])
            else:
                text.append(part)
        self.update(text)
