"""A spaCy DocBin: spans in ``doc.spans`` and relations as ``doc._.rel``.

Relations take the shape spaCy's relation-extraction tutorial (explosion/projects,
``tutorials/rel_component``) reads: ``doc._.rel[(head_token_start, child_token_start)]
= {relation_type: 1.0, ...}``. Custom attributes (``Doc.set_extension``) keep their
values in ``doc.user_data`` under the key ``("._.", name, None, None)``, and a DocBin
made with ``store_user_data=True`` serialises ``user_data``; so the relations are put
there directly, under ``REL_KEY``, and a reader that first registers
``Doc.set_extension("rel", default={})`` sees them as ``doc._.rel``. (Only pairs with
a relation are present; the tutorial treats a missing pair as all labels 0.0. It
proposes candidate pairs from ``doc.ents``, which this export leaves empty because
our spans may overlap: set ``doc.ents`` from ``doc.spans["sc"]`` if you train it.)
"""

from __future__ import annotations

from typing import Any

from ..models import Story
from .records import ExportStats, Progress, _counting, _problem, document_meta, iter_records
from .tokens import make_doc

CANNOT_CARRY = ("spans off token boundaries", "cross-document relations", "relations of spans off token boundaries",
                "span attributes", "span notes")
REL_EXTENSION = "rel"
REL_KEY = ("._.", REL_EXTENSION, None, None)  # where Doc.set_extension("rel") keeps doc._.rel


def build_docbin(store: Any, *, annotator: str | None = None, story: Story | None = None,
                 progress: Progress | None = None) -> tuple[Any, ExportStats]:
    """A spaCy ``DocBin``: one Doc per (document, annotator), spans in ``doc.spans[label]``
    and all of them in ``doc.spans["sc"]``; ``doc.user_data`` holds ``meta``, ``annotator``
    and the relations (``doc._.rel``, see the module docstring).

    A span that does not start and end on token boundaries cannot be a spaCy
    Span: it is left out and listed in ``stats.misaligned``; relations are kept
    only between two spans of the same Doc that made it in, the rest counted as lost.
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
        token_start: dict[str, int] = {}
        for a in rec.spans:
            span = doc.char_span(a.start, a.end, label=a.label, span_id=a.id, alignment_mode="strict")
            if span is None:
                stats.misaligned.append(_problem(rec, a))
                continue
            groups.setdefault(a.label, []).append(span)
            every.append(span)
            token_start[a.id] = span.start
            stats.spans += 1
            stats.lose("span attributes", bool(a.attrs))
            stats.lose("span notes", bool(a.note))
        for label in sorted(groups):
            doc.spans[label] = groups[label]
        doc.spans["sc"] = every
        doc.user_data["meta"] = document_meta(rec.document, rec.story)
        doc.user_data["annotator"] = rec.annotator
        rels: dict[tuple[int, int], dict[str, float]] = {}
        for lr in rec.relations:
            if lr.tail_doc is not None:
                stats.lose("cross-document relations")
            elif lr.head.id not in token_start or lr.tail.id not in token_start:
                stats.lose("relations of spans off token boundaries")
            else:
                rels.setdefault((token_start[lr.head.id], token_start[lr.tail.id]), {})[lr.relation.type] = 1.0
                stats.relations += 1
        if rels:
            doc.user_data[REL_KEY] = {key: dict(sorted(rels[key].items())) for key in sorted(rels)}
        docbin.add(doc)
        stats.records += 1
    return docbin, stats
