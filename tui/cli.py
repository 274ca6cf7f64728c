"""The `diptych` command.

Subcommands live in `tui/commands/` and are imported only when named, so a
headless command never pays for (or depends on) Textual or spaCy.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

import click

from tui.core.errors import DiptychError

# name -> "module:function" under tui.commands
SUBCOMMANDS = {
    "init": "init:init_cmd",
    "import": "importing:import_cmd",
    "undo-import": "importing:undo_import_cmd",
    "stats": "stats:stats_cmd",
    "doctor": "doctor:doctor_cmd",
    "suggest": "suggest:suggest_cmd",
    "train": "train:train_cmd",
    "export": "exporting:export_cmd",
    "review": "review:review_cmd",
    "agreement": "agreement:agreement_cmd",
    "compare": "compare:compare_cmd",
    "metadata": "metadata:metadata_cmd",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | {n for n in SUBCOMMANDS if self._available(n)})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in SUBCOMMANDS and self._available(name):
            module, attr = SUBCOMMANDS[name].split(":")
            return getattr(importlib.import_module(f"tui.commands.{module}"), attr)
        return super().get_command(ctx, name)

    @staticmethod
    def _available(name: str) -> bool:
        module = SUBCOMMANDS[name].split(":")[0]
        return importlib.util.find_spec(f"tui.commands.{module}") is not None


db_option = click.option("--db", "db", type=click.Path(dir_okay=False), envvar="DIPTYCH_DB",
                         help="Database file (default annotations/diptych.db, or $DIPTYCH_DB).")
annotator_option = click.option("--annotator", help="Your annotator name (default: your login name).")


@click.group(cls=LazyGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@db_option
@annotator_option
@click.option("--story", help="Open this story (title or id) instead of the last one.")
@click.option("--schema", type=click.Path(dir_okay=False), help="Label schema TOML (default annotations/schema.toml if present).")
@click.option("--model", envvar="DIPTYCH_MODEL",
              help="spaCy pipeline for suggestions (default: $DIPTYCH_MODEL, else the best installed English one).")
@click.option("--no-model", is_flag=True, help="Rule suggestions only; do not load spaCy.")
@click.option("--no-suggest", is_flag=True,
              help="Load no model and compute nothing; suggestions cached by `diptych suggest` still show.")
@click.option("--patterns", type=click.Path(dir_okay=False, exists=True),
              help="Entity patterns JSONL (spaCy/Prodigy format) for suggestions, as for `diptych suggest`.")
@click.option("--keymap", type=click.Path(dir_okay=False), help="Keymap TOML remapping bindings by id.")
@click.version_option(package_name="diptych")
@click.pass_context
def main(ctx: click.Context, db, annotator, story, schema, model, no_model, no_suggest, patterns, keymap) -> None:
    """Read news articles side by side and annotate claims, sources and motives.

    With no subcommand, opens the reader.
    """
    if ctx.invoked_subcommand is not None:
        return
    from tui.launch import launch

    sys.exit(launch(db=db, annotator=annotator, story=story, schema=schema, model=model,
                    no_model=no_model, no_suggest=no_suggest, patterns=patterns, keymap=keymap))


def root_param(ctx: click.Context, name: str):
    """An option given before the subcommand (`diptych --db X import ...`)."""
    root = ctx.find_root()
    return root.params.get(name) if root is not ctx else None


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` for any message that may hold data (titles, annotator names,
    notes, paths): every line goes through ``safe_text``, so an escape sequence
    stored in the database is shown as pictures, never sent to the terminal.
    Newlines between lines stay line breaks."""
    from tui.core.text import safe_text

    click.echo(safe_text(message, keep_newlines=True), err=err, nl=nl)


def echo_data(text: str) -> None:
    """Exported data written to stdout: exact when stdout is a file or a pipe
    (the consumer needs every byte), made safe when it is a terminal."""
    from tui.core.text import safe_text

    if sys.stdout.isatty():
        text = safe_text(text, keep_newlines=True)
    sys.stdout.write(text)
    sys.stdout.flush()


def fail(err: DiptychError | str) -> None:
    """Print a Diptych error the same way in every command and exit non-zero.

    ``str(err)`` is the message, a newline and the hint; either may quote data
    (a story title, an annotator name, a schema key), so it is made safe here,
    the one place errors reach the shell.
    """
    echo(err, err=True)
    sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
