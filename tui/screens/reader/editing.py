"""Exact spans in the reader: the boundary keys, exact sentence selection, accepting
a suggestion with its boundaries fixed, and the jumps that save keys (the next
suggestion of one label, the next sentence with no annotation yet).

Each boundary key moves one end of what the screen shows as the target, in this
order: the selection (it becomes exact: never snapped to words afterwards), else
the annotation under the cursor (saved at once: one undoable change), else the
suggestion under the cursor (it becomes an exact selection remembered as that
suggestion, so the label key then accepts the adjusted span).

A mixin of AnnotateScreen, placed before TaggingActions and SuggestionActions,
whose action_tag, action_select_sentence and action_jump_suggestion it extends;
counts come from CountActions (take_count).
"""

from __future__ import annotations

from tui.bindings import Key
from tui.core.boundaries import BoundaryEdit, move_boundary, word_edges
from tui.core.models import Suggestion
from tui.core.session import AnnotationSession as Session
from tui.core.text import excerpt as _short, sentences
from tui.screens.reader.targets import span_key

KEYS: tuple[Key, ...] = (
    # unshifted: the start; shifted: the end; , . by a word, ; ' by a character
    Key("bound.start_grow_word", "comma", "bound('start', 'word', -1)", "span start a word left (grow)", "Edit"),
    Key("bound.start_shrink_word", "full_stop", "bound('start', 'word', 1)", "span start a word right (shrink)",
        "Edit"),
    Key("bound.end_shrink_word", "less_than_sign", "bound('end', 'word', -1)", "span end a word left (shrink)",
        "Edit"),
    Key("bound.end_grow_word", "greater_than_sign", "bound('end', 'word', 1)", "span end a word right (grow)",
        "Edit"),
    Key("bound.start_grow_char", "semicolon", "bound('start', 'char', -1)", "span start a character left (grow)",
        "Edit"),
    Key("bound.start_shrink_char", "apostrophe", "bound('start', 'char', 1)",
        "span start a character right (shrink)", "Edit"),
    Key("bound.end_shrink_char", "colon", "bound('end', 'char', -1)", "span end a character left (shrink)", "Edit"),
    Key("bound.end_grow_char", "quotation_mark", "bound('end', 'char', 1)", "span end a character right (grow)",
        "Edit"),
    Key("bound.snap_tokens", "minus", "snap_tokens", "span out to spaCy token boundaries", "Edit"),
    Key("link.last", "equals_sign", "link_last", "link the span under the cursor with the one tagged before it",
        "Edit"),
)

JUMP_KEYS: tuple[Key, ...] = (
    Key("suggestion.next_label", "T", "label_jump", "next suggestion of one label: T then the label key",
        "Suggest"),
    Key("sentence.next_untagged", "U", "jump_untagged(1)", "next sentence with no annotation yet", "Suggest"),
)


