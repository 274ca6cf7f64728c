"""Keys typed in one burst (a paste, a slow SSH link) reach the prompt they open.

Textual forwards each key to the focused widget as soon as it arrives, but a
binding such as ``/`` runs only when its key has bubbled back up to the App.
With ``/Kandahar<Enter>`` in one read, the letters were forwarded to the
article before ``/`` had opened the search prompt (so they ran as reader
keys) and the Enter then submitted an empty prompt: the search was lost.

The App mixin below holds every key that arrives after a prompt-opening key
until the prompt says it is ready (its field has focus), then replays them in
order through the normal path. Keys after the prompt's Enter/Escape stay held
until the prompt has closed, so they go to the reader, as typed.
"""

from __future__ import annotations

from textual import events

# Actions (of the reader's bindings) that open a one-line prompt.
PROMPT_ACTIONS = frozenset({"search"})
# Keys that close a prompt: what follows them belongs to the screen below.
CLOSING_KEYS = frozenset({"enter", "escape"})


class TypeAheadMixin:
    """Mixed into the App before ``App`` in the bases."""

    _held_keys: list[events.Key] | None = None

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self._held_keys is not None:
                self._held_keys.append(event)
                return
            if self._opens_prompt(event.key):
                self._held_keys = []
        await super().on_event(event)  # type: ignore[misc]

    def _opens_prompt(self, key: str) -> bool:
        try:
            active = self.screen.active_bindings.get(key)  # type: ignore[attr-defined]
        except Exception:  # no screen yet (start-up) or one being torn down
            return False
        return active is not None and active.enabled and active.binding.action in PROMPT_ACTIONS

    async def release_keys(self, *, until_closed: bool = False) -> None:
        """Replay held keys in order. With ``until_closed`` (the prompt is now
        ready), stop after the first Enter/Escape and keep holding the rest
        until the prompt calls again once it has closed."""
        held, self._held_keys = self._held_keys or [], None
        for i, key in enumerate(held):
            if self._held_keys is not None:  # a replayed key opened another prompt
                self._held_keys.extend(held[i:])
                return
            await self.on_event(key)
            if until_closed and key.key in CLOSING_KEYS:
                rest = held[i + 1:]
                if rest:
                    self._held_keys = rest
                return
