"""The worker process (tui/core/worker_process.py) gives exactly what the same
code gives in this process: the same suggestions from the real model, from
the rules and from a trained model, the same learned sources, the same
alignment, the same errors."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from training_kit import build_annotated_db

from tui.cli import main
from tui.core.align.alignment import align_story
from tui.core.align.units import inputs_from
from tui.core.errors import ModelError
from tui.core.models import Document
from tui.core.nlp.engine import build_engine
from tui.core.nlp.trained import TrainedModel, TrainedSuggester, read_model
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession
from tui.core.store import Store
from tui.core.suggestions import SuggestionService
from tui.core.worker_process import RemoteEngine, RemoteTrained, WorkerGone, WorkerProcess, align_in

REPO = Path(__file__).resolve().parents[2]
SEEDS = sorted((REPO / "seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in SEEDS]


@pytest.fixture(scope="module")
def worker():
    w = WorkerProcess("test-worker")
    yield w
    w.close()


def test_model_suggestions_in_the_worker_equal_those_in_process(worker, texts) -> None:
    local = build_engine(None)
    remote = RemoteEngine(worker, None)
    assert not local.rules_only
    assert remote.description == local.description
    assert [(s.name, s.version, s.layer) for s in remote.suggesters] == \
        [(s.name, s.version, s.layer) for s in local.suggesters]
    for text in texts:
        ours = remote.suggest(text, include_learned=False)
        assert ours, "the seeds have entities and cues"
        assert ours == local.suggest(text, include_learned=False)
    names = ["Reuters", "the Pentagon"]
    for text in texts:
        assert remote.learned(text, names) == local.learned(text, names)


def test_rules_only_suggestions_in_the_worker_equal_those_in_process(texts) -> None:
    worker = WorkerProcess("test-rules")
    try:
        remote = RemoteEngine(worker, False)
        local = build_engine(False)
        assert local.rules_only and remote.description == local.description
        for text in texts:
            assert remote.suggest(text, include_learned=False) == local.suggest(text, include_learned=False)
    finally:
        worker.close()


def test_alignment_in_the_worker_equals_the_one_in_process(texts) -> None:
    docs = [Document(id=i + 1, story_id=1, text=t, text_sha256=str(i), title=f"d{i}") for i, t in enumerate(texts)]
    inputs = inputs_from(docs)
    worker = WorkerProcess("test-align")
    try:
        assert align_in(worker)(inputs).to_json() == align_story(inputs).to_json()
    finally:
        worker.close()


def test_an_error_in_the_worker_comes_back_as_the_same_error() -> None:
    worker = WorkerProcess("test-error")
    try:
        with pytest.raises(ModelError) as caught:
            RemoteEngine(worker, "no_such_model_here")
        assert "no_such_model_here" in caught.value.message and caught.value.hint
        with pytest.raises(RuntimeError, match="KeyError"):
            worker.call("no such request")  # the worker still answers after an error
    finally:
        worker.close()
    with pytest.raises(WorkerGone):
        worker.call("ping")


def test_an_engine_whose_worker_died_loads_again_in_the_new_one(texts) -> None:
    import os
    import signal

    worker = WorkerProcess("test-reload")
    try:
        remote = RemoteEngine(worker, False)
        first = remote.suggest(texts[0], include_learned=False)
        os.kill(worker.pid, signal.SIGKILL)
        with pytest.raises(WorkerGone):
            remote.suggest(texts[0], include_learned=False)
        assert remote.suggest(texts[0], include_learned=False) == first
    finally:
        worker.close()


def test_a_dead_worker_is_reported_then_started_again() -> None:
    import os
    import signal

    worker = WorkerProcess("test-dead")
    try:
        pid = worker.call("ping")
        assert pid == worker.pid and pid != os.getpid()
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(WorkerGone):
            worker.call("ping")
        assert worker.call("ping") not in (pid, os.getpid()), "a new child on the next call"
    finally:
        worker.close()


# -- the trained suggester (`diptych train`) ---------------------------------------


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> tuple[Path, Path]:
    """(db, model folder): eight seed paragraphs, six epochs: enough to propose spans."""
    db = build_annotated_db(tmp_path_factory.mktemp("worker-train") / "team.db", limit=8)
    res = CliRunner().invoke(main, ["train", "--db", str(db), "--epochs", "6", "--json"])
    assert res.exit_code == 0, res.stderr
    return db, Path(json.loads(res.stdout.strip().splitlines()[-1])["model"])


def _texts_of(db: Path) -> list[str]:
    store = Store.open(db)
    try:
        return [doc.text for doc in store.documents()]
    finally:
        store.close()


def test_trained_suggestions_in_the_worker_equal_those_in_process(worker, tiny_model) -> None:
    db, model = tiny_model
    info = read_model(model)
    local, remote = TrainedSuggester(info), RemoteTrained(worker, info)
    assert (remote.name, remote.version, remote.layers, remote.description) == \
        (local.name, local.version, local.layers, local.description)
    assert remote.load() == local.description
    texts = _texts_of(db)
    ours = [remote.suggest(text) for text in texts]
    assert any(ours), "the tiny model proposes spans on the texts it learnt from"
    assert ours == [local.suggest(text) for text in texts]
    assert list(remote.suggest_docs(texts)) == ours


def test_the_worker_answers_with_the_model_it_is_asked_for(worker, tiny_model, tmp_path) -> None:
    db, model = tiny_model
    other_dir = tmp_path / "other-20260101-000000"
    shutil.copytree(model, other_dir)
    meta = json.loads((other_dir / "diptych.json").read_text())
    (other_dir / "diptych.json").write_text(json.dumps({**meta, "name": "other", "hash": "x"}))
    first, other = read_model(model), read_model(other_dir)
    text = next(t for t in _texts_of(db) if TrainedSuggester(first).suggest(t))
    for info in (first, other, first):  # a retrained model in the reader: the worker follows
        found = RemoteTrained(worker, info).suggest(text)
        assert found and {(s.suggester, s.version) for s in found} == {(info.suggester, info.version)}


def test_a_trained_model_that_cannot_load_in_the_worker_is_the_same_error(worker, tmp_path) -> None:
    broken = TrainedModel(tmp_path, "broken", "20260101-000000", "", "0")  # no pipeline in the folder
    with pytest.raises(ModelError) as here:
        TrainedSuggester(broken).load()
    with pytest.raises(ModelError) as there:
        RemoteTrained(worker, broken).suggest("Some text.")
    assert there.value.message == here.value.message and there.value.hint == here.value.hint
    assert worker.call("ping") == worker.pid, "the worker still answers"


SERVICE_WITH_WORKER = """
    import dataclasses, json, sys
    from tui.core.schema import DEFAULT_SCHEMA
    from tui.core.session import AnnotationSession
    from tui.core.suggestions import SuggestionService
    from tui.core.worker_process import RemoteTrained, WorkerProcess

    worker = WorkerProcess("test-trained-service")
    session = AnnotationSession.open(sys.argv[1], annotator="alice", schema=DEFAULT_SCHEMA)
    try:
        service = SuggestionService(session, no_model=True, trained=sys.argv[2], worker=worker)
        description = service.load()
        found = {doc.id: [dataclasses.astuple(s) for s in service.compute(doc)] for doc in session.store.documents()}
        remote = isinstance(service.trained, RemoteTrained)
        heavy = sorted(m for m in ("spacy", "thinc", "numpy") if m in sys.modules)
    finally:
        session.close()
        worker.close()
    print(json.dumps({"description": description, "found": found, "remote": remote, "heavy": heavy}))
"""


def test_the_service_runs_the_trained_model_in_its_worker_and_never_imports_spacy(tiny_model, tmp_path) -> None:
    db, model = tiny_model
    # Two copies, so neither run reads what the other cached.
    there, here = tmp_path / "there.db", tmp_path / "here.db"
    shutil.copyfile(db, there)
    shutil.copyfile(db, here)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(SERVICE_WITH_WORKER), str(there), str(model)],
                          capture_output=True, text=True, timeout=600, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["remote"] is True
    assert result["heavy"] == [], "spaCy loaded the trained model in the worker, never in this process"
    session = AnnotationSession.open(here, annotator="alice", schema=DEFAULT_SCHEMA)
    try:
        local = SuggestionService(session, no_model=True, trained=str(model))  # in-process: `diptych suggest`'s path
        assert type(local.trained) is TrainedSuggester
        assert result["description"] == local.load()
        expected = {str(doc.id): json.loads(json.dumps([dataclasses.astuple(s) for s in local.compute(doc)]))
                    for doc in session.store.documents()}
    finally:
        session.close()
    assert result["found"] == expected
    assert any(row[3].startswith("trained:") for rows in expected.values() for row in rows), \
        "trained suggestions are among those compared"
