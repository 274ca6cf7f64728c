"""brat standoff: write -> read round trip, losses, bad input, and validation by bratly
(a brat standoff parser from PyPI, test-only) of every exported .ann."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.errors import IngestError
from tui.core.formats import iter_records
from tui.core.formats.brat import (
    CANNOT_CARRY,
    EXAMPLE,
    annotation_conf,
    fragments,
    read,
    read_folder,
    write_files,
)
from tui.core.formats.records import ExportStats, LinkedRelation, Record, WriteContext
from tui.core.models import Annotation, Document, Relation
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession

NOTE = "check\tthis\nagainst the report \\n and\u2028that"


def _span(text: str, quote: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(quote, start + 1)
    return start, start + len(quote)


def _export(records, tmp: Path, schema=DEFAULT_SCHEMA) -> tuple[Path, ExportStats, dict[str, bytes]]:
    ctx = WriteContext(ExportStats("brat"), schema)
    files = dict(write_files(records, ctx))
    out = tmp / "brat"
    for rel, data in files.items():
        assert "\\" not in rel and not rel.startswith("/") and rel.isascii()
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return out, ctx.stats, files


@pytest.fixture
def annotated(seeded_store, seed_docs):
    """alice: CLAIM/SOURCE/MOTIVE/ACTOR with attrs, a note, a span across a line break, one that
    begins on a line break, attributed_to and motive_of, and a same_as into the other article;
    bob: one CLAIM."""
    alice = AnnotationSession(seeded_store, "alice", schema=DEFAULT_SCHEMA)
    bob = AnnotationSession(seeded_store, "bob", schema=DEFAULT_SCHEMA)
    one, two = seed_docs
    t = one.text
    claim = alice.tag(one.id, *_span(t, "are joining the Islamic State in order to fight the Taliban"), "CLAIM",
                      attrs={"certainty": "reported", "stance": "neutral"}, note=NOTE)
    source = alice.tag(one.id, *_span(t, "The Wall Street Journal"), "SOURCE",
                       attrs={"type": "media outlet", "named": "yes"})
    motive = alice.tag(one.id, *_span(t, "in order to fight the Taliban"), "MOTIVE",
                       attrs={"category": "security"}, origin="suggestion:cues@1")
    actor = alice.tag(one.id, *_span(t, "American-trained members"), "ACTOR", attrs={"type": "group"})
    nl = t.index("years.\n")
    across = alice.tag(one.id, nl, nl + len("years.\nIn the weeks"), "CLAIM", attrs={"certainty": "hedged"})
    edge = alice.tag(one.id, nl + len("years."), nl + len("years.\nIn"), "ACTOR")  # begins on the line break
    alice.link(claim.id, source.id)
    alice.link(motive.id, source.id, "attributed_to")
    alice.link(motive.id, actor.id, "motive_of")
    other = alice.tag(two.id, 0, len("Ex-Afghan"), "CLAIM")
    alice.link(claim.id, other.id, "same_as")
    bob.tag(one.id, *_span(t, "The Wall Street Journal"), "SOURCE", attrs={"type": "media outlet"})
    anns = {"claim": claim, "source": source, "motive": motive, "actor": actor, "across": across, "edge": edge,
            "other": other}
    return seeded_store, anns


def test_round_trip_from_a_seeded_database(annotated, tmp_path):
    store, anns = annotated
    records = list(iter_records(store))
    out, stats, files = _export(records, tmp_path)
    assert stats.losses == {"cross-document relations": 1}
    assert stats.records == 3 and stats.spans == 8 and stats.relations == 3
    back = read_folder(out, DEFAULT_SCHEMA)
    assert [(r.annotator, r.story) for r in back] == [(r.annotator, r.story) for r in records]
    for rec, got in zip(records, back):
        assert got.text == rec.document.text
        assert got.meta.get("title") == rec.document.title
        assert [(s.id, s.start, s.end, s.label, s.attrs, s.note, s.origin) for s in got.spans] == \
            [(a.id, a.start, a.end, a.label, a.attrs, a.note, a.origin) for a in rec.spans]
        want = {(lr.relation.id, lr.head.id, lr.tail.id, lr.relation.type) for lr in rec.relations
                if lr.tail_doc is None}
        assert {(r.id, r.head.id, r.child.id, r.label) for r in got.relations} == want
        assert got.note == ""
    assert anns["claim"].note == NOTE
    # The same annotations give the same bytes.
    assert dict(write_files(iter_records(store), WriteContext(ExportStats("brat"), DEFAULT_SCHEMA))) == files


def test_line_format_of_what_is_written(annotated, tmp_path):
    store, anns = annotated
    _out, _, files = _export(iter_records(store), tmp_path)
    ann = next(v.decode() for k, v in files.items() if k.endswith(".alice.ann") and "0001-" in k)
    lines = ann.splitlines()
    text = next(v.decode() for k, v in files.items() if k.endswith(".alice.txt") and "0001-" in k)
    across = next(line for line in lines if "years. In the weeks" in line)
    s, e = anns["across"].start, anns["across"].end
    assert across.split("\t")[1] == f"CLAIM {s} {s + 6};{s + 7} {e}"  # cut at the line break
    assert text[s:s + 6] == "years." and text[s + 6] == "\n"
    claim_tid = next(line.split("\t")[0] for line in lines if "\tare joining" in line)
    assert any(line.startswith("#") and line.endswith(
        f"\tAnnotatorNotes {claim_tid}\tcheck\\tthis\\nagainst the report \\\\n and\\u2028that") for line in lines)
    assert any(line.startswith("A") and line.endswith(" media_outlet") for line in lines)
    assert all(line.count("\t") == (1 if line[0] in "AR" else 2) for line in lines)
    conf = files["annotation.conf"].decode()
    assert "attributed_to Arg1:CLAIM|MOTIVE, Arg2:SOURCE" in conf
    assert "certainty Arg:CLAIM, Value:asserted|hedged|reported" in conf
    assert "type Arg:SOURCE|ACTOR, Value:named_person|" in conf
    assert {k for k in files if not k.endswith((".ann", ".txt"))} == {"annotation.conf", "visual.conf", "diptych.json"}


# ------------------------------------------------------------------ the consumer: bratly

def test_bratly_parses_every_exported_ann(annotated, tmp_path):
    bratly = pytest.importorskip("bratly")
    from bratly.io import read_and_load_ann_file
    from bratly.io.file_read_src import parse_and_fix_ann_grammar

    store, _ = annotated
    records = list(iter_records(store))
    out, _, _files = _export(records, tmp_path)
    anns = sorted(out.rglob("*.ann"))
    assert len(anns) == len(records)
    for rec, path in zip(records, anns):
        content = path.read_text(encoding="utf-8")
        # Its grammar check raises on a bad line and "fixes" a text field broken by a newline:
        # what we wrote must need no fixing.
        assert parse_and_fix_ann_grammar(content) == content.rstrip("\n")
        coll = read_and_load_ann_file(str(path), no_duplicates=False, sorting=False, renumerotize=False)
        kinds: dict[str, list] = {}
        for a in coll.get_annotations():
            kinds.setdefault(type(a).__name__, []).append(a)
        local = [lr for lr in rec.relations if lr.tail_doc is None]
        assert len(kinds.get("EntityAnnotation", [])) == len(rec.spans)
        assert len(kinds.get("RelationAnnotation", [])) == len(local)
        assert len(kinds.get("AttributeAnnotation", [])) == sum(len(a.attrs) for a in rec.spans)
        notes = kinds.get("NoteAnnotation", [])
        assert sum(n.label == "AnnotatorNotes" for n in notes) == sum(bool(a.note) for a in rec.spans)
        assert all(n.component is not None and not isinstance(n.component, str) for n in notes)
        for ent, a in zip(kinds["EntityAnnotation"], rec.spans):
            assert ent.label == a.label
            assert ent.fragments[0].start >= a.start and ent.fragments[-1].end <= a.end
            assert rec.document.text[ent.get_start():ent.get_end()].strip() == a.quote.strip()
        for rel, lr in zip(kinds.get("RelationAnnotation", []), local):
            assert rel.label == lr.relation.type
            assert (rel.argument1[1].get_start(), rel.argument2[1].get_start()) == \
                (next(f for f in fragments(rec.document.text, lr.head.start, lr.head.end))[0],
                 next(f for f in fragments(rec.document.text, lr.tail.start, lr.tail.end))[0])
    # Its folder reader pairs each .txt with its .ann and checks every entity's text at its offsets.
    from bratly.io import read_document_collection_from_folder

    for folder in sorted({p.parent for p in anns}):
        docs = read_document_collection_from_folder(str(folder), no_duplicates_ann=False, sort_ann=False,
                                                    renumerotize_ann=False)
        assert docs is not None and len(docs.documents) == len(list(folder.glob("*.ann")))
        for doc in docs.documents:
            assert len(doc.annotation_collections) == 1
            assert doc.check_ann_compatibility_with_txt()
    assert bratly  # imported for the checks above


# ------------------------------------------------------------------ losses and edge cases

def _doc(text: str, doc_id: int = 1, **kw) -> Document:
    return Document(id=doc_id, story_id=1, text=text, text_sha256=f"{doc_id:064x}", **kw)


def _ann(doc: Document, ann_id: str, start: int, end: int, label: str = "CLAIM", **kw) -> Annotation:
    return Annotation(id=ann_id, doc_id=doc.id, annotator="alice", label=label, start=start, end=end,
                      quote=doc.text[start:end], **kw)


def test_cr_line_ends_are_written_as_lf_and_offsets_follow(tmp_path):
    doc = _doc("First line.\r\nSecond: taxes rise.\r\nThird.")
    a = _ann(doc, "a1", *_span(doc.text, "taxes rise"))
    b = _ann(doc, "b1", *_span(doc.text, "line.\r\nSecond"))
    out, stats, _files = _export([Record(doc, "Story", "alice", (b, a), ())], tmp_path)
    assert stats.losses == {"CR line ends (written as LF, as brat reads them)": 1}
    (got,) = read_folder(out, DEFAULT_SCHEMA)
    lf = doc.text.replace("\r\n", "\n")
    assert got.text == lf
    assert [(s.start, s.end) for s in got.spans] == [_span(lf, "line.\nSecond"), _span(lf, "taxes rise")]


def test_losses_are_counted(tmp_path):
    doc = _doc("One.\n\nTwo claims here.")
    far = _doc("Elsewhere.", 2)
    only_breaks = _ann(doc, "nl", 4, 6)
    odd_attr = _ann(doc, "c1", *_span(doc.text, "Two claims"), attrs={"certainty": "hedged", "score": 3})
    src = _ann(doc, "s1", *_span(doc.text, "here"), label="SOURCE")
    there = Annotation(id="x1", doc_id=2, annotator="alice", label="CLAIM", start=0, end=9, quote="Elsewhere")
    rels = (LinkedRelation(Relation("r1", "c1", "s1", "attributed_to", "alice", attrs={"w": 1}), odd_attr, src),
            LinkedRelation(Relation("r2", "c1", "x1", "same_as", "alice"), odd_attr, there, far),
            LinkedRelation(Relation("r3", "nl", "s1", "attributed_to", "alice"), only_breaks, src))
    _, stats, _files = _export([Record(doc, "S", "alice", (only_breaks, odd_attr, src), rels)], tmp_path)
    assert stats.losses == {"spans made only of line breaks or tabs": 1, "attribute values that are not text": 1,
                            "relation attributes": 1, "cross-document relations": 1,
                            "relations on spans left out": 1}
    assert all(what in CANNOT_CARRY for what in stats.losses if what != "relations on spans left out")


def test_stems_are_ascii_short_and_distinct(tmp_path):
    doc = _doc("Text here.", 7, title="Ünïcode " * 40, outlet="")
    recs = [Record(doc, "Gräßliche Geschichte/../x", who, (_ann(doc, "a" + who, 0, 4),), ())
            for who in ("Alice", "alice", "älice")]
    out, _, files = _export(recs, tmp_path)
    anns = sorted(k for k in files if k.endswith(".ann"))
    assert len(anns) == 3 and all(len(k.encode()) < 200 and ".." not in k for k in anns)
    back = read_folder(out, DEFAULT_SCHEMA)
    assert sorted(r.annotator for r in back) == ["Alice", "alice", "älice"]


def test_example_and_conf_fit_the_schema():
    assert "\tattributed_to Arg1:T2 Arg2:T1" in EXAMPLE
    conf = annotation_conf(DEFAULT_SCHEMA)
    assert "[events]" in conf and "motive_of Arg1:MOTIVE, Arg2:<ENTITY>" in conf


# ------------------------------------------------------------------ reading others' brat and bad input

def _pair(tmp: Path, ann: str, text: str = "The mayor said taxes will rise.\nCritics disagree.",
          name: str = "doc") -> Path:
    (tmp / f"{name}.txt").write_text(text, encoding="utf-8")
    (tmp / f"{name}.ann").write_text(ann, encoding="utf-8")
    return tmp / f"{name}.ann"


def test_reads_brat_written_elsewhere(tmp_path):
    _pair(tmp_path, "R1\tattributed_to Arg1:T2 Arg2:T1\n"
                    "T1\tSOURCE 0 9\tThe mayor\n"
                    "T2\tCLAIM 15 31;32 39\ttaxes will rise. Critics\n"
                    "A1\tcertainty T2 hedged\nA2\tNegated T1\n"
                    "#1\tAnnotatorNotes T2\ta note \\n kept as written\n"
                    "E1\tSpeak:T1 Agent:T1\n*\tEquiv T1 T2\n")
    (rec,) = read_folder(tmp_path, DEFAULT_SCHEMA)
    assert rec.annotator is None and rec.story is None and rec.fmt == "brat"
    assert [(s.start, s.end, s.label, s.id) for s in rec.spans] == [(0, 9, "SOURCE", None), (15, 39, "CLAIM", None)]
    assert rec.spans[1].attrs == {"certainty": "hedged"} and rec.spans[0].attrs == {"Negated": True}
    assert rec.spans[1].note == "a note \\n kept as written"
    (rel,) = rec.relations
    assert (rel.head.start, rel.head.end, rel.head.label, rel.child.label, rel.label) == (15, 39, "CLAIM", "SOURCE",
                                                                                        "attributed_to")
    assert "event (E)" in rec.note and "equivalence" in rec.note
    (one,) = read(str(tmp_path / "doc.ann"), (tmp_path / "doc.ann").read_bytes(), DEFAULT_SCHEMA)
    assert [(s.start, s.end) for s in one.spans] == [(0, 9), (15, 39)]


def test_discontinuous_span_with_text_between_is_left_out_with_a_note(tmp_path):
    _pair(tmp_path, "T1\tCLAIM 0 9;15 20\tThe mayor taxes\nT2\tSOURCE 0 3\tThe\nR1\tattributed_to Arg1:T1 Arg2:T2\n")
    (rec,) = read_folder(tmp_path, DEFAULT_SCHEMA)
    assert [s.label for s in rec.spans] == ["SOURCE"] and rec.relations == []
    assert "T1" in rec.note and "contiguous" in rec.note and "1 relation" in rec.note


@pytest.mark.parametrize("ann, line, says", [
    ("T1\tCLAIM 0 9\tThe mayor\nT2 CLAIM 0 3 The\n", 2, "no tab"),
    ("T1\tCLAIM 0 9\tThe mayor\nR1\tattributed_to Arg1:T1 Arg2:T9\n", 2, "T9"),
    ("A1\tcertainty T4 hedged\n", 1, "T4"),
    ("T1\tCLAIM 0 900\tThe mayor\n", 1, "outside the text"),
    ("T1\tCLAIM 0 9\tThe major\n", 1, "is not the text at"),
    ("T1\tCLAIM zero 9\tThe mayor\n", 1, "START END"),
    ("T1\tCLAIM 0 9\tThe mayor\nT1\tSOURCE 0 3\tThe\n", 2, "used twice"),
    ("X\tCLAIM 0 9\tThe mayor\n", 1, "not a brat id"),
    ("T1\tCLAIM 0 9\tThe mayor\n#1\tDiptych T1\tnot json\n", 2, "JSON"),
    ("T1\tCLAIM 0 9\n", 1, "no tab before"),
    ("R1\tattributed_to T1 T2\n", 1, "Arg1:ID"),
])
def test_bad_lines_name_the_file_and_line(tmp_path, ann, line, says):
    path = _pair(tmp_path, ann)
    with pytest.raises(IngestError) as err:
        read_folder(tmp_path, DEFAULT_SCHEMA)
    assert err.value.path == str(path) and err.value.line == line
    assert says in err.value.message and err.value.hint


def test_missing_txt_and_bad_encoding(tmp_path):
    (tmp_path / "lonely.ann").write_text("T1\tCLAIM 0 3\tThe\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"lonely\.ann.*no text file lonely\.txt"):
        read_folder(tmp_path, DEFAULT_SCHEMA)
    (tmp_path / "lonely.txt").write_bytes(b"The \xff")
    with pytest.raises(IngestError, match="not UTF-8"):
        read_folder(tmp_path, DEFAULT_SCHEMA)


def test_bad_manifest_is_refused(tmp_path):
    _pair(tmp_path, "T1\tCLAIM 0 3\tThe\n")
    (tmp_path / "diptych.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(IngestError, match="manifest"):
        read_folder(tmp_path, DEFAULT_SCHEMA)
