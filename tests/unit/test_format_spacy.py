"""spaCy: relations in the DocBin as doc._.rel, and a spancat config that reaches every span.

The config is checked by spaCy itself: ``spacy debug data`` exits 0 on an exported
DocBin, and a few steps of ``spacy train`` write a model.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tui.core.formats import export_to_path
from tui.core.formats.spacy_config import longest_span_tokens, spancat_config, write_config
from tui.core.formats.spacy_docbin import REL_KEY
from tui.core.session import AnnotationSession
from tui.core.store import Store
from seed_passages import span_of as _at

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
# spaCy's debug data fails a new pipeline trained on fewer than 100 examples.
ANNOTATORS = 50



@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds annotated alike by 50 annotators (100 Docs), exported to a DocBin."""
    tmp = tmp_path_factory.mktemp("spacy")
    store = Store.open(tmp / "d.db")
    first, second = (store.add_document("seeds", p.read_text(encoding="utf-8"), title=p.stem)[0]
                     for p in sorted(SEEDS.glob("*.txt")))
    long_claim = first.text.index("SMALL"), first.text.index(".") + 1  # the first sentence: a long span
    for n in range(ANNOTATORS):
        s = AnnotationSession(store, f"a{n:02d}")
        claim = s.tag(first.id, *long_claim, "CLAIM")
        source = s.tag(first.id, *_at(first.text, "a new report"), "SOURCE")
        s.link(claim.id, source.id)
        other = s.tag(second.id, *_at(second.text, "Islamic State"), "CLAIM")
        s.link(claim.id, other.id, "same_as")
        s.tag(second.id, *_at(second.text, "Taliban"), "MOTIVE" if n % 2 else "SOURCE")
    path = tmp / "x.spacy"
    stats = export_to_path(store, "spacy", path)
    store.close()
    assert stats.records == 2 * ANNOTATORS
    assert stats.relations == ANNOTATORS and stats.losses == {"cross-document relations": ANNOTATORS}
    return path


def _docs(path: Path):
    import spacy
    from spacy.tokens import DocBin

    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def test_relations_are_doc_rel_for_a_reader_that_registers_the_extension(exported: Path) -> None:
    from spacy.tokens import Doc

    doc = _docs(exported)[0]
    claim, source = sorted(doc.spans["sc"], key=lambda s: s.label_)
    assert doc.user_data[REL_KEY] == {(claim.start, source.start): {"attributed_to": 1.0}}
    registered = Doc.has_extension("rel")
    if not registered:
        Doc.set_extension("rel", default={})
    try:
        assert doc._.rel == {(claim.start, source.start): {"attributed_to": 1.0}}
    finally:
        if not registered:
            Doc.remove_extension("rel")


def test_config_suggester_reaches_the_longest_span(exported: Path) -> None:
    from thinc.api import Config

    longest, labels = longest_span_tokens(_docs(exported))
    assert longest > 3  # spaCy's default suggester (1-3 tokens) would miss it
    cfg = Config().from_str(spancat_config(longest, labels))
    assert cfg["components"]["spancat"]["suggester"] == {"@misc": "spacy.ngram_range_suggester.v1",
                                                          "min_size": 1, "max_size": longest}
    assert cfg["initialize"]["components"]["spancat"]["labels"] == ["CLAIM", "MOTIVE", "SOURCE"]
    with pytest.raises(ValueError):
        spancat_config(0, labels)


def _spacy(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "spacy", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=900)


def test_spacy_debug_data_accepts_the_docbin_and_config(exported: Path) -> None:
    cfg = write_config(exported)
    assert cfg == exported.with_suffix(".cfg")
    done = _spacy("debug", "data", str(cfg), "--paths.train", str(exported), "--paths.dev", str(exported),
                  cwd=exported.parent)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def short_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """100 one-sentence articles with a 9-token CLAIM each: training on the long seeds
    takes minutes, and what is tested here is that spaCy trains on our config at all."""
    tmp = tmp_path_factory.mktemp("short")
    store = Store.open(tmp / "d.db")
    s = AnnotationSession(store, "alice")
    for n in range(100):
        text = f"Report {n}: the minister said that taxes will rise by {n} percent next year."
        doc, _ = store.add_document("short", text, title=f"r{n}")
        claim = s.tag(doc.id, *_at(text, f"taxes will rise by {n} percent next year"), "CLAIM")
        source = s.tag(doc.id, *_at(text, "the minister"), "SOURCE")
        s.link(claim.id, source.id)
    path = tmp / "short.spacy"
    export_to_path(store, "spacy", path)
    store.close()
    return path


@pytest.mark.slow
def test_spacy_train_runs_a_few_steps_and_writes_a_model(short_corpus: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "small.cfg"
    longest, labels = longest_span_tokens(_docs(short_corpus))
    assert longest == 8  # the claim: "taxes will rise by N percent next year"
    cfg.write_text(spancat_config(longest, labels, width=32, hidden_size=32, max_steps=6))
    out = tmp_path / "model"
    done = _spacy("train", str(cfg), "--output", str(out), "--paths.train", str(short_corpus), "--paths.dev",
                  str(short_corpus), "--gpu-id", "-1", "--training.eval_frequency", "3", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "model-last" / "config.cfg").exists()
