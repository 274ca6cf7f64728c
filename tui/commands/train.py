"""`diptych train`: train a span suggester on one annotator's annotations.

Headless: never imports Textual. The reader starts this same command in a
background process (``tui.core.training_job``) with ``--json``, reading the
progress lines from stderr and the result from stdout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from tui.cli import db_option, echo, fail, root_param
from tui.core.errors import DiptychError, TrainingError
from tui.core.session import resolve_db_path
from tui.core.store import Store
from tui.core.training_job import PROGRESS_PREFIX


def _progress(stream, as_bar: bool):
    def show(epoch: int, epochs: int, loss: float) -> None:
        width = 20
        filled = int(width * epoch / max(epochs, 1))
        line = f"{PROGRESS_PREFIX} {epoch}/{epochs} [{'#' * filled}{'-' * (width - filled)}] loss {loss:.1f}"
        if as_bar:
            stream.write("\r" + line + ("\n" if epoch == epochs else ""))
        else:
            stream.write(line + "\n")
        stream.flush()
    return show


@click.command("train")
@db_option
@click.option("--story", help="Only this story's documents (title or id; default: every story).")
@click.option("--annotator", default="gold", show_default=True, help="Whose annotations to learn from.")
@click.option("--name", default="diptych", show_default=True,
              help="Model name: saved as models/<name>-<date>/ next to the database, suggester trained:<name>.")
@click.option("--epochs", type=click.IntRange(min=1), default=15, show_default=True, help="Passes over the data.")
@click.option("--holdout", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.25,
              show_default=True, help="Share of the annotated documents held out for scoring.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the split and of training.")
@click.option("--base-model", "base_model",
              help="Installed pipeline whose tok2vec weights start the encoder (default: the best installed "
                   "English one; 'none' starts from random weights).")
@click.option("--min-docs", "min_docs", type=click.IntRange(min=2), default=2, show_default=True,
              help="Refuse with fewer annotated documents than this.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object on stdout.")
@click.pass_context
def train_cmd(ctx: click.Context, db: str | None, story: str | None, annotator: str, name: str, epochs: int,
              holdout: float, seed: int, base_model: str | None, min_docs: int, as_json: bool) -> None:
    """Train a suggester (spaCy span categoriser) on an annotator's spans.

    \b
    Learns every label the annotator used (CLAIM, SOURCE, MOTIVE, ACTOR...),
    holds out part of the annotated documents (a seeded, repeatable split),
    prints precision/recall/F per label on them, and saves the pipeline with
    scores.json and training.json under models/<name>-<date>/ next to the
    database. The reader and `diptych suggest` then use the newest trained
    model as the suggester trained:<name> (DIPTYCH_TRAINED picks another,
    or 'none'). Progress goes to stderr.
    """
    db = db or root_param(ctx, "db")
    story = story if story is not None else root_param(ctx, "story")
    if "/" in name or "\\" in name or name.startswith(".") or not name.strip():
        raise click.BadParameter("a plain name: letters, digits, - and _", param_hint="--name")
    try:
        db_path = resolve_db_path(db)
        store = Store.open(db_path, create=False)
    except DiptychError as err:
        fail(err)
        return
    try:
        _run(store, Path(db_path), story=story, annotator=annotator, name=name, epochs=epochs, holdout=holdout,
             seed=seed, base_model=base_model, min_docs=min_docs, as_json=as_json)
    except DiptychError as err:
        fail(err)
    finally:
        store.close()


def _base(base_model: str | None) -> str | None:
    if base_model and base_model.lower() == "none":
        return None
    from tui.core.nlp.discovery import choose_model

    choice = choose_model(base_model)  # refuses an unknown name before any training
    return choice.info.load_target if choice.info is not None else None


def _run(store: Store, db_path: Path, *, story, annotator, name, epochs, holdout, seed, base_model,
         min_docs, as_json) -> None:
    from tui.core.nlp.trained import models_dir_for
    from tui.core.nlp.training import format_scores, save, split_docs, train
    from tui.core.training_data import training_docs

    docs = training_docs(store, annotator, story, min_docs=min_docs)
    train_docs, held = split_docs(docs, holdout, seed)
    base = _base(base_model)
    labels: dict[str, int] = {}
    for d in train_docs:
        for s in d.spans:
            labels[s.label] = labels.get(s.label, 0) + 1
    echo(f"training on {len(docs)} document(s) annotated by {annotator}: {len(train_docs)} to learn from, "
         f"{len(held)} held out ({', '.join(d.key for d in held)}); spans: "
         + ", ".join(f"{k} {v}" for k, v in sorted(labels.items()))
         + f"; encoder from {base or 'random weights'}", err=as_json)
    try:
        result = train(docs, base_model=base, epochs=epochs, seed=seed, split=(train_docs, held),
                       progress=_progress(sys.stderr, sys.stderr.isatty()))
    except KeyboardInterrupt:
        click.echo("\ninterrupted: nothing was saved", err=True)
        sys.exit(130)
    extra = {"annotator": annotator, "story": story or "", "database": str(db_path.name)}
    models = models_dir_for(db_path)
    try:
        target = save(result, models, name, extra={**extra, "holdout": holdout})
    except OSError as err:
        raise TrainingError(f"cannot write the trained model under {models}: {err.strerror or err}",
                            hint="check that folder's permissions (it sits next to the database), "
                                 "or train on a copy of the database in a folder of yours") from err
    if as_json:
        click.echo(json.dumps({"model": str(target), "suggester": f"trained:{name}",
                               "scores": result.scores_dict()["labels"], "held_out": len(held),
                               "train": len(train_docs)}, sort_keys=True))
        return
    echo(f"held-out scores ({len(held)} document(s)"
         + ("; few documents, so these say little" if len(held) < 5 else "") + "):")
    for line in format_scores(result.scores):
        echo("  " + line)
    reach = result.summary.get("labels", {})
    if reach:
        # Spans the candidate generator never proposes cannot be learnt: this caps recall.
        echo("training spans among the candidates: " + ", ".join(
            f"{label} {row['among_candidates']}/{row['spans']}" for label, row in sorted(reach.items())))
    echo(f"saved to {target} (scores.json, training.json); the reader and `diptych suggest` now use it "
         f"as trained:{name} (the newest model; DIPTYCH_TRAINED=none switches it off)")


__all__ = ["train_cmd"]
