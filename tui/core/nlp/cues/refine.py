"""Refining attribution cues once they are found: a CLAIM loses its framing
phrase ("Thus, in addition to ..., ") and any motive clause at its end (a
motive is never part of what was claimed), hedging words mark it
``certainty = hedged``, and a description or pronoun SOURCE ("the paper",
"he") gets ``refers_to`` the outlet or person named before it."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from .predicates import HEDGES
from .spans import Cue, CueSpan

HEDGED = (("certainty", "hedged"),)

# Sentence adverbs that frame a claim rather than belong to it.
_CONNECTIVES = frozenset({
    "thus", "however", "moreover", "meanwhile", "also", "still", "so", "but", "and", "furthermore",
    "indeed", "therefore", "hence", "yet", "instead", "nevertheless", "nonetheless", "besides",
    "additionally", "consequently", "now", "then", "further", "first", "second", "finally",
})
# Openers of a framing phrase that runs to the next comma: "in addition to X,",
# "apart from X,", "besides X,".
_FRAMES = (("in", "addition", "to"), ("apart", "from"), ("besides",), ("aside", "from"), ("as", "well", "as"))

# Words after a comma that end the reported content.
_TAIL_WORDS = frozenset({"according", "citing", "quoting", "adding", "saying", "noting", "warning", "stressing",
                         "explaining", "arguing", "insisting", "claiming", "stating", "acknowledging",
                         "admitting", "denying", "confirming", "referring"})
# "..., in a statement": the occasion of the report, not its content.
_FRAME_NOUNS = frozenset({"statement", "statements", "interview", "speech", "tweet", "post", "briefing", "release",
                          "letter", "email", "conference", "broadcast", "message", "note", "filing", "hearing"})

# Descriptions that stand for an outlet named earlier ("the paper" = the WSJ).
OUTLET_WORDS = frozenset({"paper", "newspaper", "report", "outlet", "daily", "publication", "magazine",
                          "broadcaster", "agency", "website", "site", "journal", "weekly", "network",
                          "channel", "tabloid", "article", "investigation", "story"})
# Words left dangling at a claim's end once a motive is cut off.
_TRAILERS = _CONNECTIVES | {"or", "either", "namely", "partly", "mainly", "largely", "only", "simply"}
_OUTLET_NAME_WORDS = frozenset({"Times", "Post", "Journal", "News", "Herald", "Tribune", "Gazette", "Guardian",
                                "Telegraph", "Daily", "Agency", "Press", "Radio", "Television", "TV", "Chronicle",
                                "Observer", "Independent", "Mail", "Express", "Standard", "Review", "Weekly",
                                "Magazine", "Broadcasting", "Network", "Wire", "Monitor", "Courier", "Mirror"})
_PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})


def refine_attributions(doc: Any, cues: list[Cue], motives: list[Cue]) -> list[Cue]:
    motive_spans = [m.head for m in motives if m.head is not None]
    referents = _Referents(doc)
    out = []
    for cue in cues:
        head = cue.head
        if head is not None:
            head = _drop_framing(doc, head)
            head = _cut_tail(doc, head)
            head = _cut_motives(doc, head, motive_spans)
            if head is not None and not head.attrs and _has_hedge(doc, head):
                head = replace(head, attrs=HEDGED)
        tails = [referents.resolve(t) for t in cue.tails]
        out.append(Cue(head, tails, cue.relation))
    return out + continued_quotes(doc, out, referents.text)


def _tokens(doc: Any, span: CueSpan) -> Any:
    return doc.char_span(span.start, span.end, alignment_mode="expand")


def _rebuilt(doc: Any, span: CueSpan, a: int, b: int) -> CueSpan | None:
    """``span`` restricted to the tokens [a, b), without edge punctuation/space."""
    while a < b and (doc[a].is_punct or doc[a].is_space) and doc[a].text not in "“‘\"'":
        a += 1
    while b > a and (doc[b - 1].is_punct or doc[b - 1].is_space) and doc[b - 1].text not in "”’\"'":
        b -= 1
    if b - a < 2:
        return None
    start, end = doc[a].idx, doc[b - 1].idx + len(doc[b - 1].text)
    return replace(span, start=max(start, span.start), end=min(end, span.end))


def _drop_framing(doc: Any, span: CueSpan) -> CueSpan:
    toks = _tokens(doc, span)
    if toks is None or len(toks) < 4:
        return span
    a, b = toks.start, toks.end
    changed = True
    while changed and b - a > 3:
        changed = False
        if doc[a].lower_ in _CONNECTIVES and doc[a + 1].text == ",":
            a += 2
            changed = True
            continue
        for frame in _FRAMES:
            n = len(frame)
            if tuple(t.lower_ for t in doc[a:a + n]) == frame:
                comma = next((k for k in range(a + n, b) if doc[k].text == ","), None)
                if comma is not None and b - comma > 3:
                    a = comma + 1
                    changed = True
                break
    if a == toks.start:
        return span
    return _rebuilt(doc, span, a, b) or span


def _cut_tail(doc: Any, span: CueSpan) -> CueSpan:
    """What follows the reported content at a comma is not part of it:
    ", adding that ...", ", citing witnesses", ", according to ...", ", in a
    statement". (Each of the first three is its own cue.)"""
    toks = _tokens(doc, span)
    if toks is None:
        return span
    for k in range(toks.start + 2, toks.end - 1):
        if doc[k].text != ",":
            continue
        nxt = doc[k + 1].lower_
        frame = nxt in ("in", "on", "during", "at") and any(
            doc[j].lower_ in _FRAME_NOUNS for j in range(k + 2, min(k + 5, toks.end)))
        if nxt in _TAIL_WORDS or frame:
            return _rebuilt(doc, span, toks.start, k) or span
    return span


