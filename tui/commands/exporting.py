"""`diptych export`: annotations out as Prodigy / doccano / flat JSONL or a spaCy DocBin."""

from __future__ import annotations

import sys
from typing import IO

import click

from tui.cli import db_option, echo, echo_data, fail, root_param
from tui.commands.progress import ProgressLine
from tui.core.errors import DiptychError, ExportError
from tui.core.text import display_text
from tui.core.formats.registry import DEFAULT_FORMAT, FORMATS

# Shown only on a terminal, and only once an export has run this long: a quick
# export should not flash a bar.
PROGRESS_DELAY = 0.5
# At most this many skipped-span lines; the rest are counted.
MAX_LISTED = 200




class _Progress(ProgressLine):
    """Export progress, per story when there are several."""

    def __init__(self, stream: IO[str], story_count: int) -> None:
        super().__init__(stream, "exporting", delay=PROGRESS_DELAY)
        self.stories = story_count
        self.story = 0

    def __call__(self, done: int, total: int) -> None:
        if done == 1:
            self.story += 1
        self.show(done, total, f" story {self.story}/{self.stories}" if self.stories > 1 else "")



@click.command("export")
@db_option
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS),
              default=DEFAULT_FORMAT, show_default=True, help="Output format.")
@click.option("--annotator", help="Only this annotator's annotations (default: everyone's, one record each).")
@click.option("--story", help="Only this story (title or id; default: all stories).")
@click.option("-o", "--output", help="File (a folder for brat and inception) to write, or - for stdout "
              "(default annotations/<story-or-all>-<format> with the format's ending).")
@click.option("--config", "config", is_flag=True,
              help="Print the set-up file the target tool needs (Label Studio labeling config, brat "
                   "annotation.conf, INCEpTION TypeSystem.xml, spaCy spancat config) instead of exporting.")
@click.option("--schema", type=click.Path(dir_okay=False),
              help="Label schema TOML (default annotations/schema.toml if present): labels, attributes, colours.")
@click.pass_context
def export_cmd(ctx: click.Context, db: str | None, fmt: str, annotator: str | None, story: str | None,
               output: str | None, config: bool, schema: str | None) -> None:
    """Export annotations.

    \b
    prodigy  one line per document and annotator: text, meta, spans with
             token_start/token_end (spaCy English tokens), relations (default)
    doccano  one line per document and annotator: label + entities/relations
    flat     one line per annotation, with TextQuote/TextPosition selectors
    spacy    a DocBin: doc.spans[LABEL] per label and doc.spans["sc"] with all,
             ready for a spancat config; spans off token boundaries are left
             out and listed on stderr

    Deleted annotations are never exported. Messages and the progress bar go to
    stderr, so `-o -` gives clean data on stdout.
    """
    from tui.core.formats import REGISTRY, default_output_path, export, export_to_path
    from tui.core.session import resolve_db_path, resolve_schema
    from tui.core.store import Store

    db = db or root_param(ctx, "db")
    story = story or root_param(ctx, "story")
    err = sys.stderr
    try:
        label_schema = resolve_schema(schema or root_param(ctx, "schema"))
        store = Store.open(resolve_db_path(db), readonly=True, create=False)
    except DiptychError as exc:
        fail(exc)
        return
    progress = None
    try:
        chosen = store.resolve_story(story)
        if annotator is not None and annotator not in store.annotators():
            known = ", ".join(store.annotators()) or "none yet"
            raise ExportError(f"{annotator!r} has no annotations in {store.path}",
                              hint=f"annotators with annotations: {known}")
        if err.isatty():
            progress = _Progress(err, 1 if chosen is not None else len(store.stories()))
        if config:
            from tui.core.formats.configs import config_text

            text = config_text(fmt, label_schema, store, annotator=annotator, story=chosen)
            if text is None:
                raise ExportError(f"{fmt} needs no set-up file", hint="--config is for labelstudio, brat, "
                                  "inception and spacy")
            echo_data(text if text.endswith("\n") else text + "\n")
            return
        kwargs = {"annotator": annotator, "story": chosen, "progress": progress, "schema": label_schema}
        if output == "-" and REGISTRY[fmt].layout == "folder":
            raise ExportError(f"{fmt} is written as a folder of files and cannot go to stdout",
                              hint=f"pass -o FOLDER (default {default_output_path(fmt, chosen)})")
        if output == "-":
            if fmt == "spacy" and sys.stdout.isatty():
                raise ExportError("a spaCy DocBin is binary and would garble the terminal",
                                  hint="pass -o FILE, or redirect stdout to a file or pipe")
            stdout = _stdout_sink()
            try:
                stats = export(store, fmt, stdout, ascii_only=sys.stdout.isatty(), **kwargs)
                stdout.flush()
            except BrokenPipeError:
                # `diptych export -o - | head`: the reader has all it wants.
                _silence_stdout()
                sys.exit(0)
            except OSError as exc:
                # A full disk behind a redirect (ENOSPC), an I/O error: what
                # reached stdout is cut off, so say so and fail (never "exported N").
                _silence_stdout()
                raise ExportError(f"stdout: {_reason(exc)}; the output is incomplete",
                                  hint="free some space (or write with -o FILE elsewhere) and export again") from None
            where = "stdout"
        else:
            path = output or default_output_path(fmt, chosen)
            stats = export_to_path(store, fmt, path, **kwargs)
            where = str(path)
            if fmt == "spacy":
                from tui.core.formats.spacy_config import write_config

                cfg = write_config(path, [spec.name for spec in label_schema.labels])
                where += f" (spancat training config: {cfg})"
    except DiptychError as exc:
        if progress is not None:
            progress.close()
        fail(exc)
        return
    finally:
        store.close()
    if progress is not None:
        progress.close()
    _report(err, stats, where)


