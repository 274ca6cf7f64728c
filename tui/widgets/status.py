"""Header and status lines; all text is assembled from plain strings (never markup)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.core.text import display_text, excerpt, safe_text


class HeaderBar(Static):
    DEFAULT_CSS = """
    HeaderBar { height: 1; background: $primary; color: $text; padding: 0 1; }
    """

    def show(self, *, story: str, documents: int, annotator: str, save_state: str, progress: str = "",
             mode: str = "", error: bool = False) -> None:
        self._parts = (story, documents, annotator, save_state, progress, mode, error)
        self._draw()

    def on_resize(self) -> None:
        if getattr(self, "_parts", None):
            self._draw()

    def _draw(self) -> None:
        story, documents, annotator, save_state, progress, mode, error = self._parts
        # The save state and mode matter most: they are drawn in full and the
        # story title gets what room is left (at 80 columns it is shortened).
        tail = Text(no_wrap=True)
        tail.append(f" · {documents} docs · {display_text(annotator, keep_newlines=False)}")
        if progress:
            tail.append(f" · {safe_text(progress)}")
        if mode:
            tail.append(" · ")
            tail.append(safe_text(mode), style="bold reverse")
        tail.append(" · ")
        tail.append(safe_text(save_state), style="bold red" if error else "green")
        room = max(8, (self.content_size.width or 80) - len("Diptych ") - tail.cell_len)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("Diptych ", style="bold")
        text.append(excerpt(story, room), style="bold")
        text.append_text(tail)
        self.update(text)


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: 1; background: $surface; padding: 0 1; }
    """

    def say(self, *parts: tuple[str, str] | str) -> None:
        # Parts quote articles, labels, notes and error messages: each is made
        # safe here, the one way text reaches the status line.
        text = Text(no_wrap=True, overflow="ellipsis")
        for part in parts:
            if isinstance(part, tuple):
                text.append(safe_text(part[0]), style=part[1])
            else:
                text.append(safe_text(part))
        self.update(text)
