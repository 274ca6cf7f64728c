"""The reader: a story's articles side by side, tagged with the keyboard.

Every change goes through the AnnotationSession (one transaction each) before
the screen shows it; on a failed write the screen reloads what is really stored.
"""

from __future__ import annotations

from datetime import datetime

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer

from tui.bindings import all_keys, to_bindings
from tui.core import review
from tui.core.errors import DiptychError
from tui.core.models import LAYERS, Annotation, Document, Relation, Suggestion
from tui.core.text import display_text, word_at, excerpt as _short
from tui.widgets.annotation_panel import AnnotationPanel
from tui.widgets.article_view import ArticleView, Mark
from tui.screens.reader_compare import CompareActions
from tui.screens.reader_review import ReviewActions
from tui.widgets.pane import ArticlePane
from tui.widgets.status import HeaderBar, StatusLine

STATUS_CYCLE = ("todo", "in_progress", "done")
# Below this width the annotation panel starts hidden so two panes keep ~40 columns each.
PANEL_MIN_WIDTH = 140


class AnnotateScreen(CompareActions, ReviewActions, Screen):
    DEFAULT_CSS = """
    AnnotateScreen #body { height: 1fr; }
    AnnotateScreen #panes { width: 1fr; height: 1fr; overflow-x: auto; }
    """

    def __init__(self, story_id: int) -> None:
        super().__init__(id="annotate")
        self.story_id = story_id
        schema = self.app.schema
        # Label keys come from the schema, so the bindings are per instance; ours
        # replace Screen's defaults for the same key (tab moves between panes).
        for binding in Binding.make_bindings(to_bindings(all_keys(schema))):
            self._bindings.key_to_bindings[binding.key] = [binding]
        self.docs: list[Document] = []
        self.panes: list[ArticlePane] = []
        self.anns: dict[int, list[Annotation]] = {}
        self.rels: list[Relation] = []
        self.suggs: dict[int, list[Suggestion]] = {}
        self.repeated: dict[int, list] = {}
        self.statuses: dict[int, str] = {}
        self.progress = ""
        self.comparisons: dict[int, dict[str, object]] = {}
        self.proposals: dict[str, object] = {}
        self.alignment = None
        self.sync = False
        self.diff = False
        self.shown_layers: set[str] = set(LAYERS)
        self.link_head: Annotation | None = None
        self.search_query = ""
        self.current = 0
        self.save_state = "saved"
        self.save_error = False
        self.suggest_status = ""
        # Adjudication: the compared annotators' spans are shown as candidates for gold.
        self.compare: tuple[str, ...] = tuple(self.app.compare)

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        with Horizontal(id="body"):
            yield Horizontal(id="panes")
            yield AnnotationPanel(id="panel")
        yield StatusLine(id="status")
        yield Footer(compact=True)

    @property
    def session(self):
        return self.app.session

    @property
    def colors(self) -> dict[str, str]:
        return {spec.name: spec.color for spec in self.app.schema.labels}

    async def on_mount(self) -> None:
        self.query_one(AnnotationPanel).display = self.app.size.width >= PANEL_MIN_WIDTH
        await self.load_story(self.story_id, restore=True)

    async def load_story(self, story_id: int, *, restore: bool = False) -> None:
        self.save_position()
        self.story_id = story_id
        self.story = self.session.story(story_id)
        self.docs = self.session.documents(story_id)
        self.link_head = None
        container = self.query_one("#panes", Horizontal)
        await container.remove_children()
        # Reset before the new panes exist: bindings are checked while they mount.
        self.current = 0
        self.panes = [ArticlePane(doc, self.colors, index=i) for i, doc in enumerate(self.docs)]
        await container.mount_all(self.panes)
        self.repeated = {doc.id: [r for r in self.session.regions(doc.id) if r.kind == "repeated"]
                         for doc in self.docs}
        if not self.compare:
            for pane in self.panes:
                self.suggs[pane.doc.id] = self.app.suggestions.cached(pane.doc)
        self.reload()
        pos = self.session.position() if restore else None
        if pos and pos["story_id"] == story_id:
            for pane in self.panes:
                if pane.doc.id == pos["doc_id"]:
                    self.current = pane.index
                    pane.view.move_to(min(pos["offset"], len(pane.doc.text)), center=True)
        if self.panes:
            self.panes[self.current].view.focus()
        else:
            self.say(("This story has no documents.", "bold"))
        self.alignment = None
        self.align_story()
        if self.compare:
            self.set_suggest_status("review: " + " · ".join(self.compare) + f" → {self.session.annotator}; "
                                    "e next candidate, y accept, Y accept version, x reject")
        elif self.app.suggest:
            self.compute_suggestions()
        else:
            self.set_suggest_status("suggestions off (--no-suggest)")

    # ------------------------------------------------------------ data -> screen

    def reload(self) -> None:
        """Read this annotator's annotations and links again and redraw every pane."""
        doc_ids = [d.id for d in self.docs]
        for doc in self.docs:
            self.anns[doc.id] = self.session.annotations(doc.id)
            if self.compare:
                self.suggs[doc.id] = self.candidates(doc.id)
        self.rels = self.session.relations(doc_ids) if doc_ids else []
        # Read here, not in update_header(): that runs on every move while selecting.
        self.statuses = self.session.statuses()
        done = sum(1 for d in self.docs if self.statuses.get(d.id) == "done")
        self.progress = f"{done}/{len(self.docs)} done"
        if self.app.review:
            all_done, total = review.progress(self.session, self.session.annotator)
            self.progress += f" · queue {all_done}/{total}"
        for pane in self.panes:
            self.redraw(pane)
            pane.set_status(self.statuses.get(pane.doc.id, "todo").replace("_", " "))
        self.update_panel()
        self.update_header()

    def redraw(self, pane: ArticlePane) -> None:
        anns = self.anns.get(pane.doc.id, [])
        pane.view.set_marks("annotation", [Mark(a.start, a.end, a.label, id=a.id) for a in anns])
        pane.view.set_marks("suggestion", [Mark(s.start, s.end, s.label, id=s.key, style=s.kind)
                                           for s in self.visible_suggestions(pane.doc.id)])

    def visible_suggestions(self, doc_id: int) -> list[Suggestion]:
        # The second copy of a repeated passage would only repeat the first one's suggestions.
        repeats = self.repeated.get(doc_id, [])
        shown = [s for s in self.suggs.get(doc_id, []) if (s.layer in self.shown_layers or s.layer == "review")
                 and not any(r.start <= s.start and s.end <= r.end for r in repeats)]
        return self.session.visible_suggestions(doc_id, shown)

    # Keys that only mean something in a state are shown (and active) only then,
    # so the footer lists the keys that matter now.
    STATEFUL = {"cancel": "cancellable", "accept_candidate": "compare", "accept_version": "compare"}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        state = self.STATEFUL.get(action)
        if state == "cancellable":
            selecting = self.current < len(self.panes) and self.pane.view.selection is not None
            return self.link_head is not None or selecting
        if state == "compare":
            return bool(self.compare)
        return True

    def update_header(self) -> None:
        self.refresh_bindings()
        mode = "REVIEW " + "·".join(self.compare) if self.compare else ""
        if self.link_head is not None:
            mode = f"LINK from {self.link_head.label}"
        elif self.panes and self.pane.view.selection is not None:
            mode = "SELECT"
        self.query_one(HeaderBar).show(
            story=display_text(self.story.title, keep_newlines=False) if self.story else "?", documents=len(self.docs),
            annotator=self.session.annotator, save_state=self.save_state,
            progress=self.progress, mode=mode, error=self.save_error)

    def update_panel(self) -> None:
        panel = self.query_one(AnnotationPanel)
        if not panel.display or not self.panes:
            return
        quotes = {a.id: (a.label, a.quote) for anns in self.anns.values() for a in anns}
        panel.show(self.anns.get(self.pane.doc.id, []), self.rels, self.colors, quotes)

    def say(self, *parts) -> None:
        self.query_one(StatusLine).say(*parts)

    def notify_plain(self, message: str, *, error: bool = False) -> None:
        # Messages quote article text, so they must never be read as markup.
        self.app.notify(display_text(message), severity="error" if error else "information", markup=False,
                        timeout=8 if error else 3)

    # ------------------------------------------------------------ writes

    def write(self, fn, *args, **kwargs):
        """Run one session write; show its outcome; on failure show what is stored."""
        try:
            result = fn(*args, **kwargs)
        except DiptychError as err:
            self.save_error = True
            self.save_state = f"NOT SAVED ({err.code})"
            self.notify_plain(str(err), error=True)
            self.reload()
            return None
        self.save_error = False
        self.save_state = "saved " + datetime.now().strftime("%H:%M:%S")
        return result

    def mark_started(self, doc_id: int) -> None:
        if doc_id not in self.statuses:
            self.write(self.session.set_status, doc_id, "in_progress")

    # ------------------------------------------------------------ focus and cursor

    @property
    def pane(self) -> ArticlePane:
        return self.panes[self.current]

    def on_descendant_focus(self, event) -> None:
        for pane in self.panes:
            if event.widget is pane.view and pane.index != self.current:
                self.current = pane.index
                self.update_panel()
                self.describe_cursor()

    def on_article_view_cursor_moved(self, event: ArticleView.CursorMoved) -> None:
        if self.panes and event.view is self.pane.view:
            self.describe_cursor()
            if self.sync:
                self.follow(self.pane)
            if self.diff:
                self.show_diff()

    def on_article_view_selection_changed(self, event: ArticleView.SelectionChanged) -> None:
        self.update_header()

    def describe_cursor(self) -> None:
        view = self.pane.view
        anns = {a.id: a for a in self.anns.get(self.pane.doc.id, [])}
        marks = view.marks_at(view.cursor, "annotation")
        if marks and marks[0].id in anns:
            ann = anns[marks[0].id]
            parts: list = [(f" {ann.label} ", f"bold black on {self.colors.get(ann.label, 'white')}"),
                           " “" + _short(ann.quote, 50) + "”"]
            if ann.attrs:
                parts.append("  " + display_text(", ".join(f"{k}={v}" for k, v in sorted(ann.attrs.items()))))
            links = [r for r in self.rels if ann.id in (r.head_id, r.tail_id)]
            if links:
                parts.append(f"  · {len(links)} link(s)")
            parts.append(("  enter edit · x delete · r link", "dim"))
            self.query_one(AnnotationPanel).select_annotation(ann.id)
            self.say(*parts)
            return
        sugg = self.suggestion_at(self.pane, view.cursor)
        if sugg is not None and sugg.layer == "review":
            self.say((f"{sugg.kind}: ", "bold"), (sugg.label, f"underline {self.colors.get(sugg.label, 'white')}"),
                     f" by {sugg.version.replace('+', ', ')}", ("  y accept · Y whole version · x reject", "dim"))
            return
        if sugg is not None:
            keys = "/".join(spec.key for spec in self.app.schema.labels)
            kind = f" ({sugg.kind})" if sugg.kind else ""
            self.say(("suggested ", "italic"), (sugg.label, f"underline {self.colors.get(sugg.label, 'white')}"),
                     kind, f" by {sugg.suggester}", (f"  {keys} accept · x reject", "dim"))
            return
        if self.link_head is not None:
            self.say(("Linking: ", "bold"), "move to the target span (tab for the other pane), enter saves, esc cancels")
            return
        self.say(self.suggest_status or "", ("   ? help", "dim"))

    def suggestion_at(self, pane: ArticlePane, offset: int, label: str | None = None) -> Suggestion | None:
        """The innermost suggestion under the cursor, or the innermost with ``label``."""
        found = self.suggestions_at(pane, offset)
        if label is not None:
            found = [s for s in found if s.label == label] or found
        return found[0] if found else None

    def suggestions_at(self, pane: ArticlePane, offset: int) -> list[Suggestion]:
        by_key = {s.key: s for s in self.suggs.get(pane.doc.id, [])}
        return [by_key[m.id] for m in pane.view.marks_at(offset, "suggestion") if m.id in by_key]

    def annotation_at(self, pane: ArticlePane, offset: int) -> Annotation | None:
        marks = pane.view.marks_at(offset, "annotation")
        if not marks:
            return None
        by_id = {a.id: a for a in self.anns.get(pane.doc.id, [])}
        return by_id.get(marks[0].id)

    # ------------------------------------------------------------ actions: moving

    def action_focus_pane(self, step: int) -> None:
        if not self.panes:
            return
        self.current = (self.current + step) % len(self.panes)
        self.pane.view.focus()
        self.update_panel()

    def action_move(self, kind: str, step: int) -> None:
        if not self.panes:
            return
        view = self.pane.view
        {
            "word": lambda: view.move_word(step),
            "line": lambda: view.move_line(step),
            "sentence": lambda: view.move_sentence(step),
            "paragraph": lambda: view.move_paragraph(step),
            "start": view.move_start,
            "end": view.move_end,
            "page": lambda: view.page(step),
        }[kind]()

    # ------------------------------------------------------------ actions: selecting and tagging

    def action_select_start(self) -> None:
        view = self.pane.view
        if view.selection is not None:
            view.clear_selection()
        else:
            view.start_selection()
        self.update_header()

    def action_select_sentence(self) -> None:
        from tui.core.text import sentence_at

        view = self.pane.view
        span = sentence_at(view.text, view.cursor)
        if span is not None:
            view.select_range(*span)
        self.update_header()

    def action_cancel(self) -> None:
        if self.link_head is not None:
            self.link_head = None
            for pane in self.panes:
                pane.view.set_marks("link", [])
            self.notify_plain("link cancelled")
        elif self.panes:
            self.pane.view.clear_selection()
        self.update_header()
        self.describe_cursor()

    def action_tag(self, label: str) -> None:
        if not self.panes:
            return
        pane, view = self.pane, self.pane.view
        doc = pane.doc
        rng = view.selection_range()
        if rng is not None:
            done = self.write(self.session.tag, doc.id, rng[0], rng[1], label)
        else:
            sugg = self.suggestion_at(pane, view.cursor, label)
            if sugg is not None and self.compare and label == sugg.label:
                self.accept_candidate(pane, sugg)
                return
            if sugg is not None:
                partner = self.partner_of(doc.id, sugg) if label == sugg.label else None
                done = self.write(self.session.accept_suggestion, doc.id, sugg, label, partner)
            else:
                span = word_at(doc.text, view.cursor)
                if span is None:
                    self.notify_plain("nothing to tag here: move onto a word or select with v")
                    return
                done = self.write(self.session.tag, doc.id, span[0], span[1], label)
        view.clear_selection()
        if done is not None:
            self.mark_started(doc.id)
            first = done[0] if isinstance(done, list) else done
            self.notify_plain(f"tagged {first.label}: “{_short(first.quote, 40)}”")
        self.reload()
        self.describe_cursor()
        if done is not None and label == "SOURCE":
            self.refresh_learned()

    def partner_of(self, doc_id: int, sugg: Suggestion) -> Suggestion | None:
        if not sugg.group:
            return None
        for other in self.visible_suggestions(doc_id):
            if other.group == sugg.group and other.key != sugg.key:
                return other
        return None

    def action_jump_annotation(self, step: int) -> None:
        if not self.panes:
            return
        view = self.pane.view
        starts = sorted({a.start for a in self.anns.get(self.pane.doc.id, [])})
        self._jump(view, starts, step, "annotations")

    def action_jump_suggestion(self, step: int) -> None:
        if not self.panes:
            return
        view = self.pane.view
        starts = sorted({s.start for s in self.visible_suggestions(self.pane.doc.id)})
        self._jump(view, starts, step, "suggestions")

    def _jump(self, view: ArticleView, starts: list[int], step: int, what: str) -> None:
        if not starts:
            self.notify_plain(f"no {what} in this article")
            return
        if step > 0:
            later = [s for s in starts if s > view.cursor]
            target = later[0] if later else starts[0]
        else:
            earlier = [s for s in starts if s < view.cursor]
            target = earlier[-1] if earlier else starts[-1]
        view.move_to(target, center=True)
        self.describe_cursor()

    def action_edit(self) -> None:
        if not self.panes:
            return
        if self.link_head is not None:
            self.finish_link()
            return
        ann = self.annotation_at(self.pane, self.pane.view.cursor)
        if ann is None:
            self.notify_plain("no annotation under the cursor (a / A jump to one)")
            return
        from tui.screens.attributes import AttributeForm

        def saved(result: dict | None) -> None:
            if result is not None:
                if self.write(self.session.edit, ann.id, attrs=result["attrs"], note=result["note"]) is not None:
                    self.notify_plain(f"saved attributes of {ann.label}")
                self.reload()
                self.describe_cursor()

        self.app.push_screen(AttributeForm(self.app.schema.label(ann.label), ann), saved)

    def action_delete(self) -> None:
        if not self.panes:
            return
        pane = self.pane
        ann = self.annotation_at(pane, pane.view.cursor)
        if ann is not None:
            if self.write(self.session.delete, ann.id) is not None:
                self.notify_plain(f"deleted {ann.label} “{_short(ann.quote, 40)}” (u undoes)")
        else:
            sugg = self.suggestion_at(pane, pane.view.cursor)
            if sugg is None:
                self.notify_plain("nothing to delete here")
                return
            # Two suggesters may propose the same span; one x rejects what the user sees there.
            same = [o for o in self.visible_suggestions(pane.doc.id)
                    if (o.start, o.end) == (sugg.start, sugg.end)] or [sugg]
            if self.write(self.session.reject_suggestions, pane.doc.id, same) is not None:
                self.notify_plain("suggestion rejected (u undoes)")
        self.reload()
        self.describe_cursor()

    # ------------------------------------------------------------ actions: linking

    def action_link_start(self) -> None:
        if not self.panes:
            return
        ann = self.annotation_at(self.pane, self.pane.view.cursor)
        if ann is None or not self.app.schema.relations_from(ann.label):
            heads = sorted({h for r in self.app.schema.relations for h in r.heads})
            self.notify_plain(f"put the cursor on a {' or '.join(heads)} annotation to start a link")
            return
        self.link_head = ann
        self.pane.view.set_marks("link", [Mark(ann.start, ann.end, ann.label, id=ann.id)])
        self.update_header()
        self.describe_cursor()

    def finish_link(self) -> None:
        head = self.link_head
        tail = self.annotation_at(self.pane, self.pane.view.cursor)
        if head is None:
            return
        if tail is None:
            self.notify_plain("move onto a tagged span to link to (esc cancels)")
            return
        cross = head.doc_id != tail.doc_id
        choices = [r.name for r in self.app.schema.relations
                   if r.cross_document == cross and head.label in r.heads and (tail.label in r.tails or "*" in r.tails)]
        if len(choices) > 1:
            from tui.screens.choice import ChoiceScreen

            options = [(name, name[0], name.replace("_", " ")) for name in choices]

            def chosen(rel_type: str | None) -> None:
                if rel_type is not None:
                    self.save_link(head, tail, rel_type)

            self.app.push_screen(ChoiceScreen(f"Link {head.label} → {tail.label} as…", options), chosen)
            return
        self.save_link(head, tail, None)

    def save_link(self, head: Annotation, tail: Annotation, rel_type: str | None) -> None:
        rel = self.write(self.session.link, head.id, tail.id, rel_type)
        if rel is not None:
            self.notify_plain(f"linked {head.label} {rel.type} {tail.label}")
            self.link_head = None
            for pane in self.panes:
                pane.view.set_marks("link", [])
        self.reload()
        self.describe_cursor()

    # ------------------------------------------------------------ actions: history

    def action_undo(self) -> None:
        self._history(self.session.undo, "undone", "nothing to undo")

    def action_redo(self) -> None:
        self._history(self.session.redo, "redone", "nothing to redo")

    def _history(self, fn, verb: str, empty: str) -> None:
        step = self.write(fn)
        if step is not None:
            self.notify_plain(f"{verb}: {step.summary}")
        elif not self.save_error:
            self.notify_plain(empty)
        self.reload()
        self.describe_cursor()

    # ------------------------------------------------------------ actions: finding

    def action_search(self) -> None:
        from tui.screens.search import PromptScreen

        def found(query: str | None) -> None:
            if query:
                self.search_query = query
                self.run_search(1, first=True)

        self.app.push_screen(PromptScreen("search this article (enter)", self.search_query), found)

    def run_search(self, step: int, *, first: bool = False) -> None:
        if not self.search_query:
            self.notify_plain("no search yet: press / to search")
            return
        view = self.pane.view
        matches = view.search(self.search_query)
        if not matches:
            self.notify_plain(f"not found: {self.search_query}")
            return
        starts = [m[0] for m in matches]
        if first:
            later = [s for s in starts if s >= view.cursor]
            view.move_to(later[0] if later else starts[0], center=True)
        else:
            self._jump(view, starts, step, "matches")
        index = starts.index(view.cursor) + 1 if view.cursor in starts else 0
        # A toast, not the status line: the cursor move that follows rewrites that line.
        self.notify_plain(f"match {index}/{len(matches)} for “{_short(self.search_query, 30)}”")

    def action_search_step(self, step: int) -> None:
        if self.panes:
            self.run_search(step)

    def action_stories(self) -> None:
        from tui.screens.stories import StoriesScreen

        rows = review.story_statuses(self.session, self.session.annotator)

        async def chosen(story_id: int | None) -> None:
            if story_id is not None and story_id != self.story_id:
                await self.load_story(story_id)

        self.app.push_screen(StoriesScreen(rows, self.story_id), chosen)

    async def action_story_step(self, step: int) -> None:
        ids = [s.id for s in self.session.stories()]
        if self.app.review:
            # The queue: stories with a document this annotator has not finished.
            left = [st.story_id for st in review.story_statuses(self.session, self.session.annotator)
                    if st.done < st.total]
            ids = sorted(set(left) | {self.story_id}, key=ids.index)
            if len(ids) < 2:
                self.notify_plain("no other story with work left in your queue")
                return
        if len(ids) < 2:
            self.notify_plain("this is the only story")
            return
        index = ids.index(self.story_id) if self.story_id in ids else 0
        await self.load_story(ids[(index + step) % len(ids)])

    # ------------------------------------------------------------ actions: view

    def action_toggle_panel(self) -> None:
        """Hidden -> shown with the focus in it; focused -> hidden; shown -> focused."""
        panel = self.query_one(AnnotationPanel)
        if panel.display and panel.has_focus:
            panel.display = False
            if self.panes:
                self.pane.view.focus()
            return
        panel.display = True
        self.update_panel()
        ann = self.annotation_at(self.pane, self.pane.view.cursor) if self.panes else None
        if ann is not None:
            panel.select_annotation(ann.id)
        elif panel.highlighted is None and panel.option_count:
            panel.highlighted = 0
        panel.focus()

    def on_annotation_panel_left(self, event: AnnotationPanel.Left) -> None:
        if self.panes:
            self.pane.view.focus()

    def on_annotation_panel_chosen(self, event: AnnotationPanel.Chosen) -> None:
        for ann in self.anns.get(self.pane.doc.id, []):
            if ann.id == event.annotation_id:
                self.pane.view.move_to(ann.start, center=True)
                self.pane.view.focus()
                self.describe_cursor()

    def action_refresh(self) -> None:
        for pane in self.panes:
            self.suggs[pane.doc.id] = self.app.suggestions.cached(pane.doc) or self.suggs.get(pane.doc.id, [])
        self.reload()
        self.notify_plain("reloaded from the database")

    def action_toggle_layer(self, layer: str) -> None:
        if layer in self.shown_layers:
            self.shown_layers.discard(layer)
        else:
            self.shown_layers.add(layer)
        for pane in self.panes:
            self.redraw(pane)
        shown = ", ".join(sorted(self.shown_layers)) or "none"
        self.notify_plain(f"suggestion layers shown: {shown}")

    def action_cycle_status(self) -> None:
        if not self.panes:
            return
        doc = self.pane.doc
        now = self.session.statuses().get(doc.id, "todo")
        new = STATUS_CYCLE[(STATUS_CYCLE.index(now) + 1) % len(STATUS_CYCLE)]
        if self.write(self.session.set_status, doc.id, new) is not None:
            self.notify_plain(f"document marked {new.replace('_', ' ')}")
        self.reload()

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.app.schema, self.app.keymap))

    def action_quit(self) -> None:
        self.save_position()
        self.app.exit()

    def save_position(self) -> None:
        if self.panes and self.story_id is not None and self.current < len(self.panes):
            try:
                self.session.save_position(self.story_id, self.pane.doc.id, self.pane.view.cursor)
            except DiptychError:
                pass  # losing the reading position must never block quitting

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

