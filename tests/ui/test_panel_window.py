"""The annotation panel lists a window of a long document's annotations: j/k past
its edge move the window, choosing a far annotation moves it there, and a short
list is listed whole (what test_reader's panel test drives through the reader)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tui.core.models import Annotation, Relation
from tui.widgets.annotation_panel import WINDOW, AnnotationPanel


def anns(n: int) -> list[Annotation]:
    return [Annotation(id=f"a{i:05d}", doc_id=1, annotator="alice", label="CLAIM", start=i * 10, end=i * 10 + 5,
                       quote=f"quote {i}") for i in range(n)]


class PanelApp(App):
    def __init__(self, items: list[Annotation], relations: list[Relation] = ()) -> None:
        super().__init__()
        self.items, self.relations = items, list(relations)
        self.chosen: list[str] = []

    def compose(self) -> ComposeResult:
        yield AnnotationPanel(id="panel")

    def on_mount(self) -> None:
        panel = self.query_one(AnnotationPanel)
        panel.show(self.items, self.relations, {"CLAIM": "red"}, {a.id: (a.label, a.quote) for a in self.items})
        panel.focus()

    def on_annotation_panel_chosen(self, event: AnnotationPanel.Chosen) -> None:
        self.chosen.append(event.annotation_id)


def listed(panel: AnnotationPanel) -> list[str]:
    return [panel.get_option_at_index(i).id for i in range(panel.option_count)
            if panel.get_option_at_index(i).id]


async def test_a_short_list_is_listed_whole_with_its_links() -> None:
    items = anns(3)
    app = PanelApp(items, [Relation(id="r", head_id="a00000", tail_id="a00002", type="attributed_to",
                                    annotator="alice")])
    async with app.run_test() as pilot:
        panel = app.query_one(AnnotationPanel)
        assert listed(panel) == ["a00000", "a00001", "a00002"] and panel.option_count == 3
        first = str(panel.get_option_at_index(0).prompt)
        assert "→ attributed_to CLAIM “quote 2”" in first
        assert "← attributed_to CLAIM “quote 0”" in str(panel.get_option_at_index(2).prompt)
        panel.highlighted = 2
        await pilot.press("j")  # wraps to the first, as the whole list always did
        assert panel.highlighted == 0


async def test_a_long_list_moves_its_window_with_j_and_k() -> None:
    items = anns(WINDOW * 3)
    app = PanelApp(items)
    async with app.run_test() as pilot:
        panel = app.query_one(AnnotationPanel)
        assert listed(panel) == [a.id for a in items[:WINDOW]]
        assert "later" in str(panel.get_option_at_index(panel.option_count - 1).prompt)
        panel.highlighted = WINDOW - 1
        await pilot.press("j")
        assert panel.highlighted_option.id == items[WINDOW].id
        assert items[WINDOW].id in listed(panel) and items[0].id not in listed(panel)
        assert "earlier" in str(panel.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert app.chosen == [items[WINDOW].id]
        await pilot.press("k")
        assert panel.highlighted_option.id == items[WINDOW - 1].id
        panel.select_annotation(items[-1].id)  # the reader's cursor on a far annotation
        assert panel.highlighted_option.id == items[-1].id
        assert listed(panel) == [a.id for a in items[-WINDOW:]]
        await pilot.press("j")  # past the very last: back to the first
        assert panel.highlighted_option.id == items[0].id and listed(panel)[0] == items[0].id


async def test_showing_again_keeps_the_highlighted_annotation() -> None:
    items = anns(WINDOW * 2)
    app = PanelApp(items)
    async with app.run_test():
        panel = app.query_one(AnnotationPanel)
        panel.select_annotation(items[WINDOW + 10].id)
        fewer = items[5:]  # five earlier annotations deleted elsewhere, then a reload
        panel.show(fewer, [], {}, {})
        assert panel.highlighted_option.id == items[WINDOW + 10].id


async def test_the_story_list_opens_at_the_current_story_of_thousands() -> None:
    from tui.core.review import StoryStatus
    from tui.screens.stories import StoriesScreen, StoryList

    rows = [StoryStatus(i, f"story {i}", 0, 0, 1, 0) for i in range(1, 3001)]
    chosen: list[int | None] = []

    class Host(App):
        def on_mount(self) -> None:
            self.push_screen(StoriesScreen(rows, current=2500), chosen.append)

    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        lst = app.screen.query_one(StoryList)
        assert lst.highlighted_option.id == "2500"
        assert lst.option_count <= StoryList.window + 2  # the window and its two count lines
        await pilot.press("j", "j", "enter")
        await pilot.pause()
    assert chosen == [2502]
