"""The annotation session's half that deals with suggestions: accepting (with a
cue partner and its link, or with boundaries fixed), rejecting, the decisions
kept per annotator, the suggestion cache and what the reader still shows.

A mixin of :class:`tui.core.session.AnnotationSession`: it relies on the
session's store, annotator, schema and write helpers (``_write``,
``_new_annotation``, ``_guard_new``, ``_text``, ``annotations``)."""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Iterable

from .models import Annotation, Document, Relation, Suggestion
from .schema import FREE_TEXT_ATTRIBUTES
from .store import annotation_row, new_id, now, relation_row


def _short(text: str, width: int = 40) -> str:
    # For change summaries in the event log: folded whitespace, the text as it is.
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


class SuggestionDecisions:
    def decisions(self, doc_id: int) -> dict[str, str]:
        return self.store.decisions(doc_id, self.annotator)

    def accept_suggestion(self, doc_id: int, suggestion: Suggestion, label: str | None = None,
                          partner: Suggestion | None = None) -> list[Annotation]:
        """Turn a suggestion (and its cue partner) into annotations, linked, in one step."""
        label = label or suggestion.label
        origin = f"suggestion:{suggestion.suggester}@{suggestion.version}"
        made: list[Annotation] = []
        changes: list[tuple[str, str, dict | None]] = []
        existing = {(a.start, a.end, a.label): a for a in self.annotations(doc_id)}
        pairs = [(suggestion, label)] + ([(partner, partner.label)] if partner else [])
        for sugg, lab in pairs:
            found = existing.get((sugg.start, sugg.end, lab))
            if found is not None:
                made.append(found)  # accepting again reuses the span already there
                continue
            ann = self._new_annotation(doc_id, sugg.start, sugg.end, lab, attrs=self._carried(lab, sugg),
                                       origin=f"suggestion:{sugg.suggester}@{sugg.version}")
            made.append(ann)
            changes.append(("annotation", ann.id, annotation_row(ann)))
            changes.append(self._decision_change(doc_id, sugg, "accept"))
        rel_type = suggestion.relation or (partner.relation if partner else "")
        if partner is not None and rel_type:
            # Either side may carry the relation and the roles; the head is the one
            # marked "head" (or the partner of the one marked "tail").
            partner_is_head = suggestion.role == "tail" or partner.role == "head"
            head, tail = (made[1], made[0]) if partner_is_head else (made[0], made[1])
            already = any((r.head_id, r.tail_id, r.type) == (head.id, tail.id, rel_type)
                          for r in self.store.relations(annotator=self.annotator, doc_ids=[doc_id]))
            if not already:
                rel = Relation(id=new_id(), head_id=head.id, tail_id=tail.id, type=rel_type,
                               annotator=self.annotator, created_at=now())
                changes.append(("relation", rel.id, relation_row(rel)))
        if changes:
            fresh = [a for a in made if any(c[1] == a.id for c in changes)]
            self._write(changes,
                        f"accept {label} “{_short(made[0].quote)}” ({origin})",
                        guard=self._guard_new(fresh))
        return made

    def _carried(self, label: str, sugg: Suggestion) -> dict[str, str]:
        """The suggestion's attributes the label can hold: a choice the schema
        offers, or a free-text attribute such as refers_to. Accepted as another
        label, the ones that do not fit are left behind rather than refused."""
        spec = self.schema.label(label)
        allowed = {a.name: a.choices for a in spec.attributes}
        return {k: v for k, v in sugg.attrs
                if (k in FREE_TEXT_ATTRIBUTES and v) or v in allowed.get(k, ())}

    def accept_adjusted(self, doc_id: int, suggestion: Suggestion, start: int, end: int,
                        label: str | None = None) -> Annotation:
        """Accept a suggestion with its boundaries fixed: the span ``[start, end)``
        is tagged (origin: the suggester, marked adjusted) and the suggestion is
        decided, in one undoable step."""
        label = label or suggestion.label
        ann = self._new_annotation(doc_id, start, end, label,
                                   origin=f"suggestion:{suggestion.suggester}@{suggestion.version}+adjusted")
        self._write([("annotation", ann.id, annotation_row(ann)), self._decision_change(doc_id, suggestion, "accept")],
                    f"accept {label} “{_short(ann.quote)}” (adjusted from {suggestion.start}-{suggestion.end})",
                    guard=self._guard_new([ann]))
        return ann

    def reject_suggestion(self, doc_id: int, suggestion: Suggestion) -> None:
        self._write([self._decision_change(doc_id, suggestion, "reject")],
                    f"reject suggestion “{_short(self._text(doc_id)[suggestion.start:suggestion.end])}”")

    def reject_suggestions(self, doc_id: int, suggestions: list[Suggestion]) -> None:
        """Reject several suggestions (e.g. two suggesters' on one span) as one undoable step."""
        if not suggestions:
            return
        first = suggestions[0]
        self._write([self._decision_change(doc_id, s, "reject") for s in suggestions],
                    f"reject suggestion “{_short(self._text(doc_id)[first.start:first.end])}”")

    def reject_key(self, doc_id: int, key: str, summary: str) -> None:
        """Reject a proposal that is not a span (e.g. a claim link) by its stable key."""
        self._write([self._decision_row(doc_id, key, "reject")], summary)

    def _decision_change(self, doc_id: int, sugg: Suggestion, verdict: str) -> tuple[str, str, dict]:
        return self._decision_row(doc_id, sugg.key, verdict)

    def _decision_row(self, doc_id: int, key: str, verdict: str) -> tuple[str, str, dict]:
        # A stable id per (annotator, document, suggestion) makes a decision idempotent.
        did = hashlib.sha1(f"{self.annotator}\0{doc_id}\0{key}".encode()).hexdigest()
        return ("decision", did, {"id": did, "annotator": self.annotator, "doc_id": doc_id,
                                  "suggestion_key": key, "verdict": verdict, "created_at": now(),
                                  "deleted_at": None})

    def cached_suggestions(self, doc: Document, runs: Iterable[tuple[str, str]]) -> list[Suggestion] | None:
        """Suggestions cached for these (suggester, version) runs; None if any never ran."""
        out: list[Suggestion] = []
        for name, version in runs:
            got = self.store.cached_suggestions(doc.text_sha256, name, version)
            if got is None:
                return None
            out.extend(got)
        return out

    def store_suggestions(self, doc: Document, name: str, version: str, suggestions: Iterable[Suggestion]) -> None:
        if not self.readonly:
            self.store.cache_suggestions(doc.text_sha256, name, version, suggestions)

    def visible_suggestions(self, doc_id: int, suggestions: Iterable[Suggestion],
                            annotations: list[Annotation] | None = None) -> list[Suggestion]:
        """Drop what this annotator already decided or already tagged on the same span.
        ``annotations``: this annotator's on the document, when the caller has them."""
        suggestions = list(suggestions)
        if not suggestions:
            return []
        decided = self.decisions(doc_id)
        anns = self.annotations(doc_id) if annotations is None else annotations
        tagged = {(a.start, a.end) for a in anns}
        # Per label, annotations by start with the furthest end reached so far: a
        # suggestion is covered when one starting at or before it reaches its end.
        starts: dict[str, list[int]] = {}
        reach: dict[str, list[int]] = {}
        for a in sorted(anns, key=lambda a: a.start):
            firsts, ends = starts.setdefault(a.label, []), reach.setdefault(a.label, [])
            firsts.append(a.start)
            ends.append(max(a.end, ends[-1]) if ends else a.end)

        def covered(s: Suggestion) -> bool:
            # Inside a span already tagged with the same label: accepting it would add nothing.
            i = bisect_right(starts.get(s.label, ()), s.start) - 1
            return i >= 0 and reach[s.label][i] >= s.end

        return [s for s in suggestions if s.key not in decided and (s.start, s.end) not in tagged
                and not covered(s)]

    def source_names(self) -> list[str]:
        """Distinct SOURCE quotes this annotator tagged anywhere: they teach the entity ruler."""
        names = {a.quote.strip() for a in self.store.annotations(annotator=self.annotator)
                 if a.label == "SOURCE" and a.quote.strip()}
        return sorted(names)
