"""Slow computing in a child process: the suggestion engine and story alignment.

A thread is not enough for the reader: spaCy's parse and the aligner's Python
loops hold the GIL for tens of milliseconds at a time, and every key pressed
meanwhile waits for them (issue #16). A :class:`WorkerProcess` runs that work
in a child interpreter instead; the caller (a worker thread of the reader, or
any other code) blocks on a pipe, which releases the GIL, and gets back plain
model objects. Only the parent touches the database: the child gets texts and
returns suggestions or an alignment record, so the cache stays where it was.

The child is a fresh interpreter (``python -c``), not a fork: the parent has
threads (Textual's, the writer's), and a forked copy would inherit their held
locks; and not multiprocessing's "spawn", which imports the parent's
``__main__`` again in the child and needs a real ``sys.stderr``, which a
Textual app replaces. It talks over a socket pair with multiprocessing's
``Connection`` (pickled messages). It is started on first use, never before
the first paint, runs at a lower priority (``nice`` 10) so that on a busy
machine the reader's keys come first, and ends when the parent closes it or
dies (its end of the socket then reads EOF). Its stdin, stdout and stderr are
/dev/null: the terminal belongs to the app, and a library's warning printed
there would tear the screen; failures come back through the socket.

:class:`RemoteEngine` answers the part of ``nlp.Engine``'s interface that the
suggestion service uses (``description``, ``suggesters``, ``suggest``,
``learned``, ``suggest_docs``), so the service caches what it returns exactly
as it caches the in-process engine's suggestions. :class:`RemoteTrained` does
the same for a model trained by ``diptych train`` (``nlp.trained``): its
pipeline loads in the child too, beside the engine.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .errors import DiptychError
from .models import Suggestion
from .nlp.trained import TrainedModel, TrainedSuggester  # reads JSON only: no spaCy import


class WorkerGone(DiptychError):
    code = "worker-gone"


class WorkerProcess:
    """One child process and a request/answer pipe to it; calls are serialised."""

    def __init__(self, name: str = "diptych-worker") -> None:
        self.name = name
        self._lock = threading.Lock()
        self._conn = None
        self._proc = None
        self._closed = False

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def started(self) -> bool:
        return self._proc is not None

    def _start(self) -> None:
        import socket
        import subprocess
        from multiprocessing.connection import Connection  # here: not on the way to the first paint

        parent, child = socket.socketpair()
        code = f"import sys; sys.path[:0] = {sys.path!r}; from tui.core.worker_process import main; main({child.fileno()})"
        # stdin, stdout and stderr to /dev/null: the terminal is the app's.
        proc = subprocess.Popen([sys.executable, "-c", code], pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True)
        child.close()  # only the child holds its end: its death reads as EOF here
        self._conn, self._proc = Connection(parent.detach()), proc

    def call(self, op: str, *args: Any) -> Any:
        """Run ``op`` in the child and return its answer; raises what it raised
        (a DiptychError as itself, anything else as a RuntimeError naming it)."""
        with self._lock:
            if self._closed:
                raise WorkerGone("the worker process is closed")
            if self._proc is None:
                self._start()
            conn = self._conn
            try:
                conn.send((op, args))
                answer = conn.recv()
            except (EOFError, OSError) as exc:
                if self._conn is conn:
                    self._forget()
                else:  # close() ran meanwhile and left the socket to us
                    conn.close()
                raise WorkerGone(f"the worker process ended ({type(exc).__name__})",
                                 hint="reopen the story to start it again") from None
        status, value = answer
        if status == "ok":
            return value
        raise _rebuild(value)

    def _forget(self) -> None:
        conn, proc = self._conn, self._proc
        self._conn = self._proc = None
        if conn is not None:
            conn.close()
        if proc is not None:
            proc.kill()
            proc.wait(timeout=5)

    def close(self) -> None:
        """End the child. Does not wait for a call in progress: that call's
        thread reads EOF when the child dies, gets WorkerGone, and closes the
        socket itself (closing it under a blocked read could hand its file
        descriptor to another file)."""
        self._closed = True
        conn, proc = self._conn, self._proc
        self._conn = self._proc = None
        if proc is not None:
            proc.kill()  # holds no data of ours: nothing to finish
            proc.wait(timeout=5)
        if conn is not None and self._lock.acquire(blocking=False):
            try:
                conn.close()
            finally:
                self._lock.release()


@dataclass(frozen=True)
class RemoteSuggester:
    name: str
    version: str
    layer: str
    description: str


class RemoteEngine:
    """The suggestion engine, loaded and run in a worker process."""

    def __init__(self, worker: WorkerProcess, model: str | bool | None, *, patterns_path: str | None = None) -> None:
        self.worker = worker
        # Every call names the engine, so a worker started again after a crash
        # loads it again instead of failing.
        self._which = (model, patterns_path)
        self.description, rows = worker.call("load", *self._which)
        self.suggesters = [RemoteSuggester(*row) for row in rows]

    def suggest(self, text: str, *, include_learned: bool = True) -> list[Suggestion]:
        return self.worker.call("suggest", self._which, text, include_learned)

    def learned(self, text: str, sources: Iterable[str] | None = None) -> list[Suggestion]:
        return self.worker.call("learned", self._which, text, None if sources is None else list(sources))

    def suggest_docs(self, texts: Iterable[str], *, batch_size: int = 32, n_process: int = 1,
                     include_learned: bool = True) -> Iterator[list[Suggestion]]:
        # One text per call, so the caller can store and show each document as it comes.
        for text in texts:
            yield self.suggest(text, include_learned=include_learned)


class RemoteTrained(TrainedSuggester):
    """A trained suggester whose pipeline loads and runs in a worker process.

    A subclass so that its name, version, layers and description are the
    in-process suggester's by construction; only loading and suggesting go
    to the child. Every call names the model, so a worker started again after
    a crash loads it again.
    """

    def __init__(self, worker: WorkerProcess, model: TrainedModel) -> None:
        super().__init__(model)
        self.worker = worker

    def load(self) -> str:
        return self.worker.call("trained_load", self.model)

    def suggest(self, text: str) -> list[Suggestion]:
        return self.worker.call("trained_suggest", self.model, text)

    def suggest_docs(self, texts: Iterable[str], *, batch_size: int = 32,
                     n_process: int = 1) -> Iterator[list[Suggestion]]:
        # One text per call, so the caller can store and show each document as it comes.
        for text in texts:
            yield self.suggest(text)


def align_in(worker: WorkerProcess):
    """An ``align_story(inputs)`` that runs in ``worker`` and returns the Alignment."""

    def align(inputs):
        from .align.alignment import Alignment

        return Alignment.from_json(worker.call("align", list(inputs)))

    return align


# ---------------------------------------------------------------- the child


def _rebuild(info: tuple[str, str, str]) -> Exception:
    kind, message, hint = info
    from . import errors

    cls = getattr(errors, kind, None)
    if isinstance(cls, type) and issubclass(cls, DiptychError):
        return cls(message, hint=hint)
    return RuntimeError(f"{kind}: {message}")


def main(fd: int) -> None:
    """The child's entry point: serve the parent on the socket ``fd``."""
    # Below the reader in the scheduler: on a busy machine the keys come first.
    try:
        os.nice(10)
    except OSError:
        pass
    from multiprocessing.connection import Connection

    serve(Connection(fd))


