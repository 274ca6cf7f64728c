"""Selecting and tagging in the reader: the selection, the label keys, editing
and deleting annotations, and undo/redo.

A mixin of AnnotateScreen: it uses the screen's panes, session and write().
"""

from __future__ import annotations

from tui.bindings import Key
from tui.core.text import word_at, excerpt as _short

KEYS: tuple[Key, ...] = (
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
)

HISTORY_KEYS: tuple[Key, ...] = (
    Key("undo", "u", "undo", "undo", "Tag", show=True),
    Key("redo", "ctrl+r", "redo", "redo", "Tag"),
)


class TaggingActions:

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

    def action_jump_annotation(self, step: int) -> None:
        if not self.panes:
            return
        view = self.pane.view
        starts = sorted({a.start for a in self.anns.get(self.pane.doc.id, [])})
        self._jump(view, starts, step, "annotations")

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
