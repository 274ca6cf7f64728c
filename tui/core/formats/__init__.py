"""Exchange formats: Prodigy, doccano and flat JSONL, and a spaCy DocBin; one module each.

The exchange formats are a contract shared with the importer (see
``briefs/formats.md``): keys sorted, records ordered by (story, document,
annotator), spans by (start, end, label, id), and nothing that changes between
two databases holding the same annotations (no timestamps, no relation creation
order), so export -> import into an empty database -> export is byte-identical.

Exports stream: stories one at a time, and per document only that document's
annotations are in memory, so a million annotations cost no more memory than
the largest document. (The spaCy DocBin is the exception: it is one msgpack
blob, so it holds the token arrays of everything it writes.)

spaCy is imported lazily, only to tokenise, so that importing this module stays
cheap and core stays usable without the model.

Modules: ``registry`` (the table of formats), ``records`` (what every format
writes from), ``tokens`` (spaCy tokens), one module per format (``prodigy``,
``doccano``, ``flat``, ``spacy_docbin``) and ``writer`` (to a stream or a file).
``incoming`` holds what a file is read into; reading the JSONL shapes back is
``tui.core.ingest.jsonl``, every later format reads itself (``read``/``read_folder``).
``labelstudio``, ``brat``, ``inception`` and ``w3c`` (each with a ``*_read`` or
``*_typesystem`` companion), ``modular`` (exporting through a module's own writer),
``configs`` (set-up files for the target tools), ``spacy_config``, ``schemas/`` (JSON
Schemas of what we read).

May import: ``tui.core.models``, ``errors``, ``text``, ``schema`` and ``outfiles``;
spaCy lazily. Never
the store module (a store object is passed in and only read), the session,
nlp, align or the UI.
"""

from __future__ import annotations

from .doccano import doccano_record
from .flat import flat_records
from .prodigy import input_hash, prodigy_record, task_hash
from .records import ExportStats, LinkedRelation, Record, SpanProblem, document_meta, dumps, is_exported, iter_records
from .registry import DEFAULT_FORMAT, FORMATS, REGISTRY, Format, default_output_path
from .spacy_docbin import build_docbin
from .tokens import TokenIndex, make_doc
from .writer import export, export_to_path, write_jsonl

__all__ = [
    "DEFAULT_FORMAT", "FORMATS", "REGISTRY", "ExportStats", "Format", "LinkedRelation", "Record", "SpanProblem",
    "TokenIndex", "build_docbin", "default_output_path", "document_meta", "doccano_record", "dumps", "export",
    "export_to_path", "flat_records", "input_hash", "is_exported", "iter_records", "make_doc",
    "prodigy_record", "task_hash", "write_jsonl",
]
