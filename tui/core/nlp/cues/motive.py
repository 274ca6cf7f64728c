"""Motive cues: purpose and reason clauses ("in order to", "because",
"fearing ...", bare purpose infinitives), each a MOTIVE head with the ACTOR
who acts on it."""

from __future__ import annotations

from typing import Any

from .lexicon import (
    _ACTOR_STOPS,
    _ADVERBIAL_STARTS,
    _AUX_WORDS,
    _ENUMERATORS,
    _NOMINAL_DEPS,
    _RELATIVE,
    _SUBJ_DEPS,
    ACTOR_LABEL,
    REPORT_FORMS,
    SCORE_CUE,
    SCORE_CUE_WEAK,
    SCORE_RULES,
)
from .spans import (
    Cue,
    CueSpan,
    _is_delim,
    _is_quote,
    _is_trim,
    _line_bounds,
    _np_bounds,
    _parsed,
    _sentence_bounds,
    _span,
    _subtree_end,
)


# Words that count reasons rather than name them ("for two reasons", "for a variety of reasons").
_COUNTING = frozenset({"a", "an", "the", "several", "many", "various", "variety", "of", "number", "some",
                       "different", "multiple", "other", "these", "those", "its", "their", "his", "her", "few",
                       "same", "two", "three", "four", "five", "both", "own", "obvious", "unknown", "unclear",
                       "unspecified", "undisclosed", "unexplained"})


