"""The comparison screen: which outlet carries which claim, on whose word, and why.

A read-only view of :class:`tui.core.align.report.Report` for the open story: claims x
outlets, sources (across outlets and per outlet), motives by category, and the
passages only one outlet has. It is built in a worker thread (aligning a long
story the first time takes a moment; afterwards it comes from the cache).

Every string from an article goes into a rich ``Text`` object, never into
markup, so ``[bold]`` in an article is shown as typed.
"""

from __future__ import annotations

from pathlib import Path

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.widgets import Static

from tui.core.align import Alignment
from tui.core.align.cache import report_path, story_alignment, story_report, write_report
from tui.core.align.report import Report
from tui.core.align.report_render import NOT_CARRIED
from tui.core.errors import DiptychError
from tui.core.text import safe_text as _s
from tui.screens.report_screen import ReportScreen, report_bindings

# Long passages are cut on screen (the CSV keeps them whole).
QUOTE_LIMIT = 120
PASSAGE_LIMIT = 400

def _short(text: str, limit: int) -> str:
    # Every string of the report comes from data: made safe before it is cut.
    text = _s(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _dash() -> Text:
    return Text("—", style="dim")


def _heading(title: str, note: str = "") -> Text:
    text = Text("\n")
    text.append(title, style="bold underline")
    if note:
        text.append("  " + note, style="dim")
    return text


def _table(first: str, outlets: list[str], first_ratio: int = 2) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=True, show_lines=False, padding=(0, 1), header_style="bold")
    table.add_column(Text(_s(first)), ratio=first_ratio, overflow="fold")
    for name in outlets:
        table.add_column(Text(_s(name)), ratio=1, overflow="fold")
    return table


def outlets_header(report: Report) -> Text:
    text = Text()
    for i, o in enumerate(report.outlets):
        if i:
            text.append("\n")
        text.append(f"[{o.doc_id}] ", style="dim")
        text.append(_s(o.name), style="bold")
        if o.title and o.title != o.name:
            text.append(" — ")
            text.append(_short(o.title, QUOTE_LIMIT))
        if o.doc_id in report.coverage:
            text.append(f" · {round(100 * report.coverage[o.doc_id])}% shared with the others", style="dim")
    return text


def claims_table(report: Report) -> RenderableType:
    if not report.claims:
        return Text("No claims tagged yet.", style="dim")
    ids = [o.doc_id for o in report.outlets]
    table = _table("claim", [o.name for o in report.outlets])
    for row in report.claims:
        claim = Text()
        claim.append(_s(row.id) + " ", style="bold")
        claim.append(_short(row.text, 2 * QUOTE_LIMIT))
        if row.contradicts:
            claim.append("\ncontradicts " + _s(", ".join(row.contradicts)), style="bold red")
        if row.partial:
            claim.append("\npartly the same as " + _s(", ".join(row.partial)), style="yellow")
        cells: list[RenderableType] = [claim]
        for d in ids:
            cell = row.cells[d]
            if not cell.carried:
                cells.append(_dash())
                continue
            t = Text("✔ ", style="green")
            t.append(_s(", ".join(cell.certainty)) if cell.certainty else "carried")
            t.append("\nvia ", style="dim")
            if cell.attribution:
                t.append(_s(", ".join(cell.attribution)), style="bold")
            else:
                t.append("no source linked", style="dim italic")
            for quote in cell.quotes:
                if quote != row.text:
                    t.append("\n“", style="dim")
                    t.append(_short(quote, QUOTE_LIMIT), style="dim italic")
                    t.append("”", style="dim")
            cells.append(t)
        table.add_row(*cells)
    return table


def source_groups_table(report: Report) -> RenderableType:
    if not report.source_groups:
        return Text("No sources tagged yet.", style="dim")
    ids = [o.doc_id for o in report.outlets]
    table = _table("source", [o.name for o in report.outlets])
    for g in report.source_groups:
        cells: list[RenderableType] = [Text(_s(g.name), style="bold")]
        for d in ids:
            quotes = g.cells[d]
            if not quotes:
                cells.append(_dash())
                continue
            t = Text(f"{len(quotes)}× ", style="green")
            t.append("; ".join(_short(q, QUOTE_LIMIT) for q in quotes))
            cells.append(t)
        table.add_row(*cells)
    return table


