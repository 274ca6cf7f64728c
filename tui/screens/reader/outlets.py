"""Stories of three to six articles: two panes side by side, the others summarised.

Two articles are read side by side; every further article is one line in the
strip under the panes: its outlet, how much of it the others share, and whether
it has the sentence under the cursor (the alignment's mark and kind). `W` puts
the next summarised article in place of the pane without the cursor, so any two
can be compared; `tab` moves between the two shown panes. Gutter marks are
relative to the shown panes.

A mixin of AnnotateScreen: it uses the screen's panes, alignment and notify_plain().
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.bindings import Key
from tui.core.text import display_text, excerpt as _short

SIDE_BY_SIDE = 2

KEYS: tuple[Key, ...] = (
    Key("pane.swap", "W", "swap_pane", "3+ articles: show the next summarised article beside this one", "View"),
)

# The alignment kinds as the gutter shows them (tui/screens/reader/compare.py).
_KIND_MARK = {"verbatim": ("=", "bold green"), "quote": ('"', "green"), "paraphrase": ("~", "cyan"),
              "numbers": ("#", "bold magenta"), "contradiction": ("!", "bold red")}


class OthersStrip(Static):
    """One line per article not shown side by side."""

    DEFAULT_CSS = """
    OthersStrip { height: auto; max-height: 5; padding: 0 1; background: $panel; display: none;
                  text-wrap: nowrap; text-overflow: ellipsis; }
    """


class OutletActions:
    shown: list[int]

    def shown_panes(self) -> list:
        shown = getattr(self, "shown", None)
        return [p for p in self.panes if shown is None or p.index in shown]

    def hidden_panes(self) -> list:
        shown = set(getattr(self, "shown", range(len(self.panes))))
        return [p for p in self.panes if p.index not in shown]

    def layout_panes(self) -> None:
        """After a story's panes are mounted: the focused pane and the next one shown."""
        n = len(self.panes)
        if n <= SIDE_BY_SIDE:
            self.shown = list(range(n))
        else:
            self.shown = sorted({self.current, (self.current + 1) % n})
        self.apply_shown()

    def apply_shown(self) -> None:
        for pane in self.panes:
            pane.display = pane.index in self.shown
        self.query_one(OthersStrip).display = len(self.panes) > SIDE_BY_SIDE
        self.update_others()
        if self.alignment is not None:
            self.set_alignment(self.story_id, self.alignment)

    def gutter_others(self, pane) -> list[int] | None:
        """The documents a pane's gutter compares against: the other shown pane(s)."""
        if len(self.panes) <= SIDE_BY_SIDE:
            return None
        return [p.doc.id for p in self.shown_panes() if p is not pane]

    def action_swap_pane(self) -> None:
        if len(self.panes) <= SIDE_BY_SIDE:
            self.notify_plain("every article of this story is already shown")
            return
        keep = self.current
        other = next((i for i in self.shown if i != keep), keep)
        hidden = [p.index for p in self.hidden_panes()]
        # The next summarised article after the one being replaced, round the story.
        new = min(hidden, key=lambda i: (i - other) % len(self.panes))
        self.shown = sorted({keep, new})
        self.apply_shown()
        names = " and ".join(self._outlet(self.panes[i]) for i in self.shown)
        self.notify_plain(f"side by side: {names}; {len(self.hidden_panes())} more summarised below (W for the next)")

    @staticmethod
    def _outlet(pane) -> str:
        return display_text(pane.doc.outlet or pane.doc.title or f"document {pane.doc.id}", keep_newlines=False)

    def update_others(self) -> None:
        """Refresh the strip: per summarised article, its share and its counterpart
        of the sentence under the cursor."""
        if len(self.panes) <= SIDE_BY_SIDE:
            return
        text = Text(no_wrap=True, overflow="ellipsis")
        here = []
        if self.alignment is not None and self.panes:
            here = self.alignment.counterparts(self.pane.doc.id, self.pane.view.cursor)
        for k, pane in enumerate(self.hidden_panes()):
            if k:
                text.append("\n")
            text.append(f"[{pane.index + 1}] ", style="dim")
            text.append(_short(self._outlet(pane), 24), style="bold")
            if self.alignment is None:
                text.append("  aligning…", style="dim")
                continue
            text.append(f"  {round(100 * self.alignment.coverage(pane.doc.id))}% shared  ", style="dim")
            pair = next((p for p in here if p.doc_b == pane.doc.id), None)
            if pair is None:
                text.append("+ not this sentence", style="yellow")
            else:
                char, style = _KIND_MARK.get(pair.kind, ("~", "cyan"))
                text.append(f"{char} {pair.kind}: ", style=style)
                text.append(display_text(pane.doc.text[pair.start_b:pair.end_b], keep_newlines=False))
        self.query_one(OthersStrip).update(text)
