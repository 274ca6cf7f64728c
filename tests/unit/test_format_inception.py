"""INCEpTION UIMA CAS XMI: round trip, UTF-16 offsets, losses, bad input, and dkpro-cassis as the consumer."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tui.core.errors import IngestError
from tui.core.formats import ExportStats, inception, iter_records
from tui.core.formats.inception_typesystem import Utf16, layers_for
from tui.core.formats.records import WriteContext
from tui.core.models import Document
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession
from tui.core.store import Store
from seed_passages import span_of as _at

# An astral character (2 UTF-16 units), ESC and NUL (not XML 1.0), CR, tab and markup-like text.
ODD_TEXT = "Emoji 😀 first. The minister said \x1b[31mprices\x00 will <fall> & \"rise\".\r\nTabs\there 🚀 end."



@pytest.fixture
def db(seeded_store: Store, seed_docs: list[Document]) -> dict:
    """The two seed articles plus one odd article; alice and Bob (a name a file system could fold)
    annotate; attributes, notes, a suggestion's origin, same-document and cross-document relations."""
    store = seeded_store
    a, b = seed_docs
    odd, _ = store.add_document("odd", ODD_TEXT, title="Odd: <chars> & emoji 😀", url="https://example.org/odd?a=1&b=2")
    alice = AnnotationSession(store, "alice")
    bob = AnnotationSession(store, "Bob O'Neil")
    claim = alice.tag(a.id, *_at(a.text, "joining the Islamic State"), "CLAIM",
                      attrs={"certainty": "reported", "stance": "neutral"}, note="check <this> & \"that\"\nline 2")
    source = alice.tag(a.id, *_at(a.text, "a new report"), "SOURCE", attrs={"type": "document", "named": "no"})
    alice.link(claim.id, source.id)
    motive = alice.tag(a.id, *_at(a.text, "in order to fight the Taliban"), "MOTIVE", attrs={"category": "political"},
                       origin="suggestion:cues@1")
    actor = alice.tag(a.id, *_at(a.text, "American-trained members"), "ACTOR", attrs={"type": "group"})
    alice.link(motive.id, actor.id, "motive_of")
    alice.link(motive.id, source.id, "attributed_to")
    other = alice.tag(b.id, *_at(b.text, "reportedly joining Islamic State"), "CLAIM")
    alice.link(claim.id, other.id, "same_as")  # cross-document: cannot be carried
    emoji_claim = bob.tag(odd.id, *_at(ODD_TEXT, "prices\x00 will <fall>"), "CLAIM", note="after 😀")
    minister = bob.tag(odd.id, *_at(ODD_TEXT, "The minister"), "SOURCE")
    rocket = bob.tag(odd.id, *_at(ODD_TEXT, "🚀 end"), "ACTOR")
    bob.link(emoji_claim.id, minister.id)
    return {"store": store, "odd": odd, "claim": claim, "source": source, "emoji_claim": emoji_claim,
            "rocket": rocket}


def _export(store: Store, **kw) -> tuple[dict[str, bytes], ExportStats]:
    stats = ExportStats("inception")
    ctx = WriteContext(stats, DEFAULT_SCHEMA, **kw)
    files = dict(inception.write_files(iter_records(store), ctx))
    return files, stats


def _write_folder(files: dict[str, bytes], folder: Path) -> Path:
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def test_files_are_named_stably_and_output_is_deterministic(db: dict) -> None:
    files, stats = _export(db["store"])
    names = list(files)
    assert names[0] == "TypeSystem.xml"
    assert all(re.fullmatch(r"[\w.-]+", n) for n in names)
    assert len(names) == 1 + stats.records == 1 + 3  # alice on two seeds, Bob on the odd article
    # "Bob O'Neil" loses case and punctuation in a slug: a hash keeps it apart from a "bob-o-neil".
    assert any(re.fullmatch(r"\d{4}-odd-chars-emoji--bob-o-neil-[0-9a-f]{8}\.xmi", n) for n in names)
    again, _ = _export(db["store"])
    assert again == files
    assert files["TypeSystem.xml"].startswith(b"<?xml")  # how INCEpTION's layer import knows a type system


