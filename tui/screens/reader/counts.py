"""Count prefixes in the reader: ``3l``, ``2)``, ``5j`` repeat the next key's motion.

Digits only gather a count; the key after them takes it (``take_count``) and
any key that has no use for a count drops it, so a count never waits to
surprise a later key. The count being typed shows in the status line.

A mixin of AnnotateScreen, first among its bases: its action_move repeats the
moving mixin's, and its on_key sees every key before the bindings run it.
"""

from __future__ import annotations

from textual import events

from tui.bindings import Key

KEYS: tuple[Key, ...] = (
    Key("count", "1,2,3,4,5,6,7,8,9,0", "count_digit", "count: 3l, 2), 5j, 2e, 3U, 3V, 2> repeat the next key",
        "Move"),
)

# A count larger than this is a slip of the finger, not a plan.
MAX_COUNT = 999


class CountActions:

    count_typed = ""  # digits typed so far
    count_now = 1  # the count for the key being handled
    key_serial = 0  # keys seen, so a two-key command knows its second key came right after
    last_character = ""

    def on_key(self, event: events.Key) -> None:
        # Runs as the key bubbles up to the screen, before the bindings act on it.
        self.key_serial += 1
        self.last_character = event.character or ""
        bound = self._bindings.key_to_bindings.get(event.key, [])
        if getattr(self, "label_jump_at", None) is not None and not any(b.action.startswith("tag(") for b in bound):
            self.label_jump_at = None  # T waits for a label key, next; any other key drops it
        if any(b.action == "count_digit" for b in bound):
            return
        self.count_now = min(int(self.count_typed or 1), MAX_COUNT)
        self.count_typed = ""

    def take_count(self) -> int:
        count, self.count_now = self.count_now, 1
        return count

    def action_count_digit(self) -> None:
        digit = self.last_character
        if not digit.isdigit() or (digit == "0" and not self.count_typed):
            return
        self.count_typed += digit
        self.say(("count ", "bold"), self.count_typed, ("  then a motion, e/E, a boundary key, V or U", "dim"))

    def action_move(self, kind: str, step: int) -> None:
        times = self.take_count()
        if kind == "line" and self.panes:
            self.pane.view.move_line(step, times)
            return
        if kind in ("start", "end"):
            times = 1
        for _ in range(times):
            super().action_move(kind, step)
