"""`diptych train` and the trained suggester, on a real database and the real
spaCy pipeline (its tok2vec starts the encoder).

The database is the seed paragraphs with the rules' suggestions tagged as an
annotator's (tests/training_kit.py): enough documents to hold some out. It is
trained once for the module, a few epochs, so the scores are not the point;
the folder, the files, the suggester and the determinism are.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from training_kit import build_annotated_db

from tui.cli import main
from tui.core.errors import TrainingError
from tui.core.models import LAYER_ATTRIBUTION, LAYER_ENTITY, Suggestion
from tui.core.nlp.span_candidates import candidate_spans
from tui.core.nlp.trained import (
    TrainedSuggester,
    choose_trained,
    combine,
    find_models,
    models_dir_for,
    read_model,
)
from tui.core.nlp.training import TrainDoc, TrainSpan, score_spans, split_docs
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession
from tui.core.store import Store
from tui.core.suggestions import SuggestionService

EPOCHS = 6  # fewer, and the model proposes nothing yet


def run(*args: object) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, [str(a) for a in args])
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path, dict]:
    """(db, model folder, the --json result) after one training run; a second
    model "plain" (one epoch, random start, printed output) is trained too."""
    db = build_annotated_db(tmp_path_factory.mktemp("train") / "annotations.db")
    code, out, err = run("train", "--db", db, "--epochs", EPOCHS, "--json")
    assert code == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    return db, Path(result["model"]), result


@pytest.fixture(scope="module")
def plain_run(trained) -> tuple[str, str]:
    """(stdout, stderr) of `diptych train --name plain` without --json."""
    db, _, _ = trained
    code, out, err = run("train", "--db", db, "--epochs", 1, "--name", "plain", "--base-model", "none")
    assert code == 0, err
    return out, err


def test_train_saves_the_pipeline_scores_and_summary_next_to_the_database(trained):
    db, model, result = trained
    assert model.parent == db.parent / "models"
    assert model.name.startswith("diptych-")
    for name in ("config.cfg", "meta.json", "diptych.json", "scores.json", "training.json"):
        assert (model / name).is_file(), name
    scores = json.loads((model / "scores.json").read_text())
    assert set(scores["labels"]) >= {"CLAIM", "SOURCE"}
    assert scores["labels"]["SOURCE"]["gold"] > 0
    assert scores["labels"] == result["scores"]
    summary = json.loads((model / "training.json").read_text())
    assert summary["annotator"] == "gold"
    assert summary["encoder_from_base"] is True  # the installed pipeline's tok2vec
    assert len(summary["losses"]) == EPOCHS
    assert set(summary["held_out_docs"]).isdisjoint(summary["train_docs"])
    assert summary["labels"]["CLAIM"]["spans"] > 0


def test_train_prints_scores_per_label_and_progress_on_stderr(plain_run):
    out, err = plain_run
    assert "training: epoch 1/1" in err
    assert "training: epoch" not in out
    for label in ("CLAIM", "SOURCE"):
        assert any(line.strip().startswith(label) for line in out.splitlines()), out
    assert "held-out scores" in out and "models" in out and "encoder from random weights" in out
    assert "training spans among the candidates: " in out and "CLAIM " in out


def test_the_split_is_seeded_and_repeatable():
    docs = [TrainDoc(f"doc:{i}", f"text {i}", (TrainSpan(0, 4, "CLAIM"),)) for i in range(12)]
    a = split_docs(docs, 0.25, seed=0)
    b = split_docs(list(reversed(docs)), 0.25, seed=0)
    assert a == b
    train, held = a
    assert len(held) == 3 and len(train) == 9
    assert {d.key for d in train}.isdisjoint(d.key for d in held)
    assert any(split_docs(docs, 0.25, seed=s)[1] != held for s in range(1, 5))


def test_too_few_documents_are_refused_naming_who_annotated_more(trained, tmp_path):
    db, _, _ = trained
    with pytest.raises(TrainingError) as err:
        split_docs([TrainDoc("doc:1", "x", (TrainSpan(0, 1, "CLAIM"),))])
    assert err.value.code == "D051"
    before = len(find_models(models_dir_for(db)))
    code, _, err_text = run("train", "--db", db, "--annotator", "nobody")
    assert code == 1
    assert "[D051]" in err_text
    assert "'nobody' has annotated 0 document(s)" in err_text
    assert "gold (10 documents)" in err_text
    assert len(find_models(models_dir_for(db))) == before  # nothing half-made is left


def test_training_is_deterministic(trained):
    db, model, result = trained
    code, out, err = run("train", "--db", db, "--epochs", EPOCHS, "--json")
    assert code == 0, err
    again = json.loads(out.strip().splitlines()[-1])
    first, second = read_model(model), read_model(Path(again["model"]))
    assert second.path != first.path
    assert second.hash == first.hash
    assert again["scores"] == result["scores"]


def test_the_trained_model_suggests_spans_under_its_name_and_version(trained):
    db, model, _ = trained
    info = read_model(model)
    sugg = TrainedSuggester(info)
    assert sugg.name == "trained:diptych"
    assert sugg.version == f"diptych-{info.stamp}+{info.hash}"
    learnt_from = json.loads((model / "training.json").read_text())["train_docs"][0]
    store = Store.open(db)
    try:
        text = store.document(int(learnt_from.removeprefix("doc:"))).text
    finally:
        store.close()
    found = sugg.suggest(text)
    assert found, "the trained model proposed nothing on a document it was trained on"
    assert {s.suggester for s in found} == {"trained:diptych"}
    assert {s.version for s in found} == {sugg.version}
    assert all(0 <= s.start < s.end <= len(text) for s in found)
    assert sugg.suggest(text) == found


def test_the_service_uses_the_newest_model_and_caches_its_suggestions(trained, plain_run, monkeypatch):
    db, model, _ = trained
    monkeypatch.delenv("DIPTYCH_TRAINED", raising=False)
    newest = find_models(models_dir_for(db))[0]
    session = AnnotationSession.open(db, annotator="alice", schema=DEFAULT_SCHEMA)
    try:
        assert SuggestionService(session, no_model=True).trained.version == newest.version
        # The module's first model (the newest may be the one-epoch "plain", which proposes nothing).
        service = SuggestionService(session, no_model=True, trained=str(model))
        mine = read_model(model)
        assert (mine.suggester, mine.version) in service.runs()
        assert "trained" in service.description
        learnt_from = json.loads((model / "training.json").read_text())["train_docs"][0]
        doc = session.store.document(int(learnt_from.removeprefix("doc:")))
        computed = service.compute(doc)
        assert any(s.suggester == mine.suggester for s in computed)
        fresh = SuggestionService(session, no_model=True, trained=model.name)  # a new reader: from the cache
        assert fresh.cached(doc) == [s for s in computed if s.suggester != "learned-sources"]
        off = SuggestionService(session, no_model=True, trained="none")
        assert off.trained is None
        assert not any(s.suggester.startswith("trained:") for s in off.cached(doc))
        bad = SuggestionService(session, no_model=True, trained="no-such-model")
        assert bad.trained is None and "no trained model 'no-such-model'" in bad.trained_error
        monkeypatch.setenv("DIPTYCH_TRAINED", "none")
        assert SuggestionService(session, no_model=True).trained is None
        monkeypatch.setenv("DIPTYCH_TRAINED", "plain")
        assert SuggestionService(session, no_model=True).trained.model.name == "plain"
    finally:
        session.close()


def test_diptych_suggest_caches_the_trained_suggester_too(trained, monkeypatch):
    db, _, _ = trained
    monkeypatch.delenv("DIPTYCH_TRAINED", raising=False)
    newest = find_models(models_dir_for(db))[0]
    code, out, err = run("suggest", "--db", db, "--no-model", "--force")
    assert code == 0, err
    store = Store.open(db)
    try:
        for doc in store.documents():
            assert (newest.suggester, newest.version) in store.latest_runs(doc.text_sha256)
    finally:
        store.close()


def test_choose_trained_by_name_folder_or_none(trained, plain_run):
    db, model, _ = trained
    folder = models_dir_for(db)
    assert choose_trained(folder, "none") is None
    assert choose_trained(folder, model.name).path == model
    assert choose_trained(folder, str(model)).path == model
    assert choose_trained(folder, "plain").name == "plain"
    assert choose_trained(folder).stamp == max(m.stamp for m in find_models(folder))


def test_combine_drops_trained_duplicates_of_other_suggesters():
    cue = Suggestion(10, 40, "CLAIM", "attribution-cues", "v", 0.7, LAYER_ATTRIBUTION, group="att:1", role="head")
    ner = Suggestion(0, 8, "SOURCE", "spacy-ner", "v", 0.8, LAYER_ENTITY, kind="PERSON")
    same = Suggestion(10, 40, "CLAIM", "trained:x", "t", 0.5, LAYER_ATTRIBUTION, kind="TRAINED")
    inside_name = Suggestion(2, 8, "SOURCE", "trained:x", "t", 0.5, LAYER_ENTITY, kind="TRAINED")
    new = Suggestion(50, 70, "CLAIM", "trained:x", "t", 0.5, LAYER_ATTRIBUTION, kind="TRAINED")
    assert combine([cue, ner], [same, inside_name, new]) == [ner, cue, new]


def test_candidates_reach_a_reported_clause():
    # Constructed sentence: the clause after "said that" is one candidate span.
    words = ["The", "minister", "said", "that", "the", "border", "would", "stay", "closed", "."]
    cands = candidate_spans(words)
    assert (4, 9) in cands  # "the border would stay closed"
    assert (0, 2) in cands  # "The minister"
    assert all(e - s <= 60 for s, e in cands)


def test_scores_exact_and_overlap():
    gold = [[TrainSpan(0, 10, "CLAIM"), TrainSpan(20, 25, "SOURCE")]]
    pred = [[TrainSpan(0, 10, "CLAIM"), TrainSpan(19, 25, "SOURCE"), TrainSpan(30, 40, "SOURCE")]]
    claim, source = score_spans(gold, pred, ["CLAIM", "SOURCE"])
    assert (claim.precision, claim.recall) == (1.0, 1.0)
    assert (source.correct, source.overlap, source.predicted) == (0, 1, 2)


def test_an_unwritable_models_folder_is_a_clear_error(tmp_path):
    db = build_annotated_db(tmp_path / "small.db", limit=3)
    (tmp_path / "models").write_text("a file where the models folder should be")
    code, _, err = run("train", "--db", db, "--epochs", 1, "--base-model", "none")
    assert code == 1
    assert "[D051] cannot write the trained model under" in err
    assert "Traceback" not in err


def test_candidates_reach_a_motive_from_its_opening_word_and_a_fused_full_stop():
    # Constructed, longer than the 6-token n-grams so only the clause edges can reach them:
    # "in" opens the motive; "ISIS-K." is one token holding the sentence's full stop.
    words = ["They", "left", "in", "order", "to", "join", "the", "armed", "group", "ISIS-K.",
             "Others", "from", "the", "same", "unit", "stayed", "home", "."]
    cands = candidate_spans(words)
    assert (2, 10) in cands  # "in order to join the armed group ISIS-K."
    assert (10, 18) in cands  # "Others from the same unit stayed home ."


def test_a_new_trained_model_does_not_recompute_the_engines_cached_runs(trained, monkeypatch):
    db, model, _ = trained
    session = AnnotationSession.open(db, annotator="alice", schema=DEFAULT_SCHEMA)
    try:
        doc = session.store.documents()[1]
        first = SuggestionService(session, no_model=True, trained="none")
        first.compute(doc)  # the engine's runs are cached now, no trained run
        service = SuggestionService(session, no_model=True, trained=str(model))
        service.load()

        def no_parse(*args, **kwargs):
            raise AssertionError("the engine parsed a text whose runs were cached")

        monkeypatch.setattr(service.engine, "suggest", no_parse)
        found = service.compute(doc)
        mine = read_model(model)
        direct = TrainedSuggester(mine).suggest(doc.text)
        assert session.cached_suggestions(doc, [(mine.suggester, mine.version)]) == direct
        assert set(s for s in found if s.suggester == mine.suggester) <= set(direct)
    finally:
        session.close()
