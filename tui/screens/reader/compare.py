"""Comparing the articles in the reader: the alignment gutter, counterpart jumps,
synchronized scrolling, word differences, and claim links across outlets.

A mixin of AnnotateScreen: it uses the screen's panes, session and write().
"""

from __future__ import annotations

from textual import work

from tui.core.session import AnnotationSession as Session
from tui.widgets.article_view import Mark
from tui.core.text import excerpt as _short
from tui.widgets.palette import drawn
from tui.widgets.pane import ArticlePane
from tui.bindings import Key

# Gutter marks of the alignment: one ASCII cell each, so every terminal font has them.
# Colours as drawn (tui/widgets/palette.py), not the theme's: its yellow is orange.
GUTTER = {
    "verbatim": ("=", f"bold {drawn('green')}"),
    "quote": ("\"", drawn("green")),
    "paraphrase": ("~", drawn("cyan")),
    "numbers": ("#", f"bold {drawn('magenta')}"),
    "contradiction": ("!", f"bold {drawn('red')}"),
    "only": ("+", f"bold {drawn('yellow')}"),
    "repeat": ("r", "dim"),
    "boilerplate": ("x", "dim"),
}

KEYS: tuple[Key, ...] = (
    # comparing the articles
    Key("align.jump", "f", "jump_counterpart", "jump the other pane(s) to this sentence's counterpart", "Compare",
        short="counterpart"),
    Key("align.sync", "S", "toggle_sync", "synchronized scrolling by alignment on/off", "Compare"),
    Key("align.diff", "d", "toggle_diff", "show the words that differ in aligned sentences", "Compare"),
    Key("align.proposals", "L", "proposals", "proposed claim links across articles", "Compare"),
    Key("compare.screen", "C", "compare_screen", "comparison report (claims x outlets...)", "Compare"),
    Key("align.provenance", "P", "provenance_screen", "provenance: where each claim came from, independent origins",
        "Compare"),
)