def test_round_trip_spans_attributes_notes_origins_relations(db: dict, tmp_path: Path) -> None:
    files, stats = _export(db["store"])
    back = inception.read_folder(_write_folder(files, tmp_path), DEFAULT_SCHEMA)
    recs = list(iter_records(db["store"]))
    assert len(back) == len(recs)
    by_key = {(r.annotator, r.meta.get("title")): r for r in back}
    for rec in recs:
        got = by_key[(rec.annotator, rec.document.title)]
        odd = rec.document.id == db["odd"].id
        expected_text = rec.document.text.replace("\x1b", "\ufffd").replace("\x00", "\ufffd")
        assert got.text == expected_text and (got.text == rec.document.text) != odd
        assert got.story == rec.story and got.fmt == "inception" and got.note == ""
        assert got.meta.get("url", "") == rec.document.url
        assert [(s.start, s.end, s.label, s.id, s.attrs, s.note, s.origin) for s in got.spans] == \
               [(a.start, a.end, a.label, a.id, a.attrs, a.note, a.origin) for a in rec.spans]
        same_doc = [lr for lr in rec.relations if lr.tail_doc is None]
        assert [(r.head.id, r.child.id, r.label, r.id) for r in got.relations] == \
               [(lr.head.id, lr.tail.id, lr.relation.type, lr.relation.id) for lr in same_doc]
    assert stats.spans == sum(len(r.spans) for r in recs)
    assert stats.relations == 4


def test_losses_are_counted(db: dict) -> None:
    _, stats = _export(db["store"])
    assert stats.losses == {"cross-document relations": 1, inception.XML_UNSAFE: 2}
    assert any("TypeSystem.xml" in w for w in stats.warnings)
    assert set(stats.losses) <= set(inception.CANNOT_CARRY)


def test_offsets_are_utf16_code_units_in_the_file(db: dict) -> None:
    files, _ = _export(db["store"])
    odd = next(data for name, data in files.items() if "odd" in name).decode("utf-8")
    rocket = db["rocket"]
    # two astral characters precede "end" in UTF-16 terms: the emoji before it and the rocket itself
    assert f'begin="{rocket.start + 1}" end="{rocket.end + 2}"' in odd
    claim = db["emoji_claim"]
    assert f'begin="{claim.start + 1}" end="{claim.end + 1}"' in odd
    units = Utf16("a😀b🚀")
    assert [units.to_units(i) for i in range(5)] == [0, 1, 3, 4, 6]
    assert [units.from_units(u) for u in range(7)] == [0, 1, None, 2, 3, None, 4]
    assert units.from_units(7) is None and units.from_units(-1) is None


def test_xml_is_valid_1_0_with_escapes_and_ascii_only(db: dict) -> None:
    import xml.etree.ElementTree as ET

    files, _ = _export(db["store"])
    odd = next(data for name, data in files.items() if "odd" in name)
    assert b"\x1b" not in odd and b"\x00" not in odd and "\ufffd".encode() in odd
    root = ET.fromstring(odd)
    sofa = root.find("{http:///uima/cas.ecore}Sofa")
    assert sofa is not None and "\r\n" in sofa.get("sofaString") and "\t" in sofa.get("sofaString")
    ascii_files, _ = _export(db["store"], ascii_only=True)
    assert all(data.isascii() for data in ascii_files.values())
    assert ET.tostring(ET.fromstring(ascii_files[next(n for n in files if "odd" in n)])) == ET.tostring(root)


