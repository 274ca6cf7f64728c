"""Run doccano 1.8's own import pipeline (no database writes) on a doccano JSONL file.

Run with a Python that has ``pip install doccano`` (a separate venv: doccano pulls
Django, pandas 1.x, celery...). Prints a JSON summary on stdout: what doccano's
relation-extraction importer would create (examples, spans, relations), its parse
errors, and relations whose from_id/to_id it could not match to a span of the same
example (its ``id_to_span`` lookup is keyed by (entity id, example uuid)).

Usage: python doccano_parse.py FILE.jsonl
"""

import json
import os
import sys
from pathlib import Path

import backend  # the doccano package: its Django project lives in site-packages/backend

sys.path.insert(0, str(Path(backend.__file__).parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.development")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

import django  # noqa: E402

django.setup()

from data_import.pipeline.label import RelationLabel, SpanLabel  # noqa: E402
from data_import.pipeline.makers import ExampleMaker, LabelMaker  # noqa: E402
from data_import.pipeline.parsers import JSONLParser  # noqa: E402
from data_import.pipeline.readers import FileName, Reader  # noqa: E402
from data_import.pipeline.data import TextData  # noqa: E402


class _TextData(TextData):
    """doccano's TextData, stopped before it builds a database row (needs a saved Project)."""

    def create(self, project):
        return self


def main(path: str) -> None:
    reader = Reader([FileName(full_path=path, generated_name=path, upload_name=Path(path).name)],
                    JSONLParser(encoding="Auto"))
    out = {"examples": 0, "spans": 0, "relations": 0, "unresolved_relations": 0, "errors": [], "texts": []}
    makers = []
    for df in reader.batch(1000):
        example_maker = ExampleMaker(project=None, data_class=_TextData, column_data="text",
                                     exclude_columns=["entities", "relations"])
        span_maker = LabelMaker(column="entities", label_class=SpanLabel)
        relation_maker = LabelMaker(column="relations", label_class=RelationLabel)
        examples = example_maker.make(df)
        spans = span_maker.make(df)
        relations = relation_maker.make(df)
        makers += [example_maker, span_maker, relation_maker]
        ids = {(s.id, str(s.example_uuid)) for s in spans}
        out["examples"] += len(examples)
        out["spans"] += len(spans)
        out["relations"] += len(relations)
        out["unresolved_relations"] += sum(1 for r in relations if (r.from_id, str(r.example_uuid)) not in ids
                                           or (r.to_id, str(r.example_uuid)) not in ids)
        text_of = {str(e.uuid): e.text for e in examples}
        out["texts"] += [e.text for e in examples]
        out.setdefault("span_texts", []).extend(
            [text_of.get(str(s.example_uuid), "")[s.start_offset:s.end_offset], s.label] for s in spans)
    out["errors"] = [str(e.dict() if hasattr(e, "dict") else e) for m in [reader, *makers] for e in m.errors]
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
