"""The label schema: labels, their keys, colours and attribute choices.

Defaults follow DESIGN.md; a TOML file may add labels or replace attribute
choices. An invalid file is refused with the reason and the file name.

TOML shape::

    [labels.CLAIM]
    key = "c"
    color = "yellow"
    [labels.CLAIM.attributes]
    certainty = ["asserted", "hedged", "reported"]

    [relations]
    attributed_to = { heads = ["CLAIM", "MOTIVE"], tails = ["SOURCE"] }
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SchemaError

# Colours are named from the 16 ANSI colours so they stay distinguishable on
# terminals without true colour.
ANSI_COLOURS = (
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
    "bright_black", "bright_red", "bright_green", "bright_yellow", "bright_blue",
    "bright_magenta", "bright_cyan", "bright_white",
)


# Attributes any label may carry with free text rather than a schema choice:
# refers_to names whom a description or pronoun SOURCE ("the paper", "he")
# stands for, as a suggestion resolved it from earlier in the article.
FREE_TEXT_ATTRIBUTES = frozenset({"refers_to"})


@dataclass(frozen=True)
class AttributeSpec:
    name: str
    choices: tuple[str, ...]


@dataclass(frozen=True)
class LabelSpec:
    name: str
    key: str
    color: str
    attributes: tuple[AttributeSpec, ...] = ()


@dataclass(frozen=True)
class RelationSpec:
    name: str
    heads: tuple[str, ...]
    tails: tuple[str, ...]
    cross_document: bool = False


@dataclass(frozen=True)
class LabelSchema:
    labels: tuple[LabelSpec, ...]
    relations: tuple[RelationSpec, ...] = field(default=())

    def label(self, name: str) -> LabelSpec:
        for spec in self.labels:
            if spec.name == name:
                return spec
        raise SchemaError(f"unknown label {name!r}", hint=f"use one of {', '.join(self.names)}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.labels)

    def by_key(self, key: str) -> LabelSpec | None:
        for spec in self.labels:
            if spec.key == key:
                return spec
        return None

    def relation_for(self, head_label: str, tail_label: str, *, cross_document: bool = False) -> RelationSpec | None:
        """The first relation type allowed from ``head_label`` to ``tail_label``."""
        for rel in self.relations:
            if rel.cross_document != cross_document:
                continue
            if head_label in rel.heads and (tail_label in rel.tails or "*" in rel.tails):
                return rel
        return None

    def relations_from(self, head_label: str) -> tuple[RelationSpec, ...]:
        return tuple(r for r in self.relations if head_label in r.heads)


DEFAULT_SCHEMA = LabelSchema(
    labels=(
        LabelSpec(
            "CLAIM", "c", "yellow",
            (
                AttributeSpec("certainty", ("asserted", "hedged", "reported")),
                AttributeSpec("checkworthy", ("yes", "no")),
                AttributeSpec("stance", ("endorses", "neutral", "distances")),
            ),
        ),
        LabelSpec(
            "SOURCE", "s", "cyan",
            (
                AttributeSpec("type", ("named person", "official body", "media outlet", "document", "anonymous")),
                AttributeSpec("named", ("yes", "no")),
            ),
        ),
        LabelSpec(
            "MOTIVE", "m", "magenta",
            (
                AttributeSpec("category", ("economic", "security", "ideological", "political", "personal", "other")),
                AttributeSpec("explicit", ("yes", "no")),
            ),
        ),
        # The actor a motive is given for; motive cues suggest it as the link's tail.
        LabelSpec(
            "ACTOR", "t", "green",
            (AttributeSpec("type", ("person", "group", "organisation", "state", "other")),),
        ),
    ),
    relations=(
        RelationSpec("attributed_to", ("CLAIM", "MOTIVE"), ("SOURCE",)),
        # The actor of a motive may be any span, so "*" allows every label.
        RelationSpec("motive_of", ("MOTIVE",), ("*",)),
        RelationSpec("same_as", ("CLAIM",), ("CLAIM",), cross_document=True),
        RelationSpec("contradicts", ("CLAIM",), ("CLAIM",), cross_document=True),
        RelationSpec("partial", ("CLAIM",), ("CLAIM",), cross_document=True),
    ),
)

# Keys the reader already uses; a label may not take one of them.
RESERVED_KEYS = frozenset("hjklvVaAxrunNgGoeEq?/[](){}pPRDyYfSdLCW123 zZiO")


def load_schema(path: str | Path | None) -> LabelSchema:
    """Return the default schema merged with the TOML file at ``path`` (if any)."""
    if path is None:
        return DEFAULT_SCHEMA
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SchemaError(f"{path}: no such schema file", hint="check the --schema path") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SchemaError(f"{path}: not valid TOML: {exc}", hint="fix the syntax at the position named") from None
    return _merge(path, raw)


def _merge(path: Path, raw: dict) -> LabelSchema:
    labels = {spec.name: spec for spec in DEFAULT_SCHEMA.labels}
    table = raw.get("labels", {})
    if not isinstance(table, dict):
        raise SchemaError(f"{path}: [labels] must be a table of label names")
    for name, body in table.items():
        where = f"{path}: labels.{name}"
        if not isinstance(body, dict):
            raise SchemaError(f"{where} must be a table")
        if not name.isidentifier() or name.upper() != name:
            raise SchemaError(f"{where}: label names are upper-case words like CLAIM")
        old = labels.get(name)
        key = body.get("key", old.key if old else None)
        if not isinstance(key, str) or len(key) != 1:
            raise SchemaError(f"{where}.key must be one character", hint='e.g. key = "q"')
        if key in RESERVED_KEYS:
            raise SchemaError(f"{where}.key {key!r} is already bound to a reader action",
                              hint="choose a letter not in " + "".join(sorted(RESERVED_KEYS)))
        color = body.get("color", old.color if old else "green")
        if color not in ANSI_COLOURS:
            raise SchemaError(f"{where}.color {color!r} is not one of the 16 terminal colours",
                              hint=", ".join(ANSI_COLOURS))
        attrs = old.attributes if old else ()
        if "attributes" in body:
            attr_table = body["attributes"]
            if not isinstance(attr_table, dict):
                raise SchemaError(f"{where}.attributes must be a table of name = [choices]")
            merged = {a.name: a for a in attrs}
            for aname, choices in attr_table.items():
                if (not isinstance(choices, list) or not choices
                        or not all(isinstance(c, str) and c for c in choices)):
                    raise SchemaError(f"{where}.attributes.{aname} must be a non-empty list of strings")
                merged[aname] = AttributeSpec(aname, tuple(choices))
            attrs = tuple(merged.values())
        labels[name] = LabelSpec(name, key, color, attrs)
    keys: dict[str, str] = {}
    for spec in labels.values():
        if spec.key in keys:
            raise SchemaError(f"{path}: labels {keys[spec.key]} and {spec.name} share the key {spec.key!r}")
        keys[spec.key] = spec.name

    relations = {r.name: r for r in DEFAULT_SCHEMA.relations}
    rel_table = raw.get("relations", {})
    if not isinstance(rel_table, dict):
        raise SchemaError(f"{path}: [relations] must be a table")
    for rname, body in rel_table.items():
        where = f"{path}: relations.{rname}"
        if not isinstance(body, dict):
            raise SchemaError(f"{where} must be a table with heads and tails")
        heads, tails = body.get("heads"), body.get("tails")
        for part, value in (("heads", heads), ("tails", tails)):
            if not isinstance(value, list) or not value:
                raise SchemaError(f"{where}.{part} must be a non-empty list of labels")
            for label in value:
                if label != "*" and label not in labels:
                    raise SchemaError(f"{where}.{part}: unknown label {label!r}")
        relations[rname] = RelationSpec(rname, tuple(heads), tuple(tails), bool(body.get("cross_document", False)))
    unknown = set(raw) - {"labels", "relations"}
    if unknown:
        raise SchemaError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}",
                          hint="only [labels.*] and [relations.*] are read")
    return LabelSchema(tuple(labels.values()), tuple(relations.values()))
