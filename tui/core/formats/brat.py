"""brat standoff (a folder): per (document, annotator) ``<stem>.txt`` + ``<stem>.ann``, and at the
top ``annotation.conf`` / ``visual.conf`` from the label schema and ``diptych.json`` (the manifest:
each stem's annotator, story and document fields, which brat has no place for).

What the writer does to fit brat's line format:
- a span is cut into fragments at every line break (anything ``str.splitlines`` breaks on) and
  tab: brat forbids them inside a fragment's text; reading joins fragments separated only by
  whitespace back into one span;
- labels, relation types, attribute names and values are written in brat's storage form
  (``[A-Za-z0-9_-]``: ``named person`` -> ``named_person``) and mapped back through the schema;
- notes (``#n AnnotatorNotes``) escape backslash, newline, tab and CR as ``\\\\ \\n \\t \\r`` and
  the other line breaks as ``\\uXXXX``;
- our span id and origin (and a relation's id) ride in a ``#n<TAB>Diptych T1<TAB>{json}`` comment,
  a comment type brat keeps but its note editor does not touch;
- texts with CR line ends are written with LF (brat reads text with universal newlines, so its
  offsets count CR LF as one character) and offsets are moved to match.

Reading is ``brat_read`` (re-exported here).
"""

from __future__ import annotations

import json
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from typing import Any

from ..text import slug
from .brat_read import (
    BREAKS,
    MANIFEST,
    META_TYPE,
    NOTE_TYPE,
    escape_note,
    read,
    read_folder,
    safe_name,
    universal_newlines,
)
from .incoming import DOC_FIELDS
from .records import Record, WriteContext

__all__ = ["CANNOT_CARRY", "EXAMPLE", "annotation_conf", "read", "read_folder", "visual_conf", "write_files"]

CANNOT_CARRY = (
    "cross-document relations",
    "relation attributes",
    "attribute values that are not text",
    "spans made only of line breaks or tabs",
    "CR line ends (written as LF, as brat reads them)",
    "suggestions",
)

EXAMPLE = """\
story-slug/0001-gazette.alice.ann:
T1\tSOURCE 0 9\tThe mayor
A1\ttype T1 named_person
#1\tDiptych T1\t{"id":"01J...","origin":"manual"}
T2\tCLAIM 15 30\ttaxes will rise
A2\tcertainty T2 reported
#2\tAnnotatorNotes T2\tcheck the budget\\nfirst
#3\tDiptych T2\t{"id":"01J...","origin":"manual"}
R1\tattributed_to Arg1:T2 Arg2:T1
#4\tDiptych R1\t{"id":"01J..."}
"""

# brat takes HTML colours; the schema names the 16 ANSI ones.
_HTML = {"black": "#808080", "red": "#ff9999", "green": "#99e699", "yellow": "#ffff80", "blue": "#99bbff",
         "magenta": "#ff99ff", "cyan": "#80ffff", "white": "#f0f0f0"}


def _ascii_slug(text: str, fallback: str, limit: int) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return slug(folded, fallback, limit).replace(".", "-")