def test_type_system_names_layers_the_inception_way() -> None:
    layers = layers_for(DEFAULT_SCHEMA)
    assert [s.name for s in layers.spans] == ["webanno.custom.Claim", "webanno.custom.Source",
                                              "webanno.custom.Motive", "webanno.custom.Actor"]
    assert layers.relation_for("attributed_to").name == "webanno.custom.AttributedTo"
    assert layers.relation_for("motive_of").name == "webanno.custom.MotiveOf"
    # "type" is a feature name INCEpTION reserves
    assert layers.span_for_label("SOURCE").feature("type") == "type_attr"
    assert layers.span_for_label("CLAIM").feature("certainty") == "certainty"


# ------------------------------------------------------------------ the consumer: dkpro-cassis


def test_cassis_loads_type_system_and_every_xmi(db: dict) -> None:
    cassis = pytest.importorskip("cassis")
    files, _ = _export(db["store"])
    ts = cassis.load_typesystem(io.BytesIO(files["TypeSystem.xml"]))
    for name in ("webanno.custom.Claim", "webanno.custom.Source", "webanno.custom.Motive", "webanno.custom.Actor",
                 "webanno.custom.AttributedTo", "webanno.custom.MotiveOf",
                 "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData"):
        assert ts.contains_type(name), name
    recs = {inception.record_stem(r) + ".xmi": r for r in iter_records(db["store"])}
    for name, data in files.items():
        if name == "TypeSystem.xml":
            continue
        rec = recs[name]
        cas = cassis.load_cas_from_xmi(io.BytesIO(data), typesystem=ts)
        text = cas.sofa_string
        assert len(text) == len(rec.document.text)
        meta = cas.select("de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData")[0]
        assert meta.documentTitle == rec.document.title and meta.documentId == str(rec.document.id)
        assert meta.end == len(text)  # cassis gives code points
        spans = {}
        for spec in layers_for(DEFAULT_SCHEMA).spans:
            for fs in cas.select(spec.name):
                spans[fs.diptych_id] = fs
                ann = next(a for a in rec.spans if a.id == fs.diptych_id)
                # cassis converts UIMA's UTF-16 offsets to code points: ours, exactly
                assert (fs.begin, fs.end, spec.label) == (ann.start, ann.end, ann.label)
                assert fs.get_covered_text() == text[ann.start:ann.end]
                assert {a: fs.get(f) for a, f in spec.features if fs.get(f) is not None} == ann.attrs
                assert (fs.note or "") == ann.note and fs.origin == ann.origin
        assert sorted(spans) == sorted(a.id for a in rec.spans)
        rels = []
        for rel in layers_for(DEFAULT_SCHEMA).relations:
            for fs in cas.select(rel.name):
                assert (fs.begin, fs.end) == (fs.Dependent.begin, fs.Dependent.end)  # anchored at the Dependent
                rels.append((fs.Governor.diptych_id, fs.Dependent.diptych_id, rel.relation, fs.diptych_id))
        assert sorted(rels) == sorted((lr.head.id, lr.tail.id, lr.relation.type, lr.relation.id)
                                      for lr in rec.relations if lr.tail_doc is None)


def test_cassis_sees_the_emoji_offsets_as_code_points(db: dict) -> None:
    cassis = pytest.importorskip("cassis")
    files, _ = _export(db["store"])
    ts = cassis.load_typesystem(io.BytesIO(files["TypeSystem.xml"]))
    data = next(d for n, d in files.items() if "odd" in n)
    cas = cassis.load_cas_from_xmi(io.BytesIO(data), typesystem=ts)
    actor = cas.select("webanno.custom.Actor")[0]
    assert (actor.begin, actor.end) == (db["rocket"].start, db["rocket"].end)
    assert actor.get_covered_text() == "🚀 end"
    # and cassis writes it back with the same UTF-16 offsets we wrote
    again = cas.to_xmi().encode("utf-8")
    assert f'begin="{db["rocket"].start + 1}"'.encode() in again


# ------------------------------------------------------------------ bad input


def _one(tmp_path: Path, body: str, name: str = "x.xmi") -> Path:
    (tmp_path / name).write_text(body, encoding="utf-8")
    return tmp_path


HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<xmi:XMI xmlns:xmi="http://www.omg.org/XMI" '
        'xmlns:cas="http:///uima/cas.ecore" xmlns:custom="http:///webanno/custom.ecore" xmi:version="2.0">\n'
        '<cas:Sofa xmi:id="1" sofaNum="1" sofaID="_InitialView" sofaString="a😀 claim here"/>\n')


def test_reads_inception_style_annotations_without_diptych_fields(tmp_path: Path) -> None:
    body = HEAD + ('<custom:Claim xmi:id="5" sofa="1" begin="4" end="9" certainty="hedged"/>\n'
                   '<custom:Source xmi:id="6" sofa="1" begin="0" end="1" type_attr="anonymous"/>\n'
                   '<custom:AttributedTo xmi:id="7" sofa="1" begin="0" end="1" Governor="5" Dependent="6"/>\n'
                   '<custom:Other xmi:id="8" sofa="1" begin="0" end="1"/>\n</xmi:XMI>\n')
    [rec] = inception.read_folder(_one(tmp_path, body), DEFAULT_SCHEMA)
    assert rec.annotator is None and rec.story is None
    assert [(s.start, s.end, s.label, s.attrs, s.origin, s.line) for s in rec.spans] == [
        (3, 8, "CLAIM", {"certainty": "hedged"}, None, 4), (0, 1, "SOURCE", {"type": "anonymous"}, None, 5)]
    [rel] = rec.relations
    assert (rel.head.start, rel.head.end, rel.head.label, rel.child.label, rel.label) == (3, 8, "CLAIM", "SOURCE",
                                                                                      "attributed_to")
    assert "webanno.custom.Other" in rec.note


@pytest.mark.parametrize("body, line, words", [
    (HEAD + "<custom:Claim xmi:id='5' sofa='1' begin='2' end='9'/></xmi:XMI>", 4, ["begin='2'", "surrogate"]),
    (HEAD + "<custom:Claim xmi:id='5' sofa='1' begin='0' end='99'/></xmi:XMI>", 4, ["end='99'", "<Claim> xmi:id 5"]),
    (HEAD + "<custom:Claim xmi:id='5' sofa='1' begin='x' end='3'/></xmi:XMI>", 4, ["begin='x'"]),
    (HEAD + "<custom:Claim xmi:id='5' sofa='1' begin='0' end='3' stance='loud'/></xmi:XMI>", 4, ["stance='loud'"]),
    (HEAD + "<custom:AttributedTo xmi:id='7' sofa='1' begin='0' end='1' Governor='5'/></xmi:XMI>", 4,
     ["Governor='5'", "<AttributedTo>"]),
    (HEAD + "<custom:Claim xmi:id='5' sofa='1' begin='0' end='3'>\n</xmi:XMI>", 5, ["not well-formed"]),
    (HEAD + "<custom:Claim note='&#27;'/></xmi:XMI>", 4, ["not well-formed"]),
    (('<?xml version="1.0"?>\n<!DOCTYPE lol [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
      '<xmi:XMI xmlns:xmi="http://www.omg.org/XMI">&b;</xmi:XMI>'), 2, ["DOCTYPE"]),
    ('<?xml version="1.0"?>\n<root/>', 2, ["<root>", "xmi:XMI"]),
    ('<?xml version="1.0"?>\n<xmi:XMI xmlns:xmi="http://www.omg.org/XMI"/>', 1, ["no <cas:Sofa>"]),
])
def test_bad_input_names_file_line_and_element(tmp_path: Path, body: str, line: int, words: list[str]) -> None:
    folder = _one(tmp_path, body, "bad.xmi")
    with pytest.raises(IngestError) as err:
        inception.read_folder(folder, DEFAULT_SCHEMA)
    assert err.value.path.endswith("bad.xmi") and err.value.line == line
    for word in words:
        assert word.replace("'", '"') in str(err.value) or word in str(err.value)


