"""The reader's footer: Textual's Footer, rebuilt at most once per refresh.

Textual's Footer removes and mounts a widget per key each time the screen
publishes a bindings update, and a screen publishes several in a row (panes
mounting, focus moving, a state changing): at the reader's first paint that
was six rebuilds, about a third of a second on a loaded machine. Updates that
come while a rebuild is already queued are folded into it; the footer then
shows the bindings as they are when it is rebuilt, as before.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    _rebuild_queued = False

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or self._rebuild_queued:
            return
        if self.is_attached and screen is self.screen:
            self._rebuild_queued = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_queued = False
        await self.recompose()
