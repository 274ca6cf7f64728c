"""export -> `diptych import` into an empty database -> export again: the same bytes.

The original database is built the way a user builds it (`diptych import seeds/`,
then annotating through AnnotationSession), with the awkward cases an export
must carry: two annotators, attributes and notes, a suggestion origin, a span
off token boundaries, a deleted span, and relations inside and across documents.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main
from tui.core.session import AnnotationSession
from tui.core.store import Store

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, f"diptych {' '.join(args)} failed:\n{result.output}"
    return result.output


def _at(text: str, quote: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(quote, start + 1)
    return start, start + len(quote)


@pytest.fixture
def original(tmp_path: Path) -> Path:
    db = tmp_path / "original.db"
    cli("import", "--db", str(db), str(SEEDS))
    store = Store.open(db)
    first, second = store.documents()
    alice = AnnotationSession(store, "alice")
    claim = alice.tag(first.id, *_at(first.text, "joining the Islamic State"), "CLAIM",
                      attrs={"certainty": "reported", "checkworthy": "yes"}, note="see line 1\n“quoted”\t\x1b")
    source = alice.tag(first.id, *_at(first.text, "a new report"), "SOURCE", attrs={"type": "document"})
    alice.link(claim.id, source.id)
    motive = alice.tag(first.id, *_at(first.text, "to fight the Taliban"), "MOTIVE", attrs={"category": "security"},
                       origin="suggestion:cues@1")
    alice.link(motive.id, source.id, "attributed_to")
    other = alice.tag(second.id, 0, second.text.index(" ", 20), "CLAIM")
    alice.link(claim.id, other.id, "same_as")
    gone = alice.tag(second.id, *_at(second.text, "Islamic State"), "SOURCE")
    alice.delete(gone.id)
    bob = AnnotationSession(store, "bob")
    bob.tag(first.id, *_at(first.text, "Islamic State"), "SOURCE")
    start, _ = _at(first.text, "Taliban")
    bob.tag(first.id, start + 2, start + 7, "SOURCE")  # "liban": off token boundaries
    bob.tag(second.id, *_at(second.text, "Islamic State"), "CLAIM", attrs={"stance": "neutral"})
    store.close()
    return db


def export_bytes(db: Path, fmt: str, out: Path) -> bytes:
    cli("export", "--db", str(db), "--format", fmt, "-o", str(out))
    return out.read_bytes()


@pytest.mark.parametrize("fmt", ["prodigy", "doccano"])
def test_self_contained_formats_round_trip_into_an_empty_database(original: Path, tmp_path: Path, fmt: str) -> None:
    first = export_bytes(original, fmt, tmp_path / f"first.{fmt}.jsonl")
    assert first.count(b"\n") == 4  # (doc, annotator): 1/alice 1/bob 2/alice 2/bob
    copy = tmp_path / "copy.db"
    assert not copy.exists()
    cli("import", "--db", str(copy), str(tmp_path / f"first.{fmt}.jsonl"))
    again = export_bytes(copy, fmt, tmp_path / f"again.{fmt}.jsonl")
    assert again == first


def test_flat_round_trips_into_a_database_holding_only_the_articles(original: Path, tmp_path: Path) -> None:
    # A flat line carries no text: the importer attaches it to the article by its hash,
    # so the new database gets the articles first and nothing else.
    first = export_bytes(original, "flat", tmp_path / "first.jsonl")
    assert first.count(b"\n") == 7  # live spans: alice 4, bob 3
    copy = tmp_path / "copy.db"
    cli("import", "--db", str(copy), str(SEEDS))
    cli("import", "--db", str(copy), str(tmp_path / "first.jsonl"))
    assert export_bytes(copy, "flat", tmp_path / "again.jsonl") == first


def test_spacy_docbin_is_the_same_after_a_round_trip_through_prodigy(original: Path, tmp_path: Path) -> None:
    # No importer reads DocBins: the DocBin of the copy made from the prodigy export
    # must equal the original's, byte for byte.
    first = export_bytes(original, "spacy", tmp_path / "first.spacy")
    export_bytes(original, "prodigy", tmp_path / "p.jsonl")
    copy = tmp_path / "copy.db"
    cli("import", "--db", str(copy), str(tmp_path / "p.jsonl"))
    assert export_bytes(copy, "spacy", tmp_path / "again.spacy") == first


def test_round_trip_keeps_ids_relations_and_fields(original: Path, tmp_path: Path) -> None:
    """What the byte comparison implies, said explicitly (so a failure is readable)."""
    export_bytes(original, "prodigy", tmp_path / "p.jsonl")
    copy = tmp_path / "copy.db"
    cli("import", "--db", str(copy), str(tmp_path / "p.jsonl"))
    a, b = Store.open(original), Store.open(copy)
    try:
        key = lambda x: (x.doc_id, x.annotator, x.start, x.end, x.label)  # noqa: E731
        left = sorted(a.annotations(), key=key)
        right = sorted(b.annotations(), key=key)
        assert [(x.id, x.label, x.start, x.end, x.attrs, x.note, x.origin, x.quote) for x in left] == \
               [(x.id, x.label, x.start, x.end, x.attrs, x.note, x.origin, x.quote) for x in right]
        rels = lambda s: sorted((r.head_id, r.tail_id, r.type, r.annotator) for r in s.relations())  # noqa: E731
        assert rels(a) == rels(b) and len(rels(a)) == 3
    finally:
        a.close()
        b.close()


def test_exported_prodigy_loads_in_spacy_strictly(original: Path, tmp_path: Path) -> None:
    """Every span on token boundaries gives the same tokens through Doc.char_span(strict)."""
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    path = tmp_path / "p.jsonl"
    export_bytes(original, "prodigy", path)
    aligned = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        doc = nlp.make_doc(rec["text"])
        for span in rec["spans"]:
            sp = doc.char_span(span["start"], span["end"], alignment_mode="strict")
            if span["text"] == "liban":
                assert sp is None  # the one span off token boundaries
                continue
            assert sp is not None and (sp.start, sp.end - 1) == (span["token_start"], span["token_end"])
            aligned += 1
    assert aligned == 6
    export_bytes(original, "spacy", tmp_path / "s.spacy")
    docs = list(DocBin().from_disk(tmp_path / "s.spacy").get_docs(nlp.vocab))
    assert sum(len(d.spans["sc"]) for d in docs) == 6
