"""Attribution cues: "according to X", reporting verbs ("X said ...") and
"citing X, Y and Z", each a CLAIM head with its SOURCE tails."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable

from .lexicon import (
    _ADVERBIAL_STARTS,
    _AUX_WORDS,
    _BE_FORMS,
    _CLAUSE_WORDS,
    _CLOSE_QUOTES,
    _DETERMINERS,
    _NOMINAL_DEPS,
    _PRONOUNS,
    _RELATIVE,
    _STRAIGHT_QUOTES,
    _UNPARSED_SKIP,
    CITE_FORMS,
    SCORE_CUE,
    SCORE_CUE_WEAK,
    SCORE_RULES,
    TELL_FORMS,
)
from .predicates import CLAIM_NOUNS, HEDGES, HEDGING_LEMMAS, HOLDING_VERBS, forms_of
from .refine import HEDGED, refine_attributions
from .spans import (
    Cue,
    CueSpan,
    _is_delim,
    _is_quote,
    _is_trim,
    _line_bounds,
    _np_bounds,
    _opening_quote_before,
    _parsed,
    _segment_of,
    _sentence_bounds,
    _span,
    _subtree_end,
    _trim,
)


class AttributionCues:
    """The attribution half of :class:`~.finder.CueFinder`: it uses the
    finder's ``attr`` Matcher and ``vocab``."""

    # -- public ---------------------------------------------------------------

    def attributions(self, doc: Any, motives: list[Cue] | None = None) -> list[Cue]:
        """Attribution cues, refined (see :mod:`.refine`): ``motives`` (the
        motive cues of the same doc) are cut off the end of any claim."""
        return refine_attributions(doc, self._raw_attributions(doc), motives or [])

    def _raw_attributions(self, doc: Any) -> list[Cue]:
        parsed = _parsed(doc)
        cues: list[Cue] = []
        by_verb: dict[int, Cue] = {}
        cites: list[int] = []
        for match_id, s, e in sorted(self.attr(doc), key=lambda m: (m[1], m[2])):
            kind = self.vocab.strings[match_id]
            if kind == "ACCORDING":
                cue = self._according(doc, s, parsed)
                if cue:
                    cues.append(cue)
            elif kind == "REPORT":
                cue = self._report(doc, s, parsed)
                if cue:
                    cues.append(cue)
                    by_verb[s] = cue
            elif kind == "CITE":
                cites.append(s)
            elif kind == "NOUN" and parsed:
                cue = self._claim_noun(doc, s)
                if cue:
                    cues.append(cue)
        for i in cites:
            self._cite(doc, i, parsed, by_verb, cues)
        return cues

    # -- attribution ----------------------------------------------------------

    def _according(self, doc: Any, s: int, parsed: bool) -> Cue | None:
        lo, hi = _sentence_bounds(doc[s].sent)
        # The source runs from after "to" to the next clause break.
        src_a = s + 2
        src_b = src_a
        while src_b < hi and not (_is_delim(doc[src_b]) or _is_quote(doc[src_b])) and doc[src_b].text != ".":
            src_b += 1
        if src_b - src_a > 12:  # no break: keep the noun phrase of the parse, or give up
            if not parsed:
                return None
            pobj = next((c for c in doc[s + 1].children if c.dep_ == "pobj"), None)
            if pobj is None:
                return None
            src_a, src_b = _np_bounds(pobj, src_a, hi)
        score = SCORE_CUE if parsed else SCORE_RULES
        source = _span(doc, src_a, src_b, "SOURCE", score)
        if source is None:
            return None
        before = _trim(doc, lo, s)
        if before is None:
            # "According to X, CLAIM."
            claim = _span(doc, src_b, hi, "CLAIM", score)
        elif src_b >= hi or _trim(doc, src_b, hi) is None:
            # "CLAIM, according to X."
            claim = _span(doc, lo, s, "CLAIM", score)
        else:
            # "CLAIM-part, according to X, CLAIM-part": one span cannot skip the
            # cue, so take the longer side (it usually holds the verb).
            if s - lo >= hi - src_b:
                claim = _span(doc, lo, s, "CLAIM", min(score, SCORE_CUE_WEAK))
            else:
                claim = _span(doc, src_b, hi, "CLAIM", min(score, SCORE_CUE_WEAK))
        if claim is None:
            return Cue(None, [source], "attributed_to")
        return Cue(claim, [source], "attributed_to")

    def _report(self, doc: Any, i: int, parsed: bool) -> Cue | None:
        v = doc[i]
        lemma, kind = self.predicates.get(v.lower_, (v.lower_, "reporting"))
        lo, hi = _sentence_bounds(v.sent)
        prev = doc[i - 1] if i > lo else None
        if prev is not None and prev.lower_ in _DETERMINERS and prev.lower_ != "that":
            return None  # "this claim", "the report"
        if parsed and v.dep_ in _NOMINAL_DEPS:
            return None
        passive = (prev is not None and prev.lower_ in _BE_FORMS) or (
            parsed and any(c.dep_ in ("auxpass", "nsubjpass") for c in v.children))
        if passive:
            # "are said to" has no speaker; "was reported by Reuters" names one.
            return self._passive(doc, v, lo, hi, parsed)
        that_follows = i + 1 < hi and doc[i + 1].lower_ == "that"
        if not parsed and ((v.lower_ in _UNPARSED_SKIP and not that_follows) or (v.text[:1].isupper() and i > lo)):
            return None
        if kind == "cognitive" and not _has_complement(doc, v, hi, parsed):
            return None  # "the report shows a map": no claim reported
        speaker = self._speaker(doc, v, lo, hi, parsed)
        claim_rng = self._claim(doc, v, lo, hi, parsed, speaker)
        if speaker is None or claim_rng is None:
            return None
        claim_rng = _cut_at_according(doc, *claim_rng)
        score = SCORE_CUE if parsed else SCORE_RULES
        sa, sb = speaker
        spk_score = SCORE_CUE_WEAK if (sb - sa == 1 and doc[sa].lower_ in _PRONOUNS) else score
        src = _span(doc, sa, sb, "SOURCE", spk_score)
        claim = _span(doc, claim_rng[0], claim_rng[1], "CLAIM", score, drop_leading=("that",))
        if src is None or claim is None:
            return None
        if claim.start < src.end and src.start < claim.end:
            return None  # speaker inside the claim: a misparse
        if lemma in HEDGING_LEMMAS or _hedged_verb(doc, v, lo, parsed):
            claim = replace(claim, attrs=HEDGED)
        return Cue(claim, [src], "attributed_to")

    def _claim_noun(self, doc: Any, s: int) -> Cue | None:
        """"Some observers are expressing concerns that CLAIM": the noun is the
        object of a verb, and that verb's subject holds the claim."""
        noun = doc[s]
        lo, hi = _sentence_bounds(noun.sent)
        verb = noun.head
        if noun.dep_ != "dobj" or verb.i > noun.i or verb.lower_ not in _HOLDING_FORMS:
            return None
        clause = next((c for c in noun.children if c.dep_ in ("acl", "ccomp", "relcl") and c.i > s + 1), None)
        subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if clause is None or subj is None or subj.lower_ in _RELATIVE:
            return None
        src = _span(doc, *_whole_name(doc, *_np_bounds(subj, lo, hi), verb.i), "SOURCE", SCORE_CUE)
        claim = _span(doc, s + 2, min(_subtree_end(clause, hi), hi), "CLAIM", SCORE_CUE)
        if src is None or claim is None:
            return None
        if CLAIM_NOUNS.get(noun.lower_):
            claim = replace(claim, attrs=HEDGED)
        return Cue(claim, [src], "attributed_to")

    def _passive(self, doc: Any, v: Any, lo: int, hi: int, parsed: bool) -> Cue | None:
        """"It was reported by Reuters that ...", "claims made by X": the agent
        is the source; the claim is the complement clause, if any."""
        if parsed:
            agent = next((c for c in v.children if c.dep_ == "agent"), None)
            pobj = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
            if pobj is None:
                return None
            sa, sb = _np_bounds(pobj, lo, hi)
        else:
            k = v.i + 1
            if k >= hi or doc[k].lower_ != "by":
                return None
            sa = sb = k + 1
            while sb < hi and not (_is_delim(doc[sb]) or _is_quote(doc[sb])) and doc[sb].text != "." \
                    and doc[sb].lower_ not in ("that", "to") and sb - sa < 8:
                sb += 1
        score = SCORE_CUE if parsed else SCORE_RULES
        src = _span(doc, sa, sb, "SOURCE", score)
        if src is None:
            return None
        claim = None
        if not parsed and sb < hi and doc[sb].lower_ == "that" and hi - sb > 3:
            claim = _span(doc, sb + 1, hi, "CLAIM", score)
        if parsed:
            comp = [c for c in v.children if c.dep_ == "ccomp" and c.i > v.i]
            if comp:
                a = max(min(c.left_edge.i for c in comp), v.i + 1)
                b = min(max(_subtree_end(c, hi) for c in comp), hi)
                claim = _span(doc, a, b, "CLAIM", score, drop_leading=("that",))
        if claim is not None and claim.start < src.end and src.start < claim.end:
            claim = None
        return Cue(claim, [src], "attributed_to")

    def _speaker(self, doc: Any, v: Any, lo: int, hi: int, parsed: bool) -> tuple[int, int] | None:
        if parsed:
            subj = next((c for c in v.children if c.dep_ in ("nsubj", "csubj")), None)
            if subj is None and v.dep_ == "conj" and v.head.i < v.i:
                # "X said A and added B": the subject of the first verb; but not
                # "A, claims the paper", where the parser makes "claims" a conj.
                first = next((c for c in v.head.children if c.dep_ == "nsubj"), None)
                if first is not None and not (lo < v.i and doc[v.i - 1].text == ","):
                    subj = first
            if subj is None and v.dep_ == "advcl" and v.lower_.endswith("ing") and v.i > lo \
                    and doc[v.i - 1].text == "," and v.head.i < v.i:
                # "X said A, adding that B": the participle's speaker is X, the subject of
                # the reporting verb above it (the parser may hang it on A's verb).
                above = next((h for h in v.ancestors if h.lower_ in self.predicates), v.head)
                subj = next((c for c in above.children if c.dep_ == "nsubj"), None)
            if subj is None and v.lower_ not in TELL_FORMS:
                # Inverted order at the end of a sentence: "..., claims the paper."
                obj = next((c for c in v.children if c.dep_ in ("dobj", "attr") and c.i > v.i), None)
                if obj is not None and self._is_final_segment(doc, v.i, lo, hi):
                    subj = obj
            if subj is not None:
                if subj.lower_ in _RELATIVE and v.dep_ == "relcl":
                    subj = v.head
                return _whole_name(doc, *_np_bounds(subj, lo, hi), v.i)
        # Tokens only: the words next to the verb in its clause segment.
        a, b = _segment_of(doc, v.i, lo, hi)
        pre = [k for k in range(a, v.i) if doc[k].lower_ not in _AUX_WORDS]
        # "The debacle followed ... after President Biden announced": the speaker
        # starts after the last clause word.
        cut = max((n for n, k in enumerate(pre) if doc[k].lower_ in _CLAUSE_WORDS), default=-1)
        pre = pre[cut + 1:]
        if pre:
            return pre[0], pre[-1] + 1
        post = [k for k in range(v.i + 1, b) if not _is_trim(doc[k])]
        if post and v.lower_ not in TELL_FORMS and self._is_final_segment(doc, v.i, lo, hi):
            return post[0], post[-1] + 1
        if v.lower_ in TELL_FORMS or not post:
            # '"...," Name, title of X, told WSJ': the first segment after the quotation.
            q = next((k for k in range(v.i - 1, lo - 1, -1) if _is_quote(doc[k])), None)
            if q is not None:
                k = q + 1
                while k < v.i and _is_trim(doc[k]):
                    k += 1
                if k < v.i:
                    sa, sb = _segment_of(doc, k, lo, hi)
                    words = [w for w in range(sa, min(sb, v.i)) if not _is_trim(doc[w])]
                    if words:
                        return words[0], words[-1] + 1
        if a > lo and doc[a - 1].text == ",":
            # "Jane Doe, a representative for the ministry, told ...": the sentence's
            # first segment, when it is a short name-like phrase before an appositive.
            sa, sb = _segment_of(doc, lo, lo, hi)
            words = [w for w in range(sa, sb) if not _is_trim(doc[w])]
            if words and len(words) <= 6 and doc[words[0]].text[:1].isupper() \
                    and doc[words[0]].lower_ not in _ADVERBIAL_STARTS:
                return words[0], words[-1] + 1
        return None

    @staticmethod
    def _is_final_segment(doc: Any, i: int, lo: int, hi: int) -> bool:
        """True when the verb sits in the last clause segment of its sentence
        and something comes before it ("A, claims the paper.")."""
        a, b = _segment_of(doc, i, lo, hi)
        rest = [k for k in range(b, hi) if not _is_trim(doc[k])]
        if rest:
            # allow a trailing "citing ..." segment after the verb
            first = rest[0]
            if doc[first].lower_ not in CITE_FORMS:
                return False
        return a > lo

    def _claim(self, doc: Any, v: Any, lo: int, hi: int, parsed: bool,
               speaker: tuple[int, int] | None) -> tuple[int, int] | None:
        if parsed:
            after = [c for c in v.children if c.dep_ in ("ccomp", "parataxis") and c.i > v.i]
            if after:
                a = min(c.left_edge.i for c in after)
                b = max(_subtree_end(c, hi) for c in after)
                a = max(a, v.i + 1)
                return a, min(b, hi)
        # Where does the attribution part ("X has reported", "Name, title, told") start?
        attr_start = v.i
        if speaker is not None and speaker[0] < attr_start:
            attr_start = speaker[0]
        while attr_start > lo and doc[attr_start - 1].lower_ in _AUX_WORDS:
            attr_start -= 1
        # "said (on Friday) that ...", "told the BBC that ...": the claim follows.
        that_after = any(doc[k].lower_ == "that" for k in range(v.i + 1, min(v.i + 6, hi))
                         if not any(_is_delim(doc[j]) or _is_quote(doc[j]) for j in range(v.i + 1, k)))
        fronted = attr_start > lo and not that_after and self._is_final_segment(doc, v.i, lo, hi)
        if parsed and not fronted:
            before = [c for c in v.children if c.dep_ in ("ccomp", "parataxis") and c.i < v.i]
            fronted = bool(before) and attr_start > lo
        joined = attr_start > lo and doc[attr_start - 1].lower_ in ("and", "but", "or")
        if fronted and parsed and (joined or any(c.lower_ == "so" for c in v.children)):
            return None  # "X is illegal and the courts will say so": no claim before the verb
        if fronted:
            k = attr_start - 1
            closing = None
            while k >= lo and (_is_trim(doc[k]) or _is_quote(doc[k])):
                if doc[k].text in _CLOSE_QUOTES or doc[k].text in _STRAIGHT_QUOTES:
                    closing = k
                    break
                k -= 1
            if closing is not None:
                opening = _opening_quote_before(doc, closing)
                if opening is not None:
                    return opening + 1, closing
            return lo, attr_start
        if not parsed:
            # "X said (that) CLAIM": the rest of the sentence; after "told Y" a claim needs "that".
            a = v.i + 1
            if v.lower_ in TELL_FORMS:
                that = next((k for k in range(a, hi) if doc[k].lower_ == "that"), None)
                if that is None:
                    return None
                a = that + 1
            else:
                # "X said on Monday that CLAIM": the claim starts after a nearby "that".
                that = next((k for k in range(a, min(a + 5, hi)) if doc[k].lower_ == "that"), None)
                if that is not None and not any(_is_delim(doc[k]) for k in range(a, that)):
                    a = that + 1
            if hi - a >= 3:
                return a, hi
        elif v.i + 1 < hi and _is_quote(doc[v.i + 1]) or (v.i + 2 < hi and doc[v.i + 1].text in (",", ":")
                                                           and _is_quote(doc[v.i + 2])):
            # 'He said: "..."' with no ccomp in the parse
            q = v.i + 1 if _is_quote(doc[v.i + 1]) else v.i + 2
            _, line_hi = _line_bounds(doc, q)
            for k in range(q + 1, line_hi):
                if doc[k].text in _CLOSE_QUOTES or doc[k].text == doc[q].text:
                    return q + 1, k
        return None

    def _cite(self, doc: Any, i: int, parsed: bool, by_verb: dict[int, Cue], cues: list[Cue]) -> None:
        """"citing X, Y and Z": the cited are sources too. With the claim of the
        reporting verb they hang off, or alone ("the paper cites X")."""
        v = doc[i]
        lo, hi = _sentence_bounds(v.sent)
        score = SCORE_CUE if parsed else SCORE_RULES
        tails: list[CueSpan] = []
        if parsed:
            if v.dep_ in _NOMINAL_DEPS:
                return
            obj = next((c for c in v.children if c.dep_ == "dobj"), None)
            if obj is None:
                return
            heads = [obj] + [c for c in obj.subtree if c.dep_ == "conj" and c.head.i != c.i
                             and _conj_root(c).i == obj.i]
            list_end = _subtree_end(obj, hi)
            for n, h in enumerate(heads):
                a = max(h.left_edge.i, v.i + 1)
                b = h.i + 1
                # right side: the head's own modifiers, up to its first cc/conj/comma
                for c in sorted(h.rights, key=lambda t: t.i):
                    if c.dep_ in ("cc", "conj", "punct", "appos"):
                        break
                    b = _subtree_end(c, hi)
                if n == len(heads) - 1:
                    b = max(b, list_end)  # the last item keeps what the parser hung elsewhere
                sp = _span(doc, a, min(b, hi), "SOURCE", score)
                if sp is not None:
                    tails.append(sp)
        else:
            a = i + 1
            parts: list[tuple[int, int]] = []
            k = a
            while k < hi:
                t = doc[k]
                if t.text in (",", ";") or t.lower_ in ("and", "or") or t.text == ".":
                    if k > a:
                        parts.append((a, k))
                    a = k + 1
                    if t.text in (";", "."):
                        break
                k += 1
            if k >= hi and a < hi:
                parts.append((a, hi))
            for a, b in parts[:6]:
                sp = _span(doc, a, b, "SOURCE", score)
                if sp is not None:
                    tails.append(sp)
        if not tails:
            return
        # Attach to the reporting verb this "citing" depends on, if it made a cue.
        owner = None
        if parsed and v.head.i != v.i:
            owner = next((by_verb[h.i] for h in v.ancestors if h.i in by_verb), None)
        elif not parsed:
            owner = next((by_verb[k] for k in sorted(by_verb, reverse=True) if lo <= k < i), None)
        if owner is not None and owner.head is not None:
            # ", citing X" inside the claim is cut off it later (refine): X may sit there.
            cut_later = i > lo and doc[i - 1].text == "," and owner.head.start < v.idx < owner.head.end
            others = owner.tails if cut_later else [owner.head, *owner.tails]
            owner.tails.extend(t for t in tails if not _overlaps_any(t, others))
            return
        # "the paper cites X": the citing subject is a source as well.
        if parsed:
            subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
            if subj is not None:
                sp = _span(doc, *_np_bounds(subj, lo, hi), "SOURCE", score)
                if sp is not None:
                    tails.insert(0, sp)
        cues.append(Cue(None, tails, "attributed_to"))


