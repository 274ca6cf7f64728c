"""A large JSONL of prodigy records for the bulk-write tests and bench: ``docs``
articles with ``per_doc`` non-overlapping spans each (200 x 1000 = 200k spans)."""

from __future__ import annotations

import json
from pathlib import Path


def write_big_jsonl(path: Path, docs: int = 1000, per_doc: int = 200) -> int:
    """Write the file; returns the number of spans in it."""
    with path.open("w", encoding="utf-8") as fh:
        for d in range(docs):
            words = [f"w{d}x{i:04d}" for i in range(per_doc)]
            text = " ".join(words) + "."
            spans, pos = [], 0
            for w in words:
                spans.append({"start": pos, "end": pos + len(w), "label": "CLAIM"})
                pos += len(w) + 1
            fh.write(json.dumps({"text": text, "spans": spans, "meta": {"story": "Bulk", "title": f"Bulk {d}"}}) + "\n")
    return docs * per_doc
