"""Reading Label Studio's JSON export (a list of tasks) into DocRecords.

One DocRecord per (task, annotation); a task without annotations still gives its
document. Label Studio's own fields (ids, timestamps, ``completed_by``, ``origin``,
``lead_time``…) are tolerated and left out; cancelled annotations are skipped and
predictions are not imported, each said in the record's note. Spans are referred to
by offsets and label, so Label Studio's region ids never become annotation ids.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import IngestError
from .incoming import (DEEP_HINT, DOC_FIELDS, MAX_JSON_DEPTH, DocRecord, RelIn, SpanIn, SpanRef, deep_error, too_deep,
                       too_deep_text)

_NOT_META = frozenset(("text", "doc_id", "story", "text_sha256", *DOC_FIELDS))
_HINT = "fix it and import the file again; nothing from this file was imported"


def read(path: str, data: bytes, schema: Any) -> list[DocRecord]:
    """Validate the whole file first: raise IngestError naming task and result at the first problem."""
    from .labelstudio import attribute_controls

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(path, f"not UTF-8 (byte {exc.start})", hint="save the export as UTF-8") from None
    controls = {name: key for key, name in attribute_controls(schema).items()}
    out: list[DocRecord] = []
    for index, (line, obj) in enumerate(_tasks(path, text)):
        out.extend(_Task(path, line, index, schema, controls).records(obj))
    return out


def _tasks(path: str, text: str) -> list[tuple[int, Any]]:
    """The list's items with the line each starts on (our own files have one task a line)."""
    decoder = json.JSONDecoder()

    def skip(i: int) -> int:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        return i

    def line_of(i: int) -> int:
        return text.count("\n", 0, i) + 1

    i = skip(0)
    if i == len(text) or text[i] != "[":
        what = "an object" if text[i:i + 1] == "{" else "empty" if i == len(text) else "not a JSON list"
        raise IngestError(path, f"a Label Studio export is a JSON list of tasks; this file is {what}",
                          line=line_of(i), hint="export the project as \"JSON\" from Label Studio "
                                                "(one task alone: wrap it in [ ])")
    items: list[tuple[int, Any]] = []
    deep = too_deep_text(text, MAX_JSON_DEPTH + 1)  # the list of tasks is one level more
    if deep is not None:
        task, _, field = deep[0].partition("]")
        raise IngestError(path, f"task {int(task.lstrip('[')) + 1}: {deep_error(field.lstrip('.'))}",
                          line=line_of(deep[1]), hint=DEEP_HINT)
    i = skip(i + 1)
    try:
        if i < len(text) and text[i] == "]":
            i += 1
        else:
            while True:
                start = i
                obj, i = decoder.raw_decode(text, i)
                deep = too_deep(obj)
                if deep is not None:
                    raise IngestError(path, f"task {len(items) + 1}: {deep_error(deep)}", line=line_of(start),
                                      hint=DEEP_HINT)
                items.append((line_of(start), obj))
                i = skip(i)
                if i < len(text) and text[i] == ",":
                    i = skip(i + 1)
                    continue
                if i < len(text) and text[i] == "]":
                    i += 1
                    break
                raise IngestError(path, f"task {len(items)}: expected , or ] after it", line=line_of(i), hint=_HINT)
    except json.JSONDecodeError as exc:
        raise IngestError(path, f"task {len(items) + 1}: not valid JSON: {exc.msg} (column {exc.colno})",
                          line=exc.lineno, hint=_HINT) from None
    except RecursionError:
        raise IngestError(path, f"task {len(items) + 1}: not valid JSON: nested too deeply", line=line_of(i),
                          hint=DEEP_HINT) from None
    except ValueError as exc:  # e.g. an integer with too many digits
        raise IngestError(path, f"task {len(items) + 1}: not valid JSON: {exc}", line=line_of(i),
                          hint=_HINT) from None
    if skip(i) != len(text):
        raise IngestError(path, "text after the end of the task list", line=line_of(skip(i)), hint=_HINT)
    return items


