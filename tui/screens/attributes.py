"""Modal form for an annotation's attributes and note, built from the label schema."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from rich.text import Text

from tui.core.models import Annotation
from tui.core.text import display_text
from tui.core.schema import LabelSpec


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
            head.append(f" {self.spec.name} ", style=f"bold black on {self.spec.color}")
            head.append(" “" + (quote if len(quote) < 120 else quote[:119] + "…") + "”")
            yield Static(head)
            with VerticalScroll():
                for attr in self.spec.attributes:
                    yield Label(Text(attr.name))
                    current = self.annotation.attrs.get(attr.name, Select.NULL)
                    yield Select([(c, c) for c in attr.choices], value=current, id=f"attr-{attr.name}",
                                 prompt="(not set)")
                yield Label("note")
                yield Input(self.annotation.note, id="note", placeholder="free text")
            with Horizontal():
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        if self.spec.attributes:
            self.query_one(f"#attr-{self.spec.attributes[0].name}", Select).focus()
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
        for attr in self.spec.attributes:
            value = self.query_one(f"#attr-{attr.name}", Select).value
            if value is not Select.NULL and value is not None:
                attrs[attr.name] = value
        self.dismiss({"attrs": attrs, "note": self.query_one("#note", Input).value})

    def action_cancel(self) -> None:
        self.dismiss(None)
