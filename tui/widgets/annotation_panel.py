"""The focused document's annotations: label, quote, attributes, relations."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.core.models import Annotation, Relation
from tui.core.text import display_text, excerpt


def _excerpt(text: str, width: int = 48) -> str:
    return excerpt(text, width)


# Annotations listed at once. A document may hold 200,000: the list shows a window
# of them around the highlighted one and moves it when j/k reach its edge, so
# showing the panel costs the same for any document.
WINDOW = 120


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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._anns: list[Annotation] = []
        self._where: dict[str, int] = {}  # annotation id -> index in _anns
        self._first = 0  # index in _anns of the first one listed
        self._links: dict[str, list[tuple[str, Relation, str]]] = {}
        self._colors: dict[str, str] = {}
        self._quotes: dict[str, tuple[str, str]] = {}

    def show(self, annotations: list[Annotation], relations: list[Relation], colors: dict[str, str],
             quotes: dict[str, tuple[str, str]]) -> None:
        """``quotes`` maps annotation id -> (label, quote) for relation ends in any document."""
        highlighted = self.highlighted
        kept = self._id_at(highlighted)
        self._anns = list(annotations)
        self._where = {a.id: i for i, a in enumerate(self._anns)}
        self._links = {}
        for rel in relations:
            self._links.setdefault(rel.head_id, []).append(("→", rel, rel.tail_id))
            if rel.tail_id != rel.head_id:
                self._links.setdefault(rel.tail_id, []).append(("←", rel, rel.head_id))
        self._colors, self._quotes = colors, quotes
        if kept in self._where:
            self._window(self._first if self._listed(kept) else self._where[kept] - WINDOW // 2, kept)
            return
        self._window(self._first, None)
        if highlighted is not None and highlighted < self.option_count:
            self.highlighted = highlighted

    # ------------------------------------------------------------ the window

    def _listed(self, ann_id: str) -> bool:
        return self._first <= self._where[ann_id] < self._first + WINDOW

    def _window(self, first: int, highlight: str | None) -> None:
        """List the annotations from ``first`` on (at most WINDOW), with a line
        above and below saying how many are not listed."""
        self._first = first = max(0, min(first, len(self._anns) - WINDOW))
        self.clear_options()
        shown = self._anns[first:first + WINDOW]
        options: list[Option] = []
        if first:
            options.append(Option(Text(f"↑ {first:,} earlier: k to list them", style="dim"), disabled=True))
        options.extend(self._option(a) for a in shown)
        rest = len(self._anns) - first - len(shown)
        if rest > 0:
            options.append(Option(Text(f"↓ {rest:,} later: j to list them", style="dim"), disabled=True))
        if not self._anns:
            options.append(Option(Text("no annotations yet: select with v, tag with a label key", style="dim"),
                                  disabled=True))
        self.add_options(options)
        if highlight is not None and highlight in self._where:
            self.highlighted = self.get_option_index(highlight)

    def _option(self, ann: Annotation) -> Option:
        colors, quotes = self._colors, self._quotes
        line = Text()
        line.append(f" {display_text(ann.label, keep_newlines=False)} ",
                    style=f"bold black on {colors.get(ann.label, 'white')}")
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

    def _id_at(self, index: int | None) -> str | None:
        if index is None or not 0 <= index < self.option_count:
            return None
        return self.get_option_at_index(index).id

    def _step(self, step: int) -> bool:
        """Move past the window's edge (or wrap around the whole list): True when done here."""
        current = self._id_at(self.highlighted)
        if current is None or current not in self._where or len(self._anns) <= WINDOW:
            return False
        target = (self._where[current] + step) % len(self._anns)
        target_id = self._anns[target].id
        if self._listed(target_id) and abs(target - self._where[current]) == 1:
            return False  # an ordinary move inside the window
        self._window(target - WINDOW // 2, target_id)
        return True

    def action_cursor_down(self) -> None:
        if not self._step(1):
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if not self._step(-1):
            super().action_cursor_up()

    def select_annotation(self, ann_id: str) -> None:
        if ann_id not in self._where:
            return  # not in this list (another document)
        if not self._listed(ann_id):
            self._window(self._where[ann_id] - WINDOW // 2, ann_id)
            return
        self.highlighted = self.get_option_index(ann_id)

    def action_leave(self) -> None:
        self.post_message(self.Left())

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.Chosen(event.option.id))