class _Task:
    """One task: its checks name the task (1-based, as a person counts) and the JSON path."""

    def __init__(self, path: str, line: int, index: int, schema: Any,
                 controls: dict[str, tuple[str, str]]) -> None:
        self.path, self.line, self.index, self.schema, self.controls = path, line, index, schema, controls

    def error(self, where: str, message: str, hint: str = _HINT) -> IngestError:
        return IngestError(self.path, f"task {self.index + 1}, {where}: {message}", line=self.line, hint=hint)

    def obj(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            raise self.error(where, f"must be an object, got {_type(value)}")
        return value

    def array(self, value: Any, where: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(where, f"must be a list, got {_type(value)}")
        return value

    def records(self, obj: Any) -> list[DocRecord]:
        task = self.obj(obj, f"tasks[{self.index}]")
        data = self.obj(task.get("data"), "data")
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            raise self.error("data.text", "missing or empty" if not isinstance(text, str) or not text else
                             "only whitespace", hint="each task needs the article in data.text")
        meta: dict[str, str] = {}
        for key in DOC_FIELDS:
            value = data.get(key)
            if value is not None:
                if not isinstance(value, str):
                    raise self.error(f"data.{key}", f"must be a string, got {_type(value)}")
                meta[key] = value
        story = data.get("story")
        story = story if isinstance(story, str) and story.strip() else None
        extra = {k: v for k, v in data.items() if k not in _NOT_META}
        annotations = self.array(task.get("annotations"), "annotations")
        task_meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
        names = task_meta.get("annotators")
        names = names if isinstance(names, list) and len(names) == len(annotations) else None
        notes = []
        predictions = task.get("predictions")
        if isinstance(predictions, list) and predictions:
            notes.append(f"{len(predictions)} prediction(s) not imported (suggestions are computed in Diptych)")
        out: list[DocRecord] = []
        for ai, ann in enumerate(annotations):
            where = f"annotations[{ai}]"
            ann = self.obj(ann, where)
            annotator = self.annotator(ann, names[ai] if names else None)
            if ann.get("was_cancelled") is True:
                notes.append(f"annotation {ai + 1} ({annotator or 'no annotator'}) was cancelled (skipped) "
                             "in Label Studio: not imported")
                continue
            spans, relations, skipped = self.results(self.array(ann.get("result"), f"{where}.result"), text, ai)
            if skipped:
                notes.append(f"annotation {ai + 1}: {skipped} not imported")
            out.append(DocRecord(self.line, "labelstudio", text, dict(meta), dict(extra), story, annotator, spans,
                                 relations))
        if not out:  # the document alone
            out.append(DocRecord(self.line, "labelstudio", text, meta, extra, story, None, [], []))
        out[0].note = "; ".join(notes)
        return out

    def annotator(self, ann: dict, from_task: Any) -> str | None:
        """Our stored name, else Label Studio's user (``ls-user-<id>``), else the importer's default."""
        meta = ann.get("meta")
        if isinstance(meta, dict) and isinstance(meta.get("annotator"), str) and meta["annotator"].strip():
            return meta["annotator"].strip()
        if isinstance(from_task, str) and from_task.strip():
            return from_task.strip()
        who = ann.get("completed_by")
        if isinstance(who, dict):  # some exports expand the user
            who = who.get("email") or who.get("id")
        if isinstance(who, (int, str)) and not isinstance(who, bool) and str(who).strip():
            return f"ls-user-{str(who).strip()}"
        return None

    def results(self, result: list, text: str, ai: int) -> tuple[list[SpanIn], list[RelIn], str]:
        regions: dict[str, tuple[int, int, list[SpanIn]]] = {}
        spans: list[SpanIn] = []
        later: list[tuple[int, dict]] = []
        for ri, item in enumerate(result):
            where = f"annotations[{ai}].result[{ri}]"
            item = self.obj(item, where)
            if item.get("type") != "labels":
                later.append((ri, item))
                continue
            rid = _ident(item.get("id"))
            value = self.obj(item.get("value"), f"{where}.value")
            start, end = self.bounds(value, text, where)
            labels = self.array(value.get("labels"), f"{where}.value.labels")
            if not labels:
                raise self.error(f"{where}.value.labels", "is empty: a region needs a label")
            made = []
            for label in labels:
                if label not in self.schema.names:
                    raise self.error(f"{where}.value.labels", f"unknown label {label!r}",
                                     hint=f"labels in the schema: {', '.join(self.schema.names)}; add it to a "
                                          "schema file and pass --schema, or relabel it in Label Studio")
                made.append(SpanIn(self.line, f"task {self.index + 1}, {where}", start, end, label,
                                   origin=_origin(item)))
            if rid is not None:
                if rid in regions:
                    raise self.error(f"{where}.id", f"region id {rid!r} is used by two labels results")
                regions[rid] = (start, end, made)
            spans.extend(made)
        relations: list[RelIn] = []
        skipped: dict[str, int] = {}
        for ri, item in later:
            where = f"annotations[{ai}].result[{ri}]"
            kind = item.get("type")
            if kind == "relation":
                relations.extend(self.relation(item, regions, where))
            elif self.ours(item, regions):
                self.per_region(item, regions, where)
            else:
                skipped[str(kind)] = skipped.get(str(kind), 0) + 1
        said = ", ".join(f"{n} {k} result(s)" for k, n in sorted(skipped.items()))
        return spans, relations, said

    def bounds(self, value: dict, text: str, where: str) -> tuple[int, int]:
        start, end = value.get("start"), value.get("end")
        for key, v in (("start", start), ("end", end)):
            if type(v) is not int:
                raise self.error(f"{where}.value.{key}", f"must be an integer offset, got {_type(v)}")
        if not 0 <= start < end <= len(text):
            raise self.error(f"{where}.value", f"span {start}-{end} is outside the text "
                                               f"(it is {len(text)} characters long)" if end > len(text) or start < 0
                             else f"start {start} is not before end {end}",
                             hint="offsets count Unicode code points of data.text")
        quoted = value.get("text")
        if isinstance(quoted, str) and quoted != text[start:end]:
            # Label Studio before 1.6 counted UTF-16 code units: text after an emoji shifts.
            moved = _from_utf16(text, start, end)
            if moved is not None and text[moved[0]:moved[1]] == quoted:
                return moved
            raise self.error(f"{where}.value.text", f"{quoted[:40]!r} is not the text at {start}-{end} "
                                                    f"({text[start:end][:40]!r})",
                             hint="the offsets do not match data.text: was the text changed after labelling?")
        return start, end

    def ours(self, item: dict, regions: dict) -> bool:
        """A note, or a choice of one of the schema's attributes; another control's result is skipped."""
        control = item.get("from_name")
        if item.get("type") == "textarea":
            return control == "note"
        if item.get("type") != "choices":
            return False
        if control in self.controls:
            return True
        region = regions.get(_ident(item.get("id")))
        return region is not None and any(a.name == control for span in region[2]
                                          for a in self.schema.label(span.label).attributes)

    def per_region(self, item: dict, regions: dict, where: str) -> None:
        rid = _ident(item.get("id"))
        if rid not in regions:
            raise self.error(f"{where}.id", f"{rid!r} is not the id of a labels region in this annotation",
                             hint="per-region choices and notes share their region's id")
        value = self.obj(item.get("value"), f"{where}.value")
        spans = regions[rid][2]
        control = item.get("from_name")
        if item.get("type") == "textarea":
            texts = value.get("text")
            texts = [texts] if isinstance(texts, str) else self.array(texts, f"{where}.value.text")
            if not all(isinstance(t, str) for t in texts):
                raise self.error(f"{where}.value.text", "must be a list of strings")
            for span in spans:
                span.note = "\n".join(t for t in [span.note, *texts] if t)
            return
        choices = self.array(value.get("choices"), f"{where}.value.choices")
        if len(choices) != 1 or not isinstance(choices[0], str):
            raise self.error(f"{where}.value.choices", f"an attribute takes one choice, got {choices!r}")
        for span in spans:
            label, name = self.controls.get(control, (span.label, control))
            if label != span.label:
                raise self.error(f"{where}.from_name", f"{control!r} is an attribute of {label}, "
                                                       f"but region {rid!r} is a {span.label}")
            spec = self.schema.label(span.label)
            allowed = {a.name: a.choices for a in spec.attributes}
            if name not in allowed:
                raise self.error(f"{where}.from_name", f"{span.label} has no attribute {control!r}",
                                 hint=f"{span.label} attributes: {', '.join(allowed) or 'none'}")
            if choices[0] not in allowed[name]:
                raise self.error(f"{where}.value.choices", f"{choices[0]!r} is not a choice for "
                                                           f"{span.label}.{name}",
                                 hint=f"choose one of {', '.join(allowed[name])}")
            span.attrs[name] = choices[0]

    def relation(self, item: dict, regions: dict, where: str) -> list[RelIn]:
        ends = []
        for key in ("from_id", "to_id"):
            rid = _ident(item.get(key))
            if rid not in regions:
                raise self.error(f"{where}.{key}", f"{item.get(key)!r} is not the id of a labels region "
                                                   "in this annotation")
            start, end, spans = regions[rid]
            ends.append((rid, SpanRef(id=rid, start=start, end=end, label=spans[0].label)))
        if item.get("direction") == "left":
            ends.reverse()
        (_, head), (_, child) = ends
        labels = self.array(item.get("labels"), f"{where}.labels")
        known = [r.name for r in self.schema.relations]
        if not labels:  # drawn without a type: the schema's type for these labels, if it has one
            spec = (self.schema.relation_for(head.label, child.label)
                    or self.schema.relation_for(head.label, child.label, cross_document=True))
            if spec is None:
                raise self.error(f"{where}.labels", f"no relation type given, and the schema has none from "
                                                    f"{head.label} to {child.label}",
                                 hint=f"give it one of: {', '.join(known)}")
            labels = [spec.name]
        out = []
        for label in labels:
            if label not in known:
                raise self.error(f"{where}.labels", f"unknown relation type {label!r}",
                                 hint=f"known types: {', '.join(known)}")
            out.append(RelIn(self.line, f"task {self.index + 1}, {where}", head, child, label))
        return out


def _ident(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or value == "":
        return None
    return str(value)


def _origin(item: dict) -> str | None:
    ours = item.get("diptych_origin")
    if isinstance(ours, str) and ours:
        return ours
    theirs = item.get("origin")
    if theirs in (None, "manual"):
        return "manual"
    return f"labelstudio:{theirs}" if isinstance(theirs, str) else None


def _from_utf16(text: str, start: int, end: int) -> tuple[int, int] | None:
    """UTF-16 offsets as code points (None when they fall inside a character)."""
    units = 0
    found: dict[int, int] = {}
    for i, ch in enumerate(text + "\0"):
        found[units] = i
        units += 2 if ord(ch) > 0xFFFF else 1
    if start in found and end in found:
        return found[start], found[end]
    return None


def _type(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)
