"""Selecting and tagging in the reader: the selection, the label keys, editing
and deleting annotations, and undo/redo.

A mixin of AnnotateScreen: it uses the screen's panes, session and write(),
which saves on the writer thread and runs the continuation (`then`) when committed.
"""

from __future__ import annotations

from tui.bindings import Key
from tui.core.session import AnnotationSession as Session
from tui.core.text import word_at, excerpt as _short

def tagged_message(made, alone: bool = False) -> str:
    """What one key created, every part named: "tagged SOURCE + CLAIM, linked: “…”"."""
    made = made if isinstance(made, list) else [made]
    first = made[0]
    labels = " + ".join(a.label for a in made)
    how = ", linked" if len(made) > 1 else " alone" if alone else ""
    return f"tagged {labels}{how}: “{_short(first.quote, 40)}”"


KEYS: tuple[Key, ...] = (
    # selecting and tagging (label keys are added from the schema)
    Key("select.start", "v", "select_start", "start/stop selection", "Tag", show=True, short="select"),
    Key("select.sentence", "V", "select_sentence", "select the sentence exactly (3V: three)", "Tag"),
    Key("cancel", "escape", "cancel", "cancel selection / link / search highlights", "Tag", show=True, short="cancel"),
    # i: "in isolation"; w, b and their capitals are left to word motions.
    Key("suggestion.accept_alone", "i", "accept_alone", "accept the suggestion without its partner", "Tag"),
    Key("annotation.next", "a", "jump_annotation(1)", "next annotation", "Tag"),
    Key("annotation.prev", "A", "jump_annotation(-1)", "previous annotation", "Tag"),
    # enter and r are named in the status line whenever there is something for them.
    Key("annotation.edit", "enter", "edit", "edit attributes / finish link", "Tag", short="edit"),
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
        if self.searching() and self.link_head is None and not (self.panes and self.pane.view.selection):
            self.clear_search()
        elif self.link_head is not None:
            self.link_head = None
            for pane in self.panes:
                pane.view.set_marks("link", [])
            self.notify_plain("link cancelled")
        elif self.panes:
            self.pane.view.clear_selection()
        self.update_header()
        self.describe_cursor()

    def action_accept_alone(self) -> None:
        """Accept the target suggestion under its own label, without its cue partner."""
        sugg = self.target_suggestion() if self.panes else None
        if sugg is None or sugg.layer == "review":
            self.notify_plain("no suggestion is the target here (e jumps to the next)")
            return
        self.action_tag(sugg.label, alone=True)

    def action_tag(self, label: str, alone: bool = False) -> None:
        if not self.panes:
            return
        pane, view = self.pane, self.pane.view
        doc = pane.doc
        rng = view.selection_range()
        span = rng
        if rng is None:
            sugg = self.suggestion_at(pane, view.cursor, label)
            if sugg is not None and self.compare and label == sugg.label:
                self.accept_candidate(pane, sugg)
                return
            if sugg is None:
                span = word_at(doc.text, view.cursor)
                if span is None:
                    self.notify_plain("nothing to tag here: move onto a word or select with v")
                    return
        key = (doc.id, span[0], span[1], label) if span is not None else (doc.id, sugg.start, sugg.end, label)
        quote = _short(doc.text[key[1]:key[2]], 40)
        if key in self.tagging or (span is not None and any(
                (a.start, a.end, a.label) == key[1:] for a in self.anns.get(doc.id, []))):
            # The same key again (before the first is saved, or after): say so calmly,
            # instead of a save the session would refuse as a duplicate.
            self.notify_plain(f"already {'saving' if key in self.tagging else 'tagged'} {label}: “{quote}”")
            view.clear_selection()
            self.update_header()
            return
        self.tagging.add(key)

        def done(made) -> None:
            self.tagging.discard(key)
            self.mark_started(doc.id)
            self.notify_plain(tagged_message(made, alone))
            if label == "SOURCE":
                self.refresh_learned()

        if span is not None:
            self.write(Session.tag, doc.id, span[0], span[1], label, then=done,
                       failed=lambda _err: self.tagging.discard(key))
        else:
            partner = self.partner_of(doc.id, sugg) if label == sugg.label and not alone else None
            self.write(Session.accept_suggestion, doc.id, sugg, label, partner, then=done,
                       failed=lambda _err: self.tagging.discard(key))
        # Cleared now, not when saved: the next key acts on what the screen shows.
        view.clear_selection()
        self.update_header()

    def action_jump_annotation(self, step: int) -> None:
        if not self.panes:
            return
        self.step_to([(a.start, a.end, a.id) for a in self.anns.get(self.pane.doc.id, [])], step, "annotations")

    def action_edit(self) -> None:
        if not self.panes:
            return
        if self.link_head is not None:
            self.finish_link()
            return
        ann = self.annotation_at(self.pane, self.pane.view.cursor)
        if ann is None and self.still_saving(self.pane, self.pane.view.cursor):
            return
        if ann is None:
            self.notify_plain("no annotation under the cursor (a / A jump to one)")
            return
        from tui.screens.attributes import AttributeForm

        def saved(result: dict | None) -> None:
            if result is not None:
                self.write(Session.edit, ann.id, attrs=result["attrs"], note=result["note"],
                           then=lambda _: self.notify_plain(f"saved attributes of {ann.label}"))

        self.app.push_screen(AttributeForm(self.app.schema.label(ann.label), ann), saved)

    def action_delete(self) -> None:
        if not self.panes:
            return
        pane = self.pane
        ann = self.target_annotation(pane)
        if ann is None and self.still_saving(pane, pane.view.cursor):
            return
        if ann is not None:
            def done(_) -> None:
                # Deleting says "not this": the same proposal must not come straight back.
                self.deleted_spans.add((ann.doc_id, ann.start, ann.end, ann.label))
                self.notify_plain(f"deleted {ann.label} “{_short(ann.quote, 40)}” (u undoes)")

            self.write(Session.delete, ann.id, then=done)
        else:
            sugg = self.target_suggestion(pane)
            if sugg is None:
                self.notify_plain("nothing to delete here")
                return
            # Two suggesters may propose the same span; one x rejects what the user sees there.
            same = [o for o in self.visible_suggestions(pane.doc.id)
                    if (o.start, o.end) == (sugg.start, sugg.end)] or [sugg]
            self.write(Session.reject_suggestions, pane.doc.id, same,
                       then=lambda _: self.notify_plain("suggestion rejected (u undoes)"))

    # ------------------------------------------------------------ actions: history

    # Undo and redo go through the same queue: they act after the saves before them.
    def action_undo(self) -> None:
        self._history(Session.undo, "undone", "nothing to undo")

    def action_redo(self) -> None:
        self._history(Session.redo, "redone", "nothing to redo")

    def _history(self, fn, verb: str, empty: str) -> None:
        def done(step) -> None:
            self.notify_plain(f"{verb}: {step.summary}" if step is not None else empty)

        self.write(fn, then=done)
