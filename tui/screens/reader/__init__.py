"""The reader screen (AnnotateScreen), split by mode: screen.py composes it and owns
focus, reloading and the status line; moving, tagging, linking, suggestions, compare
and review are its mixins, each with its keys beside its actions.

May import Textual, tui.bindings, tui.widgets, the other screens it pushes, and the
core's plain-model modules (tui.core.models, text, schema, errors, review, align and
the session through the app); never SQLite, spaCy, tui.core.store or tui.core.nlp.
"""

from tui.screens.reader.screen import AnnotateScreen

__all__ = ["AnnotateScreen"]
