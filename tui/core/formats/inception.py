"""INCEpTION: UIMA CAS XMI (XML 1.0) files plus a ``TypeSystem.xml`` (a folder format).

``write_files`` yields ``TypeSystem.xml`` and one ``<doc id>-<title>--<annotator>.xmi`` per
(document, annotator): the sofa (article text), DKPro Core's ``DocumentMetaData``
(documentTitle, documentId, documentUri), a ``diptych.Record`` (annotator, story, outlet,
author, published, textSha256) and the annotations. ``read_folder`` reads such a folder back.

Layers, named the way INCEpTION names custom layers (``webanno.custom.<Name>``, Name from the
layer's UI name): each label is a span layer (``webanno.custom.Claim``, ``.Source``,
``.Motive``, ``.Actor``) with a ``uima.cas.String`` feature per schema attribute (the choices
are in the feature's description; an attribute named like a feature INCEpTION reserves, e.g.
``type``, becomes ``type_attr``), plus ``note``, ``origin`` and ``diptych_id``. Each relation
type is a relation layer (``webanno.custom.AttributedTo``, ``.MotiveOf``, ...) with features
``Governor`` (our head) and ``Dependent`` (our tail) and, as INCEpTION does, begin/end of the
Dependent. INCEpTION requires Governor and Dependent to have one range type; ours join
different labels, so the range is ``uima.tcas.Annotation``, which INCEpTION reads as a relation
layer attached to *any* span layer (recent versions; older ones only attach a relation layer to
a single span layer and cannot hold CLAIM -> SOURCE at all).

Setting up an INCEpTION project (its XMI import is lenient: annotations of a type the project
does not define are dropped without a word, so the layers must exist first):

1. Project settings -> Layers -> Import, and upload ``TypeSystem.xml``. INCEpTION recognises a
   UIMA type system (the file starts with ``<?xml``) and creates every ``webanno.custom`` type
   that does not exist yet as a layer, span or relation, with its features.
   Alternatively create the layers by hand: a span layer whose name is ``Claim`` gets the
   internal name ``webanno.custom.Claim``; add String features named exactly as in
   ``TypeSystem.xml``; relation layers attached to any span layer.
   (Tagsets for the attribute choices are not part of a UIMA type system: add them if wanted.)
2. Documents -> import the ``.xmi`` files with the format "UIMA CAS XMI (XML 1.0)". The
   files carry no Token or Sentence annotations; INCEpTION segments the text itself.

Offsets: UIMA counts UTF-16 code units (Java strings), we count code points; an emoji or other
astral character counts twice there. Converted both ways.

What XML 1.0 cannot hold (most C0 control characters such as ESC or NUL, lone surrogates,
U+FFFE/U+FFFF, not even as character references) is written as U+FFFD, one for one so offsets
stay valid, and counted as a loss. Relations to a span in another document have no place in a
per-document CAS and are counted as lost, as are relation attributes.

Reading uses expat (what ElementTree parses with) directly, for the line of each element in
error messages; a DOCTYPE or entity declaration is refused before anything is expanded.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat

from ..errors import IngestError
from ..models import Annotation
from ..schema import LabelSchema
from ..text import slug
from .inception_typesystem import (
    DEPENDENT,
    DOCUMENT_META,
    GOVERNOR,
    RECORD,
    RECORD_FEATURES,
    Layers,
    Utf16,
    attr,
    layers_for,
    namespace,
    type_name,
    type_system_xml,
    xml_text,
)
from .incoming import DocRecord, RelIn, SpanIn, SpanRef
from .records import Record, WriteContext

TYPE_SYSTEM = "TypeSystem.xml"
XML_UNSAFE = "characters XML 1.0 cannot hold (written as U+FFFD)"
CANNOT_CARRY = ("cross-document relations", "relation attributes", XML_UNSAFE)
XMI_NS = "http://www.omg.org/XMI"
CAS_NS = "http:///uima/cas.ecore"

EXAMPLE = """\
<?xml version="1.0" encoding="UTF-8"?>
<xmi:XMI xmlns:cas="http:///uima/cas.ecore" xmlns:custom="http:///webanno/custom.ecore" ... xmi:version="2.0">
  <cas:NULL xmi:id="0"/>
  <cas:Sofa xmi:id="1" sofaNum="1" sofaID="_InitialView" mimeType="text/plain" sofaString="The mayor said taxes will rise."/>
  <type:DocumentMetaData xmi:id="2" sofa="1" begin="0" end="31" documentTitle="Taxes" documentId="1"/>
  <diptych:Record xmi:id="3" sofa="1" annotator="alice" story="council"/>
  <custom:Source xmi:id="4" sofa="1" begin="0" end="9" origin="manual" diptych_id="a1"/>
  <custom:Claim xmi:id="5" sofa="1" begin="15" end="30" certainty="reported" origin="manual" diptych_id="a2"/>
  <custom:AttributedTo xmi:id="6" sofa="1" begin="0" end="9" Governor="5" Dependent="4" diptych_id="r1"/>
  <cas:View sofa="1" members="2 3 4 5 6"/>
