"""Plain frozen records passed between the store, the session and the UI.

Offsets everywhere are Python code-point offsets into ``Document.text``, which
never changes after import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Story:
    id: int
    title: str
    created_at: str = ""


@dataclass(frozen=True)
class Document:
    id: int
    story_id: int
    text: str
    text_sha256: str
    title: str = ""
    outlet: str = ""
    url: str = ""
    author: str = ""
    published: str = ""
    lang: str = "en"
    source_path: str = ""
    imported_at: str = ""
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Region:
    """A flagged stretch of a document: ``kind`` is ``repeated`` or ``boilerplate``."""

    doc_id: int
    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Annotation:
    id: str
    doc_id: int
    annotator: str
    label: str
    start: int
    end: int
    quote: str
    prefix: str = ""
    suffix: str = ""
    attrs: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    note: str = ""
    # "manual", or "suggestion:<suggester>@<version>", or "import:<format>"
    origin: str = "manual"
    status: str = "active"
    created_at: str = ""
    updated_at: str = ""
    deleted_at: str | None = None


@dataclass(frozen=True)
class Relation:
    id: str
    head_id: str
    tail_id: str
    type: str
    annotator: str
    attrs: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    created_at: str = ""
    deleted_at: str | None = None


# Suggestion layers: one toggle key per layer in the UI.
LAYER_ENTITY = "entity"
LAYER_ATTRIBUTION = "attribution"
LAYER_MOTIVE = "motive"
LAYERS = (LAYER_ENTITY, LAYER_ATTRIBUTION, LAYER_MOTIVE)


@dataclass(frozen=True)
class Suggestion:
    """A proposed span. Cue pairs share ``group``; the head (CLAIM/MOTIVE) links
    to the tail (SOURCE/actor) by ``relation`` when both are accepted."""

    start: int
    end: int
    label: str
    suggester: str
    version: str
    score: float = 1.0
    layer: str = LAYER_ENTITY
    group: str = ""
    role: str = ""  # "head", "tail" or "" for a lone span
    relation: str = ""  # e.g. "attributed_to", "motive_of"
    # The entity type the model gave (PERSON, ORG...), kept for colouring.
    kind: str = ""
    # Attributes carried into the annotation on accept, as sorted (name, value)
    # pairs so the suggestion stays hashable: a CLAIM's ("certainty", "hedged"),
    # a "the paper" SOURCE's ("refers_to", "The Wall Street Journal").
    attrs: tuple[tuple[str, str], ...] = ()

    @property
    def attributes(self) -> dict[str, str]:
        return dict(self.attrs)

    @property
    def key(self) -> str:
        """Stable identity of a suggestion, used for decisions (reject/accept)."""
        return f"{self.suggester}:{self.label}:{self.start}:{self.end}"
