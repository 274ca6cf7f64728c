"""What the tables, views and columns mean, as a Datasette metadata document.

Datasette shows a table's description above it, a column's description on
hover, and the ``label_column`` of a table in place of bare foreign-key ids (a
relation's ends show their quoted text, a document its title).
"""

from __future__ import annotations

from typing import Any

_SPAN_COLUMNS = {
    "annotator": "who made it (an annotator's name, or gold for the adjudicated set)",
    "label": "CLAIM, SOURCE, MOTIVE, ACTOR or a label of the schema file",
    "start": "first character, a code-point offset into the document text",
    "end": "one past the last character",
    "quote": "the annotated text, exactly",
    "attrs": "attribute choices as JSON, e.g. {\"certainty\": \"hedged\"}",
    "note": "free-text note",
    "origin": "manual, or suggester:version of an accepted suggestion",
}

TABLES: dict[str, dict[str, Any]] = {
    "stories": {"description": "A story: the articles about one event, read side by side.",
                "label_column": "title", "columns": {"title": "story title, unique"}},
    "documents": {
        "description": "One article. Its text never changes after import; offsets refer to it.",
        "label_column": "title",
        "columns": {"story_id": "the story it belongs to", "outlet": "publishing outlet",
                    "text_sha256": "SHA-256 of the text: the same text is stored once",
                    "source_path": "file it was imported from", "meta": "other metadata from the import, JSON"},
    },
    "regions": {"description": "Flagged passages: repeated copies and comment-form boilerplate (never deleted).",
                "columns": {"kind": "repeated or boilerplate"}},
    "annotations": {
        "description": "Spans, including deleted ones (deleted_at set) and rejected suggestions; "
                       "see live_annotations for what an export carries.",
        "label_column": "quote",
        "columns": {**_SPAN_COLUMNS, "status": "active, or rejected",
                    "prefix": "text just before the quote (re-anchoring)",
                    "suffix": "text just after the quote (re-anchoring)",
                    "deleted_at": "set when deleted: rows are never removed, so undo can restore them"},
    },
    "relations": {
        "description": "Links between spans: CLAIM attributed_to SOURCE, MOTIVE motive_of ACTOR, "
                       "CLAIM same_as / contradicts / partial CLAIM across articles.",
        "columns": {"head_id": "the span the link starts from", "tail_id": "the span it points to",
                    "type": "attributed_to, motive_of, same_as, contradicts or partial"},
    },
    "suggestions": {"description": "Cache of computed suggestions per text, suggester and version.",
                    "columns": {"attrs": "attributes carried into the annotation on accept, JSON "
                                         "(certainty of a hedged CLAIM, refers_to of a \"the paper\" SOURCE)"}},
    "suggestion_runs": {"description": "Which (text, suggester, version) have been computed."},
    "decisions": {"description": "Suggestions an annotator rejected, so they stay rejected."},
    "doc_status": {"description": "Review status per document and annotator: todo, in_progress, done."},
    "positions": {"description": "Where each annotator last read, to resume."},
    "events": {"description": "Append-only log of every change, with the row before and after (undo, audit).",
               "columns": {"annotator": "the annotator name the change was made as",
                           "os_user": "the OS login that made it ('' for changes logged before it was recorded)"}},
    "cache": {"description": "Computed alignments and other derived data, by key."},
    "settings": {"description": "This database's policy, by key: shared = 1 when `diptych init --shared` "
                                "made it for a team of Unix users (writing as another annotator is then "
                                "closed), reviewers = OS users who may write as anyone, e.g. gold.",
                 "columns": {"key": "setting name", "value": "its value, as text"}},
    "live_annotations": {
        "description": "Annotations an export carries (not deleted, not rejected), with story, document and outlet.",
        "columns": {**_SPAN_COLUMNS, "document_title": "the article's title", "outlet": "publishing outlet"},
    },
    "relations_with_text": {
        "description": "Live relations with the label, text, document and outlet of both ends.",
        "columns": {"head_text": "quoted text of the span the link starts from",
                    "tail_text": "quoted text of the span it points to"},
    },
}


def datasette_metadata(database: str) -> dict[str, Any]:
    """Metadata for ``datasette FILE -m metadata.json``; ``database`` is the file's stem."""
    return {
        "title": "Diptych annotations",
        "description": "Claims, sources and motives annotated in news articles read side by side.",
        "databases": {database: {"tables": TABLES}},
    }
