"""Linking in the reader: from a source or actor annotation to the span it
links to, in this article or another one.

A mixin of AnnotateScreen: it uses the screen's panes, session and write().
"""

from __future__ import annotations

from tui.bindings import Key
from tui.core.models import Annotation
from tui.core.session import AnnotationSession as Session
from tui.widgets.article_view import Mark

KEYS: tuple[Key, ...] = (
    Key("link.start", "r", "link_start", "link to a source or actor", "Tag", short="link"),
)


class LinkingActions:

    # ------------------------------------------------------------ actions: linking

    def action_link_start(self) -> None:
        if not self.panes:
            return
        ann = self.annotation_at(self.pane, self.pane.view.cursor)
        if ann is None and self.still_saving(self.pane, self.pane.view.cursor):
            return
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
        def done(rel) -> None:
            self.notify_plain(f"linked {head.label} {rel.type} {tail.label}")
            if self.link_head is head:  # unless a new link was started meanwhile
                self.link_head = None
                for pane in self.panes:
                    pane.view.set_marks("link", [])

        self.write(Session.link, head.id, tail.id, rel_type, then=done)
