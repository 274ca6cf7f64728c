"""The Textual App: wires the session, suggestions and keymap to the screens."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tui.bindings import all_keys
from tui.core.session import AnnotationSession
from tui.core.suggestions import SuggestionService
from tui.core.text import safe_text
from tui.core.worker_process import WorkerProcess, align_in
from tui.keymap import check_ids
from tui.screens.typeahead import TypeAheadMixin


def modal_binding_ids() -> set[str]:
    """Ids of the bindings on the other screens, which a keymap may remap too."""
    from tui.screens.attributes import AttributeForm
    from tui.screens.choice import ChoiceScreen
    from tui.screens.compare import CompareScreen
    from tui.screens.help import HelpScreen
    from tui.screens.proposals import ProposalsScreen
    from tui.screens.provenance import ProvenanceScreen
    from tui.screens.search import PromptScreen
    from tui.screens.stories import StoriesScreen

    from tui.widgets.annotation_panel import AnnotationPanel

    screens = (AttributeForm, ChoiceScreen, CompareScreen, HelpScreen, ProposalsScreen, PromptScreen, StoriesScreen,
               ProvenanceScreen, AnnotationPanel)
    return {b.id for screen in screens for b in screen.BINDINGS if isinstance(b, Binding) and b.id}


class DiptychApp(TypeAheadMixin, App):
    TITLE = "Diptych"
    CSS_PATH = "app.tcss"
    # The reader's keys live on AnnotateScreen; ctrl+p (palette) is Textual's own.
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, session: AnnotationSession, *, story_id: int, keymap: dict[str, str] | None = None,
                 model: str | None = None, no_model: bool = False, review: bool = False,
                 compare: tuple[str, ...] = (), suggest: bool = True, patterns: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.schema = session.schema
        self.story_id = story_id
        self.keymap = dict(keymap or {})
        self.review = review
        self.compare = compare
        self.suggest = suggest
        # spaCy and the aligner run in worker processes, started on first use
        # (after the first paint), so no parse or alignment ever stalls a key.
        self.suggest_worker = WorkerProcess("diptych-suggest")
        self.align_worker = WorkerProcess("diptych-align")
        self.align_in_worker = align_in(self.align_worker)
        self.suggestions = SuggestionService(session, model=model, no_model=no_model, patterns_path=patterns,
                                             worker=self.suggest_worker)
        self.startup_error: str | None = None
        if self.keymap:  # the other screens are imported only to check a keymap against them
            check_ids(self.keymap, {k.id for k in all_keys(self.schema)} | modal_binding_ids())

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = False) -> None:
        """Every toast goes through ``safe_text``: messages quote articles,
        titles, notes and error texts, so they are never markup and never carry
        a control or escape sequence from the data to the terminal."""
        super().notify(safe_text(message, keep_newlines=True), title=safe_text(title), severity=severity,
                       timeout=timeout, markup=False)

    def on_mount(self) -> None:
        from tui.screens.reader import AnnotateScreen

        if self.keymap:
            self.set_keymap(self.keymap)
        if self.session.readonly:
            self.notify(f"{self.session.db_path} is read-only: you can read but nothing can be saved",
                        severity="warning", markup=False, timeout=10)
        self._watch_signals()
        self.push_screen(AnnotateScreen(self.story_id))

    def on_unmount(self) -> None:
        self.close_workers()

    def close_workers(self) -> None:
        self.suggest_worker.close()
        self.align_worker.close()

    def _watch_signals(self) -> None:
        # SIGTERM: a normal, orderly exit through the event loop.
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGTERM, self._on_terminate)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
        # SIGHUP (the SSH connection dropped): the terminal is gone, so Textual's
        # output thread dies and an orderly shutdown can block forever writing to
        # it. Every change is already committed; save the reading position, close
        # the database and leave at once. A plain signal handler runs even while
        # the event loop is blocked.
        try:
            signal.signal(signal.SIGHUP, self._on_hangup)
        except ValueError:  # not the main thread (e.g. under some test runners)
            pass

    def _save_position(self) -> None:
        screen = self._annotate_screen()
        if screen is not None:
            screen.save_position()

    def _on_terminate(self) -> None:
        self._save_position()
        self.exit(return_code=0)

    def _on_hangup(self, signum, frame) -> None:
        try:
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            signal.signal(signal.SIGCONT, signal.SIG_DFL)
            self._save_position()
            screen = self._annotate_screen()
            if screen is not None:
                screen.saves.close_now()  # the writer thread's connection too
            self.close_workers()
            self.session.close()
        finally:
            os._exit(0)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        target = self._annotate_screen()
        if target is None:
            return
        for key in all_keys(self.schema):
            action = key.action

            def run(action: str = action) -> None:
                self.call_later(target.run_action, action)

            yield SystemCommand(key.description.capitalize(), f"{key.id} ({key.keys})", run)

    def _annotate_screen(self):
        for screen in self.screen_stack:
            if screen.id == "annotate":
                return screen
        return None




