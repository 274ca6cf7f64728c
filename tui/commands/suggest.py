"""`diptych suggest`: precompute suggestions for a corpus, so the reader shows them at once.

Parses every document that is not cached yet with ``nlp.pipe`` batching and
stores the suggestions under the same ``(text hash, suggester, version)`` keys
the reader uses. Headless: never imports Textual.
"""

from __future__ import annotations

import sys
import time
from typing import IO

import click

from tui.cli import db_option, echo, fail, root_param
from tui.commands.progress import ProgressLine
from tui.core.errors import DiptychError, ReadOnlyError
from tui.core.models import Document
from tui.core.session import AnnotationSession, resolve_db_path
from tui.core.store import Store
from tui.core.text import display_text




def _safe(text: str) -> str:
    return display_text(str(text), keep_newlines=False)




class _Bar(ProgressLine):
    """Called once per document by SuggestionService.precompute."""

    def __init__(self, stream: IO[str], total: int) -> None:
        super().__init__(stream, "suggesting")
        self.total = total
        self.done = 0

    def __call__(self, doc: Document) -> None:
        self.done += 1
        self.show(self.done, self.total)

def _model_reason(model: str | None, no_model: bool) -> str:
    """Why this engine: the chosen model and the reason, in one phrase."""
    if no_model:
        return "forced rules only (no model)"
    from tui.core.nlp.discovery import choose_model  # reads package metadata only; no spaCy import

    choice = choose_model(model)
    return choice.reason


@click.command("suggest")
@db_option
@click.option("--story", help="Only this story (title or id; default: all stories).")
@click.option("--model", envvar="DIPTYCH_MODEL",
              help="spaCy pipeline (package name or directory; default: $DIPTYCH_MODEL, else the best installed "
                   "English one).")
@click.option("--no-model", is_flag=True, help="Rule suggestions only; do not load a spaCy model.")
@click.option("--patterns", "patterns", type=click.Path(dir_okay=False),
              help="Entity-ruler patterns JSONL (one {\"label\": ..., \"pattern\": ...} per line).")
@click.option("--n-process", "n_process", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes for nlp.pipe (more helps on large corpora with several cores).")
# 8, not spaCy's usual 32+: a batch of whole articles is parsed at once, and on
# 25 articles batch 32 peaks at ~375 MiB against ~245 MiB for 8, at the same
# speed (bench/bench_suggest_memory.py).
@click.option("--batch-size", "batch_size", type=click.IntRange(min=1), default=8, show_default=True,
              help="Documents per nlp.pipe batch (larger batches take more memory, not less time).")
@click.option("--force", is_flag=True, help="Recompute documents that are already cached.")
@click.option("--evaluate", is_flag=True,
              help="Score each suggester against an annotator's spans and links instead (precision/recall, "
                   "exact and overlap >= 50%).")
@click.option("--annotator", help="With --evaluate: whose annotations are the reference (default: the top-level "
                                  "--annotator, else gold).")
@click.option("--format", "-f", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True,
              help="With --evaluate: output format.")
@click.pass_context
def suggest_cmd(ctx: click.Context, db: str | None, story: str | None, model: str | None, no_model: bool,
                patterns: str | None, n_process: int, batch_size: int, force: bool, evaluate: bool,
                annotator: str | None, fmt: str) -> None:
    """Precompute suggestions for every document (or one story's).

    \b
    Entities (spaCy NER, or rules with --no-model), attribution cues and motive
    cues are computed with nlp.pipe batching and cached in the database per
    (text, suggester, version), exactly as the reader caches them: a story
    opened afterwards shows its suggestions at once, without loading the model.
    Documents already cached for this model and these rules are skipped
    (--force recomputes them), and when every one is, the model is not even
    loaded. A progress bar is drawn on stderr when it is a terminal; a summary
    line is always printed.

    \b
    --evaluate scores each suggester (and all of them together, "(any)")
    against an annotator's annotations, per label: precision and recall,
    exact and by overlap (a shared stretch at least half as long as the
    longer span), and the attribution pairs (CLAIM→SOURCE) against that
    annotator's attributed_to links. Suggestions come from the cache, and
    are computed (and cached) where missing.
    """
    db = db or root_param(ctx, "db")
    story = story if story is not None else root_param(ctx, "story")
    model = model or root_param(ctx, "model")
    no_model = no_model or bool(root_param(ctx, "no_model"))
    if model and no_model:
        raise click.UsageError("--model and --no-model contradict each other; give one")
    try:
        store = Store.open(resolve_db_path(db), create=False)
    except DiptychError as err:
        fail(err)
        return
    try:
        if evaluate:
            from tui.commands.suggest_eval import evaluate_cmd_run

            evaluate_cmd_run(store, story=story, model=model, no_model=no_model, patterns=patterns,
                             annotator=annotator or root_param(ctx, "annotator") or "gold", fmt=fmt)
            return
        _run(store, story=story, model=model, no_model=no_model, patterns=patterns, n_process=n_process,
             batch_size=batch_size, force=force)
    except DiptychError as err:
        fail(err)
    finally:
        store.close()


def _run(store: Store, *, story: str | None, model: str | None, no_model: bool, patterns: str | None,
         n_process: int, batch_size: int, force: bool) -> None:
    from tui.core.suggestions import SuggestionService

    if store.readonly:
        raise ReadOnlyError(f"{store.path} is read-only; suggestions cannot be cached in it",
                            hint="check the file's and folder's permissions, or pass --db")
    chosen = store.resolve_story(story)
    docs = store.documents(chosen.id if chosen else None)
    where = f"story “{_safe(chosen.title)}”" if chosen else "all stories"
    if not docs:
        echo(f"no documents in {where}: nothing to do")
        return
    # Decide (and refuse an unknown --model) before the seconds-long load.
    reason = _model_reason(model, no_model)
    service = SuggestionService(AnnotationSession(store, "diptych-suggest"), model=model, no_model=no_model,
                                patterns_path=patterns)
    if not force and service.all_cached(docs):
        # The model takes seconds and hundreds of MB to load: not for nothing.
        echo(f"{where}: 0 document(s) computed, {len(docs)} already cached; nothing to parse; "
             f"model not loaded ({_safe(reason)})")
        return
    started = time.perf_counter()
    description = service.load()
    load_seconds = time.perf_counter() - started
    stream = sys.stderr
    bar = _Bar(stream, len(docs)) if stream.isatty() else None
    try:
        result = service.precompute(docs, batch_size=batch_size, n_process=n_process, force=force, progress=bar)
    except KeyboardInterrupt:
        # Each document is stored in its own transaction: what was done stays done.
        if bar is not None:
            bar.close()
            bar = None
        click.echo("interrupted: documents finished so far stay cached; run again to do the rest", err=True)
        sys.exit(130)
    finally:
        if bar is not None:
            bar.close()
    if result.computed:
        speed = (f"{result.words_per_second:,.0f} words/s ({result.words} words in {result.seconds:.1f}s, "
                 f"batch {batch_size}, {n_process} process{'es' if n_process > 1 else ''})")
    else:
        speed = "nothing to parse"
    why = description if reason in description else f"{description} — {reason}"
    echo(f"{where}: {result.computed} document(s) computed, {result.cached} already cached, "
               f"{result.suggestions} suggestion(s) stored; {speed}; model: {_safe(why)} "
               f"(loaded in {load_seconds:.1f}s)")


__all__ = ["suggest_cmd"]
