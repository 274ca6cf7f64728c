"""`diptych import`: articles (.txt) and annotations (.jsonl) into the database."""

from __future__ import annotations

import click

from tui.cli import annotator_option, db_option, echo, fail, root_param
from tui.core.errors import DiptychError, ReadOnlyError
from tui.core.ingest import DEFAULT_MAX_SIZE, FORMATS, FileResult, ImportOptions, format_size, import_paths, parse_size
from tui.core.session import default_annotator, resolve_db_path, resolve_schema
from tui.core.store import Store
from tui.core.errors import IngestError
from tui.core.text import display_text
from tui.commands.stats import unfinished_line

BULK_BUSY_TIMEOUT = 120.0  # seconds an import waits for the write lock before it stops (resumable)


def safe(text: str) -> str:
    """Our own multi-line message with no control or escape characters from the data in it."""
    return "\n".join(display_text(line, keep_newlines=False) for line in str(text).split("\n"))


def one_line(text: object) -> str:
    """A file name, story or title: one line, so a newline in it cannot forge output lines."""
    return display_text(str(text), keep_newlines=False)




def _max_size(ctx: click.Context, param: click.Parameter, value: str) -> int:
    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def describe(result: FileResult) -> str:
    """The one line (plus indented details) printed for a file."""
    if result.status == "failed":
        # Ingest errors name their file; a database error must be told which file it stopped.
        where = "" if isinstance(result.error, IngestError) else f"{one_line(result.path)}: "
        return f"failed: {where}{result.error}"
    if result.fmt == "txt":
        doc = result.documents[0]
        if result.status == "skipped":
            return (f"skipped: {one_line(result.path)} is already present as document {doc.id} in story "
                    f"“{one_line(result.story)}” (same text, imported from {one_line(doc.source_path or 'elsewhere')})")
        kinds = [k for _s, _e, k in result.regions]
        flagged = ", ".join(f"{kinds.count(k)} {k}" for k in sorted(set(kinds))) or "none"
        details = "; ".join(f"{k} “{one_line(v)}”" for k, v in (("title", doc.title), ("outlet", doc.outlet),
                                                                 ("url", doc.url), ("author", doc.author)) if v)
        return (f"imported: {one_line(result.path)} -> document {doc.id} in story “{one_line(result.story)}”"
                f"\n  {details or 'no title, outlet or url found'}; flagged regions: {flagged}")
    docs = len(result.documents)
    line = (f"{docs} document(s) ({result.new_documents} new, {docs - result.new_documents} already present), "
            f"{result.spans_new + result.spans_existing} span(s) ({result.spans_new} new, "
            f"{result.spans_existing} already present), "
            f"{result.relations_new + result.relations_existing} relation(s) ({result.relations_new} new)")
    head = "imported" if result.status == "imported" else "skipped (nothing new)"
    out = [f"{head}: {one_line(result.path)}: {line}"]
    out += [f"  note: {w}" for w in result.warnings]
    out += [f"  orphan (not attached): {o}" for o in result.orphans]
    return "\n".join(out)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--story", help="Put the documents in this story (default: the folder's name, "
                               "or the record's meta.story for JSONL).")
@db_option
@annotator_option
@click.option("--schema", type=click.Path(dir_okay=False),
              help="Label schema TOML that imported labels must be in (default annotations/schema.toml if present).")
@click.option("--max-size", "max_size", default=format_size(DEFAULT_MAX_SIZE).replace(" ", ""), show_default=True,
              callback=_max_size, help="Refuse files larger than this (bytes, or e.g. 500KB, 20MB).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True,
              help="How to read the files: by extension (.txt / .jsonl, .ndjson) or as given.")
@click.pass_context
def import_cmd(ctx: click.Context, paths: tuple[str, ...], story: str | None, db: str | None, annotator: str | None,
               schema: str | None, max_size: int, fmt: str) -> None:
    """Import articles (.txt) and annotations (.jsonl), or folders of them.

    \b
    .txt   one article per file, UTF-8. The stored text is the file's text with
           a leading byte-order mark dropped and CRLF/CR line ends turned into
           LF; offsets refer to that stored text. Nothing else is changed:
           repeated paragraphs and comment-form leftovers stay and are flagged.
           Title: the first line when at most 150 characters, else the first
           sentence cut to 80; url: a URL line at the end; outlet: a
           "Source: X" line, else the URL's host; author: a byline or a name
           line beside the URL.
    .jsonl prodigy, doccano or flat (one annotation per line) records, as
           written by `diptych export`. Spans are stored for the record's
           annotator (_annotator_id / annotator), else --annotator.

    A folder imports its .txt/.jsonl files into a story named after it.
    Importing the same text again never duplicates it, nor a span already
    there. A file with any error is not imported at all; the others are.
    Exits with status 1 when any file failed.
    """
    db = db or root_param(ctx, "db")
    annotator = annotator or root_param(ctx, "annotator")
    story = story if story is not None else root_param(ctx, "story")
    if story is not None and not story.strip():
        raise click.BadParameter("the story name must not be empty", param_hint="--story")
    try:
        label_schema = resolve_schema(schema)
        # A bulk writer waits longer for the lock than a keystroke's save: SQLite does not
        # queue writers fairly, and a busy team must not starve an import into failing.
        store = Store.open(resolve_db_path(db), busy_timeout=BULK_BUSY_TIMEOUT)
    except DiptychError as err:
        fail(err)
        return
    if store.readonly:
        store.close()
        fail(ReadOnlyError(f"{store.path} is read-only; nothing can be imported",
                          hint="check the file's and folder's permissions, or pass --db"))
    options = ImportOptions(annotator=annotator or default_annotator(), story=story, schema=label_schema,
                            max_size=max_size, fmt=fmt)
    counts = {"imported": 0, "skipped": 0, "failed": 0}
    orphans = 0
    try:
        for item in import_paths(store, paths, options):
            if isinstance(item, str):
                echo(f"note: {safe(item)}")
                continue
            counts[item.status] += 1
            orphans += len(item.orphans)
            echo(safe(describe(item)), err=item.status == "failed")
        for unfinished in store.unfinished_imports():
            echo(unfinished_line(unfinished), err=True)
    except DiptychError as err:
        fail(err)
    finally:
        store.close()
    summary = f"imported {counts['imported']}, skipped {counts['skipped']}, failed {counts['failed']}"
    if orphans:
        summary += f"; {orphans} orphaned span(s) not attached (listed above)"
    echo(summary)
    if counts["failed"]:
        raise SystemExit(1)


@click.command("undo-import")
@click.argument("import_id")
@db_option
@click.pass_context
def undo_import_cmd(ctx: click.Context, import_id: str, db: str | None) -> None:
    """Undo an import (finished or not) as one step per annotator, in short chunks.

    IMPORT_ID is the id `diptych stats` or `diptych import` shows for it.
    """
    db = db or root_param(ctx, "db")
    try:
        store = Store.open(resolve_db_path(db), busy_timeout=BULK_BUSY_TIMEOUT)
        try:
            steps = store.undo_import(import_id, session="undo-import")
        finally:
            store.close()
    except DiptychError as err:
        fail(err)
        return
    if not steps:
        click.echo(f"import {safe(import_id)}: nothing left to undo")
    for step in steps:
        click.echo(f"undone: {safe(step.summary)}")
