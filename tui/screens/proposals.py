"""Claim links that the alignment proposes across articles: accept or reject each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.core.text import safe_text


@dataclass(frozen=True)
class ProposalRow:
    key: str
    type: str
    score: float
    head: str  # "outlet: quote"
    tail: str


class ProposalsScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,L", "close", "close", id="proposals.close"),
        Binding("a,enter", "accept", "accept", id="proposals.accept"),
        Binding("x", "reject", "reject", id="proposals.reject"),
        Binding("j", "down", "down", show=False, id="proposals.down"),
        Binding("k", "up", "up", show=False, id="proposals.up"),
    ]
    DEFAULT_CSS = """
    ProposalsScreen { align: center middle; }
    ProposalsScreen > Vertical { width: 95%; max-width: 120; height: 85%; border: round $accent;
                                 background: $surface; }
    ProposalsScreen OptionList { height: 1fr; }
    """

    # accept/reject(key, failed) queue the save; they call failed() if it is refused.
    def __init__(self, rows: list[ProposalRow], accept: Callable[[str, Callable[[], None]], None],
                 reject: Callable[[str, Callable[[], None]], None]) -> None:
        super().__init__()
        self.rows = list(rows)
        self.accept = accept
        self.reject = reject

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Proposed claim links — a/enter accept · x reject · esc close", style="bold"))
            yield OptionList(id="proposals")

    def on_mount(self) -> None:
        self.fill()
        self.query_one(OptionList).focus()

    def fill(self) -> None:
        lst = self.query_one(OptionList)
        lst.clear_options()
        for row in self.rows:
            line = Text()
            line.append(f"{safe_text(row.type)} ", style="bold cyan")
            line.append(f"{row.score:.2f}\n", style="dim")
            line.append("  " + safe_text(row.head) + "\n")
            line.append("  " + safe_text(row.tail), style="italic")
            lst.add_option(Option(line, id=row.key))
        if not self.rows:
            lst.add_option(Option(Text("no open proposals: every aligned claim pair is linked or rejected",
                                       style="dim"), disabled=True))
        else:
            lst.highlighted = 0

    def _current(self) -> ProposalRow | None:
        lst = self.query_one(OptionList)
        if lst.highlighted is None or not self.rows:
            return None
        return self.rows[lst.highlighted]

    def _settle(self, fn: Callable[[str, Callable[[], None]], None]) -> None:
        # The row goes at once (its save is queued), so a second key cannot settle it twice.
        row = self._current()
        if row is None:
            return
        index = self.rows.index(row)
        self.rows.remove(row)
        self._show(index)
        fn(row.key, lambda: self._put_back(row, index))

    def _put_back(self, row: ProposalRow, index: int) -> None:
        if self.is_attached and row not in self.rows:
            self.rows.insert(min(index, len(self.rows)), row)
            self._show(index)

    def _show(self, index: int) -> None:
        self.fill()
        if self.rows:
            self.query_one(OptionList).highlighted = min(index, len(self.rows) - 1)

    def action_accept(self) -> None:
        self._settle(self.accept)

    def action_reject(self) -> None:
        self._settle(self.reject)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_accept()

    def action_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_close(self) -> None:
        self.dismiss(None)
