"""Training a suggester from the reader: ``diptych train`` on this annotator's
spans, in a background process (``tui.core.training_job``), its progress and
held-out scores in the status line. When it finishes, the new model becomes
the trained suggester and the story's suggestions are recomputed with it.

A mixin of AnnotateScreen: it uses the screen's session, status and workers.
"""

from __future__ import annotations

from textual import work

from tui.bindings import Key
from tui.core.errors import DiptychError
from tui.core.training_job import TrainingJob, TrainingOutcome

KEYS: tuple[Key, ...] = (
    Key("suggester.train", "ctrl+t", "train_suggester",
        "train a suggester on your annotations (background; status shows progress and scores)", "Suggest"),
)


class TrainingActions:
    training_job: TrainingJob | None = None
    last_training: TrainingOutcome | None = None

    def action_train_suggester(self) -> None:
        job = self.training_job
        if job is not None and job.running:
            self.notify_plain("a suggester is already training: its progress is in the status line")
            return
        annotator = self.session.annotator
        job = TrainingJob(self.session.db_path, annotator)
        self.training_job = job
        self.set_suggest_status(f"training a suggester on {annotator}'s annotations…")
        self.notify_plain(f"training a suggester on {annotator}'s annotations in the background")
        self.run_training(job)

    @work(thread=True, exclusive=True, group="train")
    def run_training(self, job: TrainingJob) -> None:
        try:
            outcome = job.run(lambda line: self._from_worker(self.set_suggest_status, line))
        except DiptychError as err:
            self._from_worker(self.training_failed, job, err)
            return
        except Exception as err:  # a broken install must not take the reader down
            self._from_worker(self.training_failed, job, DiptychError(f"{type(err).__name__}: {err}"))
            return
        self._from_worker(self.training_done, job, outcome)

    def _from_worker(self, callback, *args) -> None:
        try:
            self.app.call_from_thread(callback, *args)
        except RuntimeError:
            pass  # the reader closed (and stopped the child) while it trained: nobody to tell

    def training_failed(self, job: TrainingJob, err: DiptychError) -> None:
        if self.training_job is job:
            self.training_job = None
        text = err.message + (f" — {err.hint}" if err.hint else "")
        self.set_suggest_status(f"training: {text}")
        self.notify_plain(text, error=True)

    def training_done(self, job: TrainingJob, outcome: TrainingOutcome) -> None:
        if self.training_job is job:
            self.training_job = None
        self.app.suggestions.use_trained(str(outcome.model))
        self.last_training = outcome
        self.set_suggest_status(outcome.summary())
        self.notify_plain(outcome.summary())
        if self.app.suggest:
            self.compute_suggestions()

    def stop_training(self) -> None:
        if self.training_job is not None:
            self.training_job.cancel()