def serve(conn) -> None:
    """The child's loop: answer requests until the parent closes the pipe."""
    import warnings

    warnings.simplefilter("ignore")
    state: dict[str, Any] = {}
    while True:
        try:
            op, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = ("ok", _HANDLERS[op](state, *args))
        except DiptychError as err:
            answer = ("error", (type(err).__name__, err.message, err.hint))
        except Exception as err:  # reported to the caller, which decides what the user sees
            answer = ("error", (type(err).__name__, str(err), ""))
        try:
            conn.send(answer)
        except (EOFError, OSError):
            return


def _engine(state: dict, model, patterns_path):
    from .nlp.engine import build_engine

    engines = state.setdefault("engines", {})
    key = (model, patterns_path)
    if key not in engines:
        engines[key] = build_engine(model, patterns_path=patterns_path)
    return engines[key]


def _load(state: dict, model, patterns_path):
    engine = _engine(state, model, patterns_path)
    return engine.description, [(s.name, s.version, s.layer, s.description) for s in engine.suggesters]


def _suggest(state: dict, which, text: str, include_learned: bool) -> list[Suggestion]:
    return list(_engine(state, *which).suggest(text, include_learned=include_learned))


def _learned(state: dict, which, text: str, sources) -> list[Suggestion]:
    return list(_engine(state, *which).learned(text, sources))


def _trained(state: dict, model: TrainedModel) -> TrainedSuggester:
    # One trained model at a time: each ctrl+t in the reader makes a new one,
    # and the old pipelines would otherwise stay in memory for nothing.
    held = state.get("trained")
    if held is None or held.model != model:
        suggester = TrainedSuggester(model)
        suggester.load()  # a model that cannot load is not kept: the next call says why again
        state["trained"] = held = suggester
    return held


def _trained_load(state: dict, model: TrainedModel) -> str:
    return _trained(state, model).description


def _trained_suggest(state: dict, model: TrainedModel, text: str) -> list[Suggestion]:
    return _trained(state, model).suggest(text)


def _align(state: dict, inputs) -> dict:
    from .align.alignment import align_story

    return align_story(inputs).to_json()


def _ping(state: dict) -> int:
    return os.getpid()


_HANDLERS = {"load": _load, "suggest": _suggest, "learned": _learned, "trained_load": _trained_load,
             "trained_suggest": _trained_suggest, "align": _align, "ping": _ping}
