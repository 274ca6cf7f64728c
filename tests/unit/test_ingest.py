"""Ingest: decoding, flagged regions, metadata, JSONL validation, and atomic writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.core.errors import IngestError, StoreError
from tui.core.ingest import (
    ImportOptions,
    ImportTarget,
    collect_targets,
    import_file,
    parse_size,
    read_limited,
)
from tui.core.ingest.jsonl import parse_jsonl, split_lines
from tui.core.ingest.regions import MIN_REPEAT_CHARS, boilerplate_regions, detect_regions, repeated_regions
from tui.core.ingest.txt import decode_text, extract_metadata, short_title
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession
from tui.core.store import Store, sha256_text

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_000 = SEEDS / "000_26c581c9b022c814.txt"
SEED_001 = SEEDS / "001_b99049fc623f2364.txt"


def seed_text(path: Path) -> str:
    return decode_text(str(path), path.read_bytes())[0]


def snapshot(store: Store) -> dict:
    """Everything an import may touch, to prove a failed one touched nothing."""
    return {
        "stats": store.stats(),
        "documents": [(d.id, d.text_sha256, d.title) for d in store.documents()],
        "annotations": [(a.id, a.doc_id, a.annotator, a.start, a.end, a.label)
                        for a in store.annotations(include_deleted=True)],
        "relations": [(r.id, r.head_id, r.tail_id) for r in store.relations(include_deleted=True)],
        "events": len(store.events()),
        "regions": [(r.doc_id, r.start, r.end, r.kind) for d in store.documents() for r in store.regions(d.id)],
    }


def options(**kw) -> ImportOptions:
    kw.setdefault("annotator", "tester")
    kw.setdefault("schema", DEFAULT_SCHEMA)
    return ImportOptions(**kw)


def write_jsonl(path: Path, records: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n"
                            for r in records), encoding="utf-8")
    return path


def run(store: Store, path: Path, **kw):
    return import_file(store, ImportTarget(path, kw.pop("story", "test")), options(**kw))


# ---------------------------------------------------------------- decoding


def test_decode_strips_bom_and_normalises_line_ends():
    text, done = decode_text("f", (DATA / "bom_crlf.txt").read_bytes())
    assert text == "A short title\n\nFirst paragraph.\nSecond paragraph.\nThird.\n"
    assert done == ["bom", "newlines"]


def test_decode_plain_utf8_is_unchanged():
    raw = SEED_000.read_bytes()
    text, done = decode_text("f", raw)
    assert text == raw.decode("utf-8") and done == []


def test_invalid_utf8_names_byte_offset_and_line():
    data = (DATA / "invalid_utf8.txt").read_bytes()
    with pytest.raises(IngestError) as info:
        decode_text("invalid_utf8.txt", data)
    offset = data.index(b"\xe9 in")
    assert offset == 28
    msg = str(info.value)
    assert f"byte offset {offset}" in msg and "invalid_utf8.txt:3:" in msg
    assert "[D020]" in msg and "iconv" in msg
    assert info.value.line == 3


@pytest.mark.parametrize("name, words", [
    ("empty.txt", "empty"),
    ("blank.txt", "only whitespace"),
    ("nul_byte.txt", "NUL byte at byte offset 15"),
    ("utf16.txt", "UTF-16"),
])
def test_bad_text_files_are_refused(name, words):
    with pytest.raises(IngestError) as info:
        decode_text(name, (DATA / name).read_bytes())
    assert words in str(info.value)


@pytest.mark.parametrize("data, what", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
    (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"SQLite format 3\x00\x10\x00", "SQLite"),
    (bytes(range(1, 32)) * 20, "binary"),
])
def test_binary_signatures_are_named(data, what):
    with pytest.raises(IngestError) as info:
        decode_text("x", data)
    assert what in str(info.value)


def test_escape_sequences_are_text_not_binary():
    text, _ = decode_text("h", (DATA / "hostile_markup.txt").read_bytes())
    assert "\x1b[31m" in text and "[bold red]" in text


def test_read_limited_refuses_big_files_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 5000)
    assert read_limited(big, 5000) == b"a" * 5000
    with pytest.raises(IngestError) as info:
        read_limited(big, 4999)
    assert "5000 bytes, over the limit of 4999 bytes" in str(info.value)
    assert "--max-size 6KB" in str(info.value)


def test_read_limited_refuses_folders_and_missing(tmp_path):
    with pytest.raises(IngestError, match="no such file"):
        read_limited(tmp_path / "nope.txt", 100)
    with pytest.raises(IngestError, match="not a regular file"):
        read_limited(tmp_path, 100)


@pytest.mark.parametrize("value, size", [
    ("10MB", 10 * 1024**2), ("512k", 512 * 1024), ("1048576", 1048576), ("1.5 GiB", int(1.5 * 1024**3)),
    ("100b", 100), (42, 42),
])
def test_parse_size(value, size):
    assert parse_size(value) == size


@pytest.mark.parametrize("value", ["ten", "10XB", "0", "-5", ""])
def test_parse_size_rejects(value):
    with pytest.raises(ValueError):
        parse_size(value)


# ---------------------------------------------------------------- regions


def test_seed_000_second_copy_is_flagged_repeated():
    text = seed_text(SEED_000)
    lines = text.split("\n")
    # Lines 1-5 (paragraphs, author, url) are repeated as lines 6-10.
    assert lines[1:6] == lines[6:11]
    start = text.index(lines[6], text.index(lines[6]) + 1)
    end = start + len("\n".join(lines[6:11]))
    assert repeated_regions(text) == [(start, end)]
    # The first copy is the original and stays unflagged.
    assert text.index(lines[1]) < start


def test_seed_000_comment_leftovers_byline_and_url_are_boilerplate():
    text = seed_text(SEED_000)
    (s1, e1), (s2, e2) = boilerplate_regions(text)
    byline_url = "Joseph Fitsanakis\nhttps://intelnews.org/2021/11/01/01-3098/"
    assert text[s1:e1] == byline_url
    assert text[s2:e2] == byline_url + "\nNo comments :\nPost a Comment"
    assert e2 == len(text)  # glued to the end, no trailing newline


def test_seed_001_repeated_title_and_source_line_are_flagged():
    text = seed_text(SEED_001)
    title = text.split("\n")[0]
    second = text.index(title, 1)
    source = text.index("Source: Sputnik News")
    assert detect_regions(text) == [(second, second + len(title), "repeated"),
                                    (source, source + len("Source: Sputnik News"), "boilerplate")]


def test_short_repeats_and_inline_phrases_are_not_flagged_repeated():
    text = ("Photo: AP\nA first paragraph that is long enough to matter here.\nPhoto: AP\n"
            "Readers may post a comment below.\nAnother paragraph.\n")
    assert len("Photo: AP") < MIN_REPEAT_CHARS
    # The credit lines are boilerplate (not a repeat); the sentence about comments is content.
    assert [(text[s:e], k) for s, e, k in detect_regions(text)] == [("Photo: AP", "boilerplate")] * 2


def test_repeats_compare_collapsed_whitespace():
    para = "The same paragraph appears twice in this scraped article text."
    text = f"{para}\n\n{para.replace(' ', '  ')}  \n"
    (s, e), = repeated_regions(text)
    assert text[s:e].strip() == para.replace(" ", "  ")


def test_detect_regions_keeps_text_and_sorts():
    text = seed_text(SEED_000)
    regions = detect_regions(text)
    assert [k for _s, _e, k in regions] == ["boilerplate", "repeated", "boilerplate"]
    assert all(0 <= s < e <= len(text) for s, e, _k in regions)


# ---------------------------------------------------------------- metadata


def test_seed_000_metadata():
    meta = extract_metadata(seed_text(SEED_000), stem="000_26c581c9b022c814")
    assert meta.url == "https://intelnews.org/2021/11/01/01-3098/"
    assert meta.outlet == "intelnews.org"
    assert meta.author == "Joseph Fitsanakis"
    assert meta.published == "2021-11-01"
    # No title line: the first sentence, cut at a word boundary.
    assert meta.title_rule == "first_sentence"
    assert meta.title.startswith("SMALL BUT GROWING NUMBERS of American-trained")
    assert meta.title.endswith("…") and len(meta.title) <= 81


def test_seed_001_metadata():
    meta = extract_metadata(seed_text(SEED_001))
    assert meta.title == ("Ex-Afghan special forces troops and intelligence officers reportedly joining "
                          "Islamic State to fight Taliban")
    assert meta.title_rule == "first_line"
    assert meta.outlet == "Sputnik News"
    assert (meta.url, meta.author) == ("", "")


def test_byline_and_www_host():
    text = "Big news today\nBy Jane Doe, Reuters\n\nSomething happened in the city.\nhttps://www.example.com/x\n"
    meta = extract_metadata(text)
    assert (meta.title, meta.author, meta.outlet) == ("Big news today", "Jane Doe", "example.com")


def test_source_line_beats_url_host():
    text = "Headline\n\nBody text here.\nSource: Example Times\nhttps://example.com/story\n"
    meta = extract_metadata(text)
    assert meta.outlet == "Example Times" and meta.url == "https://example.com/story"


def test_name_line_needs_url_or_source_beside_it():
    text = "Headline\n\nThe troops were trained by US Navy SEALS and by the\nGreen Berets\n"
    assert extract_metadata(text).author == ""


def test_url_inside_paragraph_is_not_the_url():
    text = "Headline\n\nRead more at https://example.com/a in the report.\n"
    assert extract_metadata(text).url == ""


def test_title_falls_back_to_stem():
    assert extract_metadata("https://example.com/only-a-link\n", stem="article-7").title == "article-7"


def test_short_title():
    assert short_title("word " * 40, 20) == "word word word word…"
    assert short_title("short", 20) == "short"


# ---------------------------------------------------------------- JSONL validation


def parse_one(record, text_schema=DEFAULT_SCHEMA):
    line = record if isinstance(record, str) else json.dumps(record)
    return parse_jsonl("f.jsonl", "\n\n" + line + "\n", text_schema)


@pytest.mark.parametrize("record, words", [
    ('{"text": "abc", ', "not valid JSON"),
    ("[1, 2]", "expected a JSON object, got a list"),
    ({"title": "x"}, "neither \"text\""),
    ({"text": 5}, "text must be a string, got a number"),
    ({"text": "  "}, "\"text\" is empty"),
    ({"text": "abc", "meta": []}, "meta must be an object"),
    ({"text": "abc", "meta": {"title": 3}}, "meta.title must be a string"),
    ({"text": "abc", "spans": {}}, "spans must be a list"),
    ({"text": "abc", "spans": [{"start": "0", "end": 2, "label": "CLAIM"}]}, "spans[0].start must be an integer"),
    ({"text": "abc", "spans": [{"start": True, "end": 2, "label": "CLAIM"}]}, "spans[0].start must be an integer"),
    ({"text": "abc", "spans": [{"start": 0.0, "end": 2, "label": "CLAIM"}]}, "spans[0].start must be an integer"),
    ({"text": "abc", "spans": [{"start": 2, "end": 2, "label": "CLAIM"}]}, "start 2 is not before end 2"),
    ({"text": "abc", "spans": [{"start": 2, "end": 1, "label": "CLAIM"}]}, "start 2 is not before end 1"),
    ({"text": "abc", "spans": [{"start": 1, "end": 9, "label": "CLAIM"}]}, "outside the text"),
    ({"text": "abc", "spans": [{"start": -1, "end": 2, "label": "CLAIM"}]}, "starts before the text"),
    ({"text": "abc", "spans": [{"start": 0, "end": 2}]}, "spans[0] has no \"label\""),
    ({"text": "abc", "spans": [{"start": 0, "end": 2, "label": "PERSON"}]}, "unknown label 'PERSON'"),
    ({"text": "abc", "spans": [{"start": 0, "end": 2, "label": "CLAIM", "attrs": {"mood": "x"}}]},
     "CLAIM has no attribute 'mood'"),
    ({"text": "abc", "spans": [{"start": 0, "end": 2, "label": "CLAIM", "attrs": {"certainty": "sure"}}]},
     "'sure' is not a choice"),
    ({"text": "abc", "spans": [{"start": 0, "end": 2, "label": "CLAIM", "text": "bc"}]}, "differs from"),
    ({"text": "abc", "label": [[0, 2]]}, "label[0] must be [start, end, \"LABEL\"]"),
    ({"text": "abc", "entities": [{"start_offset": 0, "label": "CLAIM"}]}, "entities[0] has no \"end_offset\""),
    ({"text": "abc", "spans": [], "relations": [{"head": "a", "child": "b", "label": "likes"}]},
     "unknown relation type 'likes'"),
    ({"text": "abc", "_annotator_id": 7}, "_annotator_id must be a string"),
    ({"selector": {"exact": "abc"}, "start": 0, "end": 3, "label": "CLAIM"}, "needs \"text_sha256\", \"url\""),
    ({"selector": {"exact": "abc"}, "label": "CLAIM", "url": "u"}, "needs \"start\" and \"end\""),
    ({"selector": {"exact": ""}, "start": 0, "end": 3, "label": "CLAIM", "url": "u"}, "selector.exact must not be empty"),
])
def test_jsonl_errors_name_line_and_field(record, words):
    with pytest.raises(IngestError) as info:
        parse_one(record)
    assert words in str(info.value)
    assert str(info.value).startswith("[D020] f.jsonl:3: ")
    assert info.value.line == 3


def test_jsonl_lone_surrogate_is_refused():
    with pytest.raises(IngestError) as info:
        parse_one('{"text": "abc \\ud800 def"}')
    assert "unpaired surrogate (\\ud800)" in str(info.value) and info.value.line == 3
    # A proper escaped pair is fine.
    assert parse_one('{"text": "emoji \\ud83d\\ude00"}').documents[0].text == "emoji \U0001F600"


def test_jsonl_lines_split_on_newline_only():
    # U+2028 and U+0085 are line breaks to str.splitlines, but legal inside JSON strings.
    text = "para one\u2028still one\x85and still"
    record = json.dumps({"text": text, "spans": [{"start": 0, "end": 4, "label": "CLAIM"}]}, ensure_ascii=False)
    assert split_lines(record + "\n") == [(1, record)]
    parsed = parse_jsonl("f", record + "\n", DEFAULT_SCHEMA)
    assert parsed.documents[0].text == text


def test_jsonl_shapes_are_detected():
    parsed = parse_jsonl("f", "\n".join([
        json.dumps({"text": "abc", "spans": [{"start": 0, "end": 2, "label": "CLAIM"}]}),
        json.dumps({"text": "abc", "label": [[0, 2, "CLAIM"]]}),
        json.dumps({"text": "abc", "entities": [{"id": 4, "start_offset": 1, "end_offset": 3, "label": "SOURCE"}],
                    "label": [[0, 2, "CLAIM"]]}),
        json.dumps({"selector": {"exact": "ab"}, "start": 0, "end": 2, "label": "CLAIM", "url": "u"}),
    ]), DEFAULT_SCHEMA)
    assert [d.fmt for d in parsed.documents] == ["prodigy", "doccano", "doccano"]
    # entities win over the label list; integer doccano ids are local to the record, not kept as ids.
    assert [(s.start, s.end, s.label, s.id) for s in parsed.documents[2].spans] == [(1, 3, "SOURCE", None)]
    assert len(parsed.flats) == 1


def test_malformed_fixture_points_at_its_line():
    with pytest.raises(IngestError) as info:
        parse_jsonl("malformed.jsonl", (DATA / "malformed.jsonl").read_text(), DEFAULT_SCHEMA)
    assert "malformed.jsonl:3: not valid JSON" in str(info.value)


# ---------------------------------------------------------------- writing


@pytest.fixture
def db(tmp_path):
    st = Store.open(tmp_path / "t.db")
    yield st
    st.close()


def test_txt_import_and_reimport(db, tmp_path):
    res = run(db, SEED_000, story="seeds")
    assert res.status == "imported" and res.new_documents == 1
    doc = res.documents[0]
    assert doc.url.startswith("https://intelnews.org/") and doc.author == "Joseph Fitsanakis"
    assert doc.text == SEED_000.read_text(encoding="utf-8")  # nothing removed
    assert [(r.start, r.end, r.kind) for r in db.regions(doc.id)] == detect_regions(doc.text)
    before = snapshot(db)
    again = run(db, SEED_000, story="other")
    assert again.status == "skipped" and again.documents[0].id == doc.id and again.story == "seeds"
    assert snapshot(db) == before


def test_crlf_copy_of_a_text_is_the_same_document(db, tmp_path):
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(b"\xef\xbb\xbf" + SEED_001.read_bytes().replace(b"\n", b"\r\n"))
    assert run(db, SEED_001).status == "imported"
    assert run(db, crlf).status == "skipped"


def prodigy_line(text, spans, **extra):
    return {"text": text, "spans": spans, **extra}


TEXT = "Officials said the army collapsed. Analysts blamed corruption."


def test_jsonl_spans_attach_once_per_annotator(db, tmp_path):
    spans = [{"start": 0, "end": 9, "label": "SOURCE"}, {"start": 15, "end": 33, "label": "CLAIM",
                                                         "attrs": {"certainty": "reported"}, "note": "n"}]
    f = write_jsonl(tmp_path / "a.jsonl", [prodigy_line(TEXT, spans, meta={"title": "T", "story": "S"})])
    res = run(db, f)
    assert (res.status, res.new_documents, res.spans_new) == ("imported", 1, 2)
    doc = res.documents[0]
    assert (doc.title, db.story(doc.story_id).title) == ("T", "S")
    anns = db.annotations(doc.id)
    assert {(a.annotator, a.label, a.origin) for a in anns} == {("tester", "SOURCE", "import:prodigy"),
                                                                  ("tester", "CLAIM", "import:prodigy")}
    claim = next(a for a in anns if a.label == "CLAIM")
    assert claim.attrs == {"certainty": "reported"} and claim.note == "n" and claim.quote == TEXT[15:33]

    # The same file again: nothing new.
    before = snapshot(db)
    res2 = run(db, f)
    assert (res2.status, res2.spans_existing, res2.spans_new) == ("skipped", 2, 0)
    assert snapshot(db) == before

    # Another annotator's spans attach to the existing document.
    g = write_jsonl(tmp_path / "b.jsonl", [prodigy_line(TEXT, spans[:1], _annotator_id="bob")])
    res3 = run(db, g)
    assert (res3.status, res3.new_documents, res3.spans_new) == ("imported", 0, 1)
    assert [a.annotator for a in db.annotations(doc.id, "bob")] == ["bob"]
    assert len(db.documents()) == 1


def test_duplicate_span_within_one_file_is_stored_once(db, tmp_path):
    span = {"start": 0, "end": 9, "label": "SOURCE"}
    f = write_jsonl(tmp_path / "a.jsonl", [prodigy_line(TEXT, [span, span]), prodigy_line(TEXT, [span])])
    res = run(db, f)
    assert (res.spans_new, res.spans_existing) == (1, 2)
    assert len(db.annotations()) == 1


def test_bad_line_anywhere_leaves_database_unchanged(db, tmp_path):
    run(db, SEED_001)
    before = snapshot(db)
    f = write_jsonl(tmp_path / "a.jsonl", [
        prodigy_line(TEXT, [{"start": 0, "end": 9, "label": "SOURCE"}]),
        prodigy_line("Second document text.", []),
        prodigy_line("Third.", [{"start": 0, "end": 99, "label": "CLAIM"}]),
    ])
    res = run(db, f)
    assert res.status == "failed" and res.error.line == 3 and "outside the text" in str(res.error)
    assert snapshot(db) == before


def test_database_failure_is_reported_and_the_import_resumes(db, tmp_path, monkeypatch):
    # A validated file is written in chunks (ingest/resume.py), no longer in one
    # transaction: a database failure leaves what was committed (here the
    # document) and the same import run again finishes it without duplicates.
    def broken(*args, **kwargs):
        raise StoreError("disk is full (simulated)")

    monkeypatch.setattr(db, "write_chunked", broken)
    f = write_jsonl(tmp_path / "a.jsonl", [prodigy_line(TEXT, [{"start": 0, "end": 9, "label": "SOURCE"}])])
    res = run(db, f)
    assert res.status == "failed" and "simulated" in str(res.error)
    monkeypatch.undo()
    again = run(db, f)
    assert again.status == "imported" and again.spans_new == 1 and again.new_documents == 0
    assert len(db.documents()) == 1 and len(db.annotations(again.documents[0].id)) == 1


def test_import_is_undoable_by_its_annotator(db, tmp_path):
    f = write_jsonl(tmp_path / "a.jsonl", [prodigy_line(TEXT, [{"start": 0, "end": 9, "label": "SOURCE"},
                                                              {"start": 15, "end": 33, "label": "CLAIM"}])])
    run(db, f)
    events = db.events("tester")
    assert len(events) == 2 and len({e["batch"] for e in events}) == 1
    session = AnnotationSession(db, "tester", DEFAULT_SCHEMA)
    step = session.undo()
    assert step is not None and "a.jsonl" in step.summary
    assert db.annotations() == []


def test_ids_kept_when_free_and_relations_follow_renamed_ids(db, tmp_path):
    text2 = "A different article about the army."
    first = write_jsonl(tmp_path / "a.jsonl", [prodigy_line(text2, [{"id": "x1", "start": 2, "end": 11,
                                                                      "label": "CLAIM"}])])
    run(db, first)
    assert db.annotation("x1") is not None
    # "x1" is taken now: the new span gets a fresh id and the relation still finds it.
    f = write_jsonl(tmp_path / "b.jsonl", [prodigy_line(
        TEXT, [{"id": "x1", "start": 0, "end": 9, "label": "SOURCE"},
               {"id": "c1", "start": 15, "end": 33, "label": "CLAIM"}],
        relations=[{"head": "c1", "child": "x1", "label": "attributed_to"}])])
    res = run(db, f)
    assert (res.spans_new, res.relations_new) == (2, 1)
    doc = res.documents[0]
    source = next(a for a in db.annotations(doc.id) if a.label == "SOURCE")
    assert source.id != "x1" and db.annotation("c1") is not None
    (rel,) = db.relations()
    assert (rel.head_id, rel.tail_id, rel.type) == ("c1", source.id, "attributed_to")
    # Re-import: the relation is not stored twice.
    res2 = run(db, f)
    assert (res2.relations_new, res2.relations_existing) == (0, 1) and len(db.relations()) == 1


def test_cross_document_relation_resolved_after_all_lines(db, tmp_path):
    other = "Officials insisted the army had simply collapsed."
    f = write_jsonl(tmp_path / "a.jsonl", [
        prodigy_line(TEXT, [{"id": "h", "start": 15, "end": 33, "label": "CLAIM"}],
                     relations=[{"head": "h", "child": "t", "label": "same_as",
                                 "child_doc": {"text_sha256": sha256_text(other), "start": 23, "end": 49,
                                               "label": "CLAIM"}}]),
        prodigy_line(other, [{"id": "t", "start": 23, "end": 49, "label": "CLAIM"}]),
    ])
    res = run(db, f)
    assert res.relations_new == 1 and not res.warnings
    (rel,) = db.relations()
    assert (rel.head_id, rel.tail_id, rel.type) == ("h", "t", "same_as")
    assert db.annotation("h").doc_id != db.annotation("t").doc_id


def test_third_party_prodigy_relations_by_token_index(db, tmp_path):
    # Prodigy's own relations name tokens in head/child; head_span/child_span settle it.
    f = write_jsonl(tmp_path / "a.jsonl", [prodigy_line(
        TEXT, [{"start": 0, "end": 9, "label": "SOURCE", "token_start": 0, "token_end": 0},
               {"start": 15, "end": 33, "label": "CLAIM"}],
        relations=[{"head": 3, "child": 0, "label": "attributed_to",
                    "head_span": {"start": 15, "end": 33, "label": "CLAIM"},
                    "child_span": {"start": 0, "end": 9, "label": "SOURCE"}}],
        answer="accept", _input_hash=1, _task_hash=2)])
    res = run(db, f)
    assert res.relations_new == 1
    (rel,) = db.relations()
    assert db.annotation(rel.head_id).label == "CLAIM" and db.annotation(rel.tail_id).label == "SOURCE"


def test_rejected_prodigy_answers_bring_no_spans(db, tmp_path):
    f = write_jsonl(tmp_path / "a.jsonl", [prodigy_line(TEXT, [{"start": 0, "end": 9, "label": "SOURCE"}],
                                                        answer="reject")])
    res = run(db, f)
    assert res.spans_new == 0 and db.annotations() == [] and "reject" in res.warnings[0]


def test_unresolvable_relation_is_reported_not_guessed(db, tmp_path):
    f = write_jsonl(tmp_path / "a.jsonl", [prodigy_line(
        TEXT, [{"id": "h", "start": 15, "end": 33, "label": "CLAIM"}],
        relations=[{"head": "h", "child": "ghost", "label": "attributed_to"}])])
    res = run(db, f)
    assert res.relations_new == 0 and db.relations() == []
    assert "child span is neither in this file" in res.warnings[0] and "a.jsonl:1" in res.warnings[0]


def test_doccano_import(db, tmp_path):
    f = write_jsonl(tmp_path / "d.jsonl", [{
        "text": TEXT, "annotator": "carol",
        "entities": [{"id": 1, "start_offset": 0, "end_offset": 9, "label": "SOURCE"},
                     {"id": 2, "start_offset": 15, "end_offset": 33, "label": "CLAIM"}],
        "relations": [{"id": 9, "from_id": 2, "to_id": 1, "type": "attributed_to"}]}])
    res = run(db, f)
    assert (res.spans_new, res.relations_new) == (2, 1)
    assert {a.origin for a in db.annotations()} == {"import:doccano"}
    assert {a.annotator for a in db.annotations()} == {"carol"}
    (rel,) = db.relations()
    assert db.annotation(rel.head_id).label == "CLAIM"


# ---------------------------------------------------------------- flat records


def flat(doc_text, start, end, **kw):
    from tui.core.anchoring import make_selector

    sel = make_selector(doc_text, start, end)
    rec = {"id": kw.pop("id", None), "annotator": "alice", "label": kw.pop("label", "CLAIM"), "start": start,
           "end": end, "selector": {"type": "TextQuoteSelector", **sel},
           "position": {"type": "TextPositionSelector", "start": start, "end": end},
           "attrs": {}, "note": "", "origin": "manual", "relations": []}
    rec.update(kw)
    return rec


def test_flat_reanchors_on_changed_text_and_reports_orphans(db, tmp_path):
    old = "Officials said the army collapsed. Analysts blamed corruption. Nobody else spoke."
    new = "UPDATED: " + old.replace(" Nobody else spoke.", "")
    db.add_document("s", new, title="Army story", url="https://example.com/army")
    moved = flat(old, old.index("Analysts blamed"), old.index("corruption") + len("corruption"),
                 text_sha256=sha256_text(old), url="https://example.com/army", title="Army story")
    gone = flat(old, old.index("Nobody"), old.index("spoke") + 5, label="SOURCE",
                text_sha256=sha256_text(old), url="https://example.com/army")
    lost = flat(old, 0, 9, text_sha256=sha256_text("x"), url="https://example.com/missing")
    f = write_jsonl(tmp_path / "flat.jsonl", [moved, gone, lost])
    res = run(db, f)
    assert res.status == "imported" and res.spans_new == 1
    (ann,) = db.annotations()
    assert new[ann.start:ann.end] == "Analysts blamed corruption" and ann.start == old.index("Analysts") + 9
    assert len(res.orphans) == 2
    assert "flat.jsonl:2: SOURCE “Nobody else spoke”" in res.orphans[0] and "text differs" in res.orphans[0]
    assert "flat.jsonl:3:" in res.orphans[1] and "no document" in res.orphans[1]


def test_flat_relations_and_ids(db, tmp_path):
    db.add_document("s", TEXT)
    f = write_jsonl(tmp_path / "flat.jsonl", [
        flat(TEXT, 15, 33, id="c", text_sha256=sha256_text(TEXT),
             relations=[{"child": "s", "label": "attributed_to"}]),
        flat(TEXT, 0, 9, id="s", label="SOURCE", text_sha256=sha256_text(TEXT)),
    ])
    res = run(db, f)
    assert (res.spans_new, res.relations_new) == (2, 1)
    (rel,) = db.relations()
    assert (rel.head_id, rel.tail_id, rel.annotator) == ("c", "s", "alice")


def test_flat_ambiguous_title_is_an_orphan(db, tmp_path):
    db.add_document("s", TEXT, title="Same")
    db.add_document("s", TEXT + " More.", title="Same")
    f = write_jsonl(tmp_path / "flat.jsonl", [flat("zz" + TEXT, 2, 11, title="Same")])
    res = run(db, f)
    assert res.spans_new == 0 and "2 documents match" in res.orphans[0]


# ---------------------------------------------------------------- collecting files


def test_collect_targets_folder(tmp_path):
    folder = tmp_path / "My Story"
    folder.mkdir()
    for name in ["b.txt", "a.jsonl", ".hidden.txt", "notes.md", "x.txt~"]:
        (folder / name).write_text("x")
    (folder / "sub").mkdir()
    targets, failures, notes = collect_targets([folder])
    assert [t.path.name for t in targets] == ["a.jsonl", "b.txt"]
    assert {t.story for t in targets} == {"My Story"}
    assert failures == [] and "notes.md" in notes[0] and "sub/" in notes[0]


def test_collect_targets_empty_folder_fails(tmp_path):
    targets, failures, _ = collect_targets([tmp_path])
    assert targets == [] and failures[0].status == "failed"


def test_lone_file_story_is_its_folder(tmp_path):
    targets, _, _ = collect_targets([SEED_000])
    assert targets[0].story == "seeds"


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("a.txt", b"[Update] The mayor said", "txt"),
    ("article", b"[Update] The mayor said", "txt"),
    ("tasks.json", b'[{"data": {"text": "x"}}]', "labelstudio"),
    ("export", b' [\n {"data": {"text": "x"}}]', "labelstudio"),
    ("anno.jsonld", b'{"id": 1}', "w3c"),
    ("anno", b'{"@context": "http://www.w3.org/ns/anno.jsonld"}', "w3c"),
    ("lines.jsonl", b'{"@context": "x", "text": "y"}', "jsonl"),
    ("lines", b'{"text": "y"}', "jsonl"),
])
def test_a_file_format_is_sniffed_by_ending_then_shape(name: str, data: bytes, expected: str) -> None:
    from tui.core.ingest import sniff_format

    assert sniff_format(Path(name), data) == expected
