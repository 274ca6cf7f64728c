"""The provenance screen: where each claim of the story came from.

The sources upstream of the outlets drawn as a tree (what a source itself
cites on top, the source, the outlets citing it), then every shared claim with
its number of independent origins (two outlets citing one newspaper = one),
then the claims one outlet carries alone. A read-only view of
:mod:`tui.core.align.provenance`, built in a worker thread. Every string from
an article goes into a rich ``Text``, never into markup.
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.widgets import Static

from tui.core.align.cache import story_provenance
from tui.core.align.provenance import Provenance
from tui.core.align.provenance_render import chain_text, claim_heading, tree_lines
from tui.core.errors import DiptychError
from tui.core.text import safe_text as _s
from tui.screens.report_screen import ReportScreen, report_bindings

QUOTE_LIMIT = 160


def _short(text: str, limit: int = QUOTE_LIMIT) -> str:
    text = _s(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _heading(title: str, note: str = "") -> Text:
    text = Text("\n")
    text.append(title, style="bold underline")
    if note:
        text.append("  " + note, style="dim")
    return text


def tree_text(prov: Provenance) -> Text:
    text = Text()
    lines = tree_lines(prov)
    if not lines:
        return Text("No claims tagged yet.", style="dim")
    for i, line in enumerate(lines):
        if i:
            text.append("\n")
        stripped = line.lstrip(" ")
        indent = line[: len(line) - len(stripped)]
        if stripped[:2] in ("├─", "└─"):
            text.append(indent + stripped[:3], style="dim")
            name, _, claims = stripped[3:].partition("   [")
            # A source has claims after it; an outlet (a leaf) does not.
            text.append(_s(name), style="bold cyan" if claims else "bold")
            if claims:
                text.append("   [" + _s(claims), style="dim")
        else:
            name, _, claims = line.partition("   [")
            text.append(_s(name), style="italic" if not claims else "bold cyan")
            if claims:
                text.append("   [" + _s(claims), style="dim")
    return text


def claims_text(claims, empty: str) -> Text:
    if not claims:
        return Text(empty, style="dim")
    text = Text()
    for i, c in enumerate(claims):
        if i:
            text.append("\n")
        head, _, origins = claim_heading(c).partition(": ")
        text.append(_s(head), style="bold green" if c.independent > 1 else "bold yellow")
        text.append(": " + _s(origins))
        text.append("\n  “")
        text.append(_short(c.text), style="italic")
        text.append("”")
        for line in chain_text(c):
            text.append("\n  ")
            text.append(_s(line), style="dim")
    return text


def provenance_renderable(prov: Provenance) -> Group:
    """The whole view as one rich renderable (also used by tests)."""
    return Group(
        Text("Sources upstream of the outlets", style="bold underline"),
        tree_text(prov),
        _heading("Shared claims", "independent origins: outlets citing one source count once"),
        claims_text(prov.shared, "No claim is carried by two outlets yet."),
        _heading("Carried by one outlet only"),
        claims_text(prov.single, "None."),
    )


class ProvenanceScreen(ReportScreen):
    """Full-screen provenance of one story; esc/q goes back."""
    PREFIX = "provenance"
    HEADING = "Provenance"
    VIEW_ID = "provenance-view"
    PLACEHOLDER = "Tracing the claims…"

    BINDINGS = report_bindings("provenance") + [
        Binding("a", "toggle_annotators", "mine/everyone", id="provenance.annotators"),
    ]
    DEFAULT_CSS = """
    ProvenanceScreen #provenance-title { height: auto; padding: 0 1; background: $boost; }
    ProvenanceScreen #provenance-body { height: 1fr; padding: 0 1; }
    ProvenanceScreen #provenance-view { height: auto; }
    ProvenanceScreen #provenance-status { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, story_id: int, *, everyone: bool = False) -> None:
        super().__init__(story_id, everyone=everyone)
        self.provenance: Provenance | None = None

    @work(thread=True, exclusive=True, group="provenance")
    def load(self) -> None:
        try:
            who = None if self.everyone else [self.session.annotator]
            # Suggested claims count too (marked): what the reader shows, from the cache.
            service = getattr(self.app, "suggestions", None)
            suggestions = ({d.id: service.cached(d) for d in self.session.documents(self.story_id)}
                           if service is not None else None)
            prov = story_provenance(self.session, self.story_id, annotators=who, suggestions=suggestions)
        except DiptychError as err:
            self.app.call_from_thread(self.say, str(err), True)
            return
        self.app.call_from_thread(self.show, prov)

    def show(self, prov: Provenance) -> None:
        if not self.is_attached:
            return
        self.provenance = prov
        self.query_one("#provenance-title", Static).update(self._title())
        self.query_one("#provenance-view", Static).update(provenance_renderable(prov))
        single = len(prov.single)
        self.say(f"{len(prov.shared)} shared claim(s), {single} carried by one outlet, "
                 f"{len(prov.sources)} cited source(s)")


__all__ = ["ProvenanceScreen", "provenance_renderable"]