</xmi:XMI>
"""


# ------------------------------------------------------------------ writing


def record_stem(rec: Record) -> str:
    """``<doc id>-<title slug>--<annotator slug>``; a hash of the annotator is added when the
    slug lost anything (case, punctuation), so two annotators never share a file."""
    doc = rec.document
    who = slug(rec.annotator, "annotator", 40, max_bytes=100)
    if who != rec.annotator:
        who += "-" + hashlib.sha256(rec.annotator.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{doc.id:04d}-{slug(doc.title, 'doc', 40, max_bytes=100)}--{who}"


def write_files(records: Iterable[Record], ctx: WriteContext) -> Iterator[tuple[str, bytes]]:
    layers = layers_for(ctx.schema)
    ctx.stats.warn("INCEpTION: import TypeSystem.xml under Project settings > Layers before importing the .xmi "
                   "files (format \"UIMA CAS XMI (XML 1.0)\"); annotations of layers the project lacks are dropped")
    yield TYPE_SYSTEM, type_system_xml(layers)
    for rec in records:
        yield f"{record_stem(rec)}.xmi", _xmi(rec, layers, ctx)
        ctx.stats.records += 1


class _Writer:
    """One XMI document: elements in order, namespaces as they are used."""

    def __init__(self, ctx: WriteContext) -> None:
        self.ctx = ctx
        self.lines: list[str] = []
        self.prefixes: dict[str, str] = {CAS_NS: "cas"}
        self.replaced = 0

    def text(self, value: Any) -> str:
        safe, n = xml_text(str(value))
        self.replaced += n
        return attr(safe)

    def element(self, uima_type: str, xmi_id: int, fields: list[tuple[str, Any]]) -> None:
        uri, local = namespace(uima_type)
        prefix = self.prefixes.get(uri)
        if prefix is None:
            base = uri[len("http:///"):-len(".ecore")].rsplit("/", 1)[-1]
            prefix, n = base, 2
            while prefix in self.prefixes.values() or prefix in ("xmi", "xml"):
                prefix, n = f"{base}{n}", n + 1
            self.prefixes[uri] = prefix
        parts = [f'<{prefix}:{local} xmi:id="{xmi_id}"']
        parts += [f"{name}={self.text(value)}" for name, value in fields if value is not None and value != ""]
        self.lines.append("  " + " ".join(parts) + "/>")

    def bytes(self) -> bytes:
        ns = " ".join(f'xmlns:{p}="{uri}"' for uri, p in sorted(self.prefixes.items(), key=lambda kv: kv[1]))
        body = "\n".join(self.lines)
        out = (f'<?xml version="1.0" encoding="UTF-8"?>\n<xmi:XMI xmlns:xmi="{XMI_NS}" {ns} xmi:version="2.0">\n'
               f"{body}\n</xmi:XMI>\n")
        if self.ctx.ascii_only:  # the same document, non-ASCII as character references
            return out.encode("ascii", "xmlcharrefreplace")
        return out.encode("utf-8")


def _xmi(rec: Record, layers: Layers, ctx: WriteContext) -> bytes:
    doc, stats = rec.document, ctx.stats
    w = _Writer(ctx)
    text, replaced = xml_text(doc.text)
    w.replaced += replaced
    units = Utf16(text)
    w.lines.append('  <cas:NULL xmi:id="0"/>')
    w.lines.append(f'  <cas:Sofa xmi:id="1" sofaNum="1" sofaID="_InitialView" mimeType="text/plain" '
                   f"sofaString={attr(text)}/>")
    w.element(DOCUMENT_META, 2, [("sofa", 1), ("begin", 0), ("end", units.units), ("language", doc.lang),
                                 ("documentTitle", doc.title), ("documentId", doc.id), ("documentUri", doc.url)])
    w.element(RECORD, 3, [("sofa", 1), *zip(RECORD_FEATURES, (rec.annotator, rec.story, doc.outlet, doc.author,
                                                                doc.published, doc.text_sha256))])
    next_id, ids = 4, {}
    for a in rec.spans:
        span_type = layers.span_for_label(a.label)
        if span_type is None:
            stats.lose("spans with a label not in the schema")
            continue
        ids[a.id] = next_id
        w.element(span_type.name, next_id, [("sofa", 1), ("begin", units.to_units(a.start)),
                                            ("end", units.to_units(a.end)), *_span_features(a, span_type, ctx)])
        next_id += 1
        stats.spans += 1
    for lr in rec.relations:
        rel_type = layers.relation_for(lr.relation.type)
        if lr.tail_doc is not None:
            stats.lose("cross-document relations")
        elif rel_type is None:
            stats.lose("relations of a type not in the schema")
        elif lr.head.id not in ids or lr.tail.id not in ids:
            stats.lose("relations whose span was left out")
        else:
            if lr.relation.attrs:
                stats.lose("relation attributes", len(lr.relation.attrs))
            # INCEpTION anchors a relation at its Dependent (target).
            w.element(rel_type.name, next_id, [("sofa", 1), ("begin", units.to_units(lr.tail.start)),
                                               ("end", units.to_units(lr.tail.end)), (GOVERNOR, ids[lr.head.id]),
                                               (DEPENDENT, ids[lr.tail.id]), ("diptych_id", lr.relation.id)])
            next_id += 1
            stats.relations += 1
    w.lines.append(f'  <cas:View sofa="1" members="{" ".join(str(i) for i in range(2, next_id))}"/>')
    stats.lose(XML_UNSAFE, w.replaced)
    return w.bytes()


def _span_features(a: Annotation, span_type: Any, ctx: WriteContext) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for name in sorted(a.attrs):
        feature = span_type.feature(name)
        if feature is None:
            ctx.stats.lose("span attributes not in the schema")
        elif a.attrs[name] is not None:
            out.append((feature, a.attrs[name]))
    out.sort(key=lambda kv: [f for _, f in span_type.features].index(kv[0]))
    return [*out, ("note", a.note), ("origin", a.origin), ("diptych_id", a.id)]


# ------------------------------------------------------------------ reading

_MAX_DEPTH = 8  # XMI is two levels deep; anything much deeper is not a CAS


class _Element:
    __slots__ = ("attrs", "line", "local", "uri")

    def __init__(self, line: int, name: str, attrs: dict[str, str]) -> None:
        self.line = line
        self.uri, _, self.local = name.rpartition(" ")
        self.attrs = attrs

    @property
    def xmi_id(self) -> str | None:
        return self.attrs.get(f"{XMI_NS} id")

    def where(self) -> str:
        ident = self.xmi_id
        return f"<{self.local}>" + (f" xmi:id {ident}" if ident is not None else "")


class _Refused(Exception):
    def __init__(self, message: str, line: int, hint: str = "") -> None:
        super().__init__(message)
        self.line, self.hint = line, hint


def _elements(path: str, data: bytes) -> list[_Element]:
    """The children of the root ``xmi:XMI`` element, with their lines."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    found: list[_Element] = []
    depth = 0

    def refuse_dtd(*_args: Any) -> None:
        raise _Refused("has a DOCTYPE; an XMI file has none, and entities in it are never expanded",
                       parser.CurrentLineNumber, hint="export the file again as UIMA CAS XMI (XML 1.0)")

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth == 1 and name != f"{XMI_NS} XMI":
            raise _Refused(f"the root element is <{name.rpartition(' ')[2]}>, not <xmi:XMI>", parser.CurrentLineNumber,
                           hint="pass the .xmi files of an INCEpTION or Diptych export")
        if depth > _MAX_DEPTH:
            raise _Refused(f"elements nested more than {_MAX_DEPTH} deep; not a CAS XMI file", parser.CurrentLineNumber)
        if depth == 2:
            found.append(_Element(parser.CurrentLineNumber, name, attrs))

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise IngestError(path, f"not well-formed XML 1.0: {expat.ErrorString(exc.code)} (column {exc.offset + 1})",
                          line=exc.lineno, hint="INCEpTION: export as \"UIMA CAS XMI (XML 1.0)\", not XML 1.1") from None
    except _Refused as exc:
        raise IngestError(path, str(exc), line=exc.line, hint=exc.hint) from None
    return found


