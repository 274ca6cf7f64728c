"""Keys shared by the report screens (comparison, provenance): scrolling a body
of rendered text, closing, and switching between this annotator and everyone."""

from __future__ import annotations

from textual.containers import VerticalScroll


class ReportScrolling:
    # The id of the screen's VerticalScroll holding the report.
    BODY_ID = ""

    @property
    def body(self) -> VerticalScroll:
        return self.query_one(f"#{self.BODY_ID}", VerticalScroll)

    def action_scroll(self, step: int) -> None:
        self.body.scroll_relative(y=step, animate=False)

    def action_page(self, step: int) -> None:
        if step > 0:
            self.body.scroll_page_down(animate=False)
        else:
            self.body.scroll_page_up(animate=False)

    def action_edge(self, end: int) -> None:
        if end:
            self.body.scroll_end(animate=False)
        else:
            self.body.scroll_home(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_toggle_annotators(self) -> None:
        self.everyone = not self.everyone
        self.say(f"loading {self._whose()}…")
        self.load()
