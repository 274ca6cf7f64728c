"""A story's alignment through the session cache, and the comparison report built on it.

Aligning a story is quick for two articles but grows with the number and length
of them; the result depends only on the texts and their flagged regions, so it
is cached under :func:`tui.core.align.cache_key` and opening a story again costs
one lookup. Both the reader and `diptych compare` come through here, so they
share cache rows.

Everything here is plain Python on top of :class:`AnnotationSession` (no UI).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from tui.core.align import alignment as _alignment  # called through the module so tests can count calls
from tui.core.align.alignment import Alignment
from tui.core.align.report import Report, build_report
from tui.core.align.report_render import clean
from tui.core.align.units import inputs_from
from tui.core.errors import DiptychError, StoreError
from tui.core.models import Document, Story
from tui.core.outfiles import write_atomically
from tui.core.text import slug

REPORT_DIR = Path("annotations")


def story_alignment(session, story_id: int, *, documents: Sequence[Document] | None = None,
                    align: Callable[[list], Alignment] | None = None) -> Alignment:
    """The alignment of a story's documents: from the cache if the texts and
    regions are unchanged, else computed and stored.

    ``documents`` saves a second read when the caller already has them;
    ``align`` computes a miss elsewhere (the reader's worker process) instead
    of in this thread. A cached
    record another algorithm version wrote (or a damaged one) counts as a miss;
    a database that cannot be written to (read-only, busy) just recomputes."""
    docs = list(documents) if documents is not None else _documents(session, story_id)
    regions = [r for d in docs for r in session.regions(d.id)]
    inputs = inputs_from(docs, regions)
    key = _alignment.cache_key(inputs)
    try:
        cached = session.cache_get(key)
    except (DiptychError, ValueError):  # unreadable JSON in the row: recompute
        cached = None
    if cached is not None:
        try:
            return Alignment.from_json(cached)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError):
            # from_json says ValueError for another version; a damaged row can
            # fail in other ways, and is a miss all the same.
            pass
    alignment = align(inputs) if align is not None else _alignment.align_story(inputs)
    try:
        session.cache_put(key, alignment.to_json())
    except DiptychError:
        pass  # the cache is an optimisation: a locked or read-only file must not stop the report
    return alignment


def _story_inputs(session, story_id: int, annotators: Iterable[str] | None, alignment: Alignment | None):
    """The story, its documents, its alignment and the chosen annotators' spans and links."""
    story = _story(session, story_id)
    docs = session.documents(story_id)
    if alignment is None:
        alignment = story_alignment(session, story_id, documents=docs)
    wanted = None if annotators is None else set(annotators)
    anns = [a for d in docs for a in session.annotations_of(d.id, wanted)]
    doc_ids = [d.id for d in docs]
    rels = session.store.relations(doc_ids=doc_ids) if doc_ids else []
    if wanted is not None:
        rels = [r for r in rels if r.annotator in wanted]
    return story, docs, alignment, anns, rels


def story_report(session, story_id: int, *, annotators: Iterable[str] | None = None,
                 alignment: Alignment | None = None) -> Report:
    """The comparison report of one story.

    ``annotators`` None pools everyone's annotations and relations; otherwise
    only those annotators' (pass ``[session.annotator]`` for your own)."""
    story, docs, alignment, anns, rels = _story_inputs(session, story_id, annotators, alignment)
    return build_report(story.title, docs, anns, rels, alignment)


def story_provenance(session, story_id: int, *, annotators: Iterable[str] | None = None,
                     alignment: Alignment | None = None, suggestions: dict | None = None):
    """The provenance of a story's claims (see :mod:`tui.core.align.provenance`),
    from the same annotations and alignment as its comparison report, plus the
    claims ``suggestions`` (doc id -> that document's cached suggestions) name
    that nobody has tagged or rejected yet."""
    from tui.core.align.provenance import build_provenance, suggested_claims

    story, docs, alignment, anns, rels = _story_inputs(session, story_id, annotators, alignment)
    for d in docs:
        if suggestions and suggestions.get(d.id):
            rejected = [k for k, verdict in session.decisions(d.id).items() if verdict == "reject"]
            extra, links = suggested_claims(d, suggestions[d.id], anns, rejected)
            anns += extra
            rels += links
    report = build_report(story.title, docs, anns, rels, alignment)
    return build_provenance(report, docs, anns, rels)


def report_path(story: Story, suffix: str = "compare.csv") -> Path:
    """``annotations/<story-title-slug>-compare.csv`` (relative to the working directory)."""
    stem = slug(story.title, f"story-{story.id}")
    return REPORT_DIR / f"{stem}-{suffix}"


def write_report(path: str | os.PathLike, text: str) -> Path:
    """Write a report atomically (a failed write never leaves half a file), with the
    user's umask; ExportError naming the path if it cannot be written."""
    path = Path(path)
    write_atomically(path, lambda fh: fh.write(text.encode("utf-8")),
                     hint="pass a path in a writable folder (or run from one)")
    return path


def _story(session, story_id: int) -> Story:
    story = session.story(story_id)
    if story is None:
        known = ", ".join(f"{s.id}: {clean(s.title)}" for s in session.stories()) or "none yet"
        raise StoreError(f"no story with id {story_id} in {session.db_path}", hint=f"stories: {known}")
    return story


def _documents(session, story_id: int) -> list[Document]:
    _story(session, story_id)
    return session.documents(story_id)


__all__ = ["REPORT_DIR", "report_path", "story_alignment", "story_provenance", "story_report", "write_report"]
