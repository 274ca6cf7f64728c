"""The focused document's annotations: label, quote, attributes, relations."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.core.models import Annotation, Relation
from tui.core.text import display_text, excerpt
from tui.widgets.palette import drawn
from tui.widgets.windowed_options import WindowedOptionList


def _excerpt(text: str, width: int = 48) -> str:
    return excerpt(text, width)


# Annotations listed at once: a document may hold 200,000 (see WindowedOptionList).
WINDOW = 120


class AnnotationPanel(WindowedOptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "down", show=False, id="panel.down"),
        Binding("k", "cursor_up", "up", show=False, id="panel.up"),
        Binding("escape", "leave", "back to the article", id="panel.leave"),
    ]
    DEFAULT_CSS = """
    AnnotationPanel { width: 42; height: 1fr; border-left: solid $panel; }
    """
    window = WINDOW
    empty = "no annotations yet: select with v, tag with a label key"

    class Left(Message):
        """The user left the panel (escape) without choosing."""

    class Chosen(Message):
        def __init__(self, annotation_id: str) -> None:
            super().__init__()
            self.annotation_id = annotation_id

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._links: dict[str, list[tuple[str, Relation, str]]] = {}
        self._colors: dict[str, str] = {}
        self._quotes: dict[str, tuple[str, str]] = {}

    def show(self, annotations: list[Annotation], relations: list[Relation], colors: dict[str, str],
             quotes: dict[str, tuple[str, str]]) -> None:
        """``quotes`` maps annotation id -> (label, quote) for relation ends in any document."""
        self._links = {}
        for rel in relations:
            self._links.setdefault(rel.head_id, []).append(("→", rel, rel.tail_id))
            if rel.tail_id != rel.head_id:
                self._links.setdefault(rel.tail_id, []).append(("←", rel, rel.head_id))
        self._colors, self._quotes = colors, quotes
        self.set_items(annotations, [a.id for a in annotations])

    def make_option(self, ann: Annotation) -> Option:
        colors, quotes = self._colors, self._quotes
        line = Text()
        line.append(f" {display_text(ann.label, keep_newlines=False)} ",
                    style=f"bold black on {drawn(colors.get(ann.label, 'white'))}")
        line.append(" " + _excerpt(ann.quote))
        if ann.attrs:
            line.append("\n   " + display_text(", ".join(f"{k}={v}" for k, v in sorted(ann.attrs.items()))),
                        style="dim")
        if ann.note:
            line.append("\n   note: " + _excerpt(ann.note, 40), style="italic dim")
        for arrow, rel, other in self._links.get(ann.id, ()):
            if other in quotes:
                label, quote = quotes[other]
                line.append(f"\n   {arrow} {display_text(f'{rel.type} {label}', keep_newlines=False)} "
                            f"“{_excerpt(quote, 28)}”", style="cyan")
        return Option(line, id=ann.id)

    def select_annotation(self, ann_id: str) -> None:
        self.select_id(ann_id)  # another document's annotation is not listed: ignored

    def action_leave(self) -> None:
        self.post_message(self.Left())

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.Chosen(event.option.id))
