"""The exchange formats Diptych writes and reads, in one table.

The CLI's ``-f`` choices, the README's format table and the tests all enumerate
``REGISTRY``; adding a format means a module in this package and a row here.
"""

from __future__ import annotations

import re
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
    # How `diptych import` reads it: "jsonl" (line by line, with the other JSONL
    # shapes), "file" (the module's read()), "folder" (its read_folder()) or "".
    reader: str = ""
    # File endings that mark it: a file to sniff, or (folder formats) a file
    # inside a folder that makes the folder one of this format.
    marks: tuple[str, ...] = ()


REGISTRY: dict[str, Format] = {f.name: f for f in (
    Format("prodigy", ".jsonl", "prodigy", True, "Prodigy-shaped JSONL: text, meta, spans with tokens, relations",
           reader="jsonl"),
    Format("doccano", ".jsonl", "doccano", True, "doccano JSONL: label list and entities/relations", reader="jsonl"),
    Format("flat", ".jsonl", "flat", True, "one annotation a line, placed by quote and position selectors",
           reader="jsonl"),
    Format("spacy", ".spacy", "spacy_docbin", False, "spaCy DocBin with doc.spans per label and in \"sc\""),
    Format("labelstudio", ".json", "labelstudio", True,
           "Label Studio tasks: annotations per annotator, suggestions as predictions, relations",
           reader="file"),
    Format("brat", "", "brat", True,
           "brat standoff: a .txt and .ann per document and annotator, with annotation.conf",
           layout="folder", reader="folder", marks=(".ann", "annotation.conf")),
    Format("inception", "", "inception", True,
           "INCEpTION: UIMA CAS XMI per document and annotator, with TypeSystem.xml for our layers",
           layout="folder", reader="folder", marks=(".xmi", "TypeSystem.xml")),
    Format("w3c", ".jsonld", "w3c", True,
           "W3C Web Annotation JSON-LD: an AnnotationCollection placed by quote and position selectors",
           reader="file", marks=(".jsonld",)),
)}
FORMATS = tuple(REGISTRY)
# What `diptych import --format` takes besides auto, txt and jsonl.
IMPORT_FORMATS = tuple(f.name for f in REGISTRY.values() if f.reader in ("file", "folder"))


def folder_format_of(names: list[str]) -> str | None:
    """The folder format whose marking files are among ``names`` (a folder's file names)."""
    for f in REGISTRY.values():
        if f.reader == "folder" and any(n.lower().endswith(f.marks) for n in names):
            return f.name
    return None


def file_format_of(name: str, head: bytes) -> str | None:
    """The file format a file's name or first bytes show, or None (then: txt or jsonl)."""
    lower = name.lower()
    for f in REGISTRY.values():
        if f.reader == "file" and f.marks and lower.endswith(f.marks):
            return f.name
    body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if re.match(rb"\[\s*[{\]]", body) and "labelstudio" in REGISTRY:
        return "labelstudio"  # Label Studio's JSON export is a list of tasks; JSONL never starts so
    opens_with_context = body.startswith(b'{"@context"') or body.startswith(b'{ "@context"')
    if body[:1] == b"{" and "w3c" in REGISTRY and (opens_with_context or (lower.endswith(".json")
                                                                          and b'"@context"' in head)):
        return "w3c"
    return None
DEFAULT_FORMAT = "prodigy"
EXPORT_DIR = Path("annotations")


def default_output_path(fmt: str, story: Story | None = None) -> Path:
    """``annotations/<story-or-all>-<format>.jsonl`` (``.spacy`` for a DocBin)."""
    if story is None:
        stem = "all"
    else:
        stem = slug(story.title, f"story-{story.id}")
    return EXPORT_DIR / f"{stem}-{fmt}{REGISTRY[fmt].suffix if fmt in REGISTRY else '.jsonl'}"
