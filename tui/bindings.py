"""Every key of the reader, as data.

One table feeds the screen's bindings, the `?` help screen, the command palette
and the README's key table (a test checks the README against it), so the four
can never disagree. Ids are what a keymap file remaps.
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
    "ctrl+r": "ctrl+r", "ctrl+p": "ctrl+p", "pageup": "PgUp", "pagedown": "PgDn",
    "enter": "enter", "tab": "tab", "left": "←", "right": "→", "up": "↑", "down": "↓",
    "home": "Home", "end": "End", "space": "space",
}

READER_KEYS: tuple[Key, ...] = (
    # moving
    Key("pane.next", "tab", "focus_pane(1)", "next pane", "Move"),
    Key("pane.prev", "shift+tab", "focus_pane(-1)", "previous pane", "Move"),
    Key("move.word_left", "h,left", "move('word', -1)", "word left", "Move"),
    Key("move.word_right", "l,right", "move('word', 1)", "word right", "Move"),
    Key("move.line_down", "j,down", "move('line', 1)", "line down", "Move"),
    Key("move.line_up", "k,up", "move('line', -1)", "line up", "Move"),
    Key("move.sentence_prev", "left_parenthesis", "move('sentence', -1)", "previous sentence", "Move"),
    Key("move.sentence_next", "right_parenthesis", "move('sentence', 1)", "next sentence", "Move"),
    Key("move.paragraph_prev", "left_curly_bracket", "move('paragraph', -1)", "previous paragraph", "Move"),
    Key("move.paragraph_next", "right_curly_bracket", "move('paragraph', 1)", "next paragraph", "Move"),
    Key("move.start", "g,home", "move('start', 0)", "start of article", "Move"),
    Key("move.end", "G,end", "move('end', 0)", "end of article", "Move"),
    Key("move.page_down", "pagedown,space", "move('page', 1)", "page down", "Move"),
    Key("move.page_up", "pageup", "move('page', -1)", "page up", "Move"),
    # selecting and tagging (label keys are added from the schema)
    Key("select.start", "v", "select_start", "start/stop selection", "Tag", show=True, short="select"),
    Key("select.sentence", "V", "select_sentence", "select sentence", "Tag"),
    Key("cancel", "escape", "cancel", "cancel selection / link", "Tag", show=True, short="cancel"),
    Key("annotation.next", "a", "jump_annotation(1)", "next annotation", "Tag"),
    Key("annotation.prev", "A", "jump_annotation(-1)", "previous annotation", "Tag"),
    Key("annotation.edit", "enter", "edit", "edit attributes / finish link", "Tag", show=True,
        short="edit"),
    Key("annotation.delete", "x", "delete", "delete annotation / reject suggestion", "Tag",
        show=True, short="del"),
    Key("link.start", "r", "link_start", "link to a source or actor", "Tag", show=True, short="link"),
    Key("undo", "u", "undo", "undo", "Tag", show=True),
    Key("redo", "ctrl+r", "redo", "redo", "Tag"),
    # suggestions
    Key("suggestion.next", "e", "jump_suggestion(1)", "next suggestion", "Suggest", short="next sugg."),
    Key("suggestion.prev", "E", "jump_suggestion(-1)", "previous suggestion", "Suggest"),
    Key("layer.entities", "1", "toggle_layer('entity')", "show/hide entity suggestions", "Suggest"),
    Key("layer.attribution", "2", "toggle_layer('attribution')", "show/hide attribution cues", "Suggest"),
    Key("layer.motive", "3", "toggle_layer('motive')", "show/hide motive cues", "Suggest"),
    # finding and navigating stories
    Key("search", "slash", "search", "search in pane", "Find"),
    Key("search.next", "n", "search_step(1)", "next match", "Find"),
    Key("search.prev", "N", "search_step(-1)", "previous match", "Find"),
    Key("stories", "o", "stories", "story list", "Find"),
    Key("story.next", "right_square_bracket", "story_step(1)", "next story", "Find"),
    Key("story.prev", "left_square_bracket", "story_step(-1)", "previous story", "Find"),
    # comparing the articles
    Key("align.jump", "f", "jump_counterpart", "jump the other pane(s) to this sentence's counterpart", "Compare",
        short="counterpart"),
    Key("align.sync", "S", "toggle_sync", "synchronized scrolling by alignment on/off", "Compare"),
    Key("align.diff", "d", "toggle_diff", "show the words that differ in aligned sentences", "Compare"),
    Key("align.proposals", "L", "proposals", "proposed claim links across articles", "Compare"),
    Key("compare.screen", "C", "compare_screen", "comparison report (claims x outlets...)", "Compare"),
    # adjudication (diptych review --compare A B)
    Key("review.accept", "y", "accept_candidate", "accept the span under the cursor into gold", "Review",
        show=True, short="accept"),
    Key("review.accept_version", "Y", "accept_version", "accept this annotator's whole document into gold",
        "Review"),
    Key("panel.toggle", "p", "toggle_panel", "annotation panel: show and focus / hide (j k enter esc in it)", "View",
        short="panel"),
    Key("refresh", "R", "refresh", "reload from the database", "View"),
    Key("status.cycle", "D", "cycle_status", "document status todo/in progress/done", "View"),
    Key("help", "question_mark", "help", "help", "View", show=True),
    Key("quit", "q", "quit", "quit", "View", show=True),
)


def label_keys(schema: LabelSchema) -> tuple[Key, ...]:
    return tuple(
        # The footer has room for the three default labels at 80 columns.
        Key(f"tag.{spec.name}", spec.key, f"tag('{spec.name}')", f"tag as {spec.name}", "Tag",
            show=spec.name in ("CLAIM", "SOURCE", "MOTIVE"), short=spec.name.lower())
        for spec in schema.labels
    )


def all_keys(schema: LabelSchema) -> tuple[Key, ...]:
    return READER_KEYS[:14] + label_keys(schema) + READER_KEYS[14:]


def to_bindings(keys: tuple[Key, ...]) -> list[Binding]:
    return [Binding(k.keys, k.action, k.footer, show=k.show, id=k.id, tooltip=k.description) for k in keys]


def display_keys(keys: str) -> str:
    return " / ".join(KEY_LABELS.get(k.strip(), k.strip()) for k in keys.split(","))


def markdown_table(schema: LabelSchema) -> str:
    """The README's key table (checked by a test against the bindings)."""
    lines = ["| key | action | binding id |", "|---|---|---|"]
    for k in all_keys(schema):
        shown = display_keys(k.keys).replace("|", "\\|")
        lines.append(f"| `{shown}` | {k.description} | `{k.id}` |")
    return "\n".join(lines)
