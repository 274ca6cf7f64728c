"""The worker process (tui/core/worker_process.py) gives exactly what the same
code gives in this process: the same suggestions from the real model and from
the rules, the same learned sources, the same alignment, the same errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.align.alignment import align_story
from tui.core.align.units import inputs_from
from tui.core.errors import ModelError
from tui.core.models import Document
from tui.core.nlp.engine import build_engine
from tui.core.worker_process import RemoteEngine, WorkerGone, WorkerProcess, align_in

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))


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
