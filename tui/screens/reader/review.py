"""Adjudication in the reader (`diptych review --compare A B`): the compared
annotators' spans are candidates that y, Y, x and the label keys settle into gold.

A mixin of AnnotateScreen: it uses the screen's panes, session and write().
"""

from __future__ import annotations

from tui.core import review
from tui.core.models import Suggestion
from tui.core.text import excerpt as _short
from tui.widgets.pane import ArticlePane
from tui.bindings import Key

KEYS: tuple[Key, ...] = (
    # adjudication (diptych review --compare A B)
    Key("review.accept", "y", "accept_candidate", "accept the span under the cursor into gold", "Review",
        show=True, short="accept"),
    Key("review.accept_version", "Y", "accept_version", "accept this annotator's whole document into gold",
        "Review"),
)



class ReviewActions:

    def candidates(self, doc_id: int) -> list[Suggestion]:
        """The compared annotators' spans, as suggestions that gold can accept."""
        spans = {who: self.session.annotations_of(doc_id, [who]) for who in self.compare}
        self.comparisons[doc_id] = {}
        out = []
        for cmp in review.compare_spans(spans):
            sugg = Suggestion(cmp.start, cmp.end, cmp.label, "review", "+".join(cmp.annotators),
                              layer="review", kind=cmp.status)
            self.comparisons[doc_id][sugg.key] = cmp
            out.append(sugg)
        return out

    def accept_candidate(self, pane: ArticlePane, sugg: Suggestion) -> None:
        cmp = self.comparisons.get(pane.doc.id, {}).get(sugg.key)
        if cmp is None:
            return
        self.write(review.copy_to_gold, pane.doc.id, list(cmp.ids[:1]), gold=self.session.annotator,
                   then=lambda _: self.notify_plain(
                       f"accepted into {self.session.annotator}: {cmp.label} “{_short(cmp.quote, 40)}”"))

    # y and Y are only active in a review (AnnotateScreen.check_action).
    def action_accept_candidate(self) -> None:
        # Only the candidate the screen shows as the target: never one hidden under it.
        sugg = self.target_suggestion()
        if sugg is None:
            self.notify_plain("no candidate under the cursor (e jumps to the next)")
            return
        self.accept_candidate(self.pane, sugg)

    def action_accept_version(self) -> None:
        sugg = self.suggestion_at(self.pane, self.pane.view.cursor)
        cmp = self.comparisons.get(self.pane.doc.id, {}).get(sugg.key) if sugg else None
        who = cmp.annotators[0] if cmp else self.compare[0]
        self.write(review.copy_to_gold, self.pane.doc.id, who, gold=self.session.annotator,
                   then=lambda copied: self.notify_plain(
                       f"accepted {who}'s version of this article: {len(copied.created)} new span(s)"))

