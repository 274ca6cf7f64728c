"""JSONL records -> validated documents, spans and relations (nothing written here).

Three shapes are read, line by line (a file may mix them), as set out in the
exchange-formats contract:

- prodigy: ``text`` + optional ``meta`` + optional ``spans`` (``start``, ``end``,
  ``label``, optional ``id``, ``attrs``, ``note``, ``origin``, ``text``) and
  ``relations``: ``head``/``child`` are Prodigy's token indices (the last token of
  each span; resolved by ``head_span``/``child_span`` offsets, or else through the
  spans' ``token_end`` / the ``tokens`` list), or span ids in files from older
  Diptych versions; ``child_doc`` for a span in another document (older files) and
  ``meta.cross_document_relations`` (current exports) for relations across documents;
- doccano: ``text`` + ``label: [[start, end, "LABEL"], ...]``, or ``entities``
  (``start_offset``/``end_offset``) and ``relations`` (``from_id``/``to_id``/``type``);
  ``entities`` win when both are present. Integer ids (doccano's own) are local to the
  record and resolved here to offsets; string ids (older Diptych exports) stay ids;
- flat: one annotation per line, no ``text``: a ``selector`` (exact, prefix,
  suffix), the offsets it had, and ``text_sha256`` / ``url`` / ``title`` to find
  its document.

Every check that can fail on the file's content happens here, so that a file
is either refused whole (with ``file:line`` and what is wrong) or written whole.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import IngestError
from ..schema import LabelSchema
from ..formats.incoming import (_RECORD_META, DEEP_HINT, DOC_FIELDS, DocRecord, FlatRecord, ParsedJsonl, RelIn, SpanIn,
                               SpanRef, deep_error, too_deep, too_deep_text)
from .lines import _f, _get, _huge_number_at, _Line, _parse_int, _preview, _type_name, split_lines


def parse_jsonl(path: str, text: str, schema: LabelSchema) -> ParsedJsonl:
    """Parse and validate every line; raise IngestError (with the line) at the first problem."""
    out = ParsedJsonl()
    lines = split_lines(text)
    if not lines:
        raise IngestError(path, "the file has no JSON lines", hint="put one JSON object per line in it")
    for number, raw in lines:
        v = _Line(path, number, schema)
        deep = too_deep_text(raw)  # before json.loads, whose recursion cannot name the field
        if deep is not None:
            raise v.error(deep_error(deep[0]), hint=DEEP_HINT)
        try:
            obj = json.loads(raw, parse_int=_parse_int)
        except json.JSONDecodeError as exc:
            raise v.error(f"not valid JSON: {exc.msg} (column {exc.colno})",
                          hint="each line must be one complete JSON object") from None
        except RecursionError:
            raise v.error("not valid JSON: nested too deeply") from None
        except ValueError as exc:  # e.g. an integer past Python's digit limit
            raise v.error(f"not valid JSON: {exc}", hint="each line must be one complete JSON object "
                          "with ordinary numbers") from None
        deep = too_deep(obj)
        if deep is not None:
            raise v.error(deep_error(deep), hint=DEEP_HINT)
        huge = _huge_number_at(obj)
        if huge is not None:
            where, number = huge
            raise v.error(f"{where or 'the line'}: a number with {len(number)} digits is too long",
                          hint="offsets and values are ordinary numbers; check how this file was written")
        if _SURROGATE_ESCAPE.search(raw):
            _check_encodable(v, obj)
        if not isinstance(obj, dict):
            raise v.error(f"expected a JSON object, got {_type_name(obj)}",
                          hint="each line must be one JSON object such as {\"text\": \"...\"}")
        if "text" in obj:
            out.documents.append(_doc_record(v, obj))
        elif "selector" in obj:
            out.flats.append(_flat_record(v, obj))
        else:
            raise v.error("the record has neither \"text\" (prodigy/doccano) nor \"selector\" (flat)",
                          hint="see the exchange formats in the documentation")
    return out


# JSON may spell a lone UTF-16 surrogate as an escape; such a string cannot be
# stored as UTF-8, so it is refused here rather than failing mid-write.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _check_encodable(v: _Line, obj: Any) -> None:
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start:exc.end].encode("unicode_escape").decode("ascii")
        raise v.error(f"a string holds an unpaired surrogate ({bad}), which is not valid Unicode text",
                      hint="the file was probably written with broken UTF-16 handling; fix or drop that "
                           "character and import again") from None


def _is_doccano(obj: dict) -> bool:
    label = obj.get("label")
    if isinstance(obj.get("entities"), list):
        return True
    return isinstance(label, list) and all(isinstance(x, list) for x in label)


def _annotator(v: _Line, obj: dict) -> str | None:
    for key in ("_annotator_id", "annotator"):
        if obj.get(key) is not None:
            return v.string(obj[key], key, empty=False).strip()
    return None


def _doc_record(v: _Line, obj: dict) -> DocRecord:
    text = v.string(obj["text"], "text")
    if not text.strip():
        raise v.error("\"text\" is empty", hint="a record needs the article text")
    meta_in = v.obj(_get(obj, "meta", {}), "meta")
    meta: dict[str, str] = {}
    for key in DOC_FIELDS:
        value = v.opt_string(meta_in, key, "meta.")
        if value is not None:
            meta[key] = value
    story = v.opt_string(meta_in, "story", "meta.")
    if story is not None and not story.strip():
        story = None
    extra = {k: val for k, val in meta_in.items() if k not in _RECORD_META and k != _CROSS_DOC}
    annotator = _annotator(v, obj)
    if _is_doccano(obj):
        fmt = "doccano"
        spans, relations = _doccano_spans(v, obj, text)
    else:
        fmt = "prodigy"
        spans, relations = _prodigy_spans(v, obj, text)
        relations += _cross_document(v, meta_in.get(_CROSS_DOC), len(text))
    note = ""
    answer = obj.get("answer")
    if answer is not None and answer != "accept":
        note = f"answer is {answer!r}: its {len(spans)} span(s) were not imported"
        spans, relations = [], []
    return DocRecord(v.line, fmt, text, meta, extra, story, annotator, spans, relations, note)


def _span_common(v: _Line, item: dict, where: str, label: str) -> dict[str, Any]:
    note = item.get("note")
    origin = item.get("origin")
    return {
        "id": v.ident(item.get("id"), _f(where, "id")),
        "attrs": v.attrs(item.get("attrs"), label, _f(where, "attrs")),
        "note": "" if note is None else v.string(note, _f(where, "note")),
        "origin": None if origin in (None, "") else v.string(origin, _f(where, "origin")),
    }


def _check_quote(v: _Line, item: dict, where: str, text: str, s: int, e: int) -> None:
    quote = item.get("text")
    if quote is None:
        return
    quote = v.string(quote, f"{where}.text")
    if quote != text[s:e]:
        raise v.error(f"{where}: its text {_preview(quote)} differs from the record's text at {s}-{e} "
                      f"({_preview(text[s:e])})",
                      hint="offsets must count Unicode code points, not bytes or UTF-16 units")


def _prodigy_spans(v: _Line, obj: dict, text: str) -> tuple[list[SpanIn], list[RelIn]]:
    spans: list[SpanIn] = []
    by_token_end: dict[int, list[SpanIn]] = {}
    for i, item in enumerate(v.array(_get(obj, "spans", []), "spans")):
        where = f"spans[{i}]"
        item = v.obj(item, where)
        for key in ("start", "end", "label"):
            if key not in item:
                raise v.error(f"{where} has no \"{key}\"", hint="a span needs start, end and label")
        s, e = v.span_bounds(item["start"], item["end"], where, len(text))
        label = v.label(item["label"], f"{where}.label")
        _check_quote(v, item, where, text, s, e)
        span = SpanIn(v.line, where, s, e, label, **_span_common(v, item, where, label))
        spans.append(span)
        if item.get("token_end") is not None:
            by_token_end.setdefault(v.integer(item["token_end"], f"{where}.token_end"), []).append(span)
    token_ends = _token_ends(v, obj.get("tokens"), len(text))

    def at_token(index: int, where: str) -> SpanRef:
        """The span whose last token is ``index`` (Prodigy's head/child without *_span)."""
        found = by_token_end.get(index)
        if not found and 0 <= index < len(token_ends):
            found = [sp for sp in spans if sp.end == token_ends[index]]
        if not found:
            raise v.error(f"{where}: no span ends at token {index}",
                          hint="give head_span/child_span offsets, or spans with token_end, or a tokens list")
        if len({(sp.start, sp.end, sp.label) for sp in found}) > 1:
            raise v.error(f"{where}: several spans end at token {index}",
                          hint="give head_span/child_span offsets to say which")
        return SpanRef(start=found[0].start, end=found[0].end, label=found[0].label)

    relations: list[RelIn] = []
    for i, item in enumerate(v.array(_get(obj, "relations", []), "relations")):
        where = f"relations[{i}]"
        item = v.obj(item, where)
        label = v.relation_type(item.get("label"), f"{where}.label")
        head = _ref(v, item.get("head"), item.get("head_span"), None, f"{where}.head", len(text), at_token)
        child = _ref(v, item.get("child"), item.get("child_span"), item.get("child_doc"), f"{where}.child",
                     len(text), at_token)
        relations.append(RelIn(v.line, where, head, child, label, v.ident(item.get("id"), f"{where}.id")))
    return spans, relations


_CROSS_DOC = "cross_document_relations"


def _token_ends(v: _Line, tokens: Any, length: int) -> list[int]:
    """The end offset of each token of a Prodigy ``tokens`` list (empty when there is none)."""
    if tokens is None:
        return []
    ends = []
    for i, tok in enumerate(v.array(tokens, "tokens")):
        tok = v.obj(tok, f"tokens[{i}]")
        ends.append(v.span_bounds(tok.get("start"), tok.get("end"), f"tokens[{i}]", length)[1])
    return ends


def _cross_document(v: _Line, items: Any, length: int) -> list[RelIn]:
    """``meta.cross_document_relations``: relations whose child is a span of another document."""
    if items is None:
        return []
    relations = []
    for i, item in enumerate(v.array(items, f"meta.{_CROSS_DOC}")):
        where = f"meta.{_CROSS_DOC}[{i}]"
        item = v.obj(item, where)
        label = v.relation_type(item.get("label"), f"{where}.label")
        head, child = (_doc_end(v, item.get(key), f"{where}.{key}", length if key == "head" else None)
                       for key in ("head", "child"))
        if child.text_sha256 is None:
            raise v.error(f"{where}.child has no \"text_sha256\"", hint="it names the other document by its text's hash")
        head.text_sha256 = None  # the head is a span of this record
        relations.append(RelIn(v.line, where, head, child, label))
    return relations


def _doc_end(v: _Line, value: Any, where: str, length: int | None) -> SpanRef:
    """One end of a cross-document relation: offsets, label and (the far end) text_sha256."""
    end = v.obj(value, where)
    ref = SpanRef()
    ref.start, ref.end = v.span_bounds(end.get("start"), end.get("end"), where, length)
    if end.get("label") is not None:
        ref.label = v.label(end["label"], f"{where}.label")
    if end.get("text_sha256") is not None:
        ref.text_sha256 = v.string(end["text_sha256"], f"{where}.text_sha256", empty=False)
    return ref


def _ref(v: _Line, ident: Any, span: Any, other_doc: Any, where: str, length: int,
         at_token: Any = None) -> SpanRef:
    ref = SpanRef()
    # Prodigy's relations use token indices in head/child, older Diptych files span ids;
    # the *_span offsets settle it when present.
    if isinstance(ident, str) and ident:
        ref.id = ident
    elif ident is not None and type(ident) is not int:
        raise v.error(f"{where} must be a token index or a span id, got {_type_name(ident)}")
    if other_doc is not None:
        doc = v.obj(other_doc, f"{where}_doc")
        ref.text_sha256 = v.string(doc.get("text_sha256"), f"{where}_doc.text_sha256", empty=False)
        if "start" in doc or "end" in doc:
            ref.start, ref.end = v.span_bounds(doc.get("start"), doc.get("end"), f"{where}_doc", None)
        if doc.get("label") is not None:
            ref.label = v.label(doc["label"], f"{where}_doc.label")
    elif span is not None:
        sp = v.obj(span, f"{where}_span")
        ref.start, ref.end = v.span_bounds(sp.get("start"), sp.get("end"), f"{where}_span", length)
        if sp.get("label") is not None:
            ref.label = v.label(sp["label"], f"{where}_span.label")
    elif type(ident) is int and at_token is not None:
        return at_token(ident, where)
    if ref.id is None and ref.start is None:
        raise v.error(f"{where} names no span (no id and no offsets)")
    return ref


def _doccano_spans(v: _Line, obj: dict, text: str) -> tuple[list[SpanIn], list[RelIn]]:
    spans: list[SpanIn] = []
    # doccano's own integer ids number the entities of one record: resolved here to
    # offsets, never kept as annotation ids.
    local: dict[int, SpanIn] = {}
    if isinstance(obj.get("entities"), list):
        for i, item in enumerate(obj["entities"]):
            where = f"entities[{i}]"
            item = v.obj(item, where)
            for key in ("start_offset", "end_offset", "label"):
                if key not in item:
                    raise v.error(f"{where} has no \"{key}\"",
                                  hint="a doccano entity needs start_offset, end_offset and label")
            s, e = v.span_bounds(item["start_offset"], item["end_offset"], where, len(text))
            label = v.label(item["label"], f"{where}.label")
            common = _span_common(v, item, where, label)
            if type(item.get("id")) is int:
                common["id"] = None
            span = SpanIn(v.line, where, s, e, label, **common)
            if type(item.get("id")) is int:
                local.setdefault(item["id"], span)
            spans.append(span)
    else:
        for i, item in enumerate(obj["label"]):
            where = f"label[{i}]"
            if len(item) != 3:
                raise v.error(f"{where} must be [start, end, \"LABEL\"], got {_preview(item)}")
            s, e = v.span_bounds(item[0], item[1], where, len(text))
            spans.append(SpanIn(v.line, where, s, e, v.label(item[2], f"{where} label")))

    def end(value: Any, where: str) -> SpanRef:
        if type(value) is int:
            if value not in local:
                raise v.error(f"{where}: no entity of this record has id {value}",
                              hint="from_id and to_id name entities[].id of the same line")
            sp = local[value]
            return SpanRef(start=sp.start, end=sp.end, label=sp.label)
        ident = v.ident(value, where)
        if ident is None:
            raise v.error(f"{where.rsplit('.', 1)[0]} needs from_id and to_id")
        return SpanRef(id=ident)

    relations: list[RelIn] = []
    for i, item in enumerate(v.array(_get(obj, "relations", []), "relations")):
        where = f"relations[{i}]"
        item = v.obj(item, where)
        head = end(item.get("from_id"), f"{where}.from_id")
        child = end(item.get("to_id"), f"{where}.to_id")
        label = v.relation_type(item.get("type"), f"{where}.type")
        rel_id = None if type(item.get("id")) is int else v.ident(item.get("id"), f"{where}.id")
        relations.append(RelIn(v.line, where, head, child, label, rel_id))
    return spans, relations


def _flat_record(v: _Line, obj: dict) -> FlatRecord:
    selector = v.obj(obj["selector"], "selector")
    exact = v.string(selector.get("exact"), "selector.exact", empty=False)
    prefix = v.string(selector.get("prefix", ""), "selector.prefix")
    suffix = v.string(selector.get("suffix", ""), "selector.suffix")
    position = obj.get("position")
    start, end = obj.get("start"), obj.get("end")
    if (start is None or end is None) and position is not None:
        pos = v.obj(position, "position")
        start, end = pos.get("start"), pos.get("end")
    if start is None or end is None:
        raise v.error("a flat record needs \"start\" and \"end\" (or a \"position\" with them)")
    s, e = v.span_bounds(start, end, "", None)
    if "label" not in obj:
        raise v.error("the record has no \"label\"")
    label = v.label(obj["label"], "label")
    span = SpanIn(v.line, "record", s, e, label, **_span_common(v, obj, "", label))
    found = {key: (v.opt_string(obj, key, "") or "").strip() for key in ("text_sha256", "url", "title")}
    if not any(found.values()):
        raise v.error("a flat record needs \"text_sha256\", \"url\" or \"title\" to find its document")
    relations: list[RelIn] = []
    for i, item in enumerate(v.array(_get(obj, "relations", []), "relations")):
        where = f"relations[{i}]"
        item = v.obj(item, where)
        child = v.ident(item.get("child"), f"{where}.child")
        if child is None:
            raise v.error(f"{where} has no \"child\" annotation id")
        label_ = v.relation_type(item.get("label"), f"{where}.label")
        relations.append(RelIn(v.line, where, SpanRef(id=span.id), SpanRef(id=child), label_,
                               v.ident(item.get("id"), f"{where}.id")))
    return FlatRecord(v.line, span, exact, prefix, suffix, _annotator(v, obj), found["text_sha256"],
                      found["url"], found["title"], relations)
