"""The `?` screen: every key, built from the same table as the bindings."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.bindings import all_keys, display_keys
from tui.core.schema import LabelSchema
from tui.core.text import safe_text
from tui.widgets.palette import drawn


def help_table(schema: LabelSchema, keymap: dict[str, str]) -> Table:
    table = Table(box=None, show_header=True, header_style="bold", expand=True, padding=(0, 1))
    table.add_column("key", no_wrap=True)
    table.add_column("action")
    table.add_column("id", style="dim", no_wrap=True)
    group = None
    for k in all_keys(schema):
        if k.group != group:
            group = k.group
            table.add_row(Text(safe_text(group), style="bold underline"), "", "")
        # Label keys, names and descriptions come from the schema file.
        table.add_row(Text(safe_text(display_keys(keymap.get(k.id, k.keys)))), Text(safe_text(k.description)),
                      Text(safe_text(k.id)))
    return table


def legend(schema: LabelSchema) -> Text:
    text = Text()
    text.append("Colours\n", style="bold underline")
    for spec in schema.labels:
        text.append(f" {safe_text(spec.name)} ", style=f"bold black on {drawn(spec.color)}")
        text.append(f" {safe_text(spec.color.replace('_', ' '))} annotation (background)   ")
        text.append(safe_text(spec.name.lower()), style=f"underline {drawn(spec.color)}")
        text.append(" suggestion (underlined)\n")
    text.append("Suggestion layers: ! entities, @ attribution cues, # motive cues.\n")
    text.append("Gutter: ")
    for char, style, meaning in (("=", f"bold {drawn('green')}", "verbatim in another article"),
                                 ('"', drawn("green"), "shares a quote with another"),
                                 ("~", drawn("cyan"), "paraphrased in another"),
                                 ("#", f"bold {drawn('magenta')}", "same fact, other numbers"),
                                 ("!", f"bold {drawn('red')}", "denied in another"),
                                 ("+", f"bold {drawn('yellow')}", "only in this one"),
                                 ("r", "dim", "repeated copy"), ("x", "dim", "boilerplate")):
        text.append(char, style=style)
        text.append(f" {meaning}  ")
    text.append("\nDiffering words (d) are italic. Search matches: bold italic underlined (esc clears).\n")
    text.append("The target (what keys act on): framed over its whole extent, named in the status; "
                "z / Z switch among overlapping ones.\n")
    text.append("Other annotators' spans (O): their label's colour, dimmed. R reloads from the database.\n")
    text.append("Mouse: click moves the cursor, drag selects. ctrl+p lists every action.\n")
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "close help", id="help.close"),
        Binding("j", "scroll(1)", "down", show=False, id="help.down"),
        Binding("k", "scroll(-1)", "up", show=False, id="help.up"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 100; height: 90%; border: round $accent;
                                  background: $surface; padding: 0 1; }
    """

    def __init__(self, schema: LabelSchema, keymap: dict[str, str]) -> None:
        super().__init__()
        self.schema = schema
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text("Diptych — keys (esc closes)", style="bold"))
            yield Static(legend(self.schema))
            yield Static(help_table(self.schema, self.keymap))

    def action_scroll(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)
