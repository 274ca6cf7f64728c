"""`diptych agreement`: pairwise, per-label inter-annotator agreement."""

from __future__ import annotations

import json

import click

from tui.cli import db_option, echo, fail, root_param
from tui.core.errors import DiptychError




@click.command("agreement")
@db_option
@click.option("--story", help="Only this story (title or id; default: all stories).")
@click.option("--annotators", "-a", "named", multiple=True,
              help="Annotators to compare (default: everyone); repeat, separate with commas, "
                   "or list them after the option: --annotators alice bob.")
@click.option("--label", "labels", multiple=True, help="Only this label (repeatable; default: every label used).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.argument("more", nargs=-1, metavar="[ANNOTATORS]...")
@click.pass_context
def agreement_cmd(ctx: click.Context, db: str | None, story: str | None, named: tuple[str, ...],
                  labels: tuple[str, ...], as_json: bool, more: tuple[str, ...]) -> None:
    """Agreement between annotators, per label and pair of annotators.

    Over the documents both annotators worked on (annotated, or marked in
    progress / done): span F1 with exact boundaries, span F1 where an
    overlap counts, and Cohen's kappa on spaCy English tokens (in / out of a
    span of the label). ALL pools the labels. n/a (null in JSON) means
    undefined: no spans on either side, or kappa with both annotators constant.
    """
    from tui.core.review import agreement, agreement_table
    from tui.core.session import resolve_db_path
    from tui.core.store import Store

    db = db or root_param(ctx, "db")
    story = story or root_param(ctx, "story")
    annotators = [n.strip() for item in named + more for n in item.split(",") if n.strip()]
    try:
        store = Store.open(resolve_db_path(db), readonly=True, create=False)
    except DiptychError as exc:
        fail(exc)
        return
    try:
        chosen = store.resolve_story(story)
        results = agreement(store, annotators=annotators or None, story=chosen, labels=list(labels) or None)
    except DiptychError as exc:
        fail(exc)
        return
    finally:
        store.close()
    if as_json:
        payload = {
            "story": chosen.title if chosen is not None else None,
            "annotators": sorted({r.a for r in results} | {r.b for r in results}),
            "measures": {"exact_f1": "span F1, same start, end and label",
                         "overlap_f1": "span F1, a shared character with the same label counts",
                         "kappa": "Cohen's kappa over non-space spaCy English tokens, in/out of a span of the label"},
            "results": [r.as_dict() for r in results],
        }
        from tui.core.text import safe_json

        click.echo(safe_json(json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True)))
    else:
        echo(agreement_table(results))


__all__ = ["agreement_cmd"]
