"""`diptych metadata`: a Datasette metadata file describing the database's tables and views."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from tui.cli import db_option, echo, fail, root_param
from tui.core.errors import DiptychError
from tui.core.text import display_text


@click.command("metadata")
@db_option
@click.option("-o", "--output", help="File to write (default: stdout).")
def metadata_cmd(db: str | None, output: str | None) -> None:
    """Print Datasette metadata for the database: what each table, view and column holds.

    \b
    diptych metadata -o annotations/metadata.json
    datasette annotations/diptych.db -m annotations/metadata.json
    """
    from tui.core.outfiles import write_atomically
    from tui.core.session import resolve_db_path
    from tui.core.store.metadata import datasette_metadata

    db = db or root_param(click.get_current_context(), "db")
    path = Path(resolve_db_path(db))
    data = (json.dumps(datasette_metadata(path.stem), indent=2, sort_keys=True) + "\n").encode("utf-8")
    if output in (None, "-"):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        write_atomically(output, lambda fh: fh.write(data))
    except DiptychError as exc:
        fail(exc)
        return
    shown = display_text(f"{path.stem} to {output}", keep_newlines=False)
    echo(f"wrote Datasette metadata for {shown}", err=True)
