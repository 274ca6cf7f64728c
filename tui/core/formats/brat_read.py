"""brat standoff, read back: a folder of ``.ann`` + ``.txt`` pairs -> DocRecords; and the
naming and escaping rules the writer (``brat.py``) shares with this reader.

brat's rules followed here (brat's own ``annotation.py`` is the reference): one annotation a
line, ``ID<TAB>DATA<TAB>TEXT``; offsets are code points into the text as read with universal
newlines; a text-bound annotation is ``START END`` fragments joined by ``;`` and its text field
is the fragments' text joined by one space; ids are a letter (or ``#``) and a number; lines
may reference lines below them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import IngestError
from ..schema import LabelSchema
from .incoming import DOC_FIELDS, DocRecord, RelIn, SpanIn, SpanRef, deep_error, too_deep

MANIFEST = "diptych.json"
META_TYPE = "Diptych"  # our comment type: brat shows it but its note editor only touches AnnotatorNotes
NOTE_TYPE = "AnnotatorNotes"
# Where brat (codecs readlines) and bratly (str.splitlines) break a line, plus the tab that
# separates fields: no fragment and no note may hold one.
BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029\t")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")
_ID = re.compile(r"^([A-Za-z]+|#[A-Za-z]*)([0-9]+)(.*)$")
_FRAGMENT = re.compile(r"^(\d{1,15}) (\d{1,15})$")
_ESC = {"\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_UNESC = re.compile(r"\\(\\|n|t|r|u[0-9a-f]{4})")


def safe_name(name: str) -> str:
    """A brat storage form: brat's config wants ``^[a-zA-Z0-9_-]+$`` for types and values."""
    return _SAFE_NAME.sub("_", name) or "_"


def escape_note(text: str) -> str:
    """Backslash escapes for the characters that would break an .ann line (reversible)."""
    return "".join(_ESC.get(c) or (f"\\u{ord(c):04x}" if c in BREAKS else c) for c in text)


def unescape_note(text: str) -> str:
    def one(m: re.Match) -> str:
        code = m.group(1)
        return {"\\": "\\", "n": "\n", "t": "\t", "r": "\r"}.get(code) or chr(int(code[1:], 16))

    return _UNESC.sub(one, text)


def universal_newlines(text: str) -> str:
    """The text as brat reads it ('rU'): CR LF and lone CR become LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class Names:
    """Storage forms back to the schema's names (``named_person`` -> ``named person``)."""

    def __init__(self, schema: LabelSchema) -> None:
        self.labels = {safe_name(s.name): s.name for s in schema.labels}
        self.relations = {safe_name(r.name): r.name for r in schema.relations}
        self.attrs: dict[str, str] = {}
        self.values: dict[tuple[str, str], dict[str, str]] = {}  # (label, attr) -> safe -> value
        for spec in schema.labels:
            for a in spec.attributes:
                self.attrs[safe_name(a.name)] = a.name
                self.values[(spec.name, a.name)] = {safe_name(c): c for c in a.choices}

    def value(self, label: str, attr: str, value: str) -> str:
        return self.values.get((label, attr), {}).get(value, value)


@dataclass
class _Span:
    line: int
    tid: str
    label: str
    fragments: list[tuple[int, int]]
    attrs: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


def read_folder(folder: Path, schema: LabelSchema) -> list[DocRecord]:
    """Every ``.ann`` under ``folder`` (recursively, sorted) with the ``.txt`` beside it."""
    folder = Path(folder)
    manifest = _manifest(folder / MANIFEST)
    records = []
    for ann in sorted(folder.rglob("*.ann")):
        stem = ann.relative_to(folder).with_suffix("").as_posix()
        records.append(_read_pair(ann, ann.read_bytes(), schema, manifest.get(stem)))
    return records


def read(path: str, data: bytes, schema: LabelSchema) -> list[DocRecord]:
    """One ``.ann`` file whose ``.txt`` is beside it (and ``diptych.json`` maybe above it)."""
    ann = Path(path)
    entry = None
    for parent in ann.parents:
        if (parent / MANIFEST).is_file():
            stem = ann.resolve().relative_to(parent.resolve()).with_suffix("").as_posix()
            entry = _manifest(parent / MANIFEST).get(stem)
            break
    return [_read_pair(ann, data, schema, entry)]


def _manifest(path: Path) -> dict[str, dict[str, Any]]:
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        docs = raw["documents"]
        if not isinstance(docs, dict) or not all(isinstance(v, dict) for v in docs.values()):
            raise TypeError
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise IngestError(str(path), "not a Diptych brat manifest (a JSON object with \"documents\")",
                          hint=f"delete {MANIFEST} to read the folder as plain brat data") from None
    return docs