def stem_for(rec: Record) -> str:
    """``story-slug/0001-outlet-or-title.annotator``: ASCII, at most ~150 bytes."""
    doc = rec.document
    story = _ascii_slug(rec.story, "story", 60)
    name = _ascii_slug(doc.outlet or doc.title, "doc", 60)
    return f"{story}/{doc.id:04d}-{name}.{_ascii_slug(rec.annotator, 'annotator', 40)}"


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The runs of ``text[start:end]`` between line breaks and tabs."""
    out: list[tuple[int, int]] = []
    run = None
    for i in range(start, end):
        if text[i] in BREAKS:
            if run is not None:
                out.append((run, i))
                run = None
        elif run is None:
            run = i
    if run is not None:
        out.append((run, end))
    return out


def _crlf_shift(text: str) -> tuple[str, Any]:
    """The text as brat reads it, and a function moving our offsets onto it."""
    if "\r" not in text:
        return text, lambda i: i
    pairs = [i for i in range(len(text) - 1) if text[i] == "\r" and text[i + 1] == "\n"]
    return universal_newlines(text), lambda i: i - bisect_left(pairs, i)


def _meta_json(obj: dict[str, Any]) -> str:
    # ASCII-escaped JSON has no tab or line break in it, whatever the id or origin holds.
    return json.dumps(obj, ensure_ascii=True, sort_keys=True, separators=(",", ":"))


def ann_lines(rec: Record, text: str, move: Any, ctx: WriteContext) -> list[str]:
    stats = ctx.stats
    lines: list[str] = []
    notes: list[str] = []
    tids: dict[str, str] = {}
    n_attr = 0
    for a in rec.spans:
        start, end = move(a.start), move(a.end)
        frags = fragments(text, start, end)
        if not frags:
            stats.lose("spans made only of line breaks or tabs")
            continue
        tid = f"T{len(tids) + 1}"
        tids[a.id] = tid
        where = ";".join(f"{s} {e}" for s, e in frags)
        lines.append(f"{tid}\t{safe_name(a.label)} {where}\t{' '.join(text[s:e] for s, e in frags)}")
        stats.spans += 1
        for key in sorted(a.attrs):
            value = a.attrs[key]
            if value is None or value == "":
                continue
            if not isinstance(value, str):
                stats.lose("attribute values that are not text")
                continue
            n_attr += 1
            lines.append(f"A{n_attr}\t{safe_name(key)} {tid} {safe_name(value)}")
        if a.note:
            notes.append(f"{NOTE_TYPE} {tid}\t{escape_note(a.note)}")
        meta: dict[str, Any] = {"id": a.id, "origin": a.origin}
        if (frags[0][0], frags[-1][1]) != (start, end):
            meta.update(start=start, end=end)  # began or ended on a line break
        notes.append(f"{META_TYPE} {tid}\t{_meta_json(meta)}")
    n_rel = 0
    for lr in rec.relations:
        if lr.tail_doc is not None:
            stats.lose("cross-document relations")
            continue
        if lr.head.id not in tids or lr.tail.id not in tids:
            stats.lose("relations on spans left out")
            continue
        n_rel += 1
        lines.append(f"R{n_rel}\t{safe_name(lr.relation.type)} Arg1:{tids[lr.head.id]} Arg2:{tids[lr.tail.id]}")
        notes.append(f"{META_TYPE} R{n_rel}\t{_meta_json({'id': lr.relation.id})}")
        stats.relations += 1
        if lr.relation.attrs:
            stats.lose("relation attributes", len(lr.relation.attrs))
    lines.extend(f"#{i}\t{note}" for i, note in enumerate(notes, 1))
    return lines


def write_files(records: Iterable[Record], ctx: WriteContext) -> Iterator[tuple[str, bytes]]:
    """``<stem>.txt`` and ``<stem>.ann`` per record, then the configs and the manifest."""
    _check_names(ctx)
    manifest: dict[str, dict[str, Any]] = {}
    for rec in records:
        stem = base = stem_for(rec)
        n = 1
        while stem in manifest:  # two annotators whose names slug alike
            n += 1
            stem = f"{base}-{n}"
        text, move = _crlf_shift(rec.document.text)
        if text != rec.document.text:
            ctx.stats.lose("CR line ends (written as LF, as brat reads them)")
        lines = ann_lines(rec, text, move, ctx)
        ctx.stats.records += 1
        doc = rec.document
        manifest[stem] = {"annotator": rec.annotator, "story": rec.story, "doc_id": doc.id,
                          "text_sha256": doc.text_sha256, **{k: getattr(doc, k) for k in DOC_FIELDS}}
        yield f"{stem}.txt", text.encode("utf-8")
        yield f"{stem}.ann", "".join(line + "\n" for line in lines).encode("utf-8")
    yield "annotation.conf", annotation_conf(ctx.schema).encode("utf-8")
    yield "visual.conf", visual_conf(ctx.schema).encode("utf-8")
    body = {"format": "diptych-brat", "version": 1, "documents": manifest}
    yield MANIFEST, (json.dumps(body, ensure_ascii=ctx.ascii_only, sort_keys=True, indent=1) + "\n").encode("utf-8")


def _check_names(ctx: WriteContext) -> None:
    """Warn when two schema names share a storage form: reading back cannot tell them apart."""
    schema = ctx.schema
    groups = [[s.name for s in schema.labels], [r.name for r in schema.relations]]
    groups += [[c for c in a.choices] for s in schema.labels for a in s.attributes]
    for names in groups:
        seen: dict[str, str] = {}
        for name in names:
            other = seen.setdefault(safe_name(name), name)
            if other != name:
                ctx.stats.warn(f"brat: {other!r} and {name!r} are both written as {safe_name(name)!r}; "
                               "reading back gives the first")


def _attributes(schema: Any) -> dict[str, tuple[list[str], list[str]]]:
    """Attribute name -> (labels, values): brat has one definition per name, so an attribute two
    labels share (``type``) lists both labels and the union of their values."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    for spec in schema.labels:
        for a in spec.attributes:
            labels, values = out.setdefault(safe_name(a.name), ([], []))
            labels.append(safe_name(spec.name))
            values.extend(v for v in map(safe_name, a.choices) if v not in values)
    return out


def annotation_conf(schema: Any) -> str:
    lines = ["# brat annotation configuration, written by Diptych from its label schema.", "", "[entities]", ""]
    lines += [safe_name(s.name) for s in schema.labels]
    lines += ["", "[relations]", ""]
    for rel in schema.relations:
        if rel.cross_document:
            lines.append(f"# {rel.name}: only within one document (across documents it is not carried)")
        heads = "|".join(map(safe_name, rel.heads))
        tails = "<ENTITY>" if "*" in rel.tails else "|".join(map(safe_name, rel.tails))
        lines.append(f"{safe_name(rel.name)} Arg1:{heads}, Arg2:{tails}")
    lines += ["# Diptych spans may nest and cross.", "<OVERLAP> Arg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
              "", "[events]", "", "[attributes]", ""]
    for name, (labels, values) in _attributes(schema).items():
        if len(labels) > 1:
            lines.append(f"# {name}: one brat attribute for {', '.join(labels)}; values are their union")
        lines.append(f"{name} Arg:{'|'.join(labels)}, Value:{'|'.join(values)}")
    return "\n".join(lines) + "\n"


def visual_conf(schema: Any) -> str:
    lines = ["# brat visual configuration, written by Diptych from its label schema.", "", "[labels]", ""]
    names = [s.name for s in schema.labels] + [r.name for r in schema.relations]
    names += [c for s in schema.labels for a in s.attributes for c in a.choices]
    shown = []
    for name in dict.fromkeys(names):
        if safe_name(name) != name and "\t" not in name and "|" not in name:
            shown.append(f"{safe_name(name)} | {name.replace('_', ' ')}")
    lines += shown + ["", "[drawing]", ""]
    for spec in schema.labels:
        colour = _HTML.get(spec.color.removeprefix("bright_"), "#dddddd")
        lines.append(f"{safe_name(spec.name)}\tbgColor:{colour}")
    lines += ["SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken",
              "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5"]
    return "\n".join(lines) + "\n"
