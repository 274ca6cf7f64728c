"""The exchange formats Diptych writes and reads, in one table.

The CLI's ``-f`` choices, the README's format table and the tests all enumerate
``REGISTRY``; adding a format means a module in this package and a row here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..models import Story
from ..text import slug


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str  # of the default export path ("" for a folder)
    module: str  # the module in this package that writes (and reads) it
    imports: bool  # `diptych import` reads it back
    summary: str
    # "stream": one file (or stdout); "folder": a folder of files.
    layout: str = "stream"


REGISTRY: dict[str, Format] = {f.name: f for f in (
    Format("prodigy", ".jsonl", "prodigy", True, "Prodigy-shaped JSONL: text, meta, spans with tokens, relations"),
    Format("doccano", ".jsonl", "doccano", True, "doccano JSONL: label list and entities/relations"),
    Format("flat", ".jsonl", "flat", True, "one annotation a line, placed by quote and position selectors"),
    Format("spacy", ".spacy", "spacy_docbin", False, "spaCy DocBin with doc.spans per label and in \"sc\""),
)}
FORMATS = tuple(REGISTRY)
DEFAULT_FORMAT = "prodigy"
EXPORT_DIR = Path("annotations")


def default_output_path(fmt: str, story: Story | None = None) -> Path:
    """``annotations/<story-or-all>-<format>.jsonl`` (``.spacy`` for a DocBin)."""
    if story is None:
        stem = "all"
    else:
        stem = slug(story.title, f"story-{story.id}")
    return EXPORT_DIR / f"{stem}-{fmt}{REGISTRY[fmt].suffix if fmt in REGISTRY else '.jsonl'}"
