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


def _excerpt(text: str, width: int = 48) -> str:
    return excerpt(text, width)


class AnnotationPanel(OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "down", show=False, id="panel.down"),
        Binding("k", "cursor_up", "up", show=False, id="panel.up"),
        Binding("escape", "leave", "back to the article", id="panel.leave"),
    ]
    DEFAULT_CSS = """
    AnnotationPanel { width: 42; height: 1fr; border-left: solid $panel; }
    """

    class Left(Message):
        """The user left the panel (escape) without choosing."""

    class Chosen(Message):
        def __init__(self, annotation_id: str) -> None:
            super().__init__()
            self.annotation_id = annotation_id

    def show(self, annotations: list[Annotation], relations: list[Relation], colors: dict[str, str],
             quotes: dict[str, tuple[str, str]]) -> None:
        """``quotes`` maps annotation id -> (label, quote) for relation ends in any document."""
        highlighted = self.highlighted
        self.clear_options()
        for ann in annotations:
            line = Text()
            line.append(f" {display_text(ann.label, keep_newlines=False)} ", style=f"bold black on {drawn(colors.get(ann.label, 'white'))}")
            line.append(" " + _excerpt(ann.quote))
            if ann.attrs:
                line.append("\n   " + display_text(", ".join(f"{k}={v}" for k, v in sorted(ann.attrs.items()))),
                            style="dim")
            if ann.note:
                line.append("\n   note: " + _excerpt(ann.note, 40), style="italic dim")
            for rel in relations:
                if rel.head_id == ann.id and rel.tail_id in quotes:
                    label, quote = quotes[rel.tail_id]
                    line.append(f"\n   → {display_text(f'{rel.type} {label}', keep_newlines=False)} “{_excerpt(quote, 28)}”", style="cyan")
                elif rel.tail_id == ann.id and rel.head_id in quotes:
                    label, quote = quotes[rel.head_id]
                    line.append(f"\n   ← {display_text(f'{rel.type} {label}', keep_newlines=False)} “{_excerpt(quote, 28)}”", style="cyan")
            self.add_option(Option(line, id=ann.id))
        if not annotations:
            self.add_option(Option(Text("no annotations yet: select with v, tag with a label key", style="dim"),
                                   disabled=True))
        if highlighted is not None and highlighted < self.option_count:
            self.highlighted = highlighted

    def select_annotation(self, ann_id: str) -> None:
        try:
            self.highlighted = self.get_option_index(ann_id)
        except Exception:  # not in this list (another document)
            pass

    def action_leave(self) -> None:
        self.post_message(self.Left())

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.Chosen(event.option.id))
