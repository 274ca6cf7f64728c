"""Reading W3C Web Annotation JSON-LD (see ``w3c``) into flat records placed by selector.

Accepted: an AnnotationCollection with embedded pages (``first``, then ``next``), an
AnnotationPage, a JSON list of Annotations, one Annotation, or JSON Lines of
Annotations. Each Annotation is validated; the first problem raises an
``IngestError`` naming the item (``items[3].target.selector``) and, when it can be
found, the line. Nothing in the file is evaluated: strings are data.

Bodies are read by purpose (a body without one takes the Annotation's
motivation): ``tagging`` the label (or relation type), ``classifying`` an
attribute ``name=choice``, ``commenting``/``describing`` the note. Bodies of other
purposes (replying, highlighting…) have no place in Diptych and are not read.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from ..errors import IngestError
from ..schema import FREE_TEXT_ATTRIBUTES, LabelSchema
from .incoming import (DEEP_HINT, MAX_JSON_DEPTH, FlatRecord, ParsedJsonl, RelIn, SpanIn, SpanRef, deep_error,
                       too_deep, too_deep_text)

_URN = "urn:diptych:"
_SPAN_URN = re.compile(r"^urn:diptych:([0-9a-f]{64}):([^:]+):([^:]+)$")
_REL_URN = re.compile(r"^urn:diptych:([0-9a-f]{64}):([^:]+):relation:([^:]+)$")
_SHA_SOURCE = re.compile(r"^urn:sha256:([0-9a-f]{64})$")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_NOTE_PURPOSES = ("commenting", "describing")
_ID_MEMBER = re.compile(r'"id"\s*:\s*("(?:[^"\\\n]|\\.)*")')


def read(path: str, data: bytes, schema: LabelSchema) -> ParsedJsonl:
    """Parse a Web Annotation file into flat records (spans with their relations)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(path, f"not UTF-8 text (byte {exc.start})",
                          hint="a Web Annotation file is JSON-LD, UTF-8 encoded") from None
    items = _items(path, text)
    reader = _Reader(path, text, schema)
    for n, (line, item) in enumerate(items):
        reader.item(n, line, item)
    return reader.finish()


