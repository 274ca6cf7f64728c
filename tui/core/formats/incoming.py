"""What a file in an exchange format was read into: documents, spans, relations and flat records
(validated, nothing written yet; the importer writes them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DOC_FIELDS = ("title", "outlet", "url", "author", "published")
# meta keys that describe the record, not the document: never copied into documents.meta
_RECORD_META = frozenset(("doc_id", "story", "text_sha256", *DOC_FIELDS))


@dataclass
class SpanIn:
    line: int
    where: str
    start: int
    end: int
    label: str
    id: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    origin: str | None = None


@dataclass
class SpanRef:
    """Where a relation end points: a span id, or offsets + label (any may be missing)."""

    id: str | None = None
    start: int | None = None
    end: int | None = None
    label: str | None = None
    text_sha256: str | None = None  # set for a span in another document


@dataclass
class RelIn:
    line: int
    where: str
    head: SpanRef
    child: SpanRef
    label: str
    id: str | None = None


@dataclass
class DocRecord:
    """A prodigy/doccano line: one document and one annotator's spans on it."""

    line: int
    fmt: str  # "prodigy" or "doccano"
    text: str
    meta: dict[str, str]  # the DOC_FIELDS present in the record
    extra_meta: dict[str, Any]
    story: str | None
    annotator: str | None
    spans: list[SpanIn]
    relations: list[RelIn]
    note: str = ""  # why spans were left out (e.g. a rejected Prodigy answer)


@dataclass
class FlatRecord:
    line: int
    span: SpanIn
    exact: str
    prefix: str
    suffix: str
    annotator: str | None
    text_sha256: str
    url: str
    title: str
    relations: list[RelIn]


@dataclass
class ParsedJsonl:
    documents: list[DocRecord] = field(default_factory=list)
    flats: list[FlatRecord] = field(default_factory=list)