def sources_table(report: Report) -> RenderableType:
    if not report.sources:
        return Text("No sources tagged yet.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, expand=True, padding=(0, 1), header_style="bold")
    for name, ratio in (("outlet", 2), ("source", 3), ("named", 1), ("type", 2), ("claims", 1)):
        table.add_column(Text(name), ratio=ratio, overflow="fold")
    for s in report.sources:
        named = Text(_s(s.named or NOT_CARRIED))
        if s.named_inferred:
            named.append("?", style="dim")  # not set by the annotator: guessed from the words
        table.add_row(Text(_s(report.outlet_name(s.doc_id))), Text(_short(s.quote, QUOTE_LIMIT)), named,
                      Text(_s(s.type)) if s.type else _dash(),
                      Text(_s(", ".join(s.claims))) if s.claims else _dash())
    return table


def motives_table(report: Report) -> RenderableType:
    if not report.motives:
        return Text("No motives tagged yet.", style="dim")
    ids = [o.doc_id for o in report.outlets]
    table = _table("category", [o.name for o in report.outlets], first_ratio=1)
    for m in report.motives:
        cells: list[RenderableType] = [Text(_s(m.category), style="bold")]
        for d in ids:
            items = m.cells[d]
            if not items:
                cells.append(_dash())
                continue
            t = Text()
            for i, item in enumerate(items):
                if i:
                    t.append("\n")
                t.append("• ")
                t.append(_short(item.quote, QUOTE_LIMIT))
                if item.actors:
                    t.append("  of ", style="dim")
                    t.append(_s(", ".join(item.actors)))
                if item.sources:
                    t.append("  via ", style="dim")
                    t.append(_s(", ".join(item.sources)))
            cells.append(t)
        table.add_row(*cells)
    return table


def only_in_table(report: Report) -> RenderableType:
    if not report.only_in:
        return Text("Every passage has a counterpart in another outlet.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, expand=True, padding=(0, 1), header_style="bold")
    table.add_column(Text("outlet"), ratio=1, overflow="fold")
    table.add_column(Text("passage"), ratio=5, overflow="fold")
    for p in report.only_in:
        table.add_row(Text(_s(report.outlet_name(p.doc_id)), style="bold"), Text(_short(p.text, PASSAGE_LIMIT)))
    return table


def report_renderable(report: Report) -> Group:
    """The whole report as one rich renderable (also used by tests)."""
    return Group(
        outlets_header(report),
        _heading("Claims × outlets", "certainty, and the source each outlet gives"),
        claims_table(report),
        _heading("Sources × outlets", "the same source across outlets"),
        source_groups_table(report),
        _heading("Sources per outlet", "named? (? = guessed), type, claims they back"),
        sources_table(report),
        _heading("Motives by category"),
        motives_table(report),
        _heading("Only in one outlet", "passages without a counterpart"),
        only_in_table(report),
    )


class CompareScreen(ReportScreen):
    """Full-screen comparison of one story; esc/q returns to the reader."""
    PREFIX = "compare"
    HEADING = "Compare"
    VIEW_ID = "compare-report"
    PLACEHOLDER = "Aligning the articles…"

    BINDINGS = report_bindings("compare") + [
        Binding("s", "save_csv", "save CSV", id="compare.save"),
        Binding("a", "toggle_annotators", "mine/everyone", id="compare.annotators"),
        Binding("P", "provenance", "provenance", id="compare.provenance"),
    ]
    DEFAULT_CSS = """
    CompareScreen #compare-title { height: auto; padding: 0 1; background: $boost; }
    CompareScreen #compare-body { height: 1fr; padding: 0 1; }
    CompareScreen #compare-report { height: auto; }
    CompareScreen #compare-status { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, story_id: int, *, everyone: bool = False) -> None:
        super().__init__(story_id, everyone=everyone)
        self.report: Report | None = None
        self.alignment: Alignment | None = None
        self.saved_to: Path | None = None

    # ------------------------------------------------------------ data

    @work(thread=True, exclusive=True, group="compare")
    def load(self) -> None:
        """Build the report off the UI thread; the alignment is reused between toggles."""
        try:
            if self.alignment is None:
                self.alignment = story_alignment(self.session, self.story_id)
            who = None if self.everyone else [self.session.annotator]
            report = story_report(self.session, self.story_id, annotators=who, alignment=self.alignment)
        except DiptychError as err:
            self.app.call_from_thread(self.say, str(err), True)
            return
        self.app.call_from_thread(self.show_report, report)

    def show_report(self, report: Report) -> None:
        if not self.is_attached:
            return  # closed while the worker ran
        self.report = report
        self.query_one("#compare-title", Static).update(self._title())
        self.query_one("#compare-report", Static).update(report_renderable(report))
        motives = sum(len(items) for m in report.motives for items in m.cells.values())
        self.say(f"{_count(len(report.claims), 'claim')}, {_count(len(report.sources), 'source')}, "
                 f"{_count(motives, 'motive')} across {_count(len(report.outlets), 'outlet')}")

    # ------------------------------------------------------------ actions

    def action_provenance(self) -> None:
        from tui.screens.provenance import ProvenanceScreen

        self.app.push_screen(ProvenanceScreen(self.story_id, everyone=self.everyone))

    def action_save_csv(self) -> None:
        if self.report is None:
            self.say("still aligning the articles — try again in a moment")
            return
        story = self.session.story(self.story_id)
        if story is None:
            self.say(f"story {self.story_id} no longer exists", True)
            return
        try:
            path = write_report(report_path(story), self.report.to_csv())
        except DiptychError as err:
            self.say(str(err).splitlines()[0], True)
            self.app.notify(str(err), severity="error", markup=False)
            return
        self.saved_to = path.resolve()
        message = f"saved the comparison ({self._whose()}) as CSV to {self.saved_to}"
        self.say(message)
        self.app.notify(message, markup=False, timeout=6)


__all__ = ["CompareScreen", "report_renderable"]
