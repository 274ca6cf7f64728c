"""`diptych stats`: stories, documents, and annotations per label and annotator."""

from __future__ import annotations

import json
from typing import Any

import click

from tui.cli import db_option, echo, fail, root_param
from tui.core.errors import DiptychError
from tui.core.session import resolve_db_path
from tui.core.store import Store
from tui.core.text import display_text




def collect_stats(store: Store) -> dict[str, Any]:
    """The figures `stats` shows, as plain data (also its --json output)."""
    raw = store.stats()
    labels = sorted({r["label"] for r in raw["annotations"]})
    annotators = sorted({r["annotator"] for r in raw["annotations"]})
    per = {a: {lab: 0 for lab in labels} for a in annotators}
    for r in raw["annotations"]:
        per[r["annotator"]][r["label"]] = r["n"]
    return {
        "database": str(store.path),
        "schema_version": store.schema_version,
        "stories": raw["stories"],
        "documents": raw["documents"],
        "annotations": sum(r["n"] for r in raw["annotations"]),
        "relations": raw["relations"],
        "per_story": [{"story": r["title"], "documents": r["documents"]} for r in raw["per_story"]],
        "per_label": {lab: sum(per[a][lab] for a in annotators) for lab in labels},
        "per_annotator": per,
        # Imports killed between chunks (store/bulk.py): what they wrote so far.
        "unfinished_imports": [
            {"id": m["id"], "file": m["file"], "spans_written": m["spans_written"], "spans": m["spans"],
             "relations_written": m["relations_written"], "relations": m["relations"]}
            for m in store.unfinished_imports()],
    }


def unfinished_line(m: dict[str, Any]) -> str:
    """The one sentence `stats` and `import` say about an unfinished import."""
    return (f"import {m['id']} of {display_text(m['file'], keep_newlines=False)} is incomplete: "
            f"{m['spans_written']} of {m['spans']} spans; run the same import again to finish it, "
            f"or `diptych undo-import {m['id']}`")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    """Left-aligned first column, right-aligned numbers; cells are shown as data."""
    cells = [[display_text(str(c), keep_newlines=False) for c in row] for row in [header] + rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    out = []
    for row in cells:
        parts = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        out.append("  ".join(parts).rstrip())
    return out


def render_stats(data: dict[str, Any]) -> str:
    lines = [f"Database: {display_text(data['database'], keep_newlines=False)} (schema {data['schema_version']})",
             f"Stories: {data['stories']}   Documents: {data['documents']}   "
             f"Annotations: {data['annotations']}   Relations: {data['relations']}"]
    if data["per_story"]:
        lines.append("")
        lines += _table(["Story", "Documents"], [[s["story"], s["documents"]] for s in data["per_story"]])
    lines.append("")
    if data["per_annotator"]:
        labels = list(data["per_label"])
        rows = [[a] + [counts[lab] for lab in labels] + [sum(counts.values())]
                for a, counts in data["per_annotator"].items()]
        rows.append(["all"] + [data["per_label"][lab] for lab in labels] + [data["annotations"]])
        lines += _table(["Annotator"] + labels + ["total"], rows)
    else:
        lines.append("No annotations yet.")
    if data.get("unfinished_imports"):
        lines.append("")
        lines += [unfinished_line(m) for m in data["unfinished_imports"]]
    return "\n".join(lines)


@click.command("stats")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
def stats_cmd(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """Count stories, documents, and annotations per label and annotator."""
    db = db or root_param(ctx, "db")
    try:
        store = Store.open(resolve_db_path(db), readonly=True, create=False)
    except DiptychError as err:
        fail(err)
        return
    try:
        data = collect_stats(store)
    except DiptychError as err:
        fail(err)
        return
    finally:
        store.close()
    if as_json:
        # ASCII-escaped: names from files must not reach the terminal as control characters.
        click.echo(json.dumps(data, ensure_ascii=True, indent=2, sort_keys=True))
    else:
        echo(render_stats(data))
