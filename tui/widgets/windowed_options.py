"""An OptionList that lists a window of a long list of items.

Textual's OptionList measures every option it holds when it lays out, so a list
of 200,000 annotations (or 10,000 stories) would take seconds to show. This one
holds the items and lists at most ``window`` of them around the highlighted one,
with a line above and below counting the rest; moving the highlight past an
edge (j/k, up/down) or to an item not listed moves the window."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class WindowedOptionList(OptionList):
    """Subclasses say how an item looks (``make_option``, whose id is the item's)."""

    window = 120
    empty = "nothing to list"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._items: list[Any] = []
        self._ids: list[str] = []
        self._where: dict[str, int] = {}  # item id -> index in _items
        self._first = 0  # index in _items of the first one listed

    def make_option(self, item: Any) -> Option:
        raise NotImplementedError

    def set_items(self, items: Sequence[Any], ids: Sequence[str]) -> None:
        """Hold ``items`` (``ids`` their option ids), keeping the highlighted item
        highlighted when it is still there, else the highlighted row."""
        highlighted = self.highlighted
        kept = self._id_at(highlighted)
        self._items, self._ids = list(items), list(ids)
        self._where = {item_id: i for i, item_id in enumerate(self._ids)}
        if kept in self._where:
            self._list(self._first if self._listed(kept) else self._where[kept] - self.window // 2, kept)
            return
        self._list(self._first, None)
        if highlighted is not None and highlighted < self.option_count:
            self.highlighted = highlighted

    def select_id(self, item_id: str) -> None:
        """Highlight the item with this id (moving the window to it); unknown ids are ignored."""
        if item_id not in self._where:
            return
        if not self._listed(item_id):
            self._list(self._where[item_id] - self.window // 2, item_id)
            return
        self.highlighted = self.get_option_index(item_id)

    def _listed(self, item_id: str) -> bool:
        return self._first <= self._where[item_id] < self._first + self.window

    def _list(self, first: int, highlight: str | None) -> None:
        self._first = first = max(0, min(first, len(self._items) - self.window))
        self.clear_options()
        shown = self._items[first:first + self.window]
        options: list[Option] = []
        if first:
            options.append(Option(Text(f"↑ {first:,} earlier: k to list them", style="dim"), disabled=True))
        options.extend(self.make_option(item) for item in shown)
        rest = len(self._items) - first - len(shown)
        if rest > 0:
            options.append(Option(Text(f"↓ {rest:,} later: j to list them", style="dim"), disabled=True))
        if not self._items:
            options.append(Option(Text(self.empty, style="dim"), disabled=True))
        self.add_options(options)
        if highlight is not None and highlight in self._where:
            self.highlighted = self.get_option_index(highlight)

    def _id_at(self, index: int | None) -> str | None:
        if index is None or not 0 <= index < self.option_count:
            return None
        return self.get_option_at_index(index).id

    def _step(self, step: int) -> bool:
        """Move past the window's edge (or wrap around the whole list): True when done here."""
        current = self._id_at(self.highlighted)
        if current is None or current not in self._where or len(self._items) <= self.window:
            return False
        target = (self._where[current] + step) % len(self._items)
        if self._listed(self._ids[target]) and abs(target - self._where[current]) == 1:
            return False  # an ordinary move inside the window
        self._list(target - self.window // 2, self._ids[target])
        return True

    def action_cursor_down(self) -> None:
        if not self._step(1):
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if not self._step(-1):
            super().action_cursor_up()
