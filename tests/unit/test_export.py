"""The exporters: record shapes, order, hashes, tokens, and what is left out."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest

from tui.core.errors import ExportError
from tui.core.formats import (
    TokenIndex,
    build_docbin,
    default_output_path,
    dumps,
    export,
    export_to_path,
    input_hash,
    iter_records,
    task_hash,
    write_jsonl,
)
from tui.core.models import Story
from tui.core.session import AnnotationSession
from tui.core.store import Store

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

TEXT_A = "The mayor said taxes will rise. Critics disagree."
TEXT_B = "Officials confirmed the plan on Monday."
TEXT_C = "A third article, in another story."


def _at(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


@pytest.fixture
def db(tmp_path: Path) -> dict:
    """Two stories; alice and bob annotate; one deleted span, one misaligned span,
    a same-document and a cross-document relation."""
    store = Store.open(tmp_path / "t.db")
    doc_a, _ = store.add_document("council", TEXT_A, title="Taxes", url="https://example.org/a", outlet="Gazette")
    doc_b, _ = store.add_document("council", TEXT_B, title="Plan", url="https://example.org/b")
    doc_c, _ = store.add_document("other", TEXT_C, title="Third")
    alice = AnnotationSession(store, "alice")
    bob = AnnotationSession(store, "bob")
    claim = alice.tag(doc_a.id, *_at(TEXT_A, "taxes will rise"), "CLAIM", attrs={"certainty": "reported"},
                      note="check")
    source = alice.tag(doc_a.id, *_at(TEXT_A, "The mayor"), "SOURCE")
    alice.link(claim.id, source.id)
    other_claim = alice.tag(doc_b.id, *_at(TEXT_B, "Officials confirmed the plan"), "CLAIM")
    alice.link(claim.id, other_claim.id, "same_as")
    gone = alice.tag(doc_a.id, *_at(TEXT_A, "Critics"), "SOURCE")
    alice.link(claim.id, gone.id)
    alice.delete(gone.id)
    bob_claim = bob.tag(doc_a.id, *_at(TEXT_A, "Critics disagree"), "CLAIM")
    # "ayor" starts inside a token: not on a spaCy token boundary.
    bob_odd = bob.tag(doc_a.id, *_at(TEXT_A, "ayor"), "SOURCE")
    bob.tag(doc_c.id, *_at(TEXT_C, "third article"), "CLAIM")
    yield {"store": store, "docs": (doc_a, doc_b, doc_c), "claim": claim, "source": source,
           "other_claim": other_claim, "gone": gone, "bob_claim": bob_claim, "bob_odd": bob_odd}
    store.close()


def _lines(store: Store, fmt: str, **kw) -> list[dict]:
    buf = io.BytesIO()
    write_jsonl(store, buf, fmt, **kw)
    raw = buf.getvalue().decode("utf-8")
    assert raw.endswith("\n")
    lines = raw.splitlines()
    for line in lines:  # keys sorted, the contract's exact serialisation (doccano: ASCII-escaped)
        assert line == json.dumps(json.loads(line), ensure_ascii=fmt == "doccano", sort_keys=True)
    return [json.loads(line) for line in lines]


# ------------------------------------------------------------------ tokens & hashes


def test_token_index_maps_aligned_and_expands_misaligned_spans() -> None:
    tokens = TokenIndex.of_text("Hello, world!")  # Hello | , | world | !
    assert tokens.starts == [0, 5, 7, 12]
    assert tokens.span(7, 12) == (2, 2, True)
    assert tokens.span(0, 6) == (0, 1, True)
    assert tokens.span(1, 5) == (0, 0, False)  # "ello": inside a token
    assert tokens.span(0, 7) == (0, 1, False)  # "Hello, " ends in whitespace
    assert tokens.span(6, 12) == (2, 2, False)  # " world" starts in whitespace


def test_hashes_are_prodigy_style_murmurhash_and_stable(db: dict) -> None:
    import murmurhash

    doc = db["docs"][0]
    assert input_hash(doc) == murmurhash.hash(json.dumps({"text": TEXT_A}, sort_keys=True, separators=(",", ":")))
    task = _lines(db["store"], "prodigy")[0]
    assert task["_input_hash"] == input_hash(doc)
    spans = json.dumps({"spans": task["spans"]}, sort_keys=True, separators=(",", ":"))
    assert task["_task_hash"] == task_hash(task) == murmurhash.hash(str(task["_input_hash"]) + spans)
    assert task_hash({**task, "spans": task["spans"][:1]}) != task["_task_hash"]
    assert -(2 ** 31) <= task["_task_hash"] < 2 ** 31


# ------------------------------------------------------------------ prodigy


@pytest.mark.parametrize("ascii_only", [False, True])
def test_prodigy_lines_are_the_bytes_of_their_tasks(db: dict, ascii_only: bool) -> None:
    """The writer builds each line key by key (sharing one document's text and tokens
    between its annotators): the bytes must be those of dumps() of the whole task."""
    from tui.core.formats import prodigy_record
    from tui.core.formats.records import ExportStats

    store = db["store"]
    doc, _ = store.add_document("council", "Zoë « dit » que le café — 東京 — ferme.", title="Café")
    AnnotationSession(store, "alice").tag(doc.id, 0, 3, "SOURCE")
    AnnotationSession(store, "bob").tag(doc.id, 4, 15, "CLAIM", attrs={"certainty": "reported"}, note="à vérifier ☕")
    buf = io.BytesIO()
    write_jsonl(store, buf, "prodigy", ascii_only=ascii_only)
    got = buf.getvalue().decode("utf-8").splitlines()
    want = []
    for rec in iter_records(store):
        task = prodigy_record(rec, TokenIndex.of_text(rec.document.text), ExportStats("prodigy"))
        want.append(dumps(task, ascii_only=ascii_only))
    assert len(got) == len(want) == 6
    assert got == want
    assert any("東京" in line for line in got) is not ascii_only


def test_prodigy_records_order_and_content(db: dict) -> None:
    recs = _lines(db["store"], "prodigy")
    assert [(r["meta"]["doc_id"], r["_annotator_id"]) for r in recs] == [(1, "alice"), (1, "bob"), (2, "alice"),
                                                                         (3, "bob")]
    first = recs[0]
    assert first["text"] == TEXT_A and first["answer"] == "accept"
    cross = first["meta"].pop("cross_document_relations")
    assert [r["label"] for r in cross] == ["same_as"]
    assert first["meta"] == {"doc_id": 1, "story": "council", "title": "Taxes", "outlet": "Gazette",
                             "url": "https://example.org/a", "author": "", "published": "",
                             "text_sha256": hashlib.sha256(TEXT_A.encode()).hexdigest()}
    assert [t["text"] for t in first["tokens"]][:4] == ["The", "mayor", "said", "taxes"]
    # spans by (start, end, label, id); the deleted "Critics" SOURCE is gone
    assert [(s["text"], s["label"]) for s in first["spans"]] == [("The mayor", "SOURCE"), ("taxes will rise", "CLAIM")]
    claim = first["spans"][1]
    assert claim["id"] == db["claim"].id
    assert claim["attrs"] == {"certainty": "reported"} and claim["note"] == "check" and claim["origin"] == "manual"
    assert claim["selector"] == {"exact": "taxes will rise", "prefix": "The mayor said ", "suffix": ". Critics disagree."}
    assert (claim["token_start"], claim["token_end"]) == (3, 5)  # The mayor said [taxes will rise] .


def test_prodigy_relations_same_and_cross_document(db: dict) -> None:
    buf = io.BytesIO()
    stats = write_jsonl(db["store"], buf, "prodigy")
    first = json.loads(buf.getvalue().decode().splitlines()[0])
    # the relation to the deleted span is not exported; same_as goes to meta
    assert first["relations"] == [{"head": 5, "child": 1, "label": "attributed_to",
                                   "head_span": {"start": 15, "end": 30, "label": "CLAIM", "token_start": 3,
                                                 "token_end": 5},
                                   "child_span": {"start": 0, "end": 9, "label": "SOURCE", "token_start": 0,
                                                  "token_end": 1}}]
    assert first["meta"]["cross_document_relations"] == [
        {"label": "same_as",
         "head": {"text_sha256": hashlib.sha256(TEXT_A.encode()).hexdigest(), "start": 15, "end": 30,
                  "label": "CLAIM"},
         "child": {"text_sha256": hashlib.sha256(TEXT_B.encode()).hexdigest(), "start": 0, "end": 28,
                   "label": "CLAIM"}}]
    assert sum(stats.losses.values()) == 1 and stats.relations == 1


def test_prodigy_spans_load_into_spacy_with_strict_alignment(tmp_path: Path) -> None:
    """Every aligned span's token_start/token_end agree with spaCy's own char_span."""
    import spacy

    store = Store.open(tmp_path / "s.db")
    session = AnnotationSession(store, "alice")
    texts = {}
    for path in sorted(SEEDS.glob("*.txt")):
        doc, _ = store.add_document("seeds", path.read_text(encoding="utf-8"), title=path.stem)
        texts[doc.id] = doc.text
        for quote, label in (("Taliban", "SOURCE"), ("Islamic State", "SOURCE"), ("special forces", "CLAIM")):
            start = doc.text.find(quote)
            if start >= 0:
                session.tag(doc.id, start, start + len(quote), label)
    recs = _lines(store, "prodigy")
    store.close()
    nlp = spacy.blank("en")
    checked = 0
    for rec in recs:
        doc = nlp(rec["text"])
        for span in rec["spans"]:
            sp = doc.char_span(span["start"], span["end"], alignment_mode="strict")
            assert sp is not None, span
            assert (sp.start, sp.end - 1) == (span["token_start"], span["token_end"])
            assert sp.text == span["text"]
            checked += 1
    assert checked >= 4


def test_misaligned_span_is_kept_in_prodigy_with_covering_tokens_and_reported(db: dict) -> None:
    buf = io.BytesIO()
    stats = write_jsonl(db["store"], buf, "prodigy")
    bob = [json.loads(line) for line in buf.getvalue().decode().splitlines()][1]
    odd = next(s for s in bob["spans"] if s["id"] == db["bob_odd"].id)
    assert (odd["start"], odd["end"], odd["token_start"], odd["token_end"]) == (5, 9, 1, 1)
    assert [p.ann_id for p in stats.misaligned] == [db["bob_odd"].id]
    assert "ayor" in stats.misaligned[0].describe()


def test_rejected_status_is_not_a_span(db: dict) -> None:
    store = db["store"]
    row = store.row("annotation", db["bob_claim"].id)
    store.write_batch("bob", "t", [("annotation", row["id"], {**row, "status": "rejected"})], "reject")
    bob = [r for r in _lines(store, "prodigy") if r["_annotator_id"] == "bob" and r["meta"]["doc_id"] == 1][0]
    assert [s["id"] for s in bob["spans"]] == [db["bob_odd"].id]


def test_filters_by_annotator_and_story(db: dict) -> None:
    store = db["store"]
    assert {r["_annotator_id"] for r in _lines(store, "prodigy", annotator="bob")} == {"bob"}
    council = store.story_by_title("council")
    recs = _lines(store, "prodigy", story=council)
    assert {r["meta"]["story"] for r in recs} == {"council"} and len(recs) == 3
    # alice's same_as relation points outside the filtered annotator: not when filtering bob
    assert all(r["relations"] == [] for r in _lines(store, "prodigy", annotator="bob"))


def test_export_is_deterministic(db: dict) -> None:
    for fmt in ("prodigy", "doccano", "flat", "spacy"):
        one, two = io.BytesIO(), io.BytesIO()
        export(db["store"], fmt, one)
        export(db["store"], fmt, two)
        assert one.getvalue() == two.getvalue(), fmt


def test_progress_is_called_per_document_and_records_stream(db: dict) -> None:
    calls = []
    it = iter_records(db["store"], progress=lambda done, total: calls.append((done, total)))
    first = next(it)  # lazily: the first record comes before later documents are read
    assert first.document.id == 1 and calls == []
    list(it)
    assert calls == [(1, 2), (2, 2), (1, 1)]


# ------------------------------------------------------------------ doccano & flat


def test_doccano_shape(db: dict) -> None:
    first = _lines(db["store"], "doccano")[0]
    assert set(first) == {"text", "label", "entities", "relations", "meta", "annotator"}
    assert first["label"] == [[0, 9, "SOURCE"], [15, 30, "CLAIM"]]
    assert first["entities"][1] == {"id": 2, "start_offset": 15, "end_offset": 30, "label": "CLAIM"}
    # only the same-document relation: doccano cannot point into another record
    assert first["relations"] == [{"id": 1, "from_id": 2, "to_id": 1, "type": "attributed_to"}]
    assert first["annotator"] == "alice" and first["meta"]["doc_id"] == 1


def test_flat_shape(db: dict) -> None:
    rows = _lines(db["store"], "flat")
    assert len(rows) == 6  # live spans: alice 2 + 1, bob 2 + 1
    claim = next(r for r in rows if r["id"] == db["claim"].id)
    assert claim["selector"] == {"type": "TextQuoteSelector", "exact": "taxes will rise", "prefix": "The mayor said ",
                                 "suffix": ". Critics disagree."}
    assert claim["position"] == {"type": "TextPositionSelector", "start": 15, "end": 30}
    assert claim["relations"] == sorted([{"child": db["source"].id, "label": "attributed_to"},
                                         {"child": db["other_claim"].id, "label": "same_as"}],
                                        key=lambda r: (r["label"], r["child"]))
    assert (claim["doc_id"], claim["story"], claim["title"], claim["url"], claim["annotator"]) == \
        (1, "council", "Taxes", "https://example.org/a", "alice")
    assert "text" not in claim


# ------------------------------------------------------------------ spacy


def test_docbin_has_spans_per_label_and_sc_and_leaves_out_misaligned(db: dict, tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    path = tmp_path / "out.spacy"
    stats = export_to_path(db["store"], "spacy", path)
    docs = list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))
    assert len(docs) == 4 == stats.records
    alice = docs[0]
    assert alice.user_data["annotator"] == "alice" and alice.user_data["meta"]["title"] == "Taxes"
    assert [(s.text, s.label_) for s in alice.spans["sc"]] == [("The mayor", "SOURCE"), ("taxes will rise", "CLAIM")]
    assert [s.text for s in alice.spans["CLAIM"]] == ["taxes will rise"]
    assert alice.spans["CLAIM"][0].id_ == db["claim"].id
    bob = docs[1]
    assert [s.text for s in bob.spans["sc"]] == ["Critics disagree"]  # "ayor" left out ...
    assert [p.ann_id for p in stats.misaligned] == [db["bob_odd"].id]  # ... and reported
    assert stats.spans == 5


def test_build_docbin_keeps_records_order(db: dict) -> None:
    import spacy

    docbin, _ = build_docbin(db["store"], annotator="bob")
    docs = list(docbin.get_docs(spacy.blank("en").vocab))
    assert [(d.user_data["meta"]["doc_id"], d.user_data["annotator"]) for d in docs] == [(1, "bob"), (3, "bob")]


# ------------------------------------------------------------------ files


def test_export_to_path_is_atomic_on_failure(db: dict, tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text("old\n")
    with pytest.raises(ExportError):
        export_to_path(db["store"], "xml", path)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".x.jsonl")] == []


def test_default_output_path() -> None:
    assert default_output_path("prodigy") == Path("annotations/all-prodigy.jsonl")
    assert default_output_path("spacy", Story(3, "Kabul: Forces / 2021")) == Path("annotations/kabul-forces-2021-spacy.spacy")
    assert default_output_path("flat", Story(4, "///")) == Path("annotations/story-4-flat.jsonl")


def test_dumps_keeps_unicode_and_sorts_keys() -> None:
    assert dumps({"b": "é", "a": 1}) == '{"a": 1, "b": "é"}'
