"""The reader's widgets: the article view (and its layout, marks, styles and cursor
helpers), the article pane, the annotation panel and the header and status lines.

May import Textual, Rich and the core's plain-model modules (tui.core.text,
tui.core.schema, tui.core.models); never the screens, the session's store or NLP.
"""
