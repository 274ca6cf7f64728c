"""A small annotated database for the training tests.

The documents are the paragraphs of the two seed articles (each paragraph of
15 words or more imported as its own document, so there are enough documents
to hold some out). The annotations are what the rules-only suggester proposes
on them, tagged through the session as if an annotator ``gold`` had accepted
each one: real spans on real text, made without hand-picking, but not an
independent reference (so scores from it say nothing about quality).
"""

from __future__ import annotations

from pathlib import Path

from tui.core.errors import DiptychError
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession
from tui.core.store import Store

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
STORY = "Seed paragraphs"
LABELS = ("CLAIM", "SOURCE", "MOTIVE", "ACTOR")


def seed_paragraphs() -> list[tuple[str, str]]:
    """(title, text) of every seed paragraph of 15 words or more, in file order."""
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        for i, para in enumerate(path.read_text(encoding="utf-8").split("\n\n")):
            if len(para.split()) >= 15:
                out.append((f"{path.stem}-p{i}", para.strip()))
    return out


def build_annotated_db(path: Path, annotator: str = "gold", *, limit: int | None = None) -> Path:
    from tui.core.nlp.engine import build_engine

    engine = build_engine(False)
    store = Store.open(path)
    try:
        session = AnnotationSession(store, annotator, schema=DEFAULT_SCHEMA)
        paragraphs = seed_paragraphs()[:limit]
        for title, text in paragraphs:
            doc, _ = store.add_document(STORY, text, title=title)
            for s in engine.suggest(text, include_learned=False):
                if s.label in LABELS:
                    try:
                        session.tag(doc.id, s.start, s.end, s.label)
                    except DiptychError:
                        pass  # the same span twice (two cues): once is enough
    finally:
        store.close()
    return path
