"""Importing articles and annotations into the store.

``files`` finds and sniffs what to import; ``txt`` decodes plain-text articles and
finds their metadata; ``regions`` flags repeated passages and boilerplate;
``jsonl`` validates JSONL records (prodigy, doccano, flat), value by value with
``lines``, into ``tui.core.formats.incoming`` records; other formats are read by their
module in ``tui.core.formats``; ``importer`` writes each file whole or not at all.

May import: ``tui.core.models``, ``errors``, ``schema``, ``text``, ``boilerplate`` and the store
(only ``importer`` writes). Never nlp, align, the session or anything of the UI.
"""

from __future__ import annotations

from .files import (
    DEFAULT_MAX_SIZE,
    FORMATS,
    FileResult,
    ImportOptions,
    ImportTarget,
    collect_targets,
    format_size,
    parse_size,
    read_limited,
    sniff_format,
)
from .importer import import_file, import_paths

__all__ = [
    "DEFAULT_MAX_SIZE", "FORMATS", "FileResult", "ImportOptions", "ImportTarget", "collect_targets",
    "format_size", "import_file", "import_paths", "parse_size", "read_limited", "sniff_format",
]
