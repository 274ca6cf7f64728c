"""`diptych suggest --evaluate`: how good each suggester is against an
annotator's spans and links, as a table or JSON. Headless: never imports Textual."""

from __future__ import annotations

import json

from tui.cli import echo, echo_data
from tui.core.errors import DiptychError
from tui.core.session import AnnotationSession
from tui.core.store import Store
from tui.core.text import display_text


def evaluate_cmd_run(store: Store, *, story: str | None, model: str | None, no_model: bool,
                     patterns: str | None, annotator: str, fmt: str) -> None:
    from tui.core.nlp.scoring import format_table
    from tui.core.suggestions import SuggestionService

    chosen = store.resolve_story(story)
    docs = store.documents(chosen.id if chosen else None)
    where = f"story “{display_text(chosen.title, keep_newlines=False)}”" if chosen else "all stories"
    if annotator not in store.annotators():
        known = ", ".join(store.annotators()) or "nobody yet"
        raise DiptychError(f"{annotator!r} has no annotations to evaluate against",
                           hint=f"pass --annotator NAME (annotators: {known})")
    service = SuggestionService(AnnotationSession(store, "diptych-suggest"), model=model, no_model=no_model,
                                patterns_path=patterns)
    result = service.evaluate(docs, annotator)
    if fmt == "json":
        payload = {"where": where, "model": service.description, **result.as_dict()}
        echo_data(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    echo(f"{where}: {result.documents} document(s); reference: {annotator}'s {result.reference_spans} span(s) "
         f"and {result.reference_pairs} CLAIM→SOURCE link(s); suggestions: {service.description}")
    for line in format_table(result.scores):
        echo(line)
