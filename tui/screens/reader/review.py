"""Adjudication in the reader (`diptych review --compare A B`): the compared
annotators' spans are candidates that y, Y, x and the label keys settle into gold.

A mixin of AnnotateScreen: it uses the screen's panes, session and write().
"""

from __future__ import annotations

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
        from tui.core import review  # only a review needs it: not on the reader's way to its first paint

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
        from tui.core import review

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
        sugg = self.target_suggestion()
        cmp = self.comparisons.get(self.pane.doc.id, {}).get(sugg.key) if sugg else None
        who = cmp.annotators[0] if cmp else self.compare[0]
        doc_id, gold = self.pane.doc.id, self.session.annotator
        count = len(self.session.annotations_of(doc_id, [who]))
        from tui.core import review  # only a review needs it: not on the reader's way to its first paint

        def chosen(answer: str | None) -> None:
            # A whole version is many writes at once: only on an explicit yes.
            if answer == "yes":
                self.write(review.copy_to_gold, doc_id, who, gold=gold,
                           then=lambda copied: self.notify_plain(
                               f"accepted {who}'s version of this article: {len(copied.created)} new span(s)"))
            else:
                self.notify_plain("nothing accepted")

        from tui.screens.choice import ChoiceScreen

        self.app.push_screen(ChoiceScreen(
            f"Accept {who}'s whole version of this article ({count} span(s)) into {gold}?",
            [("yes", "y", f"yes, copy {who}'s spans and links"), ("no", "n", "no")]), chosen)

    def candidate_parts(self, sugg: Suggestion) -> list:
        """Status line parts for a review candidate: who has it, where, and the other
        annotators' versions of it when they differ."""
        text = self.pane.doc.text
        parts: list = [(f"{sugg.kind} ", "bold"), (sugg.label, f"underline {self.paint(sugg.label)}"),
                       f" {sugg.start}–{sugg.end} “{_short(text[sugg.start:sugg.end], 30)}”",
                       (f" by {sugg.version.replace('+', ', ')}", "bold")]
        mine = set(sugg.version.split("+"))
        for other in self.suggs.get(self.pane.doc.id, []):
            theirs = set(other.version.split("+")) - mine
            if (other.key != sugg.key and theirs and other.label == sugg.label
                    and other.start < sugg.end and sugg.start < other.end):
                parts.append(f" · {', '.join(sorted(theirs))}: {other.start}–{other.end}"
                             f" “{_short(text[other.start:other.end], 20)}”")
        return parts

