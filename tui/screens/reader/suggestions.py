"""Suggestions in the reader: which are shown, which is under the cursor,
jumping between them, and computing them in the background.

A mixin of AnnotateScreen: it uses the screen's panes, session and write().
"""

from __future__ import annotations

from textual import work

from tui.bindings import Key
from tui.core.errors import DiptychError
from tui.core.models import Suggestion
from tui.widgets.pane import ArticlePane

KEYS: tuple[Key, ...] = (
    # suggestions
    Key("suggestion.next", "e", "jump_suggestion(1)", "next suggestion", "Suggest", short="next sugg."),
    Key("suggestion.prev", "E", "jump_suggestion(-1)", "previous suggestion", "Suggest"),
    Key("layer.entities", "1", "toggle_layer('entity')", "show/hide entity suggestions", "Suggest"),
    Key("layer.attribution", "2", "toggle_layer('attribution')", "show/hide attribution cues", "Suggest"),
    Key("layer.motive", "3", "toggle_layer('motive')", "show/hide motive cues", "Suggest"),
)


class SuggestionActions:

    def visible_suggestions(self, doc_id: int) -> list[Suggestion]:
        # The second copy of a repeated passage would only repeat the first one's suggestions.
        repeats = self.repeated.get(doc_id, [])
        shown = [s for s in self.suggs.get(doc_id, []) if (s.layer in self.shown_layers or s.layer == "review")
                 and not any(r.start <= s.start and s.end <= r.end for r in repeats)]
        return self.session.visible_suggestions(doc_id, shown, self.anns.get(doc_id))

    def suggestion_at(self, pane: ArticlePane, offset: int, label: str | None = None) -> Suggestion | None:
        """The innermost suggestion under the cursor, or the innermost with ``label``."""
        found = self.suggestions_at(pane, offset)
        if label is not None:
            found = [s for s in found if s.label == label] or found
        return found[0] if found else None

    def suggestions_at(self, pane: ArticlePane, offset: int) -> list[Suggestion]:
        by_key = {s.key: s for s in self.suggs.get(pane.doc.id, [])}
        return [by_key[m.id] for m in pane.view.marks_at(offset, "suggestion") if m.id in by_key]

    def partner_of(self, doc_id: int, sugg: Suggestion) -> Suggestion | None:
        if not sugg.group:
            return None
        for other in self.visible_suggestions(doc_id):
            if other.group == sugg.group and other.key != sugg.key:
                return other
        return None

    def action_jump_suggestion(self, step: int) -> None:
        if not self.panes:
            return
        view = self.pane.view
        starts = sorted({s.start for s in self.visible_suggestions(self.pane.doc.id)})
        self._jump(view, starts, step, "suggestions")

    def action_toggle_layer(self, layer: str) -> None:
        if layer in self.shown_layers:
            self.shown_layers.discard(layer)
        else:
            self.shown_layers.add(layer)
        for pane in self.panes:
            self.redraw(pane)
        shown = ", ".join(sorted(self.shown_layers)) or "none"
        self.notify_plain(f"suggestion layers shown: {shown}")

    # ------------------------------------------------------------ suggestions (background)

    @work(thread=True, exclusive=True, group="suggest")
    def compute_suggestions(self) -> None:
        service = self.app.suggestions
        docs = list(self.docs)
        if not service.ready:
            self.app.call_from_thread(self.set_suggest_status, "loading the suggestion model…")
        try:
            description = service.load()
        except DiptychError as err:
            self.app.call_from_thread(self.set_suggest_status, f"suggestions off: {err.message}")
            return
        except Exception as err:  # a broken model install must not take the reader down
            self.app.call_from_thread(self.set_suggest_status, f"suggestions off: {type(err).__name__}: {err}")
            return
        self.app.call_from_thread(self.set_suggest_status, description)
        for doc in docs:
            try:
                found = service.compute(doc)
            except Exception as err:
                message = err.message if isinstance(err, DiptychError) else f"{type(err).__name__}: {err}"
                self.app.call_from_thread(self.set_suggest_status, f"suggestions failed: {message}")
                return
            self.app.call_from_thread(self.set_suggestions, doc.id, found)

    def refresh_learned(self) -> None:
        if self.app.suggest and self.app.suggestions.ready:
            self.compute_suggestions()

    def set_suggest_status(self, text: str) -> None:
        self.suggest_status = text
        self.describe_cursor()

    def set_suggestions(self, doc_id: int, found: list[Suggestion]) -> None:
        self.suggs[doc_id] = found
        for pane in self.panes:
            if pane.doc.id == doc_id:
                self.redraw(pane)
        self.describe_cursor()
