"""`diptych review`: work through your queue, or adjudicate annotators into gold."""

from __future__ import annotations

import sys

import click

from tui.cli import annotator_option, db_option


@click.command("review")
@db_option
@annotator_option
@click.option("--compare", "compare", is_flag=True,
              help="Adjudicate: show the named annotators' spans and accept them into the gold set.")
@click.option("--gold", default="gold", show_default=True, help="Annotator name of the gold set (with --compare).")
@click.option("--story", help="Start on this story (title or id) instead of the first with work left.")
@click.option("--schema", type=click.Path(dir_okay=False), help="Label schema TOML.")
@click.option("--keymap", type=click.Path(dir_okay=False), help="Keymap TOML remapping bindings by id.")
@click.argument("annotators", nargs=-1)
@click.pass_context
def review_cmd(ctx: click.Context, db, annotator, compare, gold, story, schema, keymap, annotators) -> None:
    """Open the first story with work left for you; ] and [ walk the queue.

    \b
    With --compare A B ..., open the review of annotators A, B ... : their spans
    show as candidates (matching / partial / only one), and y, Y, x and the label
    keys settle the gold set (default annotator name "gold"):
      diptych review --compare alice bob
    """
    from tui.launch import launch

    root = ctx.find_root().params
    if compare and len(annotators) < 1:
        raise click.UsageError("--compare needs the annotators to compare, e.g. --compare alice bob")
    if annotators and not compare:
        raise click.UsageError("annotator names are only taken with --compare")
    sys.exit(launch(db=db or root.get("db"), annotator=gold if compare else (annotator or root.get("annotator")),
                    story=story, schema=schema or root.get("schema"), keymap=keymap or root.get("keymap"),
                    review=True, compare=annotators, no_suggest=compare))
