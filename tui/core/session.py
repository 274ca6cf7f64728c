"""AnnotationSession: the one API the UI (and the headless commands) call.

It owns the rules a user sees — one annotator edits only their own spans, a
label must be in the schema, a span must lie inside the text, a login writes as
another annotator only when the database's policy allows it — and turns each
action into one store transaction with an event (logged with the OS user), so
undo/redo work for every change, also after a restart, and only ever on the
changes this person made under this annotator name.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from .errors import SpanError, StoreError
from .models import Annotation, Document, Region, Relation, Story
from .schema import DEFAULT_SCHEMA, FREE_TEXT_ATTRIBUTES, LabelSchema, load_schema
from .store import EventBatch, Store, annotation_row, new_id, now, relation_row, write_policy
from .store import os_user as _login  # a parameter below is called os_user
from .anchoring import make_selector
from .session_suggestions import SuggestionDecisions, _short

DEFAULT_DB = Path("annotations") / "diptych.db"
DEFAULT_SCHEMA_FILE = Path("annotations") / "schema.toml"


def default_annotator() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return os.environ.get("USER") or "annotator"


def resolve_db_path(db: str | os.PathLike | None) -> Path:
    if db:
        return Path(db)
    env = os.environ.get("DIPTYCH_DB")
    return Path(env) if env else DEFAULT_DB


def resolve_schema(path: str | os.PathLike | None) -> LabelSchema:
    if path:
        return load_schema(path)
    if DEFAULT_SCHEMA_FILE.exists():
        return load_schema(DEFAULT_SCHEMA_FILE)
    return DEFAULT_SCHEMA



class AnnotationSession(SuggestionDecisions):
    def __init__(self, store: Store, annotator: str | None = None, schema: LabelSchema = DEFAULT_SCHEMA,
                 session_id: str | None = None, os_user: str | None = None) -> None:
        self.store = store
        self.annotator = annotator or default_annotator()
        # Who is really at the keyboard: logged on every event, and what the write
        # policy and undo go by. Tests pass it to play two people on one machine.
        self.os_user = os_user or _login()
        self.schema = schema
        self.session_id = session_id or new_id()
        self._texts: dict[int, str] = {}
        self._tokens: dict[int, Any] = {}  # doc id -> its TokenIndex, built on first ask

    @classmethod
    def open(cls, db: str | os.PathLike | None = None, *, annotator: str | None = None,
             schema: str | os.PathLike | LabelSchema | None = None, readonly: bool = False,
             create: bool = True, os_user: str | None = None) -> "AnnotationSession":
        label_schema = schema if isinstance(schema, LabelSchema) else resolve_schema(schema)
        st = Store.open(resolve_db_path(db), readonly=readonly, create=create)
        return cls(st, annotator, label_schema, os_user=os_user)

    def close(self) -> None:
        self.store.close()

    def twin(self) -> "AnnotationSession":
        """The same person on a second connection to the same file, for a writer thread.

        Same annotator, OS user, schema and session id, so its changes are this
        session's (one undo history). A save waiting for another process's write
        lock holds its connection's lock meanwhile; on its own connection, the
        reader's reads on this session never wait behind it. A read-only session
        is its own twin: its writes are refused before any lock is taken.
        """
        if self.readonly:
            return self
        return AnnotationSession(self.store.second(), self.annotator, self.schema, session_id=self.session_id,
                                 os_user=self.os_user)

    @property
    def readonly(self) -> bool:
        return self.store.readonly

    @property
    def db_path(self) -> Path:
        return self.store.path

    # ------------------------------------------------------------ reading

    def stories(self) -> list[Story]:
        return self.store.stories()

    def story(self, story_id: int) -> Story | None:
        return self.store.story(story_id)

    def documents(self, story_id: int) -> list[Document]:
        docs = self.store.documents(story_id)
        for d in docs:
            self._texts[d.id] = d.text
        return docs

    def document(self, doc_id: int) -> Document:
        doc = self.store.document(doc_id)
        if doc is None:
            raise StoreError(f"no document with id {doc_id}")
        self._texts[doc.id] = doc.text
        return doc

    def regions(self, doc_id: int) -> list[Region]:
        return self.store.regions(doc_id)

    def annotations(self, doc_id: int) -> list[Annotation]:
        """This annotator's live annotations on a document."""
        return self.store.annotations(doc_id, self.annotator)

    def annotations_of(self, doc_id: int, annotators: Iterable[str] | None = None) -> list[Annotation]:
        """Everyone's (or the named annotators') live annotations: for review."""
        if annotators is None:
            return self.store.annotations(doc_id)
        wanted = set(annotators)
        return [a for a in self.store.annotations(doc_id) if a.annotator in wanted]

    def annotation(self, ann_id: str) -> Annotation | None:
        return self.store.annotation(ann_id)

    def relations(self, doc_ids: Iterable[int]) -> list[Relation]:
        return self.store.relations(annotator=self.annotator, doc_ids=list(doc_ids))

    def annotators(self) -> list[str]:
        return self.store.annotators()

    # ------------------------------------------------------------ writing annotations

    def tag(self, doc_id: int, start: int, end: int, label: str, *, attrs: dict[str, Any] | None = None,
            note: str = "", origin: str = "manual") -> Annotation:
        # The duplicate check runs once, inside the write's transaction (the guard).
        ann = self._new_annotation(doc_id, start, end, label, attrs=attrs, note=note, origin=origin,
                                   check_duplicate=False)
        self._write([("annotation", ann.id, annotation_row(ann))],
                    f"tag {label} “{_short(ann.quote)}”", guard=self._guard_new([ann]), fresh={ann.id})
        return ann

    def _new_annotation(self, doc_id: int, start: int, end: int, label: str, *,
                        attrs: dict[str, Any] | None = None, note: str = "", origin: str = "manual",
                        annotator: str | None = None, check_duplicate: bool = True) -> Annotation:
        self.schema.label(label)  # raises SchemaError for an unknown label
        text = self._text(doc_id)
        if not (0 <= start < end <= len(text)):
            raise SpanError(f"span {start}-{end} is outside document {doc_id} (length {len(text)}) or empty",
                            hint="select at least one character inside the text")
        who = annotator or self.annotator
        if check_duplicate:
            self._refuse_duplicate(doc_id, who, start, end, label)
        self._check_attrs(label, attrs or {})
        sel = make_selector(text, start, end)
        stamp = now()
        return Annotation(id=new_id(), doc_id=doc_id, annotator=who, label=label, start=start, end=end,
                          quote=sel["exact"], prefix=sel["prefix"], suffix=sel["suffix"], attrs=dict(attrs or {}),
                          note=note, origin=origin, created_at=stamp, updated_at=stamp)

    def edit(self, ann_id: str, *, attrs: dict[str, Any] | None = None, note: str | None = None,
             label: str | None = None) -> Annotation:
        old = self._own(ann_id)
        new_label = label or old.label
        spec = self.schema.label(new_label)
        if attrs is None:
            # Relabelling keeps only the attributes the new label has: a CLAIM's
            # certainty means nothing on a SOURCE, and must not block the change.
            fits = {a.name: a.choices for a in spec.attributes}
            new_attrs = {k: v for k, v in old.attrs.items() if v in fits.get(k, ())}
        else:
            new_attrs = dict(attrs)
        self._check_attrs(new_label, new_attrs)
        if new_label != old.label:
            for other in self.store.annotations(old.doc_id, self.annotator):
                if (other.start, other.end, other.label) == (old.start, old.end, new_label):
                    raise SpanError(f"“{_short(old.quote)}” is already tagged {new_label}",
                                    hint="delete one of the two instead")
        new = replace(old, label=new_label, attrs=new_attrs, note=old.note if note is None else note,
                      updated_at=now())
        self._write([("annotation", ann_id, annotation_row(new))],
                    f"edit {new_label} “{_short(old.quote)}”",
                    expect={("annotation", ann_id): annotation_row(old)})
        return new

    def resize(self, ann_id: str, start: int, end: int) -> Annotation:
        """Move the boundaries of one's own annotation: one logged, undoable change
        (its links stay, they name the annotation, not its offsets)."""
        old = self._own(ann_id)
        text = self._text(old.doc_id)
        if not (0 <= start < end <= len(text)):
            raise SpanError(f"span {start}-{end} is outside document {old.doc_id} (length {len(text)}) or empty",
                            hint="a span keeps at least one character inside the text")
        if (start, end) != (old.start, old.end):
            self._refuse_duplicate(old.doc_id, self.annotator, start, end, old.label)
        sel = make_selector(text, start, end)
        new = replace(old, start=start, end=end, quote=sel["exact"], prefix=sel["prefix"], suffix=sel["suffix"],
                      updated_at=now())
        self._write([("annotation", ann_id, annotation_row(new))],
                    f"resize {old.label} “{_short(old.quote)}” → “{_short(new.quote)}”",
                    expect={("annotation", ann_id): annotation_row(old)})
        return new

    def token_aligned(self, doc_id: int, start: int, end: int) -> bool:
        """Whether ``[start, end)`` falls on spaCy token boundaries, as exports with
        token offsets need (they report the spans that do not)."""
        return self._token_index(doc_id).span(start, end)[2]

    def token_snap(self, doc_id: int, start: int, end: int) -> tuple[int, int]:
        """``[start, end)`` grown to the boundaries of the spaCy tokens it touches."""
        return self._token_index(doc_id).snap(start, end)

    def _token_index(self, doc_id: int):
        from .formats.tokens import TokenIndex

        index = self._tokens.get(doc_id)
        if index is None:
            index = self._tokens[doc_id] = TokenIndex.of_text(self._text(doc_id))
        return index

    def delete(self, ann_id: str) -> Annotation:
        """Hide an annotation and the relations that use it, as one undoable step."""
        old = self._own(ann_id)
        stamp = now()
        changes: list[tuple[str, str, dict | None]] = [
            ("annotation", ann_id, annotation_row(replace(old, deleted_at=stamp, updated_at=stamp)))]
        for rel in self.store.relations(annotator=self.annotator, doc_ids=[old.doc_id]):
            if ann_id in (rel.head_id, rel.tail_id):
                changes.append(("relation", rel.id, relation_row(replace(rel, deleted_at=stamp))))
        self._write(changes,
                    f"delete {old.label} “{_short(old.quote)}”",
                    expect={("annotation", ann_id): annotation_row(old)})
        return old

    def link(self, head_id: str, tail_id: str, rel_type: str | None = None) -> Relation:
        head, tail = self._own(head_id), self._own(tail_id)
        if head_id == tail_id:
            raise SpanError("a span cannot be linked to itself", hint="move to another span first")
        cross = head.doc_id != tail.doc_id
        if rel_type is None:
            spec = self.schema.relation_for(head.label, tail.label, cross_document=cross) \
                or self.schema.relation_for(head.label, tail.label, cross_document=not cross)
            if spec is None:
                allowed = ", ".join(f"{r.name} ({'/'.join(r.heads)} → {'/'.join(r.tails)})"
                                    for r in self.schema.relations)
                raise SpanError(f"no relation goes from {head.label} to {tail.label}", hint=f"allowed: {allowed}")
            rel_type = spec.name
        else:
            spec = next((r for r in self.schema.relations if r.name == rel_type), None)
            if spec is None:
                raise SpanError(f"unknown relation type {rel_type!r}",
                                hint=f"use one of {', '.join(r.name for r in self.schema.relations)}")
            if head.label not in spec.heads or not (tail.label in spec.tails or "*" in spec.tails):
                raise SpanError(f"{rel_type} cannot go from {head.label} to {tail.label}",
                                hint=f"{rel_type} goes from {'/'.join(spec.heads)} to {'/'.join(spec.tails)}")
        for rel in self.store.relations(annotator=self.annotator, doc_ids=[head.doc_id]):
            if (rel.head_id, rel.tail_id, rel.type) == (head_id, tail_id, rel_type):
                raise SpanError(f"these spans are already linked as {rel_type}")
        rel = Relation(id=new_id(), head_id=head_id, tail_id=tail_id, type=rel_type, annotator=self.annotator,
                       created_at=now())
        self._write([("relation", rel.id, relation_row(rel))],
                    f"link {head.label} {rel_type} {tail.label}")
        return rel

    def unlink(self, rel_id: str) -> None:
        rels = [r for r in self.store.relations(annotator=self.annotator) if r.id == rel_id]
        if not rels:
            raise SpanError("that link does not exist (or is not yours)")
        rel = rels[0]
        self._write([("relation", rel_id, relation_row(replace(rel, deleted_at=now())))],
                    f"unlink {rel.type}")

    def undo(self) -> EventBatch | None:
        """Undo this person's latest change as this annotator (never someone else's)."""
        self.check_may_write("undo")
        return self.store.undo(self.annotator, self.session_id, os_user=self.os_user)

    def redo(self) -> EventBatch | None:
        self.check_may_write("redo")
        return self.store.redo(self.annotator, self.session_id, os_user=self.os_user)

    def undo_state(self) -> tuple[EventBatch | None, EventBatch | None]:
        return self.store.undo_state(self.annotator, os_user=self.os_user)

    def may_write(self) -> bool:
        """Whether the database's policy lets this login write as this annotator."""
        return write_policy(self.store).allows(self.os_user, self.annotator)

    def check_may_write(self, what: str = "save") -> None:
        """Raise PolicyError (D090) when this login may not write as this annotator."""
        write_policy(self.store).check(self.os_user, self.annotator, what=what)

    def _write(self, changes: list[tuple[str, str, dict | None]], summary: str, **kwargs: Any) -> str:
        """Every change of this session goes through here: policy first, then one logged batch."""
        self.check_may_write()
        return self.store.write_batch(self.annotator, self.session_id, changes, summary,
                                      os_user=self.os_user, **kwargs)

    # ------------------------------------------------------------ review state

    def set_status(self, doc_id: int, status: str) -> None:
        self.check_may_write()
        self.store.set_doc_status(doc_id, self.annotator, status)

    def statuses(self) -> dict[int, str]:
        return self.store.doc_statuses(self.annotator)

    def save_position(self, story_id: int, doc_id: int, offset: int) -> None:
        # Reading someone else's work is fine, but their resume point stays theirs.
        if not self.readonly and self.may_write():
            self.store.save_position(self.annotator, story_id, doc_id, offset)

    def position(self) -> dict | None:
        return self.store.position(self.annotator)

    def cache_get(self, key: str) -> Any | None:
        return self.store.cache_get(key)

    def cache_put(self, key: str, value: Any) -> None:
        self.store.cache_put(key, value)

    # ------------------------------------------------------------ internals

    def _text(self, doc_id: int) -> str:
        if doc_id not in self._texts:
            self.document(doc_id)
        return self._texts[doc_id]

    def _refuse_duplicate(self, doc_id: int, who: str, start: int, end: int, label: str) -> None:
        other = self.store.live_span(doc_id, who, start, end, label)
        if other is not None:
            raise SpanError(f"“{_short(other.quote)}” is already tagged {label}",
                            hint="press enter on it to edit its attributes")

    def _guard_new(self, anns: list[Annotation]):
        """A write_batch guard: re-check, inside the transaction, that no other
        process of this annotator tagged the same span meanwhile."""
        def guard() -> None:
            for a in anns:
                self._refuse_duplicate(a.doc_id, a.annotator, a.start, a.end, a.label)
        return guard

    def _own(self, ann_id: str) -> Annotation:
        ann = self.store.annotation(ann_id)
        if ann is None or ann.deleted_at is not None:
            raise SpanError("that annotation no longer exists", hint="press the refresh key to reload")
        if ann.annotator != self.annotator:
            raise SpanError(f"that annotation belongs to {ann.annotator}; you can only change your own")
        return ann

    def _check_attrs(self, label: str, attrs: dict[str, Any]) -> None:
        spec = self.schema.label(label)
        allowed = {a.name: a.choices for a in spec.attributes}
        for key, value in attrs.items():
            if key in FREE_TEXT_ATTRIBUTES and isinstance(value, str):
                continue
            if key not in allowed:
                raise SpanError(f"{label} has no attribute {key!r}", hint=f"attributes: {', '.join(allowed) or 'none'}")
            if value not in allowed[key]:
                raise SpanError(f"{label}.{key} cannot be {value!r}", hint=f"choose one of {', '.join(allowed[key])}")


__all__ = ["AnnotationSession", "default_annotator", "resolve_db_path"]