def test_folder_without_xmi_files(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no .xmi files"):
        inception.read_folder(tmp_path, DEFAULT_SCHEMA)


# ------------------------------------------------------------------ more losses, names, interop


def test_losses_for_what_the_schema_has_no_layer_for(db: dict) -> None:
    from tui.core.formats.records import LinkedRelation, Record
    from tui.core.models import Annotation, Relation
    from tui.core.schema import LabelSchema

    no_motive = LabelSchema(tuple(s for s in DEFAULT_SCHEMA.labels if s.name != "MOTIVE"), DEFAULT_SCHEMA.relations)
    stats = ExportStats("inception")
    dict(inception.write_files(iter_records(db["store"]), WriteContext(stats, no_motive)))
    assert stats.losses["spans with a label not in the schema"] == 1
    assert stats.losses["relations whose span was left out"] == 2  # motive_of and MOTIVE attributed_to

    doc = db["odd"]
    head = Annotation("h", doc.id, "x", "CLAIM", 0, 5, "Emoji", attrs={"colour": "red", "certainty": "hedged"})
    tail = Annotation("t", doc.id, "x", "SOURCE", 6, 7, "😀")
    rel = Relation("r", "h", "t", "attributed_to", "x", attrs={"confidence": "high"})
    rec = Record(doc, "odd", "x", (head, tail), (LinkedRelation(rel, head, tail),))
    stats = ExportStats("inception")
    files = dict(inception.write_files([rec], WriteContext(stats, DEFAULT_SCHEMA)))
    assert stats.losses == {"span attributes not in the schema": 1, "relation attributes": 1, inception.XML_UNSAFE: 2}
    assert b'certainty="hedged"' in files[inception.record_stem(rec) + ".xmi"]


def test_names_stay_unique_and_inception_safe() -> None:
    from tui.core.schema import AttributeSpec, LabelSchema, LabelSpec, RelationSpec

    schema = LabelSchema((
        LabelSpec("FOO_BAR", "q", "red", (AttributeSpec("type", ("a",)), AttributeSpec("type_attr", ("b",)),
                                           AttributeSpec("2nd choice", ("c",)), AttributeSpec("note", ("d",)))),
        LabelSpec("FOOBAR", "w", "red"),
    ), (RelationSpec("foo_bar", ("FOO_BAR",), ("FOOBAR",)),))
    layers = layers_for(schema)
    assert [s.name for s in layers.spans] == ["webanno.custom.FooBar", "webanno.custom.Foobar2"]
    assert layers.relations[0].name == "webanno.custom.FooBar3"
    assert [f for _, f in layers.spans[0].features] == ["type_attr", "type_attr2", "a_2nd_choice", "note_attr"]
    for _, f in layers.spans[0].features:
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", f) and "__" not in f


def test_reads_back_what_cassis_writes(db: dict) -> None:
    """cassis serialises the CAS its own way (prefixes, order, ids): the reader still gets it all."""
    cassis = pytest.importorskip("cassis")
    files, _ = _export(db["store"])
    ts = cassis.load_typesystem(io.BytesIO(files["TypeSystem.xml"]))
    for name, data in files.items():
        if name == "TypeSystem.xml":
            continue
        ours = inception.read(name, data, DEFAULT_SCHEMA)[0]
        resaved = cassis.load_cas_from_xmi(io.BytesIO(data), typesystem=ts).to_xmi().encode("utf-8")
        theirs = inception.read(name, resaved, DEFAULT_SCHEMA)[0]
        key = lambda r: sorted((s.start, s.end, s.label, s.id, sorted(s.attrs.items()), s.note, s.origin)
                               for s in r.spans)
        assert theirs.text == ours.text and key(theirs) == key(ours)
        assert (theirs.annotator, theirs.story, theirs.meta) == (ours.annotator, ours.story, ours.meta)
        assert sorted((r.head.id, r.child.id, r.label) for r in theirs.relations) == \
               sorted((r.head.id, r.child.id, r.label) for r in ours.relations)
