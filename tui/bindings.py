"""Every key of the reader, as data.

One table feeds the screen's bindings, the `?` help screen, the command palette
and the README's key table (a test checks the README against it), so the four
can never disagree. Ids are what a keymap file remaps.

The rows live beside the actions they run, one tuple per mode in
tui/screens/reader/; READER_KEYS there joins them in the order of the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from tui.core.schema import LabelSchema


@dataclass(frozen=True)
class Key:
    id: str
    keys: str  # Textual key names, comma-separated
    action: str
    description: str
    group: str
    show: bool = False  # in the footer
    short: str = ""  # footer text when the description is too long for 80 columns

    @property
    def footer(self) -> str:
        return self.short or self.description


# Display forms for key names that are not what a user types.
KEY_LABELS = {
    "left_parenthesis": "(", "right_parenthesis": ")", "left_curly_bracket": "{",
    "right_curly_bracket": "}", "left_square_bracket": "[", "right_square_bracket": "]",
    "question_mark": "?", "slash": "/", "shift+tab": "shift+tab", "escape": "esc",
    "ctrl+r": "ctrl+r", "ctrl+p": "ctrl+p", "ctrl+t": "ctrl+t", "pageup": "PgUp", "pagedown": "PgDn",
    "enter": "enter", "tab": "tab", "left": "←", "right": "→", "up": "↑", "down": "↓",
    "home": "Home", "end": "End", "space": "space",
    "comma": ",", "full_stop": ".", "less_than_sign": "<", "greater_than_sign": ">", "semicolon": ";",
    "apostrophe": "'", "colon": ":", "quotation_mark": '"', "exclamation_mark": "!", "at": "@",
    "number_sign": "#",
}


def label_keys(schema: LabelSchema) -> tuple[Key, ...]:
    return tuple(
        # The footer has room for the three default labels at 80 columns.
        Key(f"tag.{spec.name}", spec.key, f"tag('{spec.name}')", f"tag as {spec.name}", "Tag",
            show=spec.name in ("CLAIM", "SOURCE", "MOTIVE"), short=spec.name.lower())
        for spec in schema.labels
    )


def all_keys(schema: LabelSchema) -> tuple[Key, ...]:
    # Imported here, not at the top: the reader's modules import Key from this one.
    from tui.screens.reader import READER_KEYS, counts, moving

    # The label keys come right after the moving keys (counts included), before selecting and tagging.
    split = len(moving.KEYS) + len(counts.KEYS)
    return READER_KEYS[:split] + label_keys(schema) + READER_KEYS[split:]


def to_bindings(keys: tuple[Key, ...]) -> list[Binding]:
    return [Binding(k.keys, k.action, k.footer, show=k.show, id=k.id, tooltip=k.description) for k in keys]


DIGITS = [str(d) for d in range(1, 10)] + ["0"]


def display_keys(keys: str) -> str:
    names = [k.strip() for k in keys.split(",")]
    if names == DIGITS:
        return "1…9, 0"  # the count digits: ten names would crowd the help screen
    return " / ".join(KEY_LABELS.get(k.strip(), k.strip()) for k in keys.split(","))


def markdown_table(schema: LabelSchema) -> str:
    """The README's key table (checked by a test against the bindings)."""
    lines = ["| key | action | binding id |", "|---|---|---|"]
    for k in all_keys(schema):
        shown = display_keys(k.keys).replace("|", "\\|")
        lines.append(f"| `{shown}` | {k.description} | `{k.id}` |")
    return "\n".join(lines)