def read_folder(folder: Path, schema: LabelSchema) -> list[DocRecord]:
    """Every ``*.xmi`` under ``folder`` (sorted by path); ``TypeSystem.xml`` is not needed:
    types are matched by the names ``schema`` gives them."""
    folder = Path(folder)
    paths = sorted(p for p in folder.rglob("*.xmi") if p.is_file())
    if not paths:
        raise IngestError(str(folder), "no .xmi files in this folder",
                          hint="pass the folder written by `diptych export -f inception` or unzipped from INCEpTION")
    return [rec for p in paths for rec in read(str(p), p.read_bytes(), schema)]


def read(path: str, data: bytes, schema: LabelSchema) -> list[DocRecord]:
    """One XMI file: one DocRecord (the _InitialView)."""
    layers = layers_for(schema)
    elements = _elements(path, data)

    def error(el: _Element, message: str, hint: str = "") -> IngestError:
        return IngestError(path, f"{el.where()}: {message}", line=el.line,
                           hint=hint or "fix the element and import again; nothing from this file was imported")

    sofa = next((el for el in elements if el.uri == CAS_NS and el.local == "Sofa"
                 and el.attrs.get("sofaID", "_InitialView") == "_InitialView"), None)
    if sofa is None:
        raise IngestError(path, "no <cas:Sofa> for the _InitialView: the file holds no document text", line=1)
    if "sofaString" not in sofa.attrs:
        raise error(sofa, "has no sofaString (the text is elsewhere, e.g. sofaURI); only inline text is read")
    text = sofa.attrs["sofaString"]
    sofa_id, units = sofa.xmi_id, Utf16(text)
    meta: dict[str, str] = {}
    story = annotator = None
    spans: list[SpanIn] = []
    refs: dict[str, SpanRef] = {}
    relation_elements: list[tuple[_Element, Any]] = []
    skipped: dict[str, int] = {}

    def offsets(el: _Element) -> tuple[int, int]:
        out = []
        for key in ("begin", "end"):
            raw = el.attrs.get(key)
            # ASCII digits only, and few of them: int() takes other scripts' digits and huge numbers.
            value = int(raw) if raw is not None and re.fullmatch(r"[0-9]{1,12}", raw) else None
            at = units.from_units(value) if value is not None else None
            if at is None:
                raise error(el, f"{key}={raw!r} is not an offset in the text ({units.units} UTF-16 units long)",
                            hint="offsets count UTF-16 code units of the sofaString, and never split a surrogate pair")
            out.append(at)
        return out[0], out[1]

    for el in elements:
        name = type_name(el.uri, el.local)
        if name == DOCUMENT_META:
            for key, field in (("documentTitle", "title"), ("documentUri", "url")):
                if el.attrs.get(key):
                    meta[field] = el.attrs[key]
        elif name == RECORD:
            annotator = el.attrs.get("annotator") or None
            story = el.attrs.get("story") or None
            for key in ("outlet", "author", "published"):
                if el.attrs.get(key):
                    meta[key] = el.attrs[key]
        elif name is None or el.uri == CAS_NS:
            continue
        elif el.attrs.get("sofa") != sofa_id:
            skipped["in another view"] = skipped.get("in another view", 0) + 1
        elif (span_type := layers.span_for_type(name)) is not None:
            start, end = offsets(el)
            attrs = {}
            for feature, value in el.attrs.items():
                attribute = span_type.attribute(feature)
                if attribute is None or value == "":
                    continue
                if value not in span_type.choices[attribute]:
                    raise error(el, f"{feature}={value!r} is not a choice for {span_type.label}.{attribute}",
                                hint=f"choose one of {', '.join(span_type.choices[attribute])}")
                attrs[attribute] = value
            ident = el.attrs.get("diptych_id") or None
            spans.append(SpanIn(el.line, el.where(), start, end, span_type.label, ident, attrs,
                                el.attrs.get("note", ""), el.attrs.get("origin") or None))
            if el.xmi_id is not None:
                refs[el.xmi_id] = SpanRef(id=ident) if ident else SpanRef(start=start, end=end, label=span_type.label)
        elif (rel_type := layers.relation_for_type(name)) is not None:
            relation_elements.append((el, rel_type))
        else:
            skipped[name] = skipped.get(name, 0) + 1

    relations = []
    for el, rel_type in relation_elements:
        ends = []
        for key in (GOVERNOR, DEPENDENT):
            target = el.attrs.get(key)
            if target is None or target not in refs:
                raise error(el, f"{key}={target!r} does not name a span of this file's layers",
                            hint="a relation's Governor and Dependent are the xmi:id of two span annotations")
            ends.append(refs[target])
        relations.append(RelIn(el.line, el.where(), ends[0], ends[1], rel_type.relation,
                               el.attrs.get("diptych_id") or None))
    note = "; ".join(f"{n} annotation(s) of {what} left out" for what, n in sorted(skipped.items()))
    return [DocRecord(1, "inception", text, meta, {}, story, annotator, spans, relations, note)]