def _load(path: str, raw: str, line: int | None) -> Any:
    deep = too_deep_text(raw, MAX_JSON_DEPTH + 4)
    if deep is not None:
        raise IngestError(path, deep_error(deep[0]), line=line if line is not None else raw.count("\n", 0, deep[1]) + 1,
                          hint=DEEP_HINT)
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise IngestError(path, f"not valid JSON: {exc.msg}", line=line if line is not None else exc.lineno,
                          hint="a Web Annotation file is one JSON-LD document (or one Annotation a line)") from None
    except RecursionError:
        raise IngestError(path, "not valid JSON: nested too deeply", line=line) from None
    except ValueError as exc:  # e.g. an integer past Python's digit limit
        raise IngestError(path, f"not valid JSON: {exc}", line=line) from None
    deep = too_deep(obj, MAX_JSON_DEPTH + 4)  # a collection wraps its annotations in a few levels
    if deep is not None:
        raise IngestError(path, deep_error(deep), line=line, hint=DEEP_HINT)
    if _SURROGATE_ESCAPE.search(raw):
        try:
            json.dumps(obj, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise IngestError(path, "a string holds an unpaired surrogate, which is not valid Unicode text",
                              line=line, hint="fix or drop that character and import again") from None
    return obj


def _items(path: str, text: str) -> list[tuple[int | None, Any]]:
    """(line or None, item) for every Annotation of the file, in order."""
    if not text.strip():
        raise IngestError(path, "the file is empty", hint="export annotations with -f w3c")
    try:
        top = _load(path, text, None)
    except IngestError as err:
        if "Extra data" not in err.message:
            raise
        # JSON Lines: one Annotation a line.
        lines = [(i, ln) for i, ln in enumerate(text.split("\n"), 1) if ln.strip()]
        return [(i, _load(path, ln, i)) for i, ln in lines]
    if isinstance(top, list):
        return [(None, item) for item in top]
    if not isinstance(top, dict):
        raise IngestError(path, "expected an AnnotationCollection, AnnotationPage or Annotation object",
                          hint="export annotations with -f w3c")
    kinds = _types(top.get("type"))
    if "AnnotationCollection" in kinds:
        page, where, out = top.get("first"), "first", []
        while page is not None:
            if not isinstance(page, dict):
                raise IngestError(path, f"{where} must be an embedded AnnotationPage object, got {_kind(page)}",
                                  hint="pages given only by their IRI cannot be fetched: embed them in the file")
            out += [(None, item) for item in _page_items(path, page, where)]
            page, where = page.get("next"), f"{where}.next"
        return out
    if "AnnotationPage" in kinds:
        return [(None, item) for item in _page_items(path, top, "the page")]
    return [(1, top)]


def _page_items(path: str, page: dict, where: str) -> list:
    items = page.get("items")
    if not isinstance(items, list):
        raise IngestError(path, f"{where}.items must be a list of Annotations, got {_kind(items)}")
    return items


def _types(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


def _listed(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class _Reader:
    def __init__(self, path: str, text: str, schema: LabelSchema) -> None:
        self.path, self.text, self.schema = path, text, schema
        self.flats: list[FlatRecord] = []
        self.by_urn: dict[str, FlatRecord] = {}
        self.links: list[tuple[str, int | None, str, str, str, str, str | None]] = []
        self.seen: set[str] = set()
        self._id_lines: dict[str, int] | None = None

    # ------------------------------------------------------------ helpers

    def error(self, where: str, message: str, line: int | None, hint: str = "") -> IngestError:
        return IngestError(self.path, f"{where}: {message}", line=line,
                           hint=hint or "fix that annotation and import the file again; "
                                        "nothing from this file was imported")

    def _line_of(self, ident: Any) -> int | None:
        """The line of the item whose ``"id"`` is ``ident`` (each exported item has its own line).

        One pass over the text finds every ``"id": "..."`` member, so a big file costs no more."""
        if not isinstance(ident, str):
            return None
        if self._id_lines is None:
            self._id_lines = {}
            line, pos = 1, 0
            for found in _ID_MEMBER.finditer(self.text):
                line += self.text.count("\n", pos, found.start())
                pos = found.start()
                try:
                    key = json.loads(found.group(1))
                except ValueError:
                    continue
                self._id_lines.setdefault(key, line)
        return self._id_lines.get(ident)

    def string(self, value: Any, where: str, line: int | None, *, empty: bool = True) -> str:
        if not isinstance(value, str):
            raise self.error(where, f"must be a string, got {_kind(value)}", line)
        if not empty and not value.strip():
            raise self.error(where, "must not be empty", line)
        return value

    def offset(self, value: Any, where: str, line: int | None) -> int:
        # bool is an int subclass in Python but never an offset.
        if type(value) is not int or value < 0:
            raise self.error(where, f"must be a whole number >= 0, got {_kind(value)} {value!r}"[:120], line,
                             hint="offsets count Unicode code points of the text")
        return value

    # ------------------------------------------------------------ items

    def item(self, n: int, line: int | None, item: Any) -> None:
        where = f"items[{n}]"
        if not isinstance(item, dict):
            raise self.error(where, f"must be an Annotation object, got {_kind(item)}", line)
        if line is None:
            line = self._line_of(item.get("id"))
        if "Annotation" not in _types(item.get("type")):
            raise self.error(f"{where}.type", f"must be \"Annotation\", got {json.dumps(item.get('type'))[:40]}",
                             line)
        ident = item.get("id")
        if not isinstance(ident, str) or not ident.strip():
            raise self.error(f"{where}.id", "every Annotation needs an IRI \"id\"", line)
        if ident in self.seen:
            raise self.error(f"{where}.id", f"{ident!r} is used by two annotations", line)
        self.seen.add(ident)
        motivation = _types(item.get("motivation"))
        bodies = self._bodies(item, where, line, motivation[0] if len(motivation) == 1 else None)
        annotator = self._annotator(item, where, line)
        if "linking" in motivation:
            self._link(item, ident, where, line, bodies, annotator)
        else:
            self._span(item, ident, where, line, bodies, annotator)

    def _bodies(self, item: dict, where: str, line: int | None, motivation: str | None
                ) -> list[tuple[str, str, str]]:
        """(purpose, value, field) of each textual body."""
        out = []
        if isinstance(item.get("bodyValue"), str):
            out.append(("commenting", item["bodyValue"], f"{where}.bodyValue"))
        for i, body in enumerate(_listed(item.get("body"))):
            at = f"{where}.body[{i}]"
            if isinstance(body, str):
                continue  # an external resource (an IRI): nothing Diptych can hold
            if not isinstance(body, dict):
                raise self.error(at, f"must be an object or an IRI, got {_kind(body)}", line)
            if "value" not in body:
                continue
            value = self.string(body["value"], f"{at}.value", line)
            purposes = _types(body.get("purpose")) or ([motivation] if motivation else [])
            out += [(p, value, at) for p in purposes]
        return out

    def _annotator(self, item: dict, where: str, line: int | None) -> str | None:
        for creator in _listed(item.get("creator")):
            if isinstance(creator, dict):
                for key in ("name", "nickname"):
                    if creator.get(key) is not None:
                        return self.string(creator[key], f"{where}.creator.{key}", line, empty=False).strip()
                creator = creator.get("id")
            if isinstance(creator, str) and creator.startswith(_URN + "annotator:"):
                return unquote(creator[len(_URN + "annotator:"):]) or None
            if isinstance(creator, str) and creator.strip():
                return creator.strip()
        return None

    def _label(self, bodies: list[tuple[str, str, str]], where: str, line: int | None, known: list[str],
               what: str, purposes: tuple[str, ...] = ("tagging",)) -> tuple[str, str]:
        tags = [(v, at) for p, v, at in bodies if p in purposes]
        if not tags:
            raise self.error(f"{where}.body", f"has no TextualBody with purpose \"tagging\" naming the {what}",
                             line, hint=f"known: {', '.join(known)}")
        if len(tags) > 1:
            raise self.error(tags[1][1], f"a second tagging body; an annotation has one {what}", line)
        value, at = tags[0]
        if value not in known:
            raise self.error(f"{at}.value", f"unknown {what} {value!r}", line,
                             hint=f"known: {', '.join(known)}; add it to a schema file and pass --schema")
        return value, at

    def _span(self, item: dict, ident: str, where: str, line: int | None, bodies: list, annotator: str | None
              ) -> None:
        label, _ = self._label(bodies, where, line, list(self.schema.names), "label")
        allowed = {a.name: a.choices for a in self.schema.label(label).attributes}
        attrs: dict[str, str] = {}
        for purpose, value, at in bodies:
            if purpose != "classifying":
                continue
            free = next((k for k in sorted(FREE_TEXT_ATTRIBUTES) if value.startswith(k + "=")), None)
            if free is not None:  # "refers_to=The Wall Street Journal": free text
                attrs[free] = value[len(free) + 1:]
                continue
            name = next((k for k in allowed if value.startswith(k + "=")), None)
            if name is None:
                raise self.error(f"{at}.value", f"{value!r} is not \"attribute=choice\" for a {label} attribute",
                                 line, hint=f"{label} attributes: {', '.join(allowed) or 'none'}")
            choice = value[len(name) + 1:]
            if choice not in allowed[name]:
                raise self.error(f"{at}.value", f"{choice!r} is not a choice for {label}.{name}", line,
                                 hint=f"choose one of {', '.join(allowed[name])}")
            if name in attrs:
                raise self.error(f"{at}.value", f"{label}.{name} is given twice", line)
            attrs[name] = choice
        note = "\n\n".join(v for p, v, _ in bodies if p in _NOTE_PURPOSES)
        targets = _listed(item.get("target"))
        if len(targets) != 1 or not isinstance(targets[0], dict):
            raise self.error(f"{where}.target", "a span needs exactly one target object with a source and "
                                                "selectors", line)
        target = targets[0]
        source = target.get("source")
        if isinstance(source, dict):
            source = source.get("id")
        source = self.string(source, f"{where}.target.source", line, empty=False).strip()
        exact, prefix, suffix, start, end = self._selectors(target, f"{where}.target.selector", line)
        ours = _SPAN_URN.match(ident)
        sha = ours.group(1) if ours else ""
        by_source = _SHA_SOURCE.match(source)
        if by_source:
            sha = sha or by_source.group(1)
        url = "" if by_source else source
        title = target.get("label")
        title = self.string(title, f"{where}.target.label", line).strip() if title is not None else ""
        span_id = unquote(ours.group(3)) if ours else ident
        if ours and annotator is None:
            annotator = unquote(ours.group(2))
        origin = self._origin(item, where, line, bool(ours))
        span = SpanIn(line or 1, where, start, end, label, span_id, attrs, note, origin)
        flat = FlatRecord(line or 1, span, exact, prefix, suffix, annotator, sha, url, title, [])
        self.flats.append(flat)
        self.by_urn[ident] = flat

    def _selectors(self, target: dict, where: str, line: int | None) -> tuple[str, str, str, int, int]:
        quote_sel = position = None
        for i, sel in enumerate(_listed(target.get("selector"))):
            if not isinstance(sel, dict):
                raise self.error(f"{where}[{i}]", f"must be a selector object, got {_kind(sel)}", line)
            kinds = _types(sel.get("type"))
            if "TextQuoteSelector" in kinds and quote_sel is None:
                quote_sel = (i, sel)
            elif "TextPositionSelector" in kinds and position is None:
                position = (i, sel)
        if quote_sel is None:
            raise self.error(where, "has no TextQuoteSelector", line,
                             hint="a span is placed by its quote (exact, prefix, suffix); positions alone "
                                  "cannot be checked against the text")
        i, sel = quote_sel
        exact = self.string(sel.get("exact"), f"{where}[{i}].exact", line, empty=False)
        prefix = self.string(sel.get("prefix", ""), f"{where}[{i}].prefix", line)
        suffix = self.string(sel.get("suffix", ""), f"{where}[{i}].suffix", line)
        if position is None:
            # No offsets: the importer finds the quote (0 is only where the search starts).
            return exact, prefix, suffix, 0, len(exact)
        i, sel = position
        start = self.offset(sel.get("start"), f"{where}[{i}].start", line)
        end = self.offset(sel.get("end"), f"{where}[{i}].end", line)
        if start >= end:
            raise self.error(f"{where}[{i}]", f"start {start} is not before end {end}", line,
                             hint="a span needs start < end (end is exclusive)")
        return exact, prefix, suffix, start, end

    def _origin(self, item: dict, where: str, line: int | None, ours: bool) -> str | None:
        generators = _listed(item.get("generator"))
        for gen in generators:
            gen_id = gen.get("id") if isinstance(gen, dict) else gen
            if isinstance(gen_id, str) and gen_id.startswith(_URN + "origin:"):
                if isinstance(gen, dict) and gen.get("name") is not None:
                    return self.string(gen["name"], f"{where}.generator.name", line, empty=False)
                return unquote(gen_id[len(_URN + "origin:"):]) or None
        # Diptych writes no generator for a span tagged by hand; another tool's
        # annotation gets the importer's origin.
        return "manual" if ours and not generators else None

    def _link(self, item: dict, ident: str, where: str, line: int | None, bodies: list, annotator: str | None
              ) -> None:
        # A body without a purpose takes the motivation: "linking" names the relation type too.
        rel_type, _ = self._label(bodies, where, line, [r.name for r in self.schema.relations], "relation type",
                                  ("tagging", "linking"))
        targets = _listed(item.get("target"))
        if len(targets) != 2:
            raise self.error(f"{where}.target", f"a linking annotation needs two targets (head, tail), got "
                                                f"{len(targets)}", line)
        ends = []
        for i, t in enumerate(targets):
            t_id = t.get("id", t.get("source")) if isinstance(t, dict) else t
            ends.append(self.string(t_id, f"{where}.target[{i}]", line, empty=False))
        ours = _REL_URN.match(ident)
        rel_id = unquote(ours.group(3)) if ours else ident
        self.links.append((ident, line, where, ends[0], ends[1], rel_type, rel_id))

    def finish(self) -> ParsedJsonl:
        for ident, line, where, head, tail, rel_type, rel_id in self.links:
            flat = self.by_urn.get(head)
            if flat is None:
                raise self.error(f"{where}.target[0]", f"the head annotation {head!r} is not in this file", line,
                                 hint="a relation is imported with its head span: export both together")
            child = self.by_urn.get(tail)
            if child is not None:
                child_id = child.span.id
            else:  # a span already in the database, named by its Diptych id
                found = _SPAN_URN.match(tail)
                child_id = unquote(found.group(3)) if found else tail
            flat.relations.append(RelIn(line or 1, where, SpanRef(id=flat.span.id), SpanRef(id=child_id),
                                        rel_type, rel_id))
        return ParsedJsonl(flats=self.flats)
