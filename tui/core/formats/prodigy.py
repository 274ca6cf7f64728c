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
from collections.abc import Iterable, Mapping
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
    return murmurhash3_32(payload.encode("utf-8"))


def input_hash(doc: Document) -> int:
    """``_input_hash`` of a document's task: the hash of ``{"text": text}``."""
    return prodigy_hash({"text": doc.text}, INPUT_HASH_KEYS)


def task_hash(task: Mapping[str, Any], input_hash_: int | None = None) -> int:
    """``_task_hash`` of a task: its input hash, then its ``spans`` (and label/options/arcs)."""
    if input_hash_ is None:
        input_hash_ = prodigy_hash(task, INPUT_HASH_KEYS)
    return prodigy_hash(task, TASK_HASH_KEYS, prefix=input_hash_)


def prodigy_record(rec: Record, tokens: TokenIndex, stats: ExportStats | None = None) -> dict[str, Any]:
    doc = rec.document
    positions: dict[str, tuple[int, int]] = {}
    spans = []
    for a in rec.spans:
        ts, te, aligned = tokens.span(a.start, a.end)
        if not aligned and stats is not None:
            stats.misaligned.append(_problem(rec, a))
        positions[a.id] = (ts, te)
        spans.append({"id": a.id, "start": a.start, "end": a.end, "label": a.label, "text": doc.text[a.start:a.end],
                      "token_start": ts, "token_end": te, "attrs": a.attrs, "note": a.note, "origin": a.origin,
                      "selector": {"exact": a.quote, "prefix": a.prefix, "suffix": a.suffix}})
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
    task: dict[str, Any] = {"text": doc.text, "meta": meta, "tokens": tokens.prodigy_tokens(doc.text),
                            "spans": spans, "relations": relations, "_annotator_id": rec.annotator,
                            "answer": "accept"}
    task["_input_hash"] = ih = input_hash(doc)
    task["_task_hash"] = task_hash(task, ih)
    return task


def _span_ref(a: Annotation, tokens: tuple[int, int]) -> dict[str, Any]:
    return {"start": a.start, "end": a.end, "label": a.label, "token_start": tokens[0], "token_end": tokens[1]}


def _doc_ref(doc: Document, a: Annotation) -> dict[str, Any]:
    return {"text_sha256": doc.text_sha256, "start": a.start, "end": a.end, "label": a.label}


def write(records: Iterable[Record], out: IO[bytes], ctx: WriteContext) -> None:
    """One Prodigy task a line; several annotators' records of one document share its tokens."""
    stats = ctx.stats
    tokens_for: tuple[int, TokenIndex] | None = None
    for rec in records:
        if tokens_for is None or tokens_for[0] != rec.document.id:
            tokens_for = (rec.document.id, TokenIndex.of_text(rec.document.text))
        stats.spans += len(rec.spans)
        stats.relations += sum(1 for lr in rec.relations if lr.tail_doc is None)
        out.write(dumps(prodigy_record(rec, tokens_for[1], stats), ascii_only=ctx.ascii_only).encode("utf-8") + b"\n")
        stats.records += 1
