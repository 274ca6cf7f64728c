"""One article: a title bar (outlet, title, url host) over its ArticleView."""

from __future__ import annotations

from urllib.parse import urlparse

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui.core.models import Document
from tui.core.text import display_text
from tui.widgets.article_view import ArticleView


def title_text(doc: Document, status: str = "", progress: str = "") -> Text:
    # Built from plain strings so a title with "[bold]" in it stays literal.
    host = urlparse(doc.url).hostname or "" if doc.url else ""
    text = Text(no_wrap=True, overflow="ellipsis")
    if doc.outlet:
        text.append(display_text(doc.outlet, keep_newlines=False), style="bold")
        text.append(" · ")
    text.append(display_text(doc.title, keep_newlines=False) or f"document {doc.id}")
    if host and host not in (doc.outlet or ""):
        text.append(f" · {host}", style="dim")
    if status or progress:
        text.append(f" [{status}{' · ' + progress if progress else ''}]", style="italic")
    return text


# The narrowest a pane gets; the reader displays as many panes as fit at this width.
MIN_WIDTH = 24


class ArticlePane(Vertical):
    """Focus lives in the inner ArticleView; the pane only frames it."""

    DEFAULT_CSS = f"""
    ArticlePane {{ width: 1fr; min-width: {MIN_WIDTH}; height: 1fr; }}
    ArticlePane > .pane-title {{ height: 1; background: $panel; padding: 0 1; }}
    ArticlePane:focus-within > .pane-title {{ background: $accent; color: $text; }}
    ArticlePane > ArticleView {{ height: 1fr; }}
    """

    def __init__(self, doc: Document, label_colors: dict[str, str], *, index: int) -> None:
        super().__init__(id=f"pane-{index}")
        self.doc = doc
        self.index = index
        self.view = ArticleView(doc.text, doc_id=doc.id, label_colors=label_colors, id=f"view-{index}")
        self.status = ""
        self.progress = ""
        self.title_bar = Static(title_text(doc), classes="pane-title")

    def compose(self) -> ComposeResult:
        yield self.title_bar
        yield self.view

    def set_status(self, status: str | None = None, progress: str | None = None) -> None:
        """The document's status and progress on the title bar (None keeps what is shown)."""
        if status is not None:
            self.status = status
        if progress is not None:
            self.progress = progress
        self.title_bar.update(title_text(self.doc, self.status, self.progress))
