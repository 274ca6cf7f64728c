"""Review: per-annotator queues and document status, adjudication into a gold
set, and inter-annotator agreement.

Every function here takes either a ``Store`` or an ``AnnotationSession`` (it
uses ``.store`` when there is one) and never talks to SQLite itself.

Modules: ``queues`` (queues, statuses, resume), ``adjudication`` (comparing
annotators, copying into gold), ``agreement`` (F1 and Cohen's kappa).

May import: ``tui.core.models``, ``errors``, ``formats`` (what is exported) and
the store's row helpers. Never nlp, align, the session module or the UI.
"""

from __future__ import annotations

from ..errors import ReviewError
from .adjudication import GoldCopy, SpanComparison, compare_spans, copy_to_gold, remove_from_gold
from .agreement import PairAgreement, agreement, agreement_table, cohen_kappa, f1, span_f1, token_marks
from .queues import (
    ALL_LABELS,
    GOLD,
    QueueItem,
    StoryStatus,
    first_with_work,
    progress,
    queue,
    resume_point,
    step,
    story_statuses,
)

__all__ = [
    "ALL_LABELS", "GOLD", "GoldCopy", "PairAgreement", "QueueItem", "ReviewError", "SpanComparison", "StoryStatus",
    "agreement", "agreement_table", "cohen_kappa", "compare_spans", "copy_to_gold", "f1", "first_with_work",
    "progress", "queue", "remove_from_gold", "resume_point", "span_f1", "step", "story_statuses", "token_marks",
]
