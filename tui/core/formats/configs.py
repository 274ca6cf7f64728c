"""The set-up file a target tool needs besides the data: Label Studio's labeling config,
brat's annotation.conf, INCEpTION's type system, a spaCy spancat training config.

``diptych export -f NAME --config`` prints it; brat and INCEpTION exports also carry it
in their folder, and a spaCy export writes ``<name>.cfg`` beside the ``.spacy``.
"""

from __future__ import annotations

from typing import Any

from ..models import Story


def config_text(fmt: str, schema: Any, store: Any = None, *, annotator: str | None = None,
                story: Story | None = None) -> str | None:
    """The configuration for ``fmt`` (None for formats that need none)."""
    if fmt == "labelstudio":
        from .labelstudio import labeling_config

        return labeling_config(schema)
    if fmt == "brat":
        from .brat import annotation_conf

        return annotation_conf(schema)
    if fmt == "inception":
        from .inception_typesystem import layers_for, type_system_xml

        return type_system_xml(layers_for(schema)).decode("utf-8")
    if fmt == "spacy":
        from .spacy_config import docbin_config
        from .spacy_docbin import build_docbin

        docbin, _ = build_docbin(store, annotator=annotator, story=story)
        return docbin_config(docbin, [spec.name for spec in schema.labels])
    return None