class MotiveCues:
    """The motive half of :class:`~.finder.CueFinder`: it uses the finder's
    ``motive`` and ``bare`` Matchers and ``vocab``."""

    # -- public ---------------------------------------------------------------

    def motives(self, doc: Any) -> list[Cue]:
        parsed = _parsed(doc)
        # (start tok, end tok, governor, score, end of the trigger words)
        found: list[tuple[int, int, Any, float, int]] = []
        matches = sorted(self.motive(doc), key=lambda m: (m[1], -m[2]))
        taken_until = -1
        for match_id, s, e in matches:
            if s < taken_until:
                continue  # a shorter match inside a longer one ("in order to" / "so that")
            kind = self.vocab.strings[match_id]
            got = self._motive_extent(doc, kind, s, e, parsed)
            if got is None:
                continue
            a, b, gov, score = got
            found.append((a, b, gov, score, e))
            taken_until = e
        if parsed:
            found.extend(self._bare_purposes(doc, found))
        found.sort(key=lambda f: (f[0], f[1]))
        found = _resolve_nesting(doc, found)

        cues: list[Cue] = []
        last_actor: tuple[CueSpan, int] | None = None  # actor and the line it belongs to
        for a, b, gov, score, _ in found:
            head = _span(doc, a, b, "MOTIVE", score)
            if head is None:
                continue
            actor = self._actor(doc, a, gov, parsed)
            line = _line_bounds(doc, a)[0]
            if actor is None and last_actor is not None and last_actor[1] == line:
                sent_start = _sentence_bounds(doc[a].sent)[0]
                if doc[sent_start].lower_ in _ENUMERATORS:
                    actor = CueSpan(last_actor[0].start, last_actor[0].end, ACTOR_LABEL, SCORE_CUE_WEAK)
            if actor is not None and (actor.end <= head.start or actor.start >= head.end):
                last_actor = (actor, line)
                cues.append(Cue(head, [actor], "motive_of"))
            else:
                cues.append(Cue(head, [], "motive_of"))
        return cues

    # -- motive ---------------------------------------------------------------

    def _motive_extent(self, doc: Any, kind: str, s: int, e: int,
                       parsed: bool) -> tuple[int, int, Any, float] | None:
        lo, hi = _sentence_bounds(doc[s].sent)
        trigger = doc[s]
        score = SCORE_CUE if parsed else SCORE_RULES
        if kind == "PARTICIPLE":
            # "..., fearing that they will be killed": a participle opening a clause.
            if parsed:
                if trigger.dep_ not in ("advcl", "xcomp", "acl", "conj", "ROOT"):
                    return None
            elif not (s == lo or doc[s - 1].text in (",", "–", "—")):
                return None
        if kind == "REASON" and trigger.lower_ in ("motivated", "driven", "prompted"):
            if s > lo and doc[s - 1].text == "-":
                return None  # "ideologically-driven": an adjective, not a cause
        # "for security reasons", "for political motives": the phrase names the motive itself.
        named = kind == "REASONS" and any(
            doc[k].is_alpha and not doc[k].like_num and doc[k].lower_ not in _COUNTING for k in range(s + 1, e - 1))
        end = self._clause_end(doc, kind, s, e, lo, hi, parsed)
        if named and (end is None or end <= e):
            end = e
        if end is None or end <= e - (1 if kind == "PARTICIPLE" or named else 0):
            return None
        if kind == "REASONS" and not named:
            # "for two reasons:" alone says nothing; the reasons follow as their own cues.
            words = [k for k in range(e, end) if not _is_trim(doc[k])]
            if len(words) < (1 if parsed else 3):
                return None
        gov = self._governor(doc, kind, s, e) if parsed else None
        return s, end, gov, score

    def _clause_end(self, doc: Any, kind: str, s: int, e: int, lo: int, hi: int,
                    parsed: bool) -> int | None:
        if parsed:
            heads: list[Any] = []
            if kind == "PARTICIPLE":
                heads = [doc[s]]
            elif kind in ("PURPOSE", "EFFORT", "REASON", "REASONS"):
                # The clause is the subtree of the matched words' heads.
                heads = [doc[k] for k in range(s, e)]
                # a marker pointing forward ("because" -> its clause's verb) brings that clause
                heads += [h.head for h in heads if h.head.i >= e]
            right = max((_subtree_end(h, hi) for h in heads), default=e)
            # A purpose infinitive/that-clause: take the verb after the trigger.
            if e < hi:
                nxt = doc[e]
                right = max(right, _subtree_end(nxt, hi) if nxt.head.i >= s else e + 1)
            end = min(right, hi)
            if kind == "REASONS":
                # Only keep the list that follows the reasons ("– including ..."), not the rest.
                return end
            return end if end > e or kind == "PARTICIPLE" else None
        # Tokens only: up to the next clause break.
        k = e
        if kind == "REASONS":
            if k < hi and doc[k].text in (":", "–", "—"):
                k += 1
            elif not (k < hi and doc[k].lower_ == "including"):
                return None
        stops = {";", ":", "–", "—", "(", ")"} | ({","} if kind != "REASONS" else set())
        while k < hi and doc[k].text not in stops and doc[k].text != ".":
            k += 1
        return k

    @staticmethod
    def _governor(doc: Any, kind: str, s: int, e: int) -> Any:
        """The word the motive construction modifies."""
        t = doc[s]
        if kind == "PARTICIPLE":
            return t.head
        if t.lower_ == "because" and t.dep_ == "mark":
            return t.head.head
        if t.lower_ in ("so", "in") and e - s >= 2 and doc[s + 1].lower_ in ("that", "order") and t.dep_ == "mark":
            return t.head.head
        return t.head

    def _bare_purposes(self, doc: Any, found: list[tuple[int, int, Any, float, int]]
                       ) -> list[tuple[int, int, Any, float, int]]:
        """Purpose infinitives without a marker: "joining Islamic State to fight Taliban"."""
        out = []
        covered = [(f[0], f[1]) for f in found]
        for _, s, _ in self.bare(doc):
            tok = doc[s]
            verb = tok.head
            if verb.dep_ != "advcl" or verb.i <= tok.i or verb.head.i > tok.i:
                continue
            if verb.head.dep_ in _NOMINAL_DEPS:
                continue
            if tok.i > 0 and doc[tok.i - 1].lower_ in ("order", "as", "able", "going", "have", "has", "had", "used"):
                continue
            if any(a <= tok.i < b for a, b in covered):
                continue
            lo, hi = _sentence_bounds(tok.sent)
            end = _subtree_end(verb, hi)
            if end - tok.i < 2:
                continue
            out.append((tok.i, end, verb.head, SCORE_CUE_WEAK, tok.i + 1))
        return out

    def _actor(self, doc: Any, start: int, gov: Any, parsed: bool) -> CueSpan | None:
        lo, hi = _sentence_bounds(doc[start].sent)
        if parsed and gov is not None:
            g = gov
            for _ in range(8):
                subj = _subject(g, lo)
                if subj is not None:
                    if subj.lower_ in _RELATIVE and g.dep_ == "relcl":
                        a, b = _np_bounds(g.head, lo, hi)
                        b = min(b, g.head.i + 1) if subj.i > g.head.i else b
                    else:
                        a, b = _actor_bounds(subj, g, lo, hi)
                    if b <= start and b - a <= 25:
                        return _span(doc, a, b, ACTOR_LABEL, 0.6)
                    return None
                if g.head.i == g.i:
                    break
                g = g.head
            return None
        # Tokens only: skip a fronted adverbial segment, then words up to the first auxiliary.
        a = lo
        if doc[a].lower_ in _ADVERBIAL_STARTS or doc[a].lower_ in _ENUMERATORS:
            comma = next((k for k in range(a, start) if doc[k].text == ","), None)
            if comma is None:
                return None
            a = comma + 1
        b = a
        while b < start and doc[b].lower_ not in _AUX_WORDS and not _is_delim(doc[b]) \
                and doc[b].lower_ not in REPORT_FORMS and doc[b].lower_ not in _ACTOR_STOPS:
            b += 1
        if b == a or b - a > 12 or b >= start:
            return None
        return _span(doc, a, b, ACTOR_LABEL, SCORE_RULES)