def _cut_motives(doc: Any, span: CueSpan, motives: list[CueSpan]) -> CueSpan | None:
    """"... are joining the Islamic State in order to fight the Taliban": the
    claim ends where a motive clause inside it begins, when the motive runs
    to the claim's end (a motive in the middle of a quotation stays)."""
    inside = [m for m in motives if span.start < m.start < span.end and m.end >= span.end - 2]
    if not inside:
        return span
    cut = min(m.start for m in inside)
    toks = _tokens(doc, span)
    if toks is None:
        return span
    b = toks.start
    while b < toks.end and doc[b].idx < cut:
        b += 1
    # "... for two reasons: first, in order to": the enumerator goes with the motive.
    while b > toks.start and (doc[b - 1].is_punct or doc[b - 1].is_space or doc[b - 1].lower_ in _TRAILERS):
        b -= 1
    return _rebuilt(doc, span, toks.start, b) or span


def _has_hedge(doc: Any, span: CueSpan) -> bool:
    toks = _tokens(doc, span)
    return toks is not None and any(t.lower_ in HEDGES for t in toks)


class _Referents:
    """Outlets and people named in the text, in order, to resolve a
    description or pronoun SOURCE to the nearest one before it."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.text = doc.text  # Doc.text joins every token on each call: read it once
        # The outlet list's names, and organisations named like a newspaper ("Le Petit Herald").
        self.outlets = [(e.start_char, e.end_char) for e in doc.ents if e.ent_id_ == "diptych-media"
                        or (e.label_ == "ORG" and e.text.split()[-1].strip("’'s") in _OUTLET_NAME_WORDS)]
        self.people = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"]

    def resolve(self, span: CueSpan) -> CueSpan:
        if span.label != "SOURCE" or span.attrs:
            return span
        words = self.text[span.start:span.end].lower().split()
        if not words:
            return span
        if len(words) == 1 and words[0] in _PERSON_PRONOUNS:
            found = self._before(self.people, span.start)
        elif len(words) <= 3 and words[0] in ("the", "this", "that") and words[-1] in OUTLET_WORDS:
            found = self._before(self.outlets, span.start)
        else:
            return span
        if found is None:
            return span
        name = " ".join(self.text[found[0]:found[1]].split())
        return replace(span, attrs=(("refers_to", name),))

    @staticmethod
    def _before(names: list[tuple[int, int]], at: int) -> tuple[int, int] | None:
        before = [n for n in names if n[1] <= at]
        return before[-1] if before else None


_QUOTATION = re.compile(r"“([^“”\n]{5,}?)”|\"([^\"\n]{5,}?)\"")
# What may stand before a standalone quotation: the start of a line or the end
# of a sentence; and after it: the end of its sentence or line.
_BEFORE = re.compile(r"(?:^|[.!?]”?|[.!?]\"?)[ \t]*$")
_AFTER = re.compile(r"^[.!?]?(?:[ \t]+(?=[“\"A-Z])|[ \t]*(?:\n|$))")


def continued_quotes(doc: Any, cues: list[Cue], text: str | None = None) -> list[Cue]:
    """A quotation standing alone as a sentence or paragraph, next to a quoted
    claim with a speaker ('“A,” the minister said. “B. C.”'), is the same
    speaker's: its content becomes a CLAIM with the same SOURCE. The quotation
    may come before the attributed one too ('“A.” / “B,” X told AFP.')."""
    text = doc.text if text is None else text
    quoted = [c for c in cues if c.head is not None and c.tails and c.head.start > 0
              and text[c.head.start - 1] in "“\""]
    if not quoted:
        return []
    taken = [(c.head.start, c.head.end) for c in cues if c.head is not None]
    out = []
    for m in _QUOTATION.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if not _BEFORE.search(text[line_start:m.start()]) or not _AFTER.match(text[m.end():m.end() + 3]):
            continue
        start = m.start() + 1
        end = start + len(text[start:m.end() - 1].rstrip(",.;: "))
        if end - start < 5 or any(a < m.end() and m.start() < b for a, b in taken):
            continue
        near = min(quoted, key=lambda c: min(abs(c.head.start - end), abs(start - c.head.end)))
        gap = text[end:near.head.start] if near.head.start >= end else text[near.head.end:start]
        if len(gap) > 200 or gap.count("\n") > 2:
            continue
        out.append(Cue(CueSpan(start, end, "CLAIM", near.head.score), list(near.tails), near.relation))
        taken.append((start, end))
    return out
