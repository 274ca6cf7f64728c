"""INCEpTION/UIMA naming, the TypeSystem.xml, XML 1.0 text and UTF-16 offsets (for ``inception``).

- ``layers_for(schema)``: the UIMA type of each label (``webanno.custom.Claim``) with a
  feature per attribute, and of each relation type (``webanno.custom.AttributedTo``); the
  names are derived from the schema alone, so the reader maps them back with the same schema.
- ``type_system_xml(layers)``: the UIMA type system description declaring them, plus DKPro
  Core's ``DocumentMetaData`` and our per-file ``diptych.Record``.
- ``xml_text`` / ``attr``: XML 1.0 cannot hold most C0 controls, lone surrogates, U+FFFE/U+FFFF
  (not even as ``&#27;``); they are replaced one-for-one by U+FFFD and counted.
- ``Utf16``: UIMA offsets count Java's UTF-16 code units; ours count code points.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from ..schema import LabelSchema

CUSTOM = "webanno.custom."
ANNOTATION = "uima.tcas.Annotation"
DOCUMENT_META = "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData"
RECORD = "diptych.Record"
RECORD_FEATURES = ("annotator", "story", "outlet", "author", "published", "textSha256")
SPAN_EXTRA = ("note", "origin", "diptych_id")
GOVERNOR, DEPENDENT = "Governor", "Dependent"

# Feature names INCEpTION refuses for a layer (its RESTRICTED_FEATURE_NAMES) or that a span or
# relation type already has: an attribute with one of these names gets "_attr" appended.
_RESERVED = frozenset((
    "address", "begin", "end", "coveredText", "booleanValue", "doubleValue", "byteValue", "CAS",
    "CASImpl", "class", "featureValue", "floatValue", "longValue", "lowLevelCas", "printRefs", "sofa",
    "stringValue", "type", "typeIndexId", "view", GOVERNOR, DEPENDENT, *SPAN_EXTRA))


@dataclass(frozen=True)
class SpanType:
    label: str
    name: str  # the full UIMA type name
    features: tuple[tuple[str, str], ...]  # (attribute, feature name)
    choices: dict[str, tuple[str, ...]]  # attribute -> its choices

    def feature(self, attribute: str) -> str | None:
        return next((f for a, f in self.features if a == attribute), None)

    def attribute(self, feature: str) -> str | None:
        return next((a for a, f in self.features if f == feature), None)


@dataclass(frozen=True)
class RelationType:
    relation: str
    name: str


@dataclass(frozen=True)
class Layers:
    spans: tuple[SpanType, ...]
    relations: tuple[RelationType, ...]

    def span_for_label(self, label: str) -> SpanType | None:
        return next((s for s in self.spans if s.label == label), None)

    def span_for_type(self, name: str) -> SpanType | None:
        return next((s for s in self.spans if s.name == name), None)

    def relation_for_type(self, name: str) -> RelationType | None:
        return next((r for r in self.relations if r.name == name), None)

    def relation_for(self, relation: str) -> RelationType | None:
        return next((r for r in self.relations if r.relation == relation), None)


def _camel(name: str) -> str:
    """CLAIM -> Claim, attributed_to -> AttributedTo (ASCII letters and digits only)."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", name) if p]
    out = "".join(p[0].upper() + p[1:].lower() for p in parts)
    return out if out[:1].isalpha() else "L" + out


def _feature_name(name: str) -> str:
    # INCEpTION: a letter first, then letters, digits or underscores, never "__".
    out = re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_")
    if not out[:1].isalpha():
        out = "a_" + out if out else "attr"
    return out + "_attr" if out in _RESERVED else out


def _unique(base: str, taken: set[str]) -> str:
    # Case-insensitively: INCEpTION may keep layer names in a database with a case-insensitive
    # collation, and generated JCas classes land on case-insensitive file systems.
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base}{n}", n + 1
    taken.add(name.lower())
    return name


def layers_for(schema: LabelSchema) -> Layers:
    """UIMA type and feature names for a schema, in schema order (stable for one schema)."""
    taken: set[str] = set()
    spans = []
    for spec in schema.labels:
        features: list[tuple[str, str]] = []
        used = {r.lower() for r in _RESERVED}
        for attr in spec.attributes:
            features.append((attr.name, _unique(_feature_name(attr.name), used)))
        spans.append(SpanType(spec.name, CUSTOM + _unique(_camel(spec.name), taken), tuple(features),
                              {a.name: a.choices for a in spec.attributes}))
    relations = tuple(RelationType(r.name, CUSTOM + _unique(_camel(r.name), taken)) for r in schema.relations)
    return Layers(tuple(spans), relations)


# ------------------------------------------------------------------ XML 1.0 text

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}
_TO_ESCAPE = re.compile('[&<>"\t\n\r]')