def _subject(g: Any, lo: int) -> Any:
    """The subject of ``g``. The small model sometimes labels a sentence-initial
    subject followed by an appositive ("Other Afghans ..., most of them ..., have")
    as ``dep``: such a word at the start of the sentence wins over the nsubj."""
    cands = [c for c in g.children if c.dep_ in _SUBJ_DEPS and c.lower_ not in ("there", "it")
             or (c.dep_ == "dep" and c.i < g.i and c.left_edge.i <= lo + 1)]
    if not cands:
        return None
    return min(cands, key=lambda c: c.i)


def _actor_bounds(subj: Any, g: Any, lo: int, hi: int) -> tuple[int, int]:
    """The subject's phrase, extended over modifiers the parser hung on the verb
    instead ("Other Afghans | with access to weapons"), up to the first comma or
    the verb group."""
    doc = subj.doc
    a, b = _np_bounds(subj, lo, hi)
    if subj.i < g.i:
        verb_group = {g.i} | {c.i for c in g.children if c.dep_ in ("aux", "auxpass", "neg", "advmod")}
        k = b
        while k < g.i and k not in verb_group and not _is_delim(doc[k]) and not _is_quote(doc[k]):
            if doc[k].dep_ in _SUBJ_DEPS and doc[k].i != subj.i:
                break
            k += 1
        b = max(b, k)
    return a, b


def _resolve_nesting(doc: Any, found: list[tuple[int, int, Any, float, int]]
                     ) -> list[tuple[int, int, Any, float, int]]:
    """Motive clauses must not overlap: an outer clause stops where a nested
    cue begins ("for reasons – including ..., or in an ... quest to ..."), and
    is dropped when nothing but its trigger words would be left."""
    out: list[tuple[int, int, Any, float, int]] = []
    for a, b, gov, score, trig in found:
        if out and a < out[-1][1]:
            pa, pb, pg, ps, pt = out.pop()
            if a > pa:
                cut = a
                while cut > pa and (_is_trim(doc[cut - 1]) or doc[cut - 1].lower_ in ("or", "and", "but")):
                    cut -= 1
                content = [k for k in range(pt, cut) if not _is_trim(doc[k])]
                if len(content) >= 2:
                    out.append((pa, cut, pg, ps, pt))
            elif b < pb:
                # same start, shorter: keep the longer one only
                out.append((pa, pb, pg, ps, pt))
                continue
        out.append((a, b, gov, score, trig))
    return out