class CompareActions:

    @work(thread=True, exclusive=True, group="align")
    def align_story(self) -> None:
        story_id, docs = self.story_id, list(self.docs)
        if len(docs) < 2:
            return
        # Imported here, in the worker: rapidfuzz and the aligner are not needed for the first paint.
        from tui.core.align import cache as alignment_cache

        try:
            alignment = alignment_cache.story_alignment(self.session, story_id, documents=docs,
                                                        align=self.app.align_in_worker)
        except Exception as err:  # alignment is an aid: never let it take the reader down
            self.app.call_from_thread(self.notify_plain, f"alignment failed: {type(err).__name__}: {err}", error=True)
            return
        self.app.call_from_thread(self.set_alignment, story_id, alignment)

    def set_alignment(self, story_id: int, alignment) -> None:
        if story_id != self.story_id:
            return  # the user moved on to another story meanwhile
        self.alignment = alignment
        for pane in self.panes:
            # A copy the stored regions call repeated is marked so, whatever its first copy's mark.
            repeats = self.repeated.get(pane.doc.id, [])
            marks = [(start, "repeat" if any(r.start <= start < r.end for r in repeats) else mark)
                     for start, _end, mark in alignment.gutter(pane.doc.id, self.gutter_others(pane))]
            pane.view.set_gutter([(start, *GUTTER[mark]) for start, mark in marks if mark in GUTTER])
        self.update_others()

    def _need_alignment(self) -> bool:
        if self.alignment is None:
            self.notify_plain("the articles are still being aligned (or this story has one article)")
            return False
        return True

    def action_jump_counterpart(self) -> None:
        if not self.panes or not self._need_alignment():
            return
        pairs = self.alignment.counterparts(self.pane.doc.id, self.pane.view.cursor)
        if not pairs:
            self.notify_plain("this sentence is only in this article")
            return
        seen = set()
        for pair in pairs:  # best first: one jump per other document
            if pair.doc_b in seen:
                continue
            seen.add(pair.doc_b)
            for pane in self.panes:
                if pane.doc.id == pair.doc_b:
                    pane.view.move_to(pair.start_b, center=True)
        best = pairs[0]
        self.notify_plain(f"counterpart: {best.kind} ({best.score:.2f}) in {len(seen)} other article(s)")
        if self.diff:
            self.show_diff()

    def follow(self, source: ArticlePane) -> None:
        if self.alignment is None:
            return
        for pane in self.panes:
            if pane is not source:
                target = self.alignment.sync_offset(source.doc.id, source.view.cursor, pane.doc.id)
                pane.view.move_to(target, center=True)

    def action_toggle_sync(self) -> None:
        if not self._need_alignment():
            return
        self.sync = not self.sync
        if self.sync:
            self.follow(self.pane)
        self.notify_plain("synchronized scrolling " + ("on: the other panes follow the alignment" if self.sync
                                                       else "off"))

    def action_toggle_diff(self) -> None:
        if not self._need_alignment():
            return
        self.diff = not self.diff
        if self.diff:
            self.show_diff()
        else:
            for pane in self.panes:
                pane.view.set_marks("diff", [])
        self.notify_plain("differing words " + ("shown (italic) for the sentence under the cursor" if self.diff
                                                else "hidden"))

    def show_diff(self) -> None:
        from tui.core import align  # loaded by the alignment worker long before

        marks: dict[int, list[Mark]] = {pane.doc.id: [] for pane in self.panes}
        texts = {pane.doc.id: pane.doc.text for pane in self.panes}
        pairs = self.alignment.counterparts(self.pane.doc.id, self.pane.view.cursor) if self.alignment else []
        for pair in pairs[:1]:
            only_a, only_b = align.word_diff(texts[pair.doc_a], (pair.start_a, pair.end_a),
                                             texts[pair.doc_b], (pair.start_b, pair.end_b))
            marks[pair.doc_a] += [Mark(s, e, "diff") for s, e in only_a]
            marks[pair.doc_b] += [Mark(s, e, "diff") for s, e in only_b]
        for pane in self.panes:
            pane.view.set_marks("diff", marks[pane.doc.id])

    def proposal_key(self, link) -> str:
        return f"claim-link:{link.head_id}:{link.tail_id}:{link.type}"

    def action_proposals(self) -> None:
        if not self._need_alignment():
            return
        from tui.core import align
        from tui.screens.proposals import ProposalRow, ProposalsScreen

        claims = [a for doc in self.docs for a in self.anns.get(doc.id, []) if a.label == "CLAIM"]
        by_id = {a.id: a for a in claims}
        linked = {(r.head_id, r.tail_id) for r in self.rels} | {(r.tail_id, r.head_id) for r in self.rels}
        outlets = {d.id: d.outlet or d.title for d in self.docs}
        rows, self.proposals = [], {}
        for link in align.propose_claim_links(self.alignment, claims):
            key = self.proposal_key(link)
            head = by_id[link.head_id]
            if (link.head_id, link.tail_id) in linked or key in self.session.decisions(head.doc_id):
                continue
            tail = by_id[link.tail_id]
            self.proposals[key] = link
            rows.append(ProposalRow(key, link.type, link.score, f"{outlets[head.doc_id]}: {_short(head.quote, 90)}",
                                    f"{outlets[tail.doc_id]}: {_short(tail.quote, 90)}"))

        # The list drops a row at once; if its save is refused, ``failed`` puts it back.
        def accept(key: str, failed) -> None:
            link = self.proposals[key]
            self.write(Session.link, link.head_id, link.tail_id, link.type, failed=lambda _err: failed())

        def reject(key: str, failed) -> None:
            link = self.proposals[key]
            head = by_id[link.head_id]
            self.write(Session.reject_key, head.doc_id, key,
                       f"reject proposed {link.type} link of “{_short(head.quote, 30)}”",
                       failed=lambda _err: failed())

        self.app.push_screen(ProposalsScreen(rows, accept, reject))

    def action_compare_screen(self) -> None:
        from tui.screens.compare import CompareScreen

        self.app.push_screen(CompareScreen(self.story_id))

    def action_provenance_screen(self) -> None:
        from tui.screens.provenance import ProvenanceScreen

        self.app.push_screen(ProvenanceScreen(self.story_id))