def xml_text(text: str) -> tuple[str, int]:
    """``text`` with each character XML 1.0 cannot hold replaced by U+FFFD (one for one, so
    code-point offsets stay valid), and how many were replaced."""
    return _NOT_XML.subn("\ufffd", text)


def attr(value: str) -> str:
    """An attribute value, quotes included; tab, newline and CR as character references so a
    parser's attribute-value normalisation keeps them. ``value`` must already be XML text."""
    return '"' + _TO_ESCAPE.sub(lambda m: _ESCAPES[m.group()], value) + '"'


# ------------------------------------------------------------------ UTF-16 offsets


class Utf16:
    """Code-point offsets <-> UTF-16 code-unit offsets for one text (astral characters count 2)."""

    def __init__(self, text: str) -> None:
        astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        self._astral = astral  # code-point positions of astral characters
        self._unit_starts = [i + k for k, i in enumerate(astral)]  # their code-unit positions
        self.units = len(text) + len(astral)
        self.length = len(text)

    def to_units(self, offset: int) -> int:
        return offset + bisect_left(self._astral, offset)

    def from_units(self, units: int) -> int | None:
        """The code-point offset, or None when ``units`` is outside the text or between the two
        halves of a surrogate pair."""
        if not 0 <= units <= self.units:
            return None
        k = bisect_right(self._unit_starts, units - 1)  # astral characters starting before units
        if k and self._unit_starts[k - 1] + 1 == units:
            return None
        return units - k


# ------------------------------------------------------------------ the type system

def _feature(name: str, description: str, range_type: str = "uima.cas.String") -> str:
    return (f"        <featureDescription>\n          <name>{name}</name>\n"
            f"          <description>{_esc(description)}</description>\n"
            f"          <rangeTypeName>{range_type}</rangeTypeName>\n        </featureDescription>\n")


def _type(name: str, description: str, supertype: str, features: list[str]) -> str:
    body = "".join(features)
    feats = f"      <features>\n{body}      </features>\n" if body else ""
    return (f"    <typeDescription>\n      <name>{name}</name>\n"
            f"      <description>{_esc(description)}</description>\n"
            f"      <supertypeName>{supertype}</supertypeName>\n{feats}    </typeDescription>\n")


def _esc(text: str) -> str:
    text, _ = xml_text(text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def type_system_xml(layers: Layers) -> bytes:
    """The UIMA type system description (starts with ``<?xml``: INCEpTION's layer import
    recognises a type system by that)."""
    types = [_type(DOCUMENT_META, "DKPro Core document metadata", "uima.tcas.DocumentAnnotation", [
        _feature("documentTitle", "title"), _feature("documentId", "Diptych document id"),
        _feature("documentUri", "URL"), _feature("collectionId", "collection"),
        _feature("documentBaseUri", "base URI"), _feature("isLastSegment", "", "uima.cas.Boolean")])]
    types.append(_type(RECORD, "Diptych: who annotated this copy and the document fields DKPro has no place for",
                       "uima.cas.AnnotationBase", [_feature(f, f) for f in RECORD_FEATURES]))
    for span in layers.spans:
        feats = [_feature(f, f"{a}: one of {', '.join(span.choices[a])}") for a, f in span.features]
        feats += [_feature("note", "free-text note"),
                  _feature("origin", "manual, or the suggester an accepted suggestion came from"),
                  _feature("diptych_id", "Diptych annotation id")]
        types.append(_type(span.name, f"Diptych label {span.label}", ANNOTATION, feats))
    for rel in layers.relations:
        # INCEpTION wants Governor and Dependent of one range; uima.tcas.Annotation makes it a
        # relation layer attached to any span layer (our relations join different labels).
        types.append(_type(rel.name, f"Diptych relation {rel.relation} (Governor = head, Dependent = tail)",
                           ANNOTATION, [_feature(GOVERNOR, "head", ANNOTATION), _feature(DEPENDENT, "tail", ANNOTATION),
                                        _feature("diptych_id", "Diptych relation id")]))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<typeSystemDescription xmlns="http://uima.apache.org/resourceSpecifier">\n'
            "  <name>Diptych</name>\n"
            "  <description>Diptych annotation layers for INCEpTION (webanno.custom.*)</description>\n"
            "  <version>1.0</version>\n"
            f"  <types>\n{''.join(types)}  </types>\n</typeSystemDescription>\n").encode()


def namespace(type_name: str) -> tuple[str, str]:
    """(XMI namespace URI, local name) of a UIMA type: a.b.C -> ("http:///a/b.ecore", "C")."""
    package, _, local = type_name.rpartition(".")
    return f"http:///{package.replace('.', '/')}.ecore", local


def type_name(uri: str, local: str) -> str | None:
    """The inverse of ``namespace``; None for a URI that is not a UIMA package."""
    if not (uri.startswith("http:///") and uri.endswith(".ecore")):
        return None
    return uri[len("http:///"):-len(".ecore")].replace("/", ".") + "." + local
