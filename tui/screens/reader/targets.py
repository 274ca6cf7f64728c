"""The target: the one span, suggestion or candidate that keys act on.

Under the focused pane's cursor there may be several annotations and suggestions
(an ACTOR inside a CLAIM that starts at the same offset, a cue inside a tagged
sentence). Exactly one of them is the target: it is highlighted over its whole
extent (with its cue partner, if it has one), named in the status line, and it
is what enter, x, r, i, y and the label keys act on. z / Z switch it among those
under the cursor; a / A and e / E make each span and suggestion the target in
turn, same-start ones included.

The status line's description of the target (describe_cursor) lives here too.

A mixin of AnnotateScreen: it uses the screen's panes, annotations and suggestions.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.bindings import Key
from tui.core.models import Annotation, Suggestion
from tui.core.text import display_text, excerpt as _short
from tui.widgets.annotation_panel import AnnotationPanel
from tui.widgets.article_view import Mark
from tui.widgets.pane import ArticlePane

KEYS: tuple[Key, ...] = (
    Key("target.next", "z", "switch_target(1)", "next span/suggestion under the cursor", "Tag"),
    Key("target.prev", "Z", "switch_target(-1)", "previous span/suggestion under the cursor", "Tag"),
)


def span_key(sugg: Suggestion) -> str:
    # Two suggesters may propose one span and label: they are one target.
    return f"suggestion:{sugg.label}:{sugg.start}:{sugg.end}"


def suggestion_details(sugg: Suggestion) -> str:
    """What a suggestion will carry into its annotation, for the status line:
    "refers to “The Wall Street Journal”", "certainty=hedged". Plain text: the
    caller shows it without markup (a referent is a quote from the article)."""
    parts = []
    for name, value in sugg.attrs:
        if name == "refers_to":
            parts.append(f"refers to “{display_text(value, keep_newlines=False)}”")
        else:
            parts.append(f"{name}={display_text(value, keep_newlines=False)}")
    return ("  " + ", ".join(parts)) if parts else ""


@dataclass(frozen=True)
class Target:
    item: Annotation | Suggestion

    @property
    def is_annotation(self) -> bool:
        return isinstance(self.item, Annotation)

    @property
    def key(self) -> str:
        return self.item.id if isinstance(self.item, Annotation) else span_key(self.item)

    @property
    def start(self) -> int:
        return self.item.start

    @property
    def end(self) -> int:
        return self.item.end


class TargetActions:

    def describe_cursor(self) -> None:
        """Name the focused pane's target in the status line and highlight it."""
        if not self.panes:
            return
        self.show_target()
        rng = self.pane.view.selection_range()
        if rng is not None:
            # While selecting, the selection is what the label keys act on.
            keys = "/".join(spec.key for spec in self.app.schema.labels)
            self.say(("selection ", "bold"), "“" + _short(self.pane.doc.text[rng[0]:rng[1]], 40) + "”",
                     f" {rng[1] - rng[0]} chars", (f"  {keys} tag · esc cancel", "dim"))
            return
        found = self.target()
        index, count = self.target_count()
        more = [(f"  {index}/{count} z next", "bold")] if count > 1 else []
        if found is not None and found.is_annotation:
            ann = found.item
            parts: list = [(f" {ann.label} ", f"bold black on {self.paint(ann.label)}"),
                           " “" + _short(ann.quote, 40) + "”", f" {ann.end - ann.start} chars"]
            if ann.attrs:
                parts.append("  " + display_text(", ".join(f"{k}={v}" for k, v in sorted(ann.attrs.items()))))
            links = [r for r in self.rels if ann.id in (r.head_id, r.tail_id)]
            if links:
                parts.append(f"  · {len(links)} link(s)")
            parts += more
            if self.link_head is not None:
                parts.append(("  enter links to this · esc cancels", "dim"))
            else:
                parts.append(("  enter edit · x delete · r link", "dim"))
            self.query_one(AnnotationPanel).select_annotation(ann.id)
            self.say(*parts)
            return
        if self.link_head is not None:
            self.say(("Linking: ", "bold"), "move to the target span (tab for the other pane), enter saves, esc cancels")
            return
        sugg = found.item if found is not None else None
        if sugg is not None:
            quote = " “" + _short(self.pane.doc.text[sugg.start:sugg.end], 30) + "”"
            size = f" {sugg.end - sugg.start} chars"
            colour = self.paint(sugg.label)
            if sugg.layer == "review":
                self.say(*self.candidate_parts(sugg), *more, ("  y accept · Y whole version · x reject", "dim"))
                return
            partner = self.partner_of(self.pane.doc.id, sugg)
            keys = "/".join(spec.key for spec in self.app.schema.labels)
            kind = f" ({sugg.kind})" if sugg.kind else ""
            parts = [("suggested ", "italic"), (sugg.label, f"underline {colour}")]
            if partner is not None:
                # Accepting this end accepts its partner too: both are marked, and named here.
                parts += [" + ", (partner.label, f"underline {self.paint(partner.label)}"),
                          " linked" if (sugg.relation or partner.relation) else ""]
            parts += [kind, quote, size, f" by {sugg.suggester}", suggestion_details(sugg), *more]
            if partner is not None:
                parts.append((f"  {self.app.schema.label(sugg.label).key} both · i alone · x reject", "dim"))
            else:
                parts.append((f"  {keys} accept · x reject", "dim"))
            self.say(*parts)
            return
        theirs = [a for a in self.others.get(self.pane.doc.id, [])
                  if a.start <= self.pane.view.cursor < a.end]
        if theirs:
            other = min(theirs, key=lambda a: a.end - a.start)
            self.say((f"{other.annotator}: ", "bold"), (other.label, f"{self.paint(other.label)}"),
                     " “" + _short(other.quote, 40) + "”", f" {other.end - other.start} chars",
                     ("  (theirs: O hides)", "dim"))
            return
        # Nothing to act on here: the focused document's progress (cut from a narrow pane title).
        self.say((self.pane.progress + "  ", "bold") if self.pane.progress else "", self.suggest_status or "",
                 ("   ? help", "dim"))

    def targets_at(self, pane: ArticlePane, offset: int) -> list[Target]:
        """What keys could act on at ``offset``: annotations innermost first, then the
        shown suggestions innermost first (one per span and label)."""
        by_id = {a.id: a for a in self.anns.get(pane.doc.id, [])}
        out = [Target(by_id[m.id]) for m in pane.view.marks_at(offset, "annotation") if m.id in by_id]
        seen: set[tuple[int, int, str]] = set()
        for sugg in self.suggestions_at(pane, offset):
            if (sugg.start, sugg.end, sugg.label) not in seen:
                seen.add((sugg.start, sugg.end, sugg.label))
                out.append(Target(sugg))
        return out

    def target(self, pane: ArticlePane | None = None) -> Target | None:
        """The target under ``pane``'s cursor (the focused pane's by default)."""
        if not self.panes:
            return None
        pane = pane or self.pane
        found = self.targets_at(pane, pane.view.cursor)
        if not found:
            return None
        chosen = self.chosen.get(pane.index)
        return next((t for t in found if t.key == chosen), found[0])

    def target_annotation(self, pane: ArticlePane | None = None) -> Annotation | None:
        found = self.target(pane)
        return found.item if found is not None and found.is_annotation else None

    def target_suggestion(self, pane: ArticlePane | None = None) -> Suggestion | None:
        found = self.target(pane)
        return found.item if found is not None and not found.is_annotation else None

    def choose(self, pane: ArticlePane, key: str) -> None:
        self.chosen[pane.index] = key

    def show_target(self) -> None:
        """Highlight the focused pane's target (and its cue partner); other panes show none."""
        for pane in self.panes:
            marks: list[Mark] = []
            if pane.index == self.current:
                found = self.target(pane)
                if found is not None:
                    marks.append(Mark(found.start, found.end, "target", id=found.key))
                    if not found.is_annotation:
                        partner = self.partner_of(pane.doc.id, found.item)
                        if partner is not None:
                            marks.append(Mark(partner.start, partner.end, "target", id=partner.key))
            pane.view.set_marks("target", marks)

    def target_count(self) -> tuple[int, int]:
        """(position of the target among those under the cursor, how many there are)."""
        if not self.panes:
            return 0, 0
        found = self.targets_at(self.pane, self.pane.view.cursor)
        current = self.target()
        if current is None:
            return 0, 0
        return [t.key for t in found].index(current.key) + 1, len(found)

    def action_switch_target(self, step: int) -> None:
        if not self.panes:
            return
        found = self.targets_at(self.pane, self.pane.view.cursor)
        if len(found) < 2:
            self.notify_plain("only one span or suggestion here" if found else "nothing under the cursor")
            return
        index, _ = self.target_count()
        self.choose(self.pane, found[(index - 1 + step) % len(found)].key)
        self.describe_cursor()

    def step_to(self, items: list[tuple[int, int, str]], step: int, what: str) -> None:
        """Make the next/previous of ``items`` ((start, end, key), any order) the target:
        spans that start together are visited one by one, shortest first."""
        view = self.pane.view
        if not items:
            self.notify_plain(f"no {what} in this article")
            return
        items = sorted(items)
        current = self.target()
        keys = [k for _s, _e, k in items]
        if current is not None and current.key in keys:
            index = keys.index(current.key) + step
        elif step > 0:
            index = next((i for i, (s, _e, _k) in enumerate(items) if s > view.cursor), 0)
        else:
            index = max((i for i, (s, _e, _k) in enumerate(items) if s < view.cursor), default=-1)
        start, _end, key = items[index % len(items)]
        self.choose(self.pane, key)
        view.move_to(start, center=True)
        self.describe_cursor()
