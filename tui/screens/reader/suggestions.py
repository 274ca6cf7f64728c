"""Suggestions in the reader: which are shown, which is under the cursor,
jumping between them, and computing them in the background.

A mixin of AnnotateScreen: it uses the screen's panes, session and write().
"""

from __future__ import annotations

from textual import work

from tui.bindings import Key
from tui.core.errors import DiptychError
from tui.core.models import Suggestion
from tui.screens.reader.targets import span_key
from tui.widgets.pane import ArticlePane

KEYS: tuple[Key, ...] = (
    # suggestions
    Key("suggestion.next", "e", "jump_suggestion(1)", "next suggestion", "Suggest", show=True, short="sugg"),
    Key("suggestion.prev", "E", "jump_suggestion(-1)", "previous suggestion", "Suggest"),
    Key("layer.entities", "exclamation_mark", "toggle_layer('entity')", "show/hide entity suggestions", "Suggest"),
    Key("layer.attribution", "at", "toggle_layer('attribution')", "show/hide attribution cues", "Suggest"),
    Key("layer.motive", "number_sign", "toggle_layer('motive')", "show/hide motive cues", "Suggest"),
    Key("suggestion.quality", "Q", "suggestion_quality", "score the suggestions against your annotations here",
        "Suggest"),
)


class SuggestionActions:

    def visible_suggestions(self, doc_id: int) -> list[Suggestion]:
        # The second copy of a repeated passage would only repeat the first one's suggestions.
        repeats = self.repeated.get(doc_id, [])
        shown = [s for s in self.suggs.get(doc_id, []) if (s.layer in self.shown_layers or s.layer == "review")
                 and not any(r.start <= s.start and s.end <= r.end for r in repeats)
                 and (doc_id, s.start, s.end, s.label) not in self.deleted_spans]
        return self.session.visible_suggestions(doc_id, shown, self.anns.get(doc_id))

    def suggestion_at(self, pane: ArticlePane, offset: int, label: str | None = None) -> Suggestion | None:
        """The suggestion a key acts on: at the cursor the target when it is one (and has
        ``label``, if given); else the innermost (with ``label``, if any has it)."""
        found = self.suggestions_at(pane, offset)
        if offset == pane.view.cursor:
            current = self.target_suggestion(pane)
            if current is not None and (label is None or current.label == label):
                return current
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
        # One stop per span and label, as targets_at lists them; same-start ones included.
        items = {(s.start, s.end, span_key(s)) for s in self.visible_suggestions(self.pane.doc.id)}
        self.step_to(list(items), step,
                     "candidates" if self.compare else "suggestions")

    def action_toggle_layer(self, layer: str) -> None:
        if layer in self.shown_layers:
            self.shown_layers.discard(layer)
        else:
            self.shown_layers.add(layer)
        for pane in self.panes:
            self.redraw(pane)
        shown = ", ".join(sorted(self.shown_layers)) or "none"
        self.describe_cursor()  # a hidden layer's suggestion is no longer the target
        self.notify_plain(f"suggestion layers shown: {shown}")

    def action_suggestion_quality(self) -> None:
        self.set_suggest_status("scoring the suggestions against your annotations…")
        self.score_suggestions()

    @work(thread=True, exclusive=True, group="suggest-score")
    def score_suggestions(self) -> None:
        # With suggestions off, what is cached is scored: the model is never loaded for this.
        service = self.app.suggestions
        try:
            result = service.evaluate(list(self.docs), self.session.annotator, cached_only=not self.app.suggest)
        except Exception as err:
            message = err.message if isinstance(err, DiptychError) else f"{type(err).__name__}: {err}"
            self.app.call_from_thread(self.set_suggest_status, f"scoring failed: {message}")
            return
        self.app.call_from_thread(self.set_suggest_status, result.summary())

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
        if self.suggs.get(doc_id) == found:
            # A cached story: the screen already shows exactly these (from the
            # first paint); redrawing every mark of a long article would only
            # stall the keys.
            self.describe_cursor()
            return
        self.suggs[doc_id] = found
        for pane in self.panes:
            if pane.doc.id == doc_id:
                self.redraw(pane)
        self.describe_cursor()
