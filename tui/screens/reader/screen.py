"""The reader: a story's articles side by side, tagged with the keyboard.

Every change goes through the AnnotationSession (one transaction each) on the
writer thread (saving.py) before the screen shows it; the keys never wait for it.
On a failed write the screen reloads what is really stored.

This module holds the screen itself (composition, focus, reloading, the status
line and the view keys); each mode's keys and actions are a mixin beside it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen

from tui.bindings import Key, all_keys, to_bindings
from tui.core.errors import DiptychError
from tui.core.session import AnnotationSession
from tui.core.models import LAYERS, Annotation, Document, Relation, Suggestion
from tui.core.text import display_text, sentences
from tui.widgets.annotation_panel import AnnotationPanel
from tui.widgets.footer import KeysFooter
from tui.widgets.article_view import ArticleView, Mark
from tui.screens.reader.compare import CompareActions
from tui.screens.reader.counts import CountActions
from tui.screens.reader.editing import EditingActions
from tui.screens.reader.linking import LinkingActions
from tui.screens.reader.moving import MovingActions
from tui.screens.reader.outlets import SIDE_BY_SIDE, OthersStrip, OutletActions
from tui.screens.reader.review import ReviewActions
from tui.screens.reader.saving import SavingActions
from tui.screens.reader.suggestions import SuggestionActions
from tui.screens.reader.tagging import TaggingActions
from tui.screens.reader.targets import TargetActions
from tui.screens.reader.training import TrainingActions
from tui.widgets.palette import drawn
from tui.widgets.pane import ArticlePane
from tui.widgets.status import HeaderBar, StatusLine

STATUS_CYCLE = ("todo", "in_progress", "done")
# Below this width the annotation panel starts hidden so two panes keep ~40 columns each.
PANEL_MIN_WIDTH = 140

KEYS: tuple[Key, ...] = (
    Key("panel.toggle", "p", "toggle_panel", "annotation panel: show and focus / hide (j k enter esc in it)", "View",
        short="panel"),
    Key("refresh", "R", "refresh", "reload from the database (your own and, with O, others' new work)", "View"),
    Key("layer.others", "O", "toggle_others", "show/hide other annotators' spans, dimmed", "View"),
    Key("status.cycle", "D", "cycle_status", "document status todo/in progress/done", "View"),
    Key("help", "question_mark", "help", "help", "View", show=True),
    Key("quit", "q", "quit", "quit", "View", show=True),
)


class AnnotateScreen(CountActions, EditingActions, MovingActions, TaggingActions, TargetActions, LinkingActions,
                     SuggestionActions, TrainingActions, CompareActions, ReviewActions, OutletActions, SavingActions,
                     Screen):
    # Messages are said in the status line (say()), so toasts would only cover the text
    # being worked on: only errors still pop up, at the top right, over the header.
    DEFAULT_CSS = """
    AnnotateScreen ToastRack { dock: top; align: right top; }
    AnnotateScreen Toast.-information { display: none; }
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
        # The target each pane's keys act on, by pane index (targets.py).
        self.chosen: dict[int, str] = {}
        # Spans deleted with x while this screen is open: not proposed again (suggestions.py).
        self.deleted_spans: set[tuple[int, int, int, str]] = set()
        # The last message (text, is error), shown in the status line until the next key.
        self.message: tuple[str, bool] | None = None
        self.sentence_spans: dict[int, list[tuple[int, int]]] = {}
        # The O layer: other annotators' live spans, read-only and dimmed.
        self.show_others = False
        self.others: dict[int, list[Annotation]] = {}
        # Nothing is "saved" until something is: the header says so only after a commit.
        self.save_state = "no changes yet"
        self.save_error = False
        self.suggest_status = ""
        # Adjudication: the compared annotators' spans are shown as candidates for gold.
        self.compare: tuple[str, ...] = tuple(self.app.compare)
        self.init_saving()

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        with Horizontal(id="body"):
            yield Horizontal(id="panes")
            yield AnnotationPanel(id="panel")
        yield OthersStrip(id="others")
        yield StatusLine(id="status")
        # No command palette item: at 60 columns the keys ran under it and a letter showed past it.
        yield KeysFooter(compact=True, show_command_palette=False)

    @property
    def session(self):
        return self.app.session

    @property
    def colors(self) -> dict[str, str]:
        return {spec.name: spec.color for spec in self.app.schema.labels}

    def paint(self, label: str) -> str:
        """The colour a label is drawn in (tui/widgets/palette.py)."""
        return drawn(self.colors.get(label, "white"))

    async def on_mount(self) -> None:
        self.query_one(AnnotationPanel).display = self.app.size.width >= PANEL_MIN_WIDTH
        await self.load_story(self.story_id, restore=True)

    def on_unmount(self) -> None:
        self.stop_training()
        self.saves.close()

    async def load_story(self, story_id: int, *, restore: bool = False) -> None:
        self.queue_position()
        self.story_id = story_id
        self.story = self.session.story(story_id)
        self.docs = self.session.documents(story_id)
        self.link_head = None
        container = self.query_one("#panes", Horizontal)
        await container.remove_children()
        # Reset before the new panes exist: bindings are checked while they mount.
        self.current = 0
        self.panes = [ArticlePane(doc, self.colors, index=i) for i, doc in enumerate(self.docs)]
        for pane in self.panes[SIDE_BY_SIDE:]:
            # Only the panes shown are laid out: a story of 500 would otherwise lay out
            # 500 panes on every focus change (layout_panes picks the two shown).
            pane.display = False
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
        self.layout_panes()
        # Background work starts once the story is on screen: its imports and
        # set-up would otherwise take the GIL from the first paint.
        self.call_after_refresh(self.align_story)
        if self.compare:
            self.set_suggest_status("review: " + " · ".join(self.compare) + f" → {self.session.annotator}; "
                                    "e next candidate, y accept, Y accept version, x reject")
        elif self.app.suggest:
            self.call_after_refresh(self.compute_suggestions)
        else:
            self.set_suggest_status("suggestions off (--no-suggest)")

    # ------------------------------------------------------------ data -> screen

    def reload(self) -> None:
        """Read this annotator's annotations and links again and redraw every pane."""
        doc_ids = [d.id for d in self.docs]
        for doc in self.docs:
            self.anns[doc.id] = self.session.annotations(doc.id)
            self.others[doc.id] = ([a for a in self.session.annotations_of(doc.id) if a.annotator != self.session.annotator]
                                   if self.show_others else [])
            if self.compare:
                self.suggs[doc.id] = self.candidates(doc.id)
        self.rels = self.session.relations(doc_ids) if doc_ids else []
        # Read here, not in update_header(): that runs on every move while selecting.
        self.statuses = self.session.statuses()
        done = sum(1 for d in self.docs if self.statuses.get(d.id) == "done")
        self.progress = f"{done}/{len(self.docs)} done"
        if self.app.review:
            from tui.core import review

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
        pane.view.set_marks("others", [Mark(a.start, a.end, a.label, id=a.id) for a in self.others.get(pane.doc.id, [])])
        shown = self.visible_suggestions(pane.doc.id)
        pane.view.set_marks("suggestion", [Mark(s.start, s.end, s.label, id=s.key, style=s.kind) for s in shown])
        pane.set_status(progress=self.doc_progress(pane.doc, anns, shown))

    def doc_progress(self, doc: Document, anns: list[Annotation], shown: list[Suggestion]) -> str:
        """"3/12 sent. · 5 sugg.": sentences holding an annotation, and suggestions still undecided."""
        if doc.id not in self.sentence_spans:
            self.sentence_spans[doc.id] = sentences(doc.text)
        spans = self.sentence_spans[doc.id]
        held = sum(1 for s, e in spans if any(a.start < e and s < a.end for a in anns))
        undecided = len({(s.start, s.end, s.label) for s in shown})
        return f"{held}/{len(spans)} sent. · {undecided} sugg."

    # Keys that only mean something in a state are shown (and active) only then,
    # so the footer lists the keys that matter now.
    STATEFUL = {"cancel": "cancellable", "accept_candidate": "compare", "accept_version": "compare"}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        state = self.STATEFUL.get(action)
        if state == "cancellable":
            selecting = self.current < len(self.panes) and self.pane.view.selection is not None
            return self.link_head is not None or selecting or self.searching()
        if state == "compare":
            return bool(self.compare)
        return True

    def update_header(self) -> None:
        # The footer is rebuilt (a widget per key) on every refresh_bindings(),
        # which costs more than the rest of a key; the keys shown change only
        # with the STATEFUL states, so refresh only when one of them changed.
        states = tuple(self.check_action(action, ()) for action in self.STATEFUL)
        if states != getattr(self, "_binding_states", None):
            self._binding_states = states
            self.refresh_bindings()
        state, error = self.save_status()
        mode = "REVIEW " + "·".join(self.compare) if self.compare else ""
        if self.link_head is not None:
            mode = f"LINK from {self.link_head.label}"
        elif self.panes and self.pane.view.selection is not None:
            mode = "SELECT"
        self.query_one(HeaderBar).show(
            story=display_text(self.story.title, keep_newlines=False) if self.story else "?", documents=len(self.docs),
            annotator=self.session.annotator, save_state=state,
            progress=self.progress, mode=mode, error=error)

    def update_panel(self) -> None:
        panel = self.query_one(AnnotationPanel)
        if not panel.display or not self.panes:
            return
        # Only relation ends are looked up: not every annotation of the story on each tab.
        ends = {i for r in self.rels for i in (r.head_id, r.tail_id)}
        quotes = {a.id: (a.label, a.quote) for anns in self.anns.values() for a in anns if a.id in ends} \
            if ends else {}
        panel.show(self.anns.get(self.pane.doc.id, []), self.rels, self.colors, quotes)

    def say(self, *parts) -> None:
        # The last message leads the line until the next key; what the target is follows it.
        if self.message is not None:
            text, error = self.message
            parts = ((text, "bold red" if error else "bold"), ("  │ ", "dim"), *parts)
        self.query_one(StatusLine).say(*parts)

    def on_key(self, event) -> None:
        # Before the key's action runs (bindings come after the focused widget's key event):
        # a message stays shown until the next key, which may say its own.
        self.message = None

    def notify_plain(self, message: str, *, error: bool = False) -> None:
        # Messages quote article text, so they must never be read as markup.
        self.message = (display_text(message, keep_newlines=False), error)
        self.app.notify(display_text(message), severity="error" if error else "information", markup=False,
                        timeout=8 if error else 3)
        if self.panes and self.current < len(self.panes):
            self.describe_cursor()
        else:
            self.say("")

    # ------------------------------------------------------------ writes (write() is in saving.py)

    def mark_started(self, doc_id: int) -> None:
        if doc_id not in self.statuses:
            self.statuses[doc_id] = "in_progress"  # one queued status change per document, not one per tag
            self.write(AnnotationSession.set_status, doc_id, "in_progress")

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
            self.update_others()
            if self.sync:
                self.follow(self.pane)
            if self.diff:
                self.show_diff()

    def on_article_view_selection_changed(self, event: ArticleView.SelectionChanged) -> None:
        self.update_header()
        if self.panes and event.view is self.pane.view:
            self.describe_cursor()

    def annotation_at(self, pane: ArticlePane, offset: int) -> Annotation | None:
        """The annotation keys act on at ``offset``: the target when it is the cursor."""
        if offset == pane.view.cursor:
            return self.target_annotation(pane)
        marks = pane.view.marks_at(offset, "annotation")
        if not marks:
            return None
        by_id = {a.id: a for a in self.anns.get(pane.doc.id, [])}
        return by_id.get(marks[0].id)

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

    def action_toggle_others(self) -> None:
        self.show_others = not self.show_others
        self.reload()
        self.describe_cursor()
        if self.show_others:
            who = sorted({a.annotator for anns in self.others.values() for a in anns})
            self.notify_plain("others' spans shown, dimmed: " + (", ".join(who) if who else "nobody else has tagged here"))
        else:
            self.notify_plain("others' spans hidden")

    def action_cycle_status(self) -> None:
        if not self.panes:
            return
        doc = self.pane.doc
        # From what the screen shows (a D still saving included), so D D means two steps.
        now = self.statuses.get(doc.id, "todo")
        new = STATUS_CYCLE[(STATUS_CYCLE.index(now) + 1) % len(STATUS_CYCLE)]
        self.statuses[doc.id] = new
        self.write(AnnotationSession.set_status, doc.id, new,
                   then=lambda _: self.notify_plain(f"document marked {new.replace('_', ' ')}"))

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.app.schema, self.app.keymap))

    def action_quit(self) -> None:
        self.queue_position()
        self.quit_after_saves()

    def queue_position(self) -> None:
        """Save the reading position on the writer thread, after the changes before it."""
        if self.panes and self.story_id is not None and self.current < len(self.panes):
            self.write(_save_position, self.story_id, self.pane.doc.id, self.pane.view.cursor, quiet=True)

    def save_position(self) -> None:
        """At once, on this thread: for the signal handlers, which cannot wait for the queue."""
        if self.panes and self.story_id is not None and self.current < len(self.panes):
            try:
                self.session.save_position(self.story_id, self.pane.doc.id, self.pane.view.cursor)
            except DiptychError:
                pass  # losing the reading position must never block quitting


def _save_position(session: AnnotationSession, story_id: int, doc_id: int, offset: int) -> None:
    try:
        session.save_position(story_id, doc_id, offset)
    except DiptychError:
        pass  # losing the reading position must never block quitting
