"""Attribution and motive cues found in a parsed (or only tokenised) spaCy Doc.

This module never imports spaCy at import time: it works on the Doc/Token
objects it is given, and builds its Matchers from the pipeline's vocab when the
engine asks (:class:`CueFinder`).

Two modes, chosen per Doc by ``doc.has_annotation("DEP")``:

* parsed: the dependency parse finds the speaker (``nsubj``), whether a verb is
  really a verb ("claims the paper" vs "this claim"), the extent of a purpose or
  reason clause (the subtree of its head) and the actor (the subject of the verb
  the motive attaches to, walking up xcomp/conj chains).
* tokens only (rules fallback): the same triggers, with clause extents cut at
  punctuation and the actor taken as the words before the first auxiliary.

Span *boundaries* are decided by punctuation even in parsed mode: the small
English model often attaches an appositive or a fronted quote to the wrong
head, but commas and quotation marks are where journalists put clause breaks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

# Bump when the cue rules change, so cached cue suggestions are recomputed.
CUES_VERSION = "1"

# --- word lists (lower-case surface forms: no lemmatizer needed) -------------

_REPORT_LEMMAS = {
    "say": ("say", "says", "said", "saying"),
    "tell": ("tell", "tells", "told", "telling"),
    "claim": ("claim", "claims", "claimed", "claiming"),
    "report": ("report", "reports", "reported", "reporting"),
    "warn": ("warn", "warns", "warned", "warning"),
    "add": ("add", "adds", "added"),
    "state": ("stated",),  # "state(s)" is mostly the noun ("Islamic State")
    "announce": ("announce", "announces", "announced"),
    "note": ("note", "notes", "noted"),
    "explain": ("explain", "explains", "explained"),
    "insist": ("insist", "insists", "insisted"),
    "argue": ("argue", "argues", "argued"),
    "allege": ("allege", "alleges", "alleged"),
    "confirm": ("confirm", "confirms", "confirmed"),
    "deny": ("deny", "denies", "denied"),
    "write": ("write", "writes", "wrote"),
    "acknowledge": ("acknowledge", "acknowledges", "acknowledged"),
    "admit": ("admit", "admits", "admitted"),
    "assert": ("assert", "asserts", "asserted"),
    "declare": ("declare", "declares", "declared"),
    "stress": ("stress", "stresses", "stressed"),
    "believe": ("believes", "believed"),
    "estimate": ("estimates", "estimated"),
    "predict": ("predicts", "predicted"),
}
REPORT_FORMS = frozenset(f for forms in _REPORT_LEMMAS.values() for f in forms)
TELL_FORMS = frozenset(_REPORT_LEMMAS["tell"])
# Without a parse, base and -ing forms are too often nouns ("a new report", "a warning").
_UNPARSED_SKIP = frozenset(f for f in REPORT_FORMS if f.endswith("ing")) | frozenset(
    forms[0] for forms in _REPORT_LEMMAS.values())
# Words that end an actor phrase when there is no parse.
_ACTOR_STOPS = frozenset({"appear", "appears", "appeared", "seem", "seems", "seemed",
                          "continue", "continues", "continued", "began", "begin", "begins"})
CITE_FORMS = frozenset({"cite", "cites", "cited", "citing", "quoting", "quotes", "quoted"})

# Words that sit between a speaker and the verb ("has reported", "also said").
_AUX_WORDS = frozenset({
    "has", "have", "had", "is", "was", "are", "were", "will", "would", "can", "could",
    "may", "might", "must", "should", "shall", "did", "does", "do", "also", "later",
    "then", "reportedly", "previously", "earlier", "once", "recently", "further",
    "publicly", "privately", "allegedly", "not", "n't", "never",
})
_BE_FORMS = frozenset({"is", "are", "was", "were", "be", "been", "being", "'s", "’s"})
_DETERMINERS = frozenset({"a", "an", "the", "this", "that", "these", "those", "his", "her",
                          "its", "their", "our", "my", "your", "such", "no"})
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you"})
_RELATIVE = frozenset({"who", "which", "that", "whom"})
_CLAUSE_WORDS = frozenset({"after", "before", "that", "which", "who", "when", "while", "because",
                           "if", "and", "but", "as", "since", "until", "where", "though", "although"})

# Clause delimiters inside a sentence (quotes are handled on their own).
_DELIMS = frozenset({",", ";", ":", "–", "—", "--", "(", ")", "[", "]"})
_OPEN_QUOTES = frozenset({"“", "‘", "«", "„"})
_CLOSE_QUOTES = frozenset({"”", "’", "»"})
_STRAIGHT_QUOTES = frozenset({'"', "'"})

# Dependency labels of a word used as a noun, not a verb ("In making this claim").
_NOMINAL_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "compound", "amod", "attr",
                           "appos", "poss", "npadvmod", "nmod", "det", "dative", "oprd"})
_SUBJ_DEPS = ("nsubj", "nsubjpass", "csubj", "expl")

# Sentence openers that carry an earlier actor over ("Second, because ...").
_ENUMERATORS = frozenset({"second", "secondly", "third", "thirdly", "finally", "also",
                          "another", "moreover", "besides", "furthermore", "lastly", "next"})
# Openers of a fronted adverbial segment that is not the actor ("According to X, ...").
_ADVERBIAL_STARTS = frozenset({
    "according", "for", "in", "thus", "however", "first", "second", "secondly", "also",
    "after", "before", "since", "on", "at", "during", "meanwhile", "now", "then", "but",
    "and", "so", "still", "yet", "as", "with", "without", "despite", "although", "while",
    "when", "if", "by", "under", "over", "last", "this", "today", "yesterday",
})

_MOTIVE_PARTICIPLES = ("fearing", "hoping", "seeking", "wanting", "wishing", "aiming", "desperate")
_EFFORT_NOUNS = ("bid", "bids", "effort", "efforts", "attempt", "attempts", "quest", "drive",
                 "push", "campaign", "hope", "hopes", "desire", "struggle", "fight")
_OUT_OF_NOUNS = ("fear", "desperation", "necessity", "revenge", "loyalty", "frustration",
                 "anger", "greed", "conviction", "solidarity", "spite", "duty", "hatred")

ACTOR_LABEL = "ACTOR"  # tail of a motive cue: who acts on the motive (not a schema label)

# Scores are ranking hints for the UI, not probabilities.
SCORE_CUE = 0.7
SCORE_CUE_WEAK = 0.5
SCORE_RULES = 0.4


@dataclass(frozen=True)
class CueSpan:
    start: int  # character offsets into doc.text
    end: int
    label: str
    score: float = SCORE_CUE


@dataclass
class Cue:
    """One head (CLAIM or MOTIVE) and its tails (SOURCE / ACTOR), or lone tails."""

    head: CueSpan | None
    tails: list[CueSpan] = field(default_factory=list)
    relation: str = ""


# --- small token helpers ----------------------------------------------------

def _is_quote(tok: Any) -> bool:
    t = tok.text
    return t in _OPEN_QUOTES or t in _CLOSE_QUOTES or t in _STRAIGHT_QUOTES


def _is_delim(tok: Any) -> bool:
    return tok.text in _DELIMS or tok.is_space


def _is_trim(tok: Any) -> bool:
    return tok.is_punct or tok.is_space or tok.text in _DELIMS


def _sentence_bounds(sent: Any) -> tuple[int, int]:
    """Token range of a sentence without its surrounding whitespace tokens."""
    a, b = sent.start, sent.end
    doc = sent.doc
    while a < b and doc[a].is_space:
        a += 1
    while b > a and doc[b - 1].is_space:
        b -= 1
    return a, b


def _trim(doc: Any, a: int, b: int, *, drop_leading: Iterable[str] = ()) -> tuple[int, int] | None:
    """Strip punctuation (keeping quote marks whose partner is inside) and
    leading filler words from the token range [a, b)."""
    lead = {w.lower() for w in drop_leading}
    changed = True
    while changed and a < b:
        changed = False
        while a < b and (_is_trim(doc[a]) or doc[a].lower_ in lead):
            tok = doc[a]
            if tok.text in _OPEN_QUOTES and any(doc[k].text in _CLOSE_QUOTES for k in range(a + 1, b)):
                break
            if tok.text in _STRAIGHT_QUOTES and any(doc[k].text == tok.text for k in range(a + 1, b)):
                break
            a += 1
            changed = True
        while b > a and _is_trim(doc[b - 1]):
            tok = doc[b - 1]
            if tok.text in _CLOSE_QUOTES and any(doc[k].text in _OPEN_QUOTES for k in range(a, b - 1)):
                break
            if tok.text in _STRAIGHT_QUOTES and any(doc[k].text == tok.text for k in range(a, b - 1)):
                break
            b -= 1
            changed = True
    # A span that is exactly one quotation: keep its content only.
    if b - a >= 3 and _is_quote(doc[a]) and _is_quote(doc[b - 1]) and not any(
        _is_quote(doc[k]) for k in range(a + 1, b - 1)
    ):
        return _trim(doc, a + 1, b - 1)
    return (a, b) if a < b else None


def _unbalanced_close(doc: Any, a: int, b: int) -> bool:
    depth = 0
    for k in range(a, b):
        t = doc[k].text
        if t in _OPEN_QUOTES:
            depth += 1
        elif t in _CLOSE_QUOTES:
            if depth == 0:
                return True
            depth -= 1
    return False


def _chars(doc: Any, a: int, b: int) -> tuple[int, int]:
    """Character range of tokens [a, b), without a sentence-final period glued
    to the last token ("ISIS-K." is one token in spaCy's English tokenizer)."""
    start = doc[a].idx
    last = doc[b - 1]
    end = last.idx + len(last.text)
    if len(last.text) > 1 and last.text.endswith(".") and "." not in last.text[:-1]:
        end -= 1
    return start, end


def _span(doc: Any, a: int, b: int, label: str, score: float, **trim_kw: Any) -> CueSpan | None:
    rng = _trim(doc, a, b, **trim_kw)
    if rng is None:
        return None
    a, b = rng
    if a > 0 and doc[a - 1].text in _OPEN_QUOTES and _unbalanced_close(doc, a, b):
        rng = (a - 1, b)  # '“several other men” he knew': keep the quotation whole
    start, end = _chars(doc, *rng)
    if end <= start:
        return None
    return CueSpan(start, end, label, score)


def _np_bounds(tok: Any, lo: int, hi: int) -> tuple[int, int]:
    """The noun phrase headed by ``tok``: the words around it that descend from
    it, without crossing a clause delimiter or quote mark, inside [lo, hi).
    (The parser may attach an appositive across the verb, so ``right_edge``
    alone would swallow the verb phrase.)"""
    doc = tok.doc
    a = tok.i
    while a - 1 >= lo and tok.is_ancestor(doc[a - 1]) and not (_is_delim(doc[a - 1]) or _is_quote(doc[a - 1])):
        a -= 1
    b = tok.i + 1
    while b < hi and tok.is_ancestor(doc[b]) and not (_is_delim(doc[b]) or _is_quote(doc[b])):
        b += 1
    return a, b


def _subtree_end(tok: Any, hi: int) -> int:
    """End of the contiguous run of ``tok``'s descendants to its right;
    punctuation the parser hung elsewhere may sit inside the run."""
    doc = tok.doc
    end = tok.i + 1
    k = end
    while k < hi:
        t = doc[k]
        if tok.is_ancestor(t):
            k += 1
            end = k
        elif t.is_punct and not t.text == ".":
            k += 1
        else:
            break
    return end


def _segment_of(doc: Any, i: int, lo: int, hi: int) -> tuple[int, int]:
    """Tokens around ``i`` between clause delimiters or quote marks."""
    a = i
    while a > lo and not (_is_delim(doc[a - 1]) or _is_quote(doc[a - 1])):
        a -= 1
    b = i + 1
    while b < hi and not (_is_delim(doc[b]) or _is_quote(doc[b])):
        b += 1
    return a, b


def _line_bounds(doc: Any, i: int) -> tuple[int, int]:
    """Tokens of the line (paragraph) holding token ``i``."""
    a = i
    while a > 0 and not (doc[a - 1].is_space and "\n" in doc[a - 1].text):
        a -= 1
    b = i + 1
    while b < len(doc) and not (doc[b].is_space and "\n" in doc[b].text):
        b += 1
    return a, b


def _opening_quote_before(doc: Any, close_i: int) -> int | None:
    """The opening quote matching the closing quote at ``close_i``, searched
    back within the same line (a quotation may span several sentences)."""
    lo, _ = _line_bounds(doc, close_i)
    closer = doc[close_i].text
    for k in range(close_i - 1, lo - 1, -1):
        t = doc[k].text
        if closer in _STRAIGHT_QUOTES:
            if t == closer:
                return k
        elif t in _OPEN_QUOTES:
            return k
        elif t in _CLOSE_QUOTES:
            return None  # another quotation ends first: give up rather than guess
    return None


def _parsed(doc: Any) -> bool:
    return bool(doc.has_annotation("DEP"))


# --- the finder -------------------------------------------------------------

class CueFinder:
    """Builds its Matchers once for a vocab; call :meth:`find` per Doc."""

    def __init__(self, vocab: Any) -> None:
        from spacy.matcher import Matcher

        self.vocab = vocab
        self.attr = Matcher(vocab, validate=True)
        self.attr.add("ACCORDING", [[{"LOWER": "according"}, {"LOWER": "to"}]])
        self.attr.add("REPORT", [[{"LOWER": {"IN": sorted(REPORT_FORMS)}}]])
        self.attr.add("CITE", [[{"LOWER": {"IN": sorted(CITE_FORMS)}}]])

        # Modifiers allowed between "in an" and "quest": words and hyphens, no clause punctuation.
        mod = {"ORTH": {"NOT_IN": sorted(_DELIMS | _OPEN_QUOTES | _CLOSE_QUOTES | {".", "to", "of"})},
               "IS_SPACE": False, "OP": "{0,4}"}
        self.motive = Matcher(vocab, validate=True)
        self.motive.add("PURPOSE", [
            [{"LOWER": "in"}, {"LOWER": "order"}, {"LOWER": {"IN": ["to", "that"]}}],
            [{"LOWER": "so"}, {"LOWER": "as"}, {"LOWER": "to"}],
            [{"LOWER": "so"}, {"LOWER": "that"}],
            [{"LOWER": "with"}, {"LOWER": "the"}, {"LOWER": {"IN": ["aim", "goal", "intention", "purpose"]}},
             {"LOWER": "of"}],
        ])
        self.motive.add("EFFORT", [
            [{"LOWER": "in"}, {"LOWER": {"IN": sorted(_DETERMINERS)}}, mod,
             {"LOWER": {"IN": list(_EFFORT_NOUNS)}}, {"LOWER": {"IN": ["to", "of", "that"]}}],
        ])
        self.motive.add("REASON", [
            [{"LOWER": "because"}, {"LOWER": "of", "OP": "?"}],
            [{"LOWER": "for"}, {"LOWER": "fear"}, {"LOWER": {"IN": ["of", "that"]}}],
            [{"LOWER": "out"}, {"LOWER": "of"}, {"LOWER": {"IN": list(_OUT_OF_NOUNS)}}],
            [{"LOWER": {"IN": ["motivated", "driven", "prompted"]}}, {"LOWER": "by"}],
        ])
        # Needs a parse (a Matcher refuses DEP patterns on unparsed docs).
        self.bare = Matcher(vocab, validate=True)
        self.bare.add("BARE", [[{"LOWER": "to", "DEP": "aux"}]])
        self.motive.add("PARTICIPLE", [[{"LOWER": {"IN": list(_MOTIVE_PARTICIPLES)}}]])
        mod_of = dict(mod, ORTH={"NOT_IN": sorted(_DELIMS | _OPEN_QUOTES | _CLOSE_QUOTES | {".", "to"})})
        self.motive.add("REASONS", [
            [{"LOWER": "for"}, mod_of, {"LOWER": {"IN": ["reason", "reasons", "motives"]}}],
        ])

    # -- public ---------------------------------------------------------------

    def attributions(self, doc: Any) -> list[Cue]:
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
        for i in cites:
            self._cite(doc, i, parsed, by_verb, cues)
        return cues

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
        lo, hi = _sentence_bounds(v.sent)
        prev = doc[i - 1] if i > lo else None
        # "are said to", "is reported": a passive report has no named speaker here.
        if prev is not None and prev.lower_ in _BE_FORMS:
            return None
        if prev is not None and prev.lower_ in _DETERMINERS and prev.lower_ != "that":
            return None  # "this claim", "the report"
        if parsed:
            if v.dep_ in _NOMINAL_DEPS:
                return None
            if any(c.dep_ in ("auxpass", "nsubjpass") for c in v.children):
                return None
        elif v.lower_ in _UNPARSED_SKIP or (v.text[:1].isupper() and i > lo):
            return None
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
            if subj is None and v.lower_ not in TELL_FORMS:
                # Inverted order at the end of a sentence: "..., claims the paper."
                obj = next((c for c in v.children if c.dep_ in ("dobj", "attr") and c.i > v.i), None)
                if obj is not None and self._is_final_segment(doc, v.i, lo, hi):
                    subj = obj
            if subj is not None:
                if subj.lower_ in _RELATIVE and v.dep_ == "relcl":
                    subj = v.head
                return _np_bounds(subj, lo, hi)
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
        fronted = attr_start > lo and self._is_final_segment(doc, v.i, lo, hi)
        if parsed and not fronted:
            before = [c for c in v.children if c.dep_ in ("ccomp", "parataxis") and c.i < v.i]
            fronted = bool(before) and attr_start > lo
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
        if parsed and v.head.i in by_verb and v.head.i != v.i:
            owner = by_verb[v.head.i]
        elif not parsed:
            owner = next((by_verb[k] for k in sorted(by_verb, reverse=True) if lo <= k < i), None)
        if owner is not None and owner.head is not None:
            owner.tails.extend(t for t in tails if not _overlaps_any(t, [owner.head, *owner.tails]))
            return
        # "the paper cites X": the citing subject is a source as well.
        if parsed:
            subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
            if subj is not None:
                sp = _span(doc, *_np_bounds(subj, lo, hi), "SOURCE", score)
                if sp is not None:
                    tails.insert(0, sp)
        cues.append(Cue(None, tails, "attributed_to"))

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
        end = self._clause_end(doc, kind, s, e, lo, hi, parsed)
        if end is None or end <= e - (1 if kind == "PARTICIPLE" else 0):
            return None
        if kind == "REASONS":
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


def _overlaps_any(span: CueSpan, others: Iterable[CueSpan | None]) -> bool:
    return any(o is not None and span.start < o.end and o.start < span.end for o in others)


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
