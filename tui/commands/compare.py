"""`diptych compare`: what each outlet of a story carries, on whose word, and why."""

from __future__ import annotations

import json
import shutil
import sys

import click

from tui.cli import db_option, echo, echo_data, fail, root_param
from tui.core.errors import DiptychError, ExportError

FORMATS = ("table", "json", "csv")
DEFAULT_WIDTH = 100




@click.command("compare")
@db_option
@click.option("--story", help="The story (title or id; default: the only story, if there is just one).")
@click.option("--annotator", help="Whose annotations (default: yours — the top-level --annotator or your login name).")
@click.option("--all-annotators", "all_annotators", is_flag=True, help="Pool every annotator's annotations.")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Output format.")
@click.option("-o", "--output", default="-", show_default=True, help="File to write, or - for stdout.")
@click.option("--width", type=click.IntRange(40, None),
              help=f"Width of the table format (default: the terminal's, else {DEFAULT_WIDTH}).")
@click.option("--provenance", is_flag=True,
              help="Where each claim came from: outlet -> cited source -> its sources, and the number of "
                   "independent origins per claim (table, json or csv).")
@click.pass_context
def compare_cmd(ctx: click.Context, db: str | None, story: str | None, annotator: str | None,
                all_annotators: bool, fmt: str, output: str, width: int | None, provenance: bool) -> None:
    """Compare the outlets of one story.

    \b
    claims x outlets   which outlet carries which claim, its certainty
                       (asserted / hedged / reported) and the sources it is
                       attributed to; claims are grouped by same_as links, else
                       by the alignment of the articles
    sources            every SOURCE per outlet (named or not, type), and the
                       same source across outlets ("WSJ" / "the Wall Street Journal")
    motives            per outlet, by category
    only in            passages only one outlet has
    aligned pairs      (json, csv) every aligned pair of sentences: both
                       documents, offsets and text, kind and score

    csv is long format: table,row,doc_id,outlet,field,value. The alignment is
    cached in the database, so a second run (or the reader) does not redo it.

    \b
    --provenance       instead: the sources upstream of the outlets as a tree,
                       each shared claim with its number of independent
                       origins (two outlets citing one newspaper = one), and
                       the claims one outlet carries alone; csv is one row per
                       outlet carrying a claim
    """
    from tui.core.align.cache import story_report, write_report
    from tui.core.schema import DEFAULT_SCHEMA
    from tui.core.session import AnnotationSession, default_annotator

    if annotator and all_annotators:
        raise click.UsageError("pass --annotator NAME or --all-annotators, not both")
    db = db or root_param(ctx, "db")
    story = story or root_param(ctx, "story")
    explicit = annotator is not None
    annotator = annotator or root_param(ctx, "annotator")
    explicit = explicit or annotator is not None
    annotator = annotator or default_annotator()
    try:
        # Writable when the file allows, so the alignment lands in the cache; the
        # report itself never changes the database. The schema plays no part here:
        # a broken annotations/schema.toml must not stop a report.
        session = AnnotationSession.open(db, annotator=annotator, schema=DEFAULT_SCHEMA, create=False)
    except DiptychError as exc:
        fail(exc)
        return
    try:
        chosen = session.store.resolve_story(story) if story else _only_story(session)
        known = session.annotators()
        if explicit and not all_annotators and annotator not in known:
            raise ExportError(f"{annotator!r} has no annotations in {session.db_path}",
                              hint=f"annotators with annotations: {', '.join(known) or 'none yet'}; "
                                   "or pass --all-annotators")
        who = None if all_annotators else [annotator]
        report = story_report(session, chosen.id, annotators=who)
        if who is not None and not _has_annotations(session, chosen.id, annotator):
            others = sorted({a.annotator for d in session.documents(chosen.id) for a in session.annotations_of(d.id)})
            if others:
                echo(f"note: {annotator} has no annotations in this story; {', '.join(others)} "
                           "do (pass --annotator NAME or --all-annotators)", err=True)
        pooled = sorted(known) if all_annotators else [annotator]
        if provenance:
            text = _provenance_text(session, chosen.id, who, fmt, width, output)
        elif fmt == "json":
            data = report.to_json()
            data["annotators"] = pooled
            data["all_annotators"] = all_annotators
            from tui.core.text import safe_json

            text = safe_json(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)) + "\n"
        elif fmt == "csv":
            text = report.to_csv()
        else:
            if width is None:
                to_terminal = output == "-" and sys.stdout.isatty()
                width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns if to_terminal else DEFAULT_WIDTH
            from tui.core.align.report_render import clean
            from tui.core.text import safe_text

            lines = report.to_text(width).split("\n")
            whose = ("everyone's (" + ", ".join(pooled) + ")") if all_annotators else f"{annotator}'s"
            # After the story and outlet lines, which end at the first blank line.
            end = lines.index("") if "" in lines else len(lines)
            lines.insert(end, f"Annotations: {clean(whose)}")
            # A report for people: shown made safe wherever it goes (the
            # renderer escapes most fields; an attribute value it quotes is data too).
            text = safe_text("\n".join(lines), keep_newlines=True)
        if output == "-":
            _write_stdout(text)
        else:
            path = write_report(output, text)
            echo(f"wrote the {fmt} comparison of “{report.story_title}” to {path}", err=True)
    except DiptychError as exc:
        fail(exc)
        return
    finally:
        session.close()


def _provenance_text(session, story_id: int, who, fmt: str, width: int | None, output: str) -> str:
    from tui.core.align import provenance_render as render
    from tui.core.align.cache import story_provenance
    from tui.core.text import safe_json, safe_text

    from tui.core.suggestions import SuggestionService

    # Claims the attribution cues suggested (cached by the reader or `diptych suggest`)
    # count too, marked as suggested; loading no model for it.
    cached = SuggestionService(session)
    suggestions = {d.id: cached.cached(d) for d in session.documents(story_id)}
    prov = story_provenance(session, story_id, annotators=who, suggestions=suggestions)
    if fmt == "json":
        return safe_json(json.dumps(render.to_json(prov), ensure_ascii=False, indent=2, sort_keys=True)) + "\n"
    if fmt == "csv":
        return render.to_csv(prov)
    if width is None:
        to_terminal = output == "-" and sys.stdout.isatty()
        width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns if to_terminal else DEFAULT_WIDTH
    return safe_text(render.to_text(prov, width), keep_newlines=True)


def _only_story(session):
    stories = session.stories()
    if len(stories) == 1:
        return stories[0]
    from tui.core.align.report_render import clean

    titles = ", ".join(f"{s.id}: {clean(s.title)}" for s in stories) or "none yet"
    raise ExportError("which story? pass --story" if stories else f"no stories in {session.db_path}",
                      hint=f"stories: {titles}" if stories else "run `diptych import FILES --story NAME` first")


def _has_annotations(session, story_id: int, annotator: str) -> bool:
    return any(session.annotations_of(d.id, [annotator]) for d in session.documents(story_id))


def _write_stdout(text: str) -> None:
    try:
        echo_data(text)
    except BrokenPipeError:
        # `diptych compare ... | head`: the reader has all it wants. Point stdout
        # at /dev/null so Python's flush at exit does not raise again.
        import os

        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        sys.exit(0)


__all__ = ["compare_cmd"]