class EditingActions:

    # The suggestion a boundary key turned into the selection: the label key accepts it adjusted.
    adjusting: Suggestion | None = None
    # The key count at which T was pressed: only the very next key may be its label.
    label_jump_at: int | None = None

    # ------------------------------------------------------------ boundaries

    def _edges(self, pane) -> tuple[list[int], list[int]]:
        cache = self.__dict__.setdefault("_edge_cache", {})
        if pane.doc.id not in cache:
            cache[pane.doc.id] = word_edges(pane.doc.text)
        return cache[pane.doc.id]

    def _moved(self, pane, span: tuple[int, int], edit: BoundaryEdit, times: int) -> tuple[int, int] | None:
        moved = None
        for _ in range(times):
            step = move_boundary(pane.doc.text, span, edit, edges=self._edges(pane))
            if step is None:
                break
            span = moved = step
        return moved

    def action_bound(self, side: str, unit: str, direction: int) -> None:
        times = self.take_count()
        if not self.panes:
            return
        pane = self.pane
        edit = BoundaryEdit(side, unit, direction)
        self._retarget(pane, lambda span: self._moved(pane, span, edit, times),
                       f"cannot move the {side} further: a span keeps one character at least")

    def action_snap_tokens(self) -> None:
        """-: grow the target to the spaCy token boundaries around it (what exports with
        token offsets need)."""
        self.take_count()
        if not self.panes:
            return
        pane = self.pane

        def snapped(span: tuple[int, int]) -> tuple[int, int] | None:
            new = self.session.token_snap(pane.doc.id, *span)
            return None if new == span else new

        self._retarget(pane, snapped, "already on token boundaries")

    def _retarget(self, pane, change, refused: str) -> None:
        """Apply ``change`` (span -> new span, or None) to the target the screen shows:
        the selection, else the annotation under the cursor, else the suggestion there."""
        view = pane.view
        if view.selection is not None:
            current = view.selection_range()
            if current is None:
                self.notify_plain("the selection holds no word yet: extend it first")
                return
            new = change(current)
            if new is None:
                self.notify_plain(refused)
                return
            view.select_range(*new, exact=True)
            self.update_header()
            self._say_span("selection" if self.adjusting is None else f"suggested {self.adjusting.label}", pane, new)
            return
        ann = self.annotation_at(pane, view.cursor)
        if ann is None and self.still_saving(pane, view.cursor):
            return
        if ann is not None:
            self._resize(pane, ann, change, refused)
            return
        sugg = self.suggestion_at(pane, view.cursor)
        if sugg is None:
            self.notify_plain("no span here: select with v, or move onto an annotation or a suggestion")
            return
        new = change((sugg.start, sugg.end))
        if new is None:
            self.notify_plain(f"that suggestion: {refused}")
            return
        view.select_range(*new, exact=True)
        # A review candidate fixed this way is tagged as a plain selection: it is not a suggestion to decide.
        self.adjusting = sugg if sugg.layer != "review" else None
        self.update_header()
        keys = "/".join(spec.key for spec in self.app.schema.labels)
        self._say_span(f"suggested {sugg.label}", pane, new, extra=f"; {keys} accepts it, esc drops it")

    def _resize(self, pane, ann, change, refused: str) -> None:
        # Keys pressed before the last resize is saved build on it, not on the stored span.
        pending = self.__dict__.setdefault("_resizing", {})
        current = pending.get(ann.id, (ann.start, ann.end))
        new = change(current)
        if new is None:
            self.notify_plain(f"{ann.label} “{_short(ann.quote, 30)}”: {refused}")
            return
        pending[ann.id] = new
        view = pane.view
        if not new[0] <= view.cursor < new[1]:
            view.move_to(new[0] if view.cursor < new[0] else new[1] - 1)

        def done(made) -> None:
            if pending.get(ann.id) == (made.start, made.end):
                pending.pop(ann.id, None)
            self._say_span(f"{made.label} resized (u undoes)", pane, (made.start, made.end))

        self.write(Session.resize, ann.id, *new, then=done, failed=lambda _err: pending.pop(ann.id, None))

    def _say_span(self, what: str, pane, span: tuple[int, int], extra: str = "") -> None:
        start, end = span
        quote = pane.doc.text[start:end]
        aligned = self.session.token_aligned(pane.doc.id, start, end)
        warn = "" if aligned else " — NOT on token boundaries (exports report it)"
        self.notify_plain(f"{what}: “{_short(quote, 50)}” {start}-{end} ({end - start} chars){warn}{extra}")

    # ------------------------------------------------------------ selecting and tagging, extended

    def action_select_sentence(self) -> None:
        """V: the sentence under the cursor exactly as written (its quotes and full
        stop included); 3V takes it and the two after it."""
        times = self.take_count()
        if not self.panes:
            return
        view = self.pane.view
        spans = self._sentences(self.pane)
        first = next((i for i, (s, e) in enumerate(spans) if s <= view.cursor < e), None)
        if first is None:
            self.notify_plain("not in a sentence: move onto one")
            return
        last = min(first + times, len(spans)) - 1
        self.adjusting = None
        view.select_range(spans[first][0], spans[last][1], exact=True)
        self.update_header()

    def _sentences(self, pane) -> list[tuple[int, int]]:
        cache = self.__dict__.setdefault("_sentence_cache", {})
        if pane.doc.id not in cache:
            cache[pane.doc.id] = sentences(pane.doc.text)
        return cache[pane.doc.id]

    def action_tag(self, label: str, alone: bool = False) -> None:
        if self.label_jump_at is not None:
            pending, self.label_jump_at = self.label_jump_at, None
            if pending == self.key_serial - 1:
                self.jump_to_label(label)
                return
        if not self.panes:
            return
        pane, view = self.pane, self.pane.view
        sugg, self.adjusting = self.adjusting, None
        rng = view.selection_range()
        if sugg is not None and rng is not None and view.exact:
            self._accept_adjusted(pane, sugg, rng, label)
            return
        super().action_tag(label, alone=alone)
        if rng is not None and not self.session.token_aligned(pane.doc.id, *rng):
            self.notify_plain(f"“{_short(pane.doc.text[rng[0]:rng[1]], 40)}” does not fall on token boundaries: "
                              "exports with token offsets report it")

    def _accept_adjusted(self, pane, sugg: Suggestion, rng: tuple[int, int], label: str) -> None:
        doc = pane.doc
        key = (doc.id, rng[0], rng[1], label)
        if key in self.tagging or any((a.start, a.end, a.label) == key[1:] for a in self.anns.get(doc.id, [])):
            self.notify_plain(f"already tagged {label}: “{_short(doc.text[rng[0]:rng[1]], 40)}”")
            pane.view.clear_selection()
            self.update_header()
            return
        self.tagging.add(key)

        def done(made) -> None:
            self.tagging.discard(key)
            self.mark_started(doc.id)
            self.notify_plain(f"tagged {made.label} (suggestion adjusted): “{_short(made.quote, 40)}”")

        self.write(Session.accept_adjusted, doc.id, sugg, rng[0], rng[1], label, then=done,
                   failed=lambda _err: self.tagging.discard(key))
        pane.view.clear_selection()
        self.update_header()

    def action_cancel(self) -> None:
        sugg, self.adjusting = self.adjusting, None
        self.label_jump_at = None
        super().action_cancel()
        if sugg is not None and self.panes:
            # Back onto the suggestion the boundary keys were fixing: it is the target again.
            self.pane.view.move_to(sugg.start)

    # ------------------------------------------------------------ linking in one key

    def last_tagged_other(self, doc_id: int, ann_id: str):
        """The annotation of this article tagged most recently, other than ``ann_id``."""
        others = [a for a in self.anns.get(doc_id, []) if a.id != ann_id]
        return max(others, key=lambda a: (a.created_at, a.start), default=None)

    def action_link_last(self) -> None:
        """=: link the span under the cursor with the one tagged just before it, the
        direction and type from the schema (a CLAIM to its SOURCE, a MOTIVE to its ACTOR)."""
        self.take_count()
        if not self.panes:
            return
        pane = self.pane
        here = self.annotation_at(pane, pane.view.cursor)
        if here is None and self.still_saving(pane, pane.view.cursor):
            return
        if here is None:
            self.notify_plain("no annotation under the cursor: = links it with the one tagged before it")
            return
        last = self.last_tagged_other(pane.doc.id, here.id)
        if last is None:
            self.notify_plain("no other annotation in this article to link to")
            return
        for head, tail in ((here, last), (last, here)):
            rel = self.app.schema.relation_for(head.label, tail.label)
            if rel is not None:
                break
        else:
            self.notify_plain(f"{here.label} and {last.label} (“{_short(last.quote, 30)}”) cannot be linked; "
                              "r links to any span")
            return
        if any((r.head_id, r.tail_id, r.type) == (head.id, tail.id, rel.name) for r in self.rels):
            self.notify_plain(f"already linked: {head.label} {rel.name} {tail.label} “{_short(tail.quote, 30)}”")
            return
        self.write(Session.link, head.id, tail.id, rel.name,
                   then=lambda made: self.notify_plain(
                       f"linked {head.label} “{_short(head.quote, 25)}” {made.type} {tail.label} "
                       f"“{_short(tail.quote, 25)}” (u undoes)"))

    # ------------------------------------------------------------ jumps

    def _inside_tagged(self, doc_id: int, sugg: Suggestion) -> bool:
        return any(a.start <= sugg.start and sugg.end <= a.end for a in self.anns.get(doc_id, []))

    def action_jump_suggestion(self, step: int) -> None:
        """e / E: the next suggestion not inside a span already tagged (those add nothing new)."""
        times = self.take_count()
        if not self.panes:
            return
        if self.compare:
            # Review candidates are stepped through by the suggestions mixin's own rule.
            for _ in range(times):
                super().action_jump_suggestion(step)
            return
        doc_id = self.pane.doc.id
        # One stop per span and label (same-start ones included), as the targets list them.
        items = list({(s.start, s.end, span_key(s)) for s in self.visible_suggestions(doc_id)
                      if not self._inside_tagged(doc_id, s)})
        for _ in range(times):
            self.step_to(items, step, "untagged suggestions")

    def action_label_jump(self) -> None:
        self.take_count()
        self.label_jump_at = self.key_serial
        keys = ", ".join(f"{spec.key} {spec.name}" for spec in self.app.schema.labels)
        self.notify_plain(f"next suggestion of which label? {keys} (esc cancels)")

    def jump_to_label(self, label: str) -> None:
        if not self.panes:
            return
        doc_id = self.pane.doc.id
        items = list({(s.start, s.end, span_key(s)) for s in self.visible_suggestions(doc_id)
                      if s.label == label and not self._inside_tagged(doc_id, s)})
        self.step_to(items, 1, f"{label} suggestions left")

    def action_jump_untagged(self, step: int) -> None:
        times = self.take_count()
        if not self.panes:
            return
        anns = self.anns.get(self.pane.doc.id, [])
        starts = [s for s, e in self._sentences(self.pane)
                  if not any(a.start < e and s < a.end for a in anns)]
        for _ in range(times):
            self._jump(self.pane.view, starts, step, "sentences without an annotation")
