"""Prodigy export: tokens, token-index relations, cross-document relations in meta, hashes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tui.core.errors import IngestError
from tui.core.formats import write_jsonl
from tui.core.formats.prodigy import murmurhash3_32, prodigy_hash
from tui.core.ingest.jsonl import parse_jsonl
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession
from tui.core.store import Store
from seed_passages import seed_store, span_of as _at




@pytest.fixture
def store(tmp_path: Path):
    store, first, second = seed_store(tmp_path / "d.db")
    alice = AnnotationSession(store, "alice")
    claim = alice.tag(first.id, *_at(first.text, "joining the Islamic State"), "CLAIM")
    source = alice.tag(first.id, *_at(first.text, "a new report"), "SOURCE")
    alice.link(claim.id, source.id)
    other = alice.tag(second.id, 0, second.text.index(" ", 20), "CLAIM")
    alice.link(claim.id, other.id, "same_as")
    yield store
    store.close()


def _export(store: Store):
    buf = io.BytesIO()
    stats = write_jsonl(store, buf, "prodigy")
    return [json.loads(line) for line in buf.getvalue().decode().splitlines()], stats


def test_tokens_spans_and_relations_pass_prodigys_field_checks(store: Store) -> None:
    tasks, _ = _export(store)
    for task in tasks:
        text, tokens = task["text"], task["tokens"]
        # tokens: consecutive ids, in order, consistent with the text and their ws flags
        assert [t["id"] for t in tokens] == list(range(len(tokens)))
        for t, nxt in zip(tokens, tokens[1:] + [None]):
            assert text[t["start"]:t["end"]] == t["text"] and t["start"] < t["end"]
            assert t["ws"] == (text[t["end"]:t["end"] + 1] == " ")
            if nxt is not None:
                assert nxt["start"] == t["end"] + (1 if t["ws"] else 0)
        for span in task["spans"]:
            assert tokens[span["token_start"]]["start"] == span["start"]
            assert tokens[span["token_end"]]["end"] == span["end"]
        spans = {(s["start"], s["end"], s["label"]): s for s in task["spans"]}
        for rel in task["relations"]:
            for end in ("head", "child"):
                ref = rel[f"{end}_span"]
                span = spans[(ref["start"], ref["end"], ref["label"])]  # endpoint exists in spans
                assert type(rel[end]) is int and rel[end] == ref["token_end"] == span["token_end"]
                assert ref["token_start"] == span["token_start"]
        assert type(task["_input_hash"]) is int and type(task["_task_hash"]) is int


def test_cross_document_relation_goes_to_meta_and_is_counted(store: Store) -> None:
    tasks, stats = _export(store)
    first = tasks[0]
    assert [r["label"] for r in first["relations"]] == ["attributed_to"]
    (cross,) = first["meta"]["cross_document_relations"]
    assert cross["label"] == "same_as"
    assert cross["head"]["text_sha256"] == first["meta"]["text_sha256"]
    assert cross["child"]["text_sha256"] == tasks[1]["meta"]["text_sha256"]
    assert list(stats.losses.values()) == [1] and "cross-document" in next(iter(stats.losses))


def test_round_trip_reads_token_index_relations_and_meta_relations(store: Store) -> None:
    tasks, _ = _export(store)
    docs = parse_jsonl("p.jsonl", "\n".join(json.dumps(t) for t in tasks), DEFAULT_SCHEMA).documents
    first = docs[0]
    assert "cross_document_relations" not in first.extra_meta
    (inside, cross) = first.relations
    assert (inside.head.id, inside.child.id) == (None, None)
    assert first.text[inside.head.start:inside.head.end] == "joining the Islamic State"
    assert first.text[inside.child.start:inside.child.end] == "a new report"
    assert cross.label == "same_as" and cross.child.text_sha256 == tasks[1]["meta"]["text_sha256"]
    assert (cross.child.start, cross.child.end) == (0, tasks[1]["text"].index(" ", 20))


def test_prodigys_own_relation_output_without_span_offsets_is_read_through_tokens() -> None:
    # rel.manual output: head/child token indices, spans with token_end, tokens list
    text = "The mayor said taxes rise."
    tokens = [{"text": w, "start": text.index(w), "end": text.index(w) + len(w), "id": i, "ws": True}
              for i, w in enumerate(["The", "mayor", "said", "taxes", "rise"])]
    task = {"text": text, "tokens": tokens,
            "spans": [{"start": 0, "end": 9, "label": "SOURCE", "token_start": 0, "token_end": 1},
                      {"start": 15, "end": 25, "label": "CLAIM", "token_start": 3, "token_end": 4}],
            "relations": [{"head": 4, "child": 1, "label": "attributed_to"}], "answer": "accept"}
    rel = parse_jsonl("rel.jsonl", json.dumps(task), DEFAULT_SCHEMA).documents[0].relations[0]
    assert (rel.head.start, rel.head.end, rel.child.start, rel.child.end) == (15, 25, 0, 9)
    for span in task["spans"]:
        del span["token_end"]  # then the tokens list settles it
    rel = parse_jsonl("rel.jsonl", json.dumps(task), DEFAULT_SCHEMA).documents[0].relations[0]
    assert (rel.head.start, rel.child.start) == (15, 0)


def test_a_token_index_no_span_ends_at_names_line_and_field() -> None:
    task = {"text": "The mayor said so.", "spans": [{"start": 0, "end": 9, "label": "SOURCE", "token_end": 1}],
            "relations": [{"head": 3, "child": 1, "label": "attributed_to"}]}
    with pytest.raises(IngestError) as info:
        parse_jsonl("bad.jsonl", json.dumps(task), DEFAULT_SCHEMA)
    assert "bad.jsonl:1" in str(info.value) and "relations[0].head" in str(info.value)


def test_bad_cross_document_relation_names_its_field() -> None:
    task = {"text": "The mayor said so.", "meta": {"cross_document_relations": [
        {"label": "same_as", "head": {"start": 0, "end": 9, "label": "SOURCE"}, "child": {"start": 0, "end": 3}}]}}
    with pytest.raises(IngestError) as info:
        parse_jsonl("bad.jsonl", json.dumps(task), DEFAULT_SCHEMA)
    assert "meta.cross_document_relations[0].child" in str(info.value)


@pytest.mark.parametrize("data", [b"", b"a", b"ab", b"abc", b"abcd", b"hello world", "é“x”😀".encode()])
def test_murmurhash_matches_the_murmurhash_package(data: bytes) -> None:
    import murmurhash  # spaCy's (and Prodigy's) MurmurHash3 x86_32, C

    assert murmurhash3_32(data) == murmurhash.hash(data.decode("utf-8"))


def test_hash_serialisation_is_srslys_sorted_compact_json(store: Store) -> None:
    import murmurhash
    import srsly  # Prodigy's JSON library

    task = _export(store)[0][0]
    expected = murmurhash.hash(str(task["_input_hash"]) + srsly.json_dumps({"spans": task["spans"]}, sort_keys=True))
    assert prodigy_hash(task, ("spans", "label", "options", "arcs"), task["_input_hash"]) == expected
    assert task["_task_hash"] == expected
