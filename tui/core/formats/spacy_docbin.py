"""A spaCy DocBin with the spans in ``doc.spans``."""

from __future__ import annotations

from typing import Any

from ..models import Story
from .records import ExportStats, Progress, _counting, _problem, document_meta, iter_records
from .tokens import make_doc


def build_docbin(store: Any, *, annotator: str | None = None, story: Story | None = None,
                 progress: Progress | None = None) -> tuple[Any, ExportStats]:
    """A spaCy ``DocBin``: one Doc per (document, annotator), spans in ``doc.spans[label]``
    and all of them in ``doc.spans["sc"]``; ``doc.user_data`` holds ``meta`` and ``annotator``.

    A span that does not start and end on token boundaries cannot be a spaCy
    Span: it is left out and listed in ``stats.misaligned``.
    """
    from spacy.tokens import DocBin  # lazy

    stats = ExportStats("spacy")
    docbin = DocBin(store_user_data=True)
    base: tuple[int, Any] | None = None
    for rec in iter_records(store, annotator=annotator, story=story, progress=_counting(progress, stats)):
        if base is None or base[0] != rec.document.id:
            base = (rec.document.id, make_doc(rec.document.text))
        doc = base[1].copy()
        groups: dict[str, list[Any]] = {}
        every: list[Any] = []
        for a in rec.spans:
            span = doc.char_span(a.start, a.end, label=a.label, span_id=a.id, alignment_mode="strict")
            if span is None:
                stats.misaligned.append(_problem(rec, a))
                continue
            groups.setdefault(a.label, []).append(span)
            every.append(span)
            stats.spans += 1
        for label in sorted(groups):
            doc.spans[label] = groups[label]
        doc.spans["sc"] = every
        doc.user_data["meta"] = document_meta(rec.document, rec.story)
        doc.user_data["annotator"] = rec.annotator
        docbin.add(doc)
        stats.records += 1
    return docbin, stats

