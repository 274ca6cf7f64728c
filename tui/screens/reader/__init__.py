"""The reader screen (AnnotateScreen), split by mode: screen.py composes it and owns
focus, reloading and the status line; moving, tagging, linking, suggestions, compare,
review and outlets (3+ articles: two side by side, the others summarised) are its
mixins, each with its keys beside its actions.

May import Textual, tui.bindings, tui.widgets, the other screens it pushes, and the
core's plain-model modules (tui.core.models, text, schema, errors, review, align and
the session through the app); never SQLite, spaCy, tui.core.store or tui.core.nlp.
"""

from tui.bindings import Key
from tui.screens.reader import (compare, counts, editing, linking, moving, outlets, review, screen, suggestions,
                                 tagging, targets, training)
from tui.screens.reader.screen import AnnotateScreen

__all__ = ["AnnotateScreen", "READER_KEYS"]

# Every key of the reader but the label keys, in the order of the help screen, the
# README's key table and the footer (tui.bindings.all_keys adds the label keys).
READER_KEYS: tuple[Key, ...] = (
    moving.KEYS + counts.KEYS + tagging.KEYS + targets.KEYS + linking.KEYS + tagging.HISTORY_KEYS + editing.KEYS
    + suggestions.KEYS + training.KEYS + editing.JUMP_KEYS + moving.FIND_KEYS + compare.KEYS + review.KEYS
    + outlets.KEYS + screen.KEYS
)
