"""The app's screens: the reader (tui.screens.reader) and the screens it pushes
(help, search, story list, attribute form, choices, proposals, comparison report).

May import Textual, Rich, tui.bindings, tui.widgets and the core's plain-model
modules (session, models, text, schema, errors, review, align, compare); never
SQLite, spaCy, tui.core.store or tui.core.nlp (import-linter checks this).
"""
