"""Modal form for an annotation's attributes and note, built from the label schema.

Attribute names and choices come from ``annotations/schema.toml``, values and
the note from the database: every one is shown through ``safe_text`` as a
plain ``Text`` (never markup), and an attribute whose name is not a plain
word gets a widget id from its position, so no schema string can reach the
terminal raw or break the form.
"""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from rich.text import Text

from tui.core.models import Annotation
from tui.core.text import display_text, safe_text
from tui.core.schema import LabelSpec
from tui.widgets.palette import drawn

_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def field_id(index: int, name: str) -> str:
    """The widget id of an attribute's Select: ``attr-NAME`` for a plain name
    (tests and keymaps can find it), ``attr--INDEX`` for any other name (a
    schema may name an attribute with spaces, accents or escapes, which are
    not valid ids)."""
    return f"attr-{name}" if _PLAIN_NAME.fullmatch(name) else f"attr--{index}"


class AttributeForm(ModalScreen[dict | None]):
    """Returns {"attrs": {...}, "note": str} or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "cancel", id="form.cancel"),
        Binding("ctrl+s", "save", "save", id="form.save"),
    ]
    DEFAULT_CSS = """
    AttributeForm { align: center middle; }
    AttributeForm > Vertical { width: 70; max-width: 95%; height: auto; max-height: 95%;
                               border: round $accent; background: $surface; padding: 0 1; }
    AttributeForm VerticalScroll { height: auto; max-height: 16; }
    AttributeForm Label { margin-top: 1; }
    AttributeForm Horizontal { height: auto; margin-top: 1; }
    """

    def __init__(self, spec: LabelSpec, annotation: Annotation) -> None:
        super().__init__()
        self.spec = spec
        self.annotation = annotation

    def compose(self) -> ComposeResult:
        with Vertical():
            quote = display_text(" ".join(self.annotation.quote.split()), keep_newlines=False)
            head = Text()
            head.append(f" {safe_text(self.spec.name)} ", style=f"bold black on {drawn(self.spec.color)}")
            head.append(" “" + (quote if len(quote) < 120 else quote[:119] + "…") + "”")
            yield Static(head)
            with VerticalScroll():
                for i, attr in enumerate(self.spec.attributes):
                    yield Label(Text(safe_text(attr.name)))
                    current = self.annotation.attrs.get(attr.name, Select.NULL)
                    choices = list(attr.choices)
                    if current is not Select.NULL and current not in choices:
                        choices.append(current)  # a stored value the schema no longer lists stays choosable
                    yield Select([(Text(safe_text(c)), c) for c in choices], value=current, id=field_id(i, attr.name),
                                 prompt="(not set)")
                yield Label("note")
                yield Input(self.shown_note, id="note", placeholder="free text")
            with Horizontal():
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    @property
    def shown_note(self) -> str:
        """The note as the field shows it: one line, controls as pictures."""
        return safe_text(self.annotation.note)

    def on_mount(self) -> None:
        if self.spec.attributes:
            self.query_one("#" + field_id(0, self.spec.attributes[0].name), Select).focus()
        else:
            self.query_one("#note", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    def action_save(self) -> None:
        attrs = {}
        for i, attr in enumerate(self.spec.attributes):
            value = self.query_one("#" + field_id(i, attr.name), Select).value
            if value is not Select.NULL and value is not None:
                attrs[attr.name] = value
        note = self.query_one("#note", Input).value
        # The field shows a made-safe copy; left untouched, the stored note
        # (with whatever it holds) is kept exactly rather than its pictures.
        if note == self.shown_note:
            note = self.annotation.note
        self.dismiss({"attrs": attrs, "note": note})

    def action_cancel(self) -> None:
        self.dismiss(None)
