"""What a file in an exchange format was read into: documents, spans, relations and flat records
(validated, nothing written yet; the importer writes them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DOC_FIELDS = ("title", "outlet", "url", "author", "published")
# meta keys that describe the record, not the document: never copied into documents.meta
_RECORD_META = frozenset(("doc_id", "story", "text_sha256", *DOC_FIELDS))


# How deep any imported JSON value may nest (a record is an object holding
# lists of objects: real files stay under ten). A value nested far deeper is
# refused: stored, it would be read back by recursive code (json, the reader)
# that a few hundred levels more turn into a RecursionError.
MAX_JSON_DEPTH = 32


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> str | None:
    """The field path (``meta.extra.k.k…``) of the first value nested deeper than
    ``limit`` levels, or None. Walked with a stack, never by recursion."""
    stack: list[tuple[Any, str, int]] = [(value, "", 1)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, dict):
            children = [(v, f"{where}.{k}" if where else str(k)) for k, v in item.items()]
        elif isinstance(item, list):
            children = [(v, f"{where}[{i}]") for i, v in enumerate(item)]
        else:
            continue
        if depth > limit:
            return where or "the line"
        stack.extend((v, w, depth + 1) for v, w in reversed(children))
    return None


def too_deep_text(raw: str, limit: int = MAX_JSON_DEPTH) -> tuple[str, int] | None:
    """``too_deep`` on JSON *text*, before it is parsed: json's decoder recurses,
    so a few hundred levels fail inside it (RecursionError) with no field to name.
    One pass over the characters, tracking the keys and indices on the way down;
    returns (field path, character offset) of the first value too deep.
    Text that is not valid JSON may give a rough path; the parser then says what is wrong."""
    path: list[str] = []
    counters: list[int] = []  # per open container: the index in a list, -1 in an object
    key = ""
    i, n = 0, len(raw)
    while i < n:
        ch = raw[i]
        if ch == '"':
            j = i + 1
            while j < n and raw[j] != '"':
                j += 2 if raw[j] == "\\" else 1
            key = raw[i + 1:j]
            i = j + 1
            continue
        if ch in "{[":
            if counters:
                path.append(f"[{counters[-1]}]" if counters[-1] >= 0 else f".{key}" if path else key)
            if len(counters) >= limit:
                return "".join(path).lstrip(".") or "the line", i
            counters.append(0 if ch == "[" else -1)
        elif ch in "}]":
            if counters:
                counters.pop()
            if len(path) > max(len(counters) - 1, 0):  # the root has no path component
                path.pop()
        elif ch == "," and counters and counters[-1] >= 0:
            counters[-1] += 1
        i += 1
    return None


def deep_error(where: str) -> str:
    """The message for a value ``too_deep`` found, its path cut to a readable length."""
    short = where if len(where) <= 60 else where[:59] + "…"
    return f"{short}: nested more than {MAX_JSON_DEPTH} levels deep"


DEEP_HINT = "meta, attrs and every other value must be flat enough to read back; flatten it or drop that field"


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