def _decode(path: Path, data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(str(path), f"{what} is not UTF-8 (byte {exc.start})",
                          hint="brat files are UTF-8; re-save the file as UTF-8") from None


def _read_pair(ann: Path, data: bytes, schema: LabelSchema, entry: dict[str, Any] | None) -> DocRecord:
    txt = ann.with_suffix(".txt")
    try:
        raw_text = txt.read_bytes()
    except OSError:
        raise IngestError(str(ann), f"no text file {txt.name} beside it",
                          hint="brat keeps each document's text in a .txt with the same name as its .ann") from None
    text = universal_newlines(_decode(txt, raw_text, "the text"))
    parser = _Parser(str(ann), text, Names(schema), ours=entry is not None)
    parser.parse(_decode(ann, data, "the annotation file"))
    entry = entry or {}
    meta = {k: str(entry[k]) for k in DOC_FIELDS if isinstance(entry.get(k), str) and entry[k]}
    story = entry.get("story") if isinstance(entry.get("story"), str) else None
    annotator = entry.get("annotator") if isinstance(entry.get("annotator"), str) else None
    spans, relations, note = parser.records()
    return DocRecord(line=1, fmt="brat", text=text, meta=meta, extra_meta={}, story=story, annotator=annotator,
                     spans=spans, relations=relations, note=note)


class _Parser:
    def __init__(self, path: str, text: str, names: Names, *, ours: bool) -> None:
        self.path, self.text, self.names, self.ours = path, text, names, ours
        self.spans: dict[str, _Span] = {}
        self.seen: set[str] = set()
        self.attrs: list[tuple[int, str, str, str | None]] = []  # line, target, name, value
        self.rels: list[tuple[int, str, str, str, str]] = []  # line, rid, type, arg1, arg2
        self.comments: list[tuple[int, str, str, str]] = []  # line, type, target, text
        self.skipped: dict[str, int] = {}

    def fail(self, line: int, message: str, hint: str = "") -> IngestError:
        return IngestError(self.path, message, line=line,
                           hint=hint or "fix or delete that line (brat's format: ID<TAB>TYPE ARGS<TAB>TEXT)")

    def parse(self, content: str) -> None:
        for n, line in enumerate(content.splitlines(), 1):
            if line.strip():
                self._line(n, line)

    def _line(self, n: int, line: str) -> None:
        if "\t" not in line:
            raise self.fail(n, "no tab after the annotation id")
        ann_id, rest = line.split("\t", 1)
        m = _ID.match(ann_id)
        if ann_id == "*":
            self.skipped["equivalence (*)"] = self.skipped.get("equivalence (*)", 0) + 1
            return
        if m is None:
            raise self.fail(n, f"{ann_id!r} is not a brat id (a letter or # and a number, like T1)")
        if ann_id in self.seen:
            raise self.fail(n, f"id {ann_id} is used twice")
        self.seen.add(ann_id)
        data, _, tail = rest.partition("\t")
        kind = m.group(1)[0]
        if kind == "T":
            self._textbound(n, ann_id, data, tail, rest)
        elif kind in "AM":
            parts = data.split()
            if len(parts) not in (2, 3):
                raise self.fail(n, "an attribute line is NAME TARGET [VALUE]")
            self.attrs.append((n, parts[1], parts[0], parts[2] if len(parts) == 3 else None))
        elif kind == "R":
            parts = data.split()
            args = [p.split(":", 1) for p in parts[1:]]
            if len(parts) != 3 or any(len(a) != 2 or not a[1] for a in args):
                raise self.fail(n, "a relation line is TYPE Arg1:ID Arg2:ID")
            self.rels.append((n, ann_id, parts[0], args[0][1], args[1][1]))
        elif kind == "#":
            parts = data.split()
            if len(parts) != 2:
                raise self.fail(n, "a note line is TYPE TARGET<TAB>TEXT")
            self.comments.append((n, parts[0], parts[1], tail))
        else:  # E (events) and N (normalisations): Diptych has neither
            what = {"E": "event (E)", "N": "normalisation (N)"}.get(kind, f"{kind} line")
            self.skipped[what] = self.skipped.get(what, 0) + 1

    def _textbound(self, n: int, tid: str, data: str, tail: str, rest: str) -> None:
        if " " not in data:
            raise self.fail(n, "a text-bound line is TYPE START END[;START END...]<TAB>TEXT")
        label, offsets = data.split(" ", 1)
        fragments = []
        for part in offsets.split(";"):
            m = _FRAGMENT.match(part.strip())
            if m is None:
                raise self.fail(n, f"{part!r} is not START END")
            start, end = int(m.group(1)), int(m.group(2))
            if not start <= end <= len(self.text):
                raise self.fail(n, f"offsets {start}-{end} are outside the text ({len(self.text)} characters)",
                                "the .txt may not be the text this .ann was made on")
            if fragments and start < fragments[-1][1]:
                raise self.fail(n, f"fragment {start}-{end} overlaps or precedes the one before it")
            fragments.append((start, end))
        if "\t" not in rest:
            raise self.fail(n, "no tab before the annotated text")
        expected = " ".join(self.text[s:e] for s, e in fragments)
        if not (tail == expected or (tail.startswith(expected) and tail[len(expected)].isspace())):
            raise self.fail(n, f"its text {tail[:60]!r} is not the text at {offsets} ({expected[:60]!r})",
                            "the .txt may not be the text this .ann was made on")
        self.spans[tid] = _Span(n, tid, self.names.labels.get(label, label), fragments)

    def _target(self, line: int, tid: str) -> _Span:
        if tid not in self.spans:
            raise self.fail(line, f"{tid} is not a text-bound annotation (T line) of this file")
        return self.spans[tid]

    def records(self) -> tuple[list[SpanIn], list[RelIn], str]:
        for n, target, name, value in self.attrs:
            span = self._target(n, target)
            attr = self.names.attrs.get(name, name)
            span.attrs[attr] = True if value is None else self.names.value(span.label, attr, value)
        rel_meta: dict[str, dict[str, Any]] = {}
        for n, kind, target, text in self.comments:
            if kind == META_TYPE:
                try:
                    meta = json.loads(text)
                except (ValueError, RecursionError):
                    meta = None
                if not isinstance(meta, dict):
                    raise self.fail(n, f"the {META_TYPE} note is not a JSON object")
                if (deep := too_deep(meta)) is not None:
                    raise self.fail(n, f"the {META_TYPE} note: {deep_error(deep)}")
                if target.startswith("R"):
                    rel_meta[target] = meta
                else:
                    self._target(n, target).meta = meta
            elif target in self.spans:
                note = unescape_note(text) if self.ours else text
                self.spans[target].notes.append(note if kind == NOTE_TYPE else f"{kind}: {note}")
            else:
                self.skipped["notes on other than T lines"] = self.skipped.get("notes on other than T lines", 0) + 1
        spans, refs, dropped = [], {}, []
        for span in self.spans.values():
            placed = self._place(span)
            if placed is None:
                dropped.append(span.tid)
                continue
            meta = span.meta
            origin = meta.get("origin") if isinstance(meta.get("origin"), str) else None
            sid = meta.get("id") if isinstance(meta.get("id"), str) and meta.get("id") else None
            spans.append(SpanIn(span.line, f"{span.tid} ({span.label})", placed[0], placed[1], span.label, sid,
                                span.attrs, "\n".join(span.notes), origin))
            refs[span.tid] = SpanRef(id=sid) if sid else SpanRef(start=placed[0], end=placed[1], label=span.label)
        relations = []
        lost_rels = 0
        for n, rid, kind, arg1, arg2 in self.rels:
            self._target(n, arg1), self._target(n, arg2)
            if arg1 not in refs or arg2 not in refs:
                lost_rels += 1
                continue
            rid_meta = rel_meta.get(rid, {}).get("id")
            relations.append(RelIn(n, rid, refs[arg1], refs[arg2], self.names.relations.get(kind, kind),
                                   rid_meta if isinstance(rid_meta, str) else None))
        return spans, relations, self._note(dropped, lost_rels)

    def _place(self, span: _Span) -> tuple[int, int] | None:
        """One contiguous span: first start to last end, if only whitespace lies between fragments."""
        start, end = span.fragments[0][0], span.fragments[-1][1]
        for (_, e1), (s2, _) in zip(span.fragments, span.fragments[1:]):
            if self.text[e1:s2].strip():
                return None
        exact = span.meta.get("start"), span.meta.get("end")
        # Our writer records the true edges when the span began or ended on a line break.
        if all(isinstance(v, int) for v in exact) and 0 <= exact[0] <= start and end <= exact[1] <= len(self.text):
            start, end = exact
        return start, end

    def _note(self, dropped: list[str], lost_rels: int) -> str:
        parts = []
        if dropped:
            parts.append(f"{', '.join(dropped)} left out: text lies between their fragments and Diptych spans "
                         f"are contiguous" + (f" ({lost_rels} relation(s) on them too)" if lost_rels else ""))
        for what, count in sorted(self.skipped.items()):
            parts.append(f"{count} {what} line(s) left out: Diptych does not read them")
        return "; ".join(parts)
