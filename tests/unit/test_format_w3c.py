"""The W3C Web Annotation format: shape, round trip through the importer, losses, bad input,
and validation by consumers: pyld expands it (with a hand-written stand-in for the W3C
context, served by a document loader: no network), and jsonschema checks the model's MUSTs.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tui.core.errors import IngestError
from tui.core.formats import iter_records
from tui.core.formats.records import ExportStats, LinkedRelation, Record, WriteContext
from tui.core.formats.w3c import (
    CANNOT_CARRY,
    CONTEXT,
    EXAMPLE,
    annotation_urn,
    read,
    write,
)
from tui.core.models import Document, Relation, Suggestion
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession
from tui.core.store import Store
from seed_passages import span_of as _at

DATA = Path(__file__).resolve().parents[1] / "data" / "w3c"
SCHEMAS = Path(__file__).resolve().parents[2] / "tui" / "core" / "formats" / "schemas"
OA = "http://www.w3.org/ns/oa#"
WEB_TEXT = "Officials confirmed the plan on Monday. The council disagreed."
WEB_URL = "https://example.org/plan"



def _texts(store: Store, import_seeds) -> list[Document]:
    """The same texts in every database: the two seeds and one article with a URL."""
    docs = import_seeds(store)
    web, _ = store.add_document("council", WEB_TEXT, title="Plan", url=WEB_URL)
    return [*docs, web]


@pytest.fixture
def db(tmp_path: Path, seed_importer):
    store = Store.open(tmp_path / "a.db")
    a, b, web = _texts(store, seed_importer)
    alice, bob = AnnotationSession(store, "alice"), AnnotationSession(store, "alice b.")
    claim = alice.tag(a.id, 29, a.text.index(", according"), "CLAIM", attrs={"certainty": "reported",
                      "checkworthy": "yes"}, note="check the “report”\nsecond line")
    source = alice.tag(a.id, *_at(a.text, "a new report"), "SOURCE", attrs={"type": "document"})
    alice.link(claim.id, source.id)
    other = alice.tag(b.id, *_at(b.text, "Ex-Afghan special forces troops"), "CLAIM")
    alice.link(claim.id, other.id, "same_as")
    actor = alice.accept_suggestion(b.id, Suggestion(*_at(b.text, "Taliban fighters"), "ACTOR", "ner", "3.7"))[0]
    gone = alice.tag(a.id, *_at(a.text, "to fight the Taliban"), "MOTIVE")
    alice.delete(gone.id)
    alice.tag(web.id, *_at(WEB_TEXT, "Officials"), "SOURCE")
    bob.tag(a.id, *_at(a.text, "a new report"), "SOURCE")
    yield {"store": store, "docs": (a, b, web), "claim": claim, "source": source, "other": other, "actor": actor}
    store.close()


def _export(store: Store, *, ascii_only: bool = False) -> tuple[bytes, ExportStats]:
    stats = ExportStats("w3c")
    out = io.BytesIO()
    write(iter_records(store), out, WriteContext(stats, DEFAULT_SCHEMA, ascii_only=ascii_only,
                                                 document=store.document))
    return out.getvalue(), stats


def _items(data: bytes) -> list[dict]:
    return json.loads(data)["first"]["items"]


def _import(store: Store, data: bytes, tmp_path: Path):
    """Import an exported file the way ``diptych import`` does: sniffed by its ending."""
    from tui.core.ingest import FileResult, ImportOptions, import_paths

    path = tmp_path / "in.jsonld"
    path.write_bytes(data)
    results = [r for r in import_paths(store, [path], ImportOptions(annotator="nobody")) if isinstance(r, FileResult)]
    assert len(results) == 1 and results[0].fmt == "w3c", results
    return results[0]


# ------------------------------------------------------------------ shape


def test_collection_envelope_and_span_annotation(db: dict) -> None:
    data, stats = _export(db["store"])
    doc = json.loads(data)
    assert doc["@context"] == CONTEXT and doc["type"] == "AnnotationCollection"
    assert doc["id"].startswith("urn:diptych:collection:") and doc["first"]["partOf"] == doc["id"]
    assert doc["total"] == len(doc["first"]["items"]) == 8  # 6 spans + 2 relations
    assert (stats.spans, stats.relations, stats.records) == (6, 2, 8)
    a = db["docs"][0]
    claim = next(i for i in _items(data) if i["id"] == annotation_urn(a.text_sha256, "alice", db["claim"].id))
    assert claim["motivation"] == "tagging" and claim["creator"] == {
        "id": "urn:diptych:annotator:alice", "type": "Person", "name": "alice"}
    assert "generator" not in claim  # tagged by hand
    assert claim["body"] == [
        {"type": "TextualBody", "purpose": "tagging", "value": "CLAIM"},
        {"type": "TextualBody", "purpose": "classifying", "value": "certainty=reported"},
        {"type": "TextualBody", "purpose": "classifying", "value": "checkworthy=yes"},
        {"type": "TextualBody", "purpose": "commenting", "value": "check the “report”\nsecond line",
         "format": "text/plain"}]
    target = claim["target"]
    assert target["source"] == f"urn:sha256:{a.text_sha256}" and target["label"] == a.title
    quote, position = target["selector"]
    assert quote["type"] == "TextQuoteSelector" and quote["exact"] == a.text[db["claim"].start:db["claim"].end]
    assert quote["prefix"] == a.text[:29] and a.text[db["claim"].end:].startswith(quote["suffix"])
    assert position == {"type": "TextPositionSelector", "start": 29, "end": db["claim"].end}


def test_url_source_origin_and_relations(db: dict) -> None:
    items = _items(_export(db["store"])[0])
    web = next(i for i in items if i["target"] and isinstance(i["target"], dict)
               and i["target"]["source"] == WEB_URL)
    assert web["target"]["selector"][0] == {"type": "TextQuoteSelector", "exact": "Officials",
                                            "suffix": WEB_TEXT[9:41]}  # no prefix at the start
    actor = next(i for i in items if i["body"][0]["value"] == "ACTOR")
    assert actor["generator"] == {"id": "urn:diptych:origin:suggestion%3Aner%403.7", "type": "Software",
                                  "name": "suggestion:ner@3.7"}
    links = [i for i in items if i["motivation"] == "linking"]
    a, b, _ = db["docs"]
    assert [(lk["body"][0]["value"], lk["target"]) for lk in links] == [
        ("attributed_to", [annotation_urn(a.text_sha256, "alice", db["claim"].id),
                           annotation_urn(a.text_sha256, "alice", db["source"].id)]),
        ("same_as", [annotation_urn(a.text_sha256, "alice", db["claim"].id),
                     annotation_urn(b.text_sha256, "alice", db["other"].id)])]  # across documents
    bobs = [i for i in items if i["creator"]["name"] == "alice b."]
    assert bobs and bobs[0]["id"].split(":")[3] == "alice%20b."  # percent-encoded in the URN


def test_export_is_deterministic_and_ascii_only_is_the_same_data(db: dict) -> None:
    first, _ = _export(db["store"])
    assert first == _export(db["store"])[0]
    assert first.endswith(b"}\n") and first.count(b"\n") == 8 + 2  # one item a line
    plain, _ = _export(db["store"], ascii_only=True)
    assert plain.isascii() and json.loads(plain) == json.loads(first)


def test_empty_export_has_no_page_and_reads_as_nothing(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "e.db")
    data, stats = _export(store)
    store.close()
    doc = json.loads(data)
    assert doc["total"] == 0 and "first" not in doc and stats.losses == {}
    assert read("e.jsonld", data, DEFAULT_SCHEMA).flats == []


# ------------------------------------------------------------------ round trip


def test_read_gives_flat_records_with_relations(db: dict) -> None:
    data, _ = _export(db["store"])
    flats = read("x.jsonld", data, DEFAULT_SCHEMA).flats
    a, _, web = db["docs"]
    assert len(flats) == 6
    claim = next(f for f in flats if f.span.id == db["claim"].id)
    assert (claim.annotator, claim.text_sha256, claim.url, claim.title) == ("alice", a.text_sha256, "", a.title)
    assert (claim.span.start, claim.span.end, claim.span.label) == (db["claim"].start, db["claim"].end, "CLAIM")
    assert claim.span.attrs == {"certainty": "reported", "checkworthy": "yes"}
    assert claim.span.note == "check the “report”\nsecond line" and claim.span.origin == "manual"
    assert [(r.head.id, r.child.id, r.label) for r in claim.relations] == [
        (db["claim"].id, db["source"].id, "attributed_to"), (db["claim"].id, db["other"].id, "same_as")]
    actor = next(f for f in flats if f.span.id == db["actor"].id)
    assert actor.span.origin == "suggestion:ner@3.7"
    on_web = next(f for f in flats if f.url)
    assert (on_web.url, on_web.text_sha256, on_web.prefix) == (WEB_URL, web.text_sha256, "")
    # the item's line is found: item n is on line n + 2
    lines = data.decode().split("\n")
    assert all(db["claim"].id in lines[f.line - 1] for f in [claim])


def test_round_trip_through_the_importer_is_byte_identical(db: dict, tmp_path: Path, seed_importer) -> None:
    data, _ = _export(db["store"])
    target = Store.open(tmp_path / "b.db")
    _texts(target, seed_importer)  # the texts are not in the file: they come first
    result = _import(target, data, tmp_path)
    assert (result.spans_new, result.relations_new, result.orphans) == (6, 2, [])
    again, _ = _export(target)
    assert again == data
    by_id = {a.id: a for a in target.annotations()}
    claim = by_id[db["claim"].id]
    assert (claim.attrs, claim.note, claim.origin) == (db["claim"].attrs, db["claim"].note, "manual")
    assert by_id[db["actor"].id].origin == "suggestion:ner@3.7"
    rels = {(r.head_id, r.tail_id, r.type) for r in target.relations(annotator="alice")}
    assert (db["claim"].id, db["other"].id, "same_as") in rels  # the cross-document one too
    target.close()


# ------------------------------------------------------------------ losses


def test_losses_are_counted(db: dict) -> None:
    _, stats = _export(db["store"])
    assert stats.losses == {"document text": 3}
    assert any("import the same articles" in w for w in stats.warnings)
    doc = db["docs"][2]
    span = db["store"].annotations(doc.id, "alice")[0]
    rel = Relation("r1", span.id, span.id, "same_as", "alice", attrs={"confidence": "low"})
    stats = ExportStats("w3c")
    write([Record(doc, "council", "alice", (span,), (LinkedRelation(rel, span, span),))], io.BytesIO(),
          WriteContext(stats, DEFAULT_SCHEMA))
    assert stats.losses == {"document text": 1, "relation attributes": 1}
    assert set(stats.losses) <= set(CANNOT_CARRY) and EXAMPLE


# ------------------------------------------------------------------ other writers' files


def test_reads_a_foreign_annotation_as_json_lines() -> None:
    hypothesis_like = {"id": "https://hyp.example/a/1", "type": "Annotation", "motivation": "tagging",
                       "creator": "acct:bob@hyp.example",
                       "body": {"type": "TextualBody", "value": "CLAIM"},
                       "target": [{"source": WEB_URL, "selector": {"type": "TextQuoteSelector",
                                                                   "exact": "the plan"}}]}
    data = ("\n" + json.dumps(hypothesis_like) + "\n" + json.dumps({**hypothesis_like, "id": "x:2"})).encode()
    flats = read("h.jsonl", data, DEFAULT_SCHEMA).flats
    f = flats[0]
    assert (f.line, f.annotator, f.url, f.text_sha256, f.exact) == (2, "acct:bob@hyp.example", WEB_URL, "", "the plan")
    assert (f.span.label, f.span.id, f.span.origin, f.span.start, f.span.end) == (
        "CLAIM", "https://hyp.example/a/1", None, 0, 8)  # no positions: placed by the quote
    assert flats[1].line == 3


# ------------------------------------------------------------------ bad input


def _one(**change) -> bytes:
    item = {"id": "urn:x:1", "type": "Annotation", "motivation": "tagging",
            "body": [{"type": "TextualBody", "purpose": "tagging", "value": "CLAIM"}],
            "target": {"source": WEB_URL, "selector": [{"type": "TextQuoteSelector", "exact": "plan"},
                                                       {"type": "TextPositionSelector", "start": 24, "end": 28}]}}
    item.update(change)
    return json.dumps({"@context": CONTEXT, "type": "AnnotationPage", "id": "urn:p",
                       "items": [item]}, indent=1).encode()


@pytest.mark.parametrize("change, message", [
    ({"type": "Note"}, "items[0].type"),
    ({"id": None}, "items[0].id"),
    ({"body": [{"type": "TextualBody", "purpose": "tagging", "value": "OPINION"}]}, "unknown label 'OPINION'"),
    ({"body": [{"type": "TextualBody", "purpose": "tagging", "value": "CLAIM"},
               {"type": "TextualBody", "purpose": "classifying", "value": "certainty=maybe"}]},
     "items[0].body[1].value: 'maybe' is not a choice for CLAIM.certainty"),
    ({"body": [{"type": "TextualBody", "purpose": "commenting", "value": "hm"}]}, "no TextualBody with purpose"),
    ({"target": {"source": WEB_URL, "selector": [{"type": "TextPositionSelector", "start": 1, "end": 2}]}},
     "items[0].target.selector: has no TextQuoteSelector"),
    ({"target": {"source": WEB_URL, "selector": [{"type": "TextQuoteSelector", "exact": "plan"},
                                                 {"type": "TextPositionSelector", "start": True, "end": 2}]}},
     "items[0].target.selector[1].start"),
    ({"target": {"source": WEB_URL, "selector": [{"type": "TextQuoteSelector", "exact": "plan"},
                                                 {"type": "TextPositionSelector", "start": 5, "end": 5}]}},
     "start 5 is not before end 5"),
    ({"target": {"selector": []}}, "items[0].target.source"),
    ({"motivation": "linking", "body": [{"type": "TextualBody", "value": "same_as"}], "target": ["urn:x:9"]},
     "needs two targets"),
    ({"motivation": "linking", "body": [{"type": "TextualBody", "value": "same_as"}],
      "target": ["urn:x:8", "urn:x:9"]}, "the head annotation 'urn:x:8' is not in this file"),
])
def test_bad_items_name_the_item_field_and_line(change: dict, message: str) -> None:
    with pytest.raises(IngestError) as err:
        read("bad.jsonld", _one(**change), DEFAULT_SCHEMA)
    assert err.value.path == "bad.jsonld" and message in err.value.message
    if change.get("id", "") is not None:  # the line of the item's "id"
        lines = _one(**change).decode().split("\n")
        assert '"id": "urn:x:1"' in lines[err.value.line - 1]


@pytest.mark.parametrize("data, message", [
    (b"", "empty"), (b"{\"type\": ", "not valid JSON"), (b"[1]", "items[0]: must be an Annotation object"),
    (b"\xff\xfe", "not UTF-8"), (b"\"x\"", "expected an AnnotationCollection"),
    (b'{"type": "AnnotationCollection", "first": "urn:page:1"}', "first must be an embedded AnnotationPage"),
    (b'{"type": "AnnotationPage", "items": {}}', "items must be a list"),
    (b'[{"type": "Annotation", "id": "a\\ud800"}]', "unpaired surrogate"),
])
def test_bad_files(data: bytes, message: str) -> None:
    with pytest.raises(IngestError) as err:
        read("bad.jsonld", data, DEFAULT_SCHEMA)
    assert message in err.value.message


def test_two_annotations_with_one_id_are_refused(db: dict) -> None:
    doc = json.loads(_export(db["store"])[0])
    doc["first"]["items"].append(doc["first"]["items"][0])
    with pytest.raises(IngestError, match=r"items\[8\]\.id: .* is used by two annotations"):
        read("dup.jsonld", json.dumps(doc).encode(), DEFAULT_SCHEMA)


# ------------------------------------------------------------------ consumers


def test_jsonschema_accepts_the_export_and_refuses_a_broken_one(db: dict) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((SCHEMAS / "w3c.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    doc = json.loads(_export(db["store"])[0])
    assert list(validator.iter_errors(doc)) == []
    del doc["first"]["items"][0]["target"]
    doc["first"]["items"][1]["target"]["selector"][1].pop("end")
    assert len(list(validator.iter_errors(doc))) == 2


def test_pyld_expands_every_annotation(db: dict) -> None:
    jsonld = pytest.importorskip("pyld.jsonld")
    context = json.loads((DATA / "anno.jsonld").read_text(encoding="utf-8"))

    def loader(url: str, options: dict | None = None) -> dict:
        assert url == CONTEXT, f"only the Web Annotation context may be loaded, not {url}"
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": context}

    data, _ = _export(db["store"])
    expanded = jsonld.expand(json.loads(data), {"documentLoader": loader})
    [collection] = expanded
    assert collection["@type"] == ["http://www.w3.org/ns/activitystreams#OrderedCollection"]
    [page] = collection["http://www.w3.org/ns/activitystreams#first"]
    items = page["http://www.w3.org/ns/activitystreams#items"][0]["@list"]
    assert len(items) == 8
    for item in items:
        assert item["@type"] == [OA + "Annotation"] and item["@id"].startswith("urn:diptych:")
        for body in item[OA + "hasBody"]:
            assert body["@type"] == [OA + "TextualBody"] and body["http://www.w3.org/1999/02/22-rdf-syntax-ns#value"]
            assert body[OA + "hasPurpose"][0]["@id"].startswith(OA)
        [motivation] = item[OA + "motivatedBy"]
        if motivation["@id"] == OA + "linking":
            # two targets; RDF keeps them unordered (the JSON order says which is the head)
            ends = [t["@id"] for t in item[OA + "hasTarget"]]
            assert len(ends) == 2 and all(e.startswith("urn:diptych:") for e in ends)
            continue
        assert motivation["@id"] == OA + "tagging"
        [target] = item[OA + "hasTarget"]
        assert target[OA + "hasSource"][0]["@id"] in (WEB_URL, *(f"urn:sha256:{d.text_sha256}" for d in db["docs"]))
        by_type = {sel["@type"][0]: sel for sel in target[OA + "hasSelector"]}
        assert by_type[OA + "TextQuoteSelector"][OA + "exact"][0]["@value"]
        start = by_type[OA + "TextPositionSelector"][OA + "start"][0]
        end = by_type[OA + "TextPositionSelector"][OA + "end"][0]
        assert start["@type"] == "http://www.w3.org/2001/XMLSchema#nonNegativeInteger"
        assert int(start["@value"]) < int(end["@value"])
        assert item["http://purl.org/dc/terms/creator"][0]["http://xmlns.com/foaf/0.1/name"][0]["@value"]
    # and to RDF: every annotation is an oa:Annotation node
    quads = jsonld.to_rdf(json.loads(data), {"documentLoader": loader, "format": "application/n-quads"})
    assert quads.count(f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{OA}Annotation>") == 8
