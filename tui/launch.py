"""Open the reader: resolve database, annotator, story and keymap, then run the app.

Everything that can fail with a user error (no database, a bad schema or keymap)
fails here, before the terminal is switched into application mode, so the
message lands in the shell where it can be read.
"""

from __future__ import annotations

import sys

from tui.core.errors import DiptychError
from tui.core.text import safe_text


def _complain(message: object) -> None:
    """Errors quote data (a story title, a schema key): shown made safe."""
    print(safe_text(message, keep_newlines=True), file=sys.stderr)


def launch(*, db=None, annotator=None, story=None, schema=None, model=None, no_model=False,
           no_suggest=False, patterns=None, keymap=None, review=False, compare=None) -> int:
    from tui.core.session import AnnotationSession, resolve_db_path
    from tui.keymap import load_keymap

    try:
        keys = load_keymap(keymap)
        path = resolve_db_path(db)
        session = AnnotationSession.open(path, annotator=annotator, schema=schema, create=False)
    except DiptychError as err:
        _complain(err)
        return 1
    try:
        story_id = pick_story(session, story, review=review)
    except DiptychError as err:
        _complain(err)
        session.close()
        return 1

    from tui.app import DiptychApp  # Textual is imported only for the interactive app

    app = DiptychApp(session, story_id=story_id, keymap=keys, model=model, no_model=no_model, patterns=patterns,
                     review=review, compare=tuple(compare or ()), suggest=not no_suggest)
    try:
        app.run()
    finally:
        app.close_workers()
        session.close()
    if app.startup_error:
        _complain(app.startup_error)
        return 1
    return app.return_code or 0


def pick_story(session, wanted: str | None, *, review: bool = False) -> int:
    from tui.core.errors import StoreError

    stories = session.stories()
    if not stories:
        raise StoreError(f"{session.db_path} has no stories yet",
                         hint="import articles first: diptych import seeds/ --db " + str(session.db_path))
    if wanted:
        return session.store.resolve_story(wanted).id
    if review:
        from tui.core.review import first_with_work

        item = first_with_work(session.store, session.annotator)
        if item is not None:
            return item.story_id
    pos = session.position()
    if pos and any(s.id == pos["story_id"] for s in stories):
        return pos["story_id"]
    return stories[0].id
