"""Reading and moving in the reader: the cursor and pane motions, search in a
pane and stepping between stories.

A mixin of AnnotateScreen: it uses the screen's panes, session and write().
"""

from __future__ import annotations

from tui.bindings import Key
from tui.core.text import excerpt as _short
from tui.widgets.article_view import ArticleView

KEYS: tuple[Key, ...] = (
    # moving
    Key("pane.next", "tab", "focus_pane(1)", "next pane", "Move", show=True, short="pane"),
    Key("pane.prev", "shift+tab", "focus_pane(-1)", "previous pane", "Move"),
    Key("move.word_left", "h,left", "move('word', -1)", "word left", "Move"),
    Key("move.word_right", "l,right", "move('word', 1)", "word right", "Move"),
    Key("move.line_down", "j,down", "move('line', 1)", "line down", "Move"),
    Key("move.line_up", "k,up", "move('line', -1)", "line up", "Move"),
    Key("move.sentence_prev", "left_parenthesis", "move('sentence', -1)", "previous sentence", "Move"),
    Key("move.sentence_next", "right_parenthesis", "move('sentence', 1)", "next sentence", "Move"),
    Key("move.paragraph_prev", "left_curly_bracket", "move('paragraph', -1)", "previous paragraph", "Move"),
    Key("move.paragraph_next", "right_curly_bracket", "move('paragraph', 1)", "next paragraph", "Move"),
    Key("move.start", "g,home", "move('start', 0)", "start of article", "Move"),
    Key("move.end", "G,end", "move('end', 0)", "end of article", "Move"),
    Key("move.page_down", "pagedown,space", "move('page', 1)", "page down", "Move"),
    Key("move.page_up", "pageup", "move('page', -1)", "page up", "Move"),
)

FIND_KEYS: tuple[Key, ...] = (
    # finding and navigating stories
    Key("search", "slash", "search", "search in pane", "Find"),
    Key("search.next", "n", "search_step(1)", "next match", "Find"),
    Key("search.prev", "N", "search_step(-1)", "previous match", "Find"),
    Key("stories", "o", "stories", "story list", "Find"),
    Key("story.next", "right_square_bracket", "story_step(1)", "next story", "Find"),
    Key("story.prev", "left_square_bracket", "story_step(-1)", "previous story", "Find"),
)


class MovingActions:

    # ------------------------------------------------------------ actions: moving

    def action_focus_pane(self, step: int) -> None:
        if not self.panes:
            return
        self.current = (self.current + step) % len(self.panes)
        # With more than two articles only the shown panes take the cursor.
        while not self.pane.display:
            self.current = (self.current + step) % len(self.panes)
        self.pane.view.focus()
        self.update_panel()
        # The status and every key now speak of this pane's cursor (link mode included).
        self.describe_cursor()

    def action_move(self, kind: str, step: int) -> None:
        if not self.panes:
            return
        view = self.pane.view
        {
            "word": lambda: view.move_word(step),
            "line": lambda: view.move_line(step),
            "sentence": lambda: view.move_sentence(step),
            "paragraph": lambda: view.move_paragraph(step),
            "start": view.move_start,
            "end": view.move_end,
            "page": lambda: view.page(step),
        }[kind]()

    def _jump(self, view: ArticleView, starts: list[int], step: int, what: str) -> None:
        if not starts:
            self.notify_plain(f"no {what} in this article")
            return
        if step > 0:
            later = [s for s in starts if s > view.cursor]
            target = later[0] if later else starts[0]
        else:
            earlier = [s for s in starts if s < view.cursor]
            target = earlier[-1] if earlier else starts[-1]
        view.move_to(target, center=True)
        self.describe_cursor()

    # ------------------------------------------------------------ actions: finding

    def action_search(self) -> None:
        from tui.screens.search import PromptScreen

        def found(query: str | None) -> None:
            if query:
                self.search_query = query
                self.run_search(1, first=True)
            elif query is not None:  # an empty search: forget it and its highlights
                self.search_query = ""
                self.clear_search()

        self.app.push_screen(PromptScreen("search this article (enter)", self.search_query), found)

    def run_search(self, step: int, *, first: bool = False) -> None:
        if not self.search_query:
            self.notify_plain("no search yet: press / to search")
            return
        view = self.pane.view
        # Highlights only in the pane searched: the others' would be stale.
        self.clear_search()
        matches = view.search(self.search_query)
        if not matches:
            self.notify_plain(f"not found: {self.search_query}")
            return
        starts = [m[0] for m in matches]
        if first:
            later = [s for s in starts if s >= view.cursor]
            view.move_to(later[0] if later else starts[0], center=True)
        else:
            self._jump(view, starts, step, "matches")
        index = starts.index(view.cursor) + 1 if view.cursor in starts else 0
        # A toast, not the status line: the cursor move that follows rewrites that line.
        self.notify_plain(f"match {index}/{len(matches)} for “{_short(self.search_query, 30)}”")

    def clear_search(self) -> None:
        for pane in self.panes:
            pane.view.search("")

    def searching(self) -> bool:
        return any(pane.view.marks("search") for pane in self.panes)

    def action_search_step(self, step: int) -> None:
        if self.panes:
            self.run_search(step)

    def action_stories(self) -> None:
        from tui.core import review
        from tui.screens.stories import StoriesScreen

        rows = review.story_statuses(self.session, self.session.annotator)

        async def chosen(story_id: int | None) -> None:
            if story_id is not None and story_id != self.story_id:
                await self.load_story(story_id)

        self.app.push_screen(StoriesScreen(rows, self.story_id), chosen)

    async def action_story_step(self, step: int) -> None:
        ids = [s.id for s in self.session.stories()]
        if self.app.review:
            from tui.core import review  # not on the way to the first paint

            # The queue: stories with a document this annotator has not finished.
            left = [st.story_id for st in review.story_statuses(self.session, self.session.annotator)
                    if st.done < st.total]
            ids = sorted(set(left) | {self.story_id}, key=ids.index)
            if len(ids) < 2:
                self.notify_plain("no other story with work left in your queue")
                return
        if len(ids) < 2:
            self.notify_plain("this is the only story")
            return
        index = ids.index(self.story_id) if self.story_id in ids else 0
        await self.load_story(ids[(index + step) % len(ids)])
