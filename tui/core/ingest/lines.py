"""Checking one JSON line's values, with errors that name the file, line and field.

Used by the JSONL reader: ``_Line`` holds where we are and turns any wrong value into
an ``IngestError`` saying what was expected; huge numbers are caught before Python
tries to use them.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import IngestError
from ..schema import FREE_TEXT_ATTRIBUTES, LabelSchema


class _HugeNumber:
    """An integer too long for Python to convert: kept as its digits so the field
    that holds it can be named in the error (it is no valid value anywhere)."""

    def __init__(self, digits: str) -> None:
        self.digits = digits

    def __len__(self) -> int:
        return len(self.digits)


def _parse_int(digits: str) -> int | _HugeNumber:
    return int(digits) if len(digits) <= 4000 else _HugeNumber(digits)


def _huge_number_at(value: Any, where: str = "") -> tuple[str, _HugeNumber] | None:
    """Where the first too-long number sits, as a field path like ``spans[0].end``."""
    if isinstance(value, _HugeNumber):
        return where, value
    if isinstance(value, dict):
        items = ((f"{where}.{k}" if where else str(k), v) for k, v in value.items())
    elif isinstance(value, list):
        items = ((f"{where}[{i}]", v) for i, v in enumerate(value))
    else:
        return None
    for path, item in items:
        found = _huge_number_at(item, path)
        if found is not None:
            return found
    return None


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, _HugeNumber):
        return f"a number with {len(value)} digits"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


def _described(value: Any) -> str:
    if value is None or isinstance(value, _HugeNumber):
        return _type_name(value)
    return f"{_type_name(value)} {_preview(value)}"


class _Line:
    """Validation helpers bound to one line, so every error names file:line and field."""

    def __init__(self, path: str, line: int, schema: LabelSchema) -> None:
        self.path, self.line, self.schema = path, line, schema

    def error(self, message: str, hint: str = "") -> IngestError:
        return IngestError(self.path, message, line=self.line,
                           hint=hint or f"fix line {self.line} and import the file again; "
                                        "nothing from this file was imported")

    def integer(self, value: Any, where: str) -> int:
        # bool is an int subclass in Python but never a valid offset.
        if type(value) is not int:
            raise self.error(f"{where} must be an integer, got {_described(value)}",
                             hint="offsets are whole numbers counting Unicode code points")
        return value

    def string(self, value: Any, where: str, *, empty: bool = True) -> str:
        if not isinstance(value, str):
            raise self.error(f"{where} must be a string, got {_described(value)}")
        if not empty and not value.strip():
            raise self.error(f"{where} must not be empty")
        return value

    def opt_string(self, obj: dict, key: str, where: str) -> str | None:
        value = obj.get(key)
        return None if value is None else self.string(value, f"{where}{key}")

    def ident(self, value: Any, where: str) -> str | None:
        if value is None or value == "":
            return None
        if type(value) is int or isinstance(value, str):
            return str(value)
        raise self.error(f"{where} must be a string or integer id, got {_type_name(value)}")

    def obj(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            raise self.error(f"{where} must be an object, got {_type_name(value)}")
        return value

    def array(self, value: Any, where: str) -> list:
        if not isinstance(value, list):
            raise self.error(f"{where} must be a list, got {_type_name(value)}")
        return value

    def label(self, value: Any, where: str) -> str:
        name = self.string(value, where, empty=False)
        if name not in self.schema.names:
            raise self.error(f"{where}: unknown label {name!r}",
                             hint=f"labels in the schema: {', '.join(self.schema.names)}; "
                                  "add it to a schema file and pass --schema, or relabel the file")
        return name

    def relation_type(self, value: Any, where: str) -> str:
        name = self.string(value, where, empty=False)
        known = [r.name for r in self.schema.relations]
        if name not in known:
            raise self.error(f"{where}: unknown relation type {name!r}", hint=f"known types: {', '.join(known)}")
        return name

    def attrs(self, value: Any, label: str, where: str) -> dict[str, str]:
        if value is None:
            return {}
        attrs = self.obj(value, where)
        allowed = {a.name: a.choices for a in self.schema.label(label).attributes}
        for key, val in attrs.items():
            if key in FREE_TEXT_ATTRIBUTES and isinstance(val, str):
                continue  # refers_to: free text, whatever the schema
            if key not in allowed:
                raise self.error(f"{where}: {label} has no attribute {key!r}",
                                 hint=f"{label} attributes: {', '.join(allowed) or 'none'}")
            if val not in allowed[key]:
                raise self.error(f"{where}.{key}: {val!r} is not a choice for {label}.{key}",
                                 hint=f"choose one of {', '.join(allowed[key])}")
        return dict(attrs)

    def span_bounds(self, start: Any, end: Any, where: str, length: int | None) -> tuple[int, int]:
        s = self.integer(start, _f(where, "start"))
        e = self.integer(end, _f(where, "end"))
        at = f"{where}: " if where else ""
        if s >= e:
            raise self.error(f"{at}start {s} is not before end {e}",
                             hint="a span needs start < end (end is exclusive)")
        if s < 0:
            raise self.error(f"{at}span {s}-{e} starts before the text (offsets cannot be negative)")
        if length is not None and e > length:
            raise self.error(f"{at}span {s}-{e} is outside the text (the text is {length} characters long)",
                             hint="offsets count Unicode code points of the record's text")
        return s, e


def _get(obj: dict, key: str, default: Any) -> Any:
    """``obj[key]``, with null or absent meaning ``default`` (but not [] vs {} mix-ups)."""
    value = obj.get(key)
    return default if value is None else value


def _f(where: str, key: str) -> str:
    """Field name for messages: "spans[2].start", or just "start" at the top level."""
    return f"{where}.{key}" if where else key


def _preview(value: Any, width: int = 30) -> str:
    text = json.dumps(value, ensure_ascii=True, default=lambda v: f"<a {len(v)}-digit number>")
    return text if len(text) <= width else text[: width - 1] + "…"


def split_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) for the non-blank lines.

    Split on "\\n" only: JSON strings may hold U+2028 or other characters that
    ``str.splitlines`` would treat as line ends.
    """
    return [(i, ln) for i, ln in enumerate(text.split("\n"), start=1) if ln.strip()]
