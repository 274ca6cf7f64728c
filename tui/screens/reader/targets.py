"""The target: the one span, suggestion or candidate that keys act on.

Under the focused pane's cursor there may be several annotations and suggestions
(an ACTOR inside a CLAIM that starts at the same offset, a cue inside a tagged
sentence). Exactly one of them is the target: it is highlighted over its whole
extent (with its cue partner, if it has one), named in the status line, and it
is what enter, x, r, i, y and the label keys act on. z / Z switch it among those
under the cursor; a / A and e / E make each span and suggestion the target in
turn, same-start ones included.

A mixin of AnnotateScreen: it uses the screen's panes, annotations and suggestions.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.bindings import Key
from tui.core.models import Annotation, Suggestion
from tui.widgets.article_view import Mark
from tui.widgets.pane import ArticlePane

KEYS: tuple[Key, ...] = (
    Key("target.next", "z", "switch_target(1)", "next span/suggestion under the cursor", "Tag"),
    Key("target.prev", "Z", "switch_target(-1)", "previous span/suggestion under the cursor", "Tag"),
)


def span_key(sugg: Suggestion) -> str:
    # Two suggesters may propose one span and label: they are one target.
    return f"suggestion:{sugg.label}:{sugg.start}:{sugg.end}"


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