class _WholeWrites:
    """A file descriptor written in 64 KB blocks, every byte or an OSError.

    Python's buffered stdout loses the rest of a large write when the disk
    behind a redirect fills up part-way (the write(2) comes back short, and
    nothing is raised): the output was cut and the export said it succeeded.
    """

    BLOCK = 1 << 16

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.pending = bytearray()

    def write(self, data: bytes) -> int:
        self.pending += data
        if len(self.pending) >= self.BLOCK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        import errno
        import os

        data, done = bytes(self.pending), 0
        self.pending.clear()
        while done < len(data):
            n = os.write(self.fd, data[done:done + self.BLOCK])
            if n <= 0:  # never for a file or pipe; say so rather than spin
                raise OSError(errno.EIO, "nothing could be written")
            done += n


def _stdout_sink():
    """Where ``-o -`` writes: stdout's descriptor, or its buffer when it has none (tests)."""
    import io

    sys.stdout.flush()
    try:
        return _WholeWrites(sys.stdout.fileno())
    except (AttributeError, ValueError, io.UnsupportedOperation):
        return sys.stdout.buffer


def _silence_stdout() -> None:
    # Python flushes stdout again at exit; point it at /dev/null so that flush
    # does not raise a second BrokenPipeError.
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _reason(exc: OSError) -> str:
    """``No space left on device`` -> ``no space left on device``."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return reason[:1].lower() + reason[1:]


def _report(err: IO[str], stats, where: str) -> None:
    # Every line goes through the sanitising echo (to stderr): `where`, a
    # problem's quote and a loss description may all hold data.
    unit = "annotations" if stats.format == "flat" else ("docs" if stats.format == "spacy" else "records")
    echo(f"exported {stats.records} {unit} ({stats.spans} spans, {stats.relations} relations) "
         f"from {stats.documents} documents as {stats.format} to {where}", err=True)
    for what, count in sorted(stats.losses.items()):
        echo(f"NOT CARRIED by {stats.format}: {count} {display_text(what, keep_newlines=False)}", err=True)
    for message in stats.warnings:
        echo(f"warning: {display_text(message, keep_newlines=False)}", err=True)
    if not stats.misaligned:
        return
    n = len(stats.misaligned)
    if stats.format == "spacy":
        echo(f"{n} span{'s' if n != 1 else ''} do not start and end on spaCy token boundaries and were "
             "LEFT OUT of the DocBin (their annotations are unchanged; a prodigy/flat export keeps them):", err=True)
    else:
        echo(f"note: {n} span{'s' if n != 1 else ''} do not start and end on spaCy token boundaries; "
             "they are exported with exact character offsets and token_start/token_end covering "
             "every token they touch:", err=True)
    for problem in stats.misaligned[:MAX_LISTED]:
        echo(f"  {problem.describe()}", err=True)
    if n > MAX_LISTED:
        echo(f"  … and {n - MAX_LISTED} more", err=True)


__all__ = ["export_cmd"]