_HOLDING_FORMS = frozenset(forms_of(HOLDING_VERBS))


def _whole_name(doc: Any, a: int, b: int, limit: int) -> tuple[int, int]:
    """A speaker the parser split inside a word or before its name ("Meta co"
    | "-founder Mark Zuckerberg"): take in tokens glued to it, then the
    person it titles."""
    from ..bylines import TITLES

    while b < limit and not doc[b - 1].whitespace_ and not (_is_delim(doc[b]) or _is_quote(doc[b])) \
            and not doc[b].is_space:
        b += 1
    if b < limit and doc[b - 1].lower_ in TITLES and doc[b].ent_iob_ == "B" and doc[b].ent_type_ == "PERSON":
        e = b + 1
        while e < limit and doc[e].ent_iob_ == "I":
            e += 1
        b = e
    return a, b


def _has_complement(doc: Any, v: Any, hi: int, parsed: bool) -> bool:
    """A cognitive verb reports a claim only with a clause: "believe that ...",
    "show (that) X is ...", or a quotation/clause it is inverted after."""
    if parsed:
        return any(c.dep_ in ("ccomp", "parataxis") for c in v.children)
    return v.i + 1 < hi and doc[v.i + 1].lower_ == "that"


def _hedged_verb(doc: Any, v: Any, lo: int, parsed: bool) -> bool:
    """"X reportedly said", "X may have told": the report itself is hedged."""
    if parsed:
        return any(c.lower_ in HEDGES for c in v.children if c.dep_ in ("aux", "advmod"))
    k = v.i - 1
    while k >= lo and doc[k].lower_ in _AUX_WORDS:
        if doc[k].lower_ in HEDGES:
            return True
        k -= 1
    return False


def _cut_at_according(doc: Any, a: int, b: int) -> tuple[int, int]:
    """"X said A, according to a statement": the "according to" part is its own
    cue and not part of what X said."""
    for k in range(a + 1, b - 1):
        if doc[k].lower_ == "according" and doc[k + 1].lower_ == "to" and doc[k - 1].text == ",":
            return a, k - 1
    return a, b


def _conj_root(tok: Any) -> Any:
    while tok.dep_ == "conj" and tok.head.i != tok.i:
        tok = tok.head
    return tok


def _overlaps_any(span: CueSpan, others: Iterable[CueSpan | None]) -> bool:
    return any(o is not None and span.start < o.end and o.start < span.end for o in others)
