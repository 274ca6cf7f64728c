"""Prodigy JSONL, shaped like the output of Prodigy's ``rel.manual`` / ``spans.manual`` recipes.

One task per (document, annotator): ``text``, ``meta``, ``tokens`` ({text, start, end, id,
ws}, the spaCy English tokenizer's), ``spans`` ({start, end, token_start, token_end, label}
plus our own id, text, attrs, note, origin and selector, which Prodigy carries along
untouched), ``relations`` ({head, child, head_span, child_span, label} where ``head`` and
``child`` are the *token index of the last token* of each span, as Prodigy's relations UI
writes them), ``_input_hash`` / ``_task_hash``, ``_annotator_id`` and ``answer``.

Prodigy's relations live inside one text, so a relation to a span in another document
(``same_as`` / ``contradicts`` across articles) is not in ``relations``: it goes into
``meta["cross_document_relations"]`` (both ends named by text_sha256, offsets and label)
and is counted as a loss. Diptych's importer reads it back from there.

Hashes: see :func:`prodigy_hash`.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from json.encoder import encode_basestring, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import IO, Any

from ..models import Annotation, Document
from .records import ExportStats, Record, WriteContext, _problem, document_meta, dumps
from .tokens import TokenIndex

CANNOT_CARRY = ("cross-document relations (kept only in meta.cross_document_relations)",)
LOSS_CROSS_DOCUMENT = CANNOT_CARRY[0]

EXAMPLE = (
    '{"_annotator_id": "alice", "_input_hash": …, "_task_hash": …, "answer": "accept", '
    '"meta": {"doc_id": 1, "story": "council", "text_sha256": "…", "title": "Taxes", …}, '
    '"relations": [{"child": 1, "child_span": {"end": 9, "label": "SOURCE", "start": 0, "token_end": 1, '
    '"token_start": 0}, "head": 5, "head_span": {"end": 30, "label": "CLAIM", "start": 15, "token_end": 5, '
    '"token_start": 3}, "label": "attributed_to"}], '
    '"spans": [{"attrs": {}, "end": 9, "id": "…", "label": "SOURCE", "note": "", "origin": "manual", '
    '"selector": {…}, "start": 0, "text": "The mayor", "token_end": 1, "token_start": 0}, …], '
    '"text": "The mayor said taxes will rise. …", '
    '"tokens": [{"end": 3, "id": 0, "start": 0, "text": "The", "ws": true}, …]}'
)

# Prodigy's documented defaults for set_hashes (prodigy.util INPUT_HASH_KEYS / TASK_HASH_KEYS).
INPUT_HASH_KEYS = ("text", "image", "html", "input")
TASK_HASH_KEYS = ("spans", "label", "options", "arcs")


@cache
def _fast_murmur() -> Callable[[bytes], int] | None:
    """The ``murmurhash`` package's C function (spaCy depends on it, and a Prodigy
    export tokenises with spaCy), or None: then the pure-Python one below."""
    try:
        from murmurhash.mrmr import hash_bytes
    except ImportError:
        return None
    return hash_bytes


def _murmur(data: bytes) -> int:
    fast = _fast_murmur()
    return fast(data) if fast is not None else murmurhash3_32(data)


def murmurhash3_32(data: bytes, seed: int = 0) -> int:
    """MurmurHash3 x86_32 of ``data`` as a signed 32-bit int.

    Written here from the public MurmurHash3 algorithm (Austin Appleby's reference),
    so formats need no third-party import. It returns what ``murmurhash.hash`` (the
    PyPI ``murmurhash`` package, spaCy's and Prodigy's C implementation) returns for the
    same UTF-8 bytes; tests/unit/test_format_prodigy.py checks the two agree.
    """
    mask = 0xFFFFFFFF
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed & mask
    n = len(data) // 4 * 4
    for (k,) in struct.iter_unpack("<I", data[:n]):
        k = (k * c1) & mask
        k = ((k << 15) | (k >> 17)) & mask
        k = (k * c2) & mask
        h ^= k
        h = ((h << 13) | (h >> 19)) & mask
        h = (h * 5 + 0xE6546B64) & mask
    tail = data[n:]
    if tail:
        k = int.from_bytes(tail, "little")
        k = (k * c1) & mask
        k = ((k << 15) | (k >> 17)) & mask
        k = (k * c2) & mask
        h ^= k
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & mask
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & mask
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


def prodigy_hash(task: Mapping[str, Any], keys: Iterable[str], prefix: int | str = "") -> int:
    """The hash ``prodigy.set_hashes`` gives ``task`` over ``keys``, as far as its documentation says.

    Prodigy's docs and its support forum say: the input hash is a MurmurHash of the
    values under the input keys (``text``, ``image``, ``html``, ``input``) that the task
    has; the task hash is a MurmurHash of the input hash (as a prefix) followed by the
    values under the task keys (``spans``, ``label``, ``options``, ``arcs``). The
    serialisation used here is ``str(prefix)`` + the JSON of ``{key: value}`` for the
    keys present, with sorted keys and compact separators — what ``srsly.json_dumps(...,
    sort_keys=True)`` (Prodigy's JSON library) produces — hashed with MurmurHash3
    x86_32, seed 0, over UTF-8.

    Not verified against Prodigy itself (it is not installable from PyPI and no public
    re-implementation was found): the hashes are deterministic and follow the documented
    keys, but Prodigy may compute different numbers. Nothing in Prodigy rejects a task
    whose hashes it would have computed differently; run ``prodigy.set_hashes(task,
    overwrite=True)`` on import if exact Prodigy hashes matter (e.g. for ``--exclude``).
    """
    values = {key: task[key] for key in keys if key in task}
    payload = str(prefix) + json.dumps(values, sort_keys=True, separators=(",", ":"))
    return _murmur(payload.encode("utf-8"))


def input_hash(doc: Document) -> int:
    """``_input_hash`` of a document's task: the hash of ``{"text": text}``."""
    return prodigy_hash({"text": doc.text}, INPUT_HASH_KEYS)


def task_hash(task: Mapping[str, Any], input_hash_: int | None = None) -> int:
    """``_task_hash`` of a task: its input hash, then its ``spans`` (and label/options/arcs)."""
    if input_hash_ is None:
        input_hash_ = prodigy_hash(task, INPUT_HASH_KEYS)
    return prodigy_hash(task, TASK_HASH_KEYS, prefix=input_hash_)


def prodigy_record(rec: Record, tokens: TokenIndex, stats: ExportStats | None = None) -> dict[str, Any]:
    task = _task_without_text(rec, tokens, stats)
    task["text"] = rec.document.text
    task["tokens"] = tokens.prodigy_tokens(rec.document.text)
    task["_input_hash"] = ih = input_hash(rec.document)
    task["_task_hash"] = task_hash(task, ih)
    return task


def _task_without_text(rec: Record, tokens: TokenIndex, stats: ExportStats | None) -> dict[str, Any]:
    """The task's fields that differ between the annotators of one document."""
    positions = _positions(rec, tokens, stats)
    task = _task_rest(rec, positions, stats)
    task["spans"] = [_span_dict(rec.document.text, a, *positions[a.id]) for a in rec.spans]
    return task


def _positions(rec: Record, tokens: TokenIndex, stats: ExportStats | None) -> dict[str, tuple[int, int]]:
    """Each span's first and last token (misaligned spans counted in ``stats``)."""
    positions: dict[str, tuple[int, int]] = {}
    for a in rec.spans:
        ts, te, aligned = tokens.span(a.start, a.end)
        if not aligned and stats is not None:
            stats.misaligned.append(_problem(rec, a))
        positions[a.id] = (ts, te)
    return positions


def _span_dict(text: str, a: Annotation, ts: int, te: int) -> dict[str, Any]:
    return {"id": a.id, "start": a.start, "end": a.end, "label": a.label, "text": text[a.start:a.end],
            "token_start": ts, "token_end": te, "attrs": a.attrs, "note": a.note, "origin": a.origin,
            "selector": {"exact": a.quote, "prefix": a.prefix, "suffix": a.suffix}}


def _spans_json(text: str, spans: tuple[Annotation, ...], positions: dict[str, tuple[int, int]], *,
                compact: bool, ascii_only: bool) -> str:
    """The JSON of the ``spans`` list, written field by field: the same bytes as
    ``json.dumps`` with sorted keys (compact: ``separators=(",", ":")``), in a
    fraction of the time the generic encoder takes sorting every span's keys."""
    esc = encode_basestring_ascii if ascii_only else encode_basestring
    c, k = (":", ",") if compact else (": ", ", ")
    out = []
    for a in spans:
        ts, te = positions[a.id]
        try:
            if type(a.start) is not int or type(a.end) is not int:
                raise TypeError("offsets that are not plain ints")
            attrs = json.dumps(a.attrs, sort_keys=True, ensure_ascii=ascii_only,
                               separators=(k, c)) if a.attrs else "{}"
            out.append(
                f'{{"attrs"{c}{attrs}{k}"end"{c}{a.end}{k}"id"{c}{esc(a.id)}{k}"label"{c}{esc(a.label)}{k}'
                f'"note"{c}{esc(a.note)}{k}"origin"{c}{esc(a.origin)}{k}"selector"{c}{{"exact"{c}{esc(a.quote)}{k}'
                f'"prefix"{c}{esc(a.prefix)}{k}"suffix"{c}{esc(a.suffix)}}}{k}"start"{c}{a.start}{k}'
                f'"text"{c}{esc(text[a.start:a.end])}{k}"token_end"{c}{te}{k}"token_start"{c}{ts}}}')
        except TypeError:
            # Something unusual (a NULL note from an old row): the generic encoder decides.
            out.append(json.dumps(_span_dict(text, a, ts, te), sort_keys=True, ensure_ascii=ascii_only,
                                  separators=(k, c)))
    return "[" + k.join(out) + "]"


def _tokens_json(text: str, tokens: TokenIndex, *, ascii_only: bool) -> str:
    """``dumps(tokens.prodigy_tokens(text))``, written field by field (same bytes)."""
    esc = encode_basestring_ascii if ascii_only else encode_basestring
    return "[" + ", ".join(
        f'{{"end": {e}, "id": {i}, "start": {s}, "text": {esc(text[s:e])}, "ws": {"true" if w else "false"}}}'
        for i, (s, e, w) in enumerate(zip(tokens.starts, tokens.ends, tokens.ws))) + "]"


def _task_rest(rec: Record, positions: dict[str, tuple[int, int]], stats: ExportStats | None) -> dict[str, Any]:
    """Meta, relations, annotator and answer of a task (its spans aside)."""
    doc = rec.document
    relations = []
    elsewhere = []
    for lr in rec.relations:
        if lr.tail_doc is not None:
            elsewhere.append({"label": lr.relation.type, "head": _doc_ref(doc, lr.head),
                              "child": _doc_ref(lr.tail_doc, lr.tail)})
            continue
        head, child = positions[lr.head.id], positions[lr.tail.id]
        # Prodigy's relation ends are the token index of each span's last token.
        relations.append({"head": head[1], "child": child[1], "label": lr.relation.type,
                          "head_span": _span_ref(lr.head, head), "child_span": _span_ref(lr.tail, child)})
    meta = document_meta(doc, rec.story)
    if elsewhere:
        meta["cross_document_relations"] = elsewhere
        if stats is not None:
            stats.lose(LOSS_CROSS_DOCUMENT, len(elsewhere))
    return {"meta": meta, "relations": relations, "_annotator_id": rec.annotator, "answer": "accept"}


def _span_ref(a: Annotation, tokens: tuple[int, int]) -> dict[str, Any]:
    return {"start": a.start, "end": a.end, "label": a.label, "token_start": tokens[0], "token_end": tokens[1]}


def _doc_ref(doc: Document, a: Annotation) -> dict[str, Any]:
    return {"text_sha256": doc.text_sha256, "start": a.start, "end": a.end, "label": a.label}


def write(records: Iterable[Record], out: IO[bytes], ctx: WriteContext) -> None:
    """One Prodigy task a line; several annotators' records of one document share its
    tokens, and the JSON of its text and tokens (the bulk of a line), made once.

    A line is the JSON of its task with sorted keys, written here key by key: the
    same bytes as ``dumps(prodigy_record(...))`` (tests/unit/test_export.py checks it).
    """
    stats = ctx.stats
    ascii_only = ctx.ascii_only
    doc_id: int | None = None
    for rec in records:
        doc = rec.document
        if doc.id != doc_id:
            doc_id = doc.id
            tokens = TokenIndex.of_text(doc.text)
            text_json = dumps(doc.text, ascii_only=ascii_only)
            tokens_json = _tokens_json(doc.text, tokens, ascii_only=ascii_only)
            ih = input_hash(doc)
            plain_meta = dumps(document_meta(doc, rec.story), ascii_only=ascii_only)
        stats.spans += len(rec.spans)
        stats.relations += sum(1 for lr in rec.relations if lr.tail_doc is None)
        positions = _positions(rec, tokens, stats)
        task = _task_rest(rec, positions, stats)
        # The task hash covers only the spans (TASK_HASH_KEYS), as prodigy_hash serialises them.
        hashed = _spans_json(doc.text, rec.spans, positions, compact=True, ascii_only=True)
        th = _murmur((str(ih) + '{"spans":' + hashed + "}").encode("utf-8"))
        parts = {"_annotator_id": dumps(task["_annotator_id"], ascii_only=ascii_only),
                 "_input_hash": str(ih), "_task_hash": str(th), "answer": '"accept"',
                 "meta": dumps(task["meta"], ascii_only=ascii_only) if "cross_document_relations" in task["meta"]
                 else plain_meta,
                 "relations": dumps(task["relations"], ascii_only=ascii_only),
                 "spans": _spans_json(doc.text, rec.spans, positions, compact=False, ascii_only=ascii_only),
                 "text": text_json, "tokens": tokens_json}
        line = "{" + ", ".join(f'"{key}": {parts[key]}' for key in sorted(parts)) + "}\n"
        out.write(line.encode("utf-8"))
        stats.records += 1
