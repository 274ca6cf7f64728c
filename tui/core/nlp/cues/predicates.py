"""The predicates attribution is read from, kept as lemmas: reporting verbs
("say", "deny"), cognitive and evidential verbs ("think", "show"), and the
hedges that make a reported claim uncertain.

The engine's pipelines run without a lemmatizer (it needs the tagger, which
the cue layers do not otherwise need), so each lemma is expanded here into its
inflected forms once, and the Matchers compare lower-case surface forms. A
patterns file may add lemmas (``{"label": "REPORTING_VERB", "pattern": "concede"}``
or ``COGNITIVE_VERB``); see :func:`split_predicates`.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

# Verbs of saying: a subject who speaks, and what is said as a complement
# clause or a quotation (before or after the verb).
REPORTING_LEMMAS = (
    "acknowledge", "add", "admit", "allege", "announce", "argue", "assert", "caution", "claim",
    "complain", "concede", "confirm", "contend", "declare", "deny", "emphasise", "emphasize",
    "explain", "insist", "maintain", "note", "predict", "recall", "remark", "reply", "report",
    "reveal", "say", "state", "stress", "tell", "testify", "warn", "write",
)
# Verbs of thinking and of evidence: they report a claim only with a
# complement clause ("officials believe that ...", "the data show ..."), never
# with a bare object ("the report shows a map").
COGNITIVE_LEMMAS = (
    "assume", "believe", "conclude", "demonstrate", "doubt", "estimate", "expect", "find",
    "indicate", "observe", "reckon", "show", "suggest", "suspect", "think",
)

# Forms that are mostly something else: "state(s)" is the noun ("Islamic
# State"); "finding(s)", "showing" and "estimate" are nouns far more often
# than verbs in news text.
_SKIP_FORMS = frozenset({"state", "states", "stating", "finding", "finds", "showing", "estimate",
                         "expecting", "doubting", "maintaining"})
_IRREGULAR_PAST = {
    "say": ("said",), "tell": ("told",), "think": ("thought",), "write": ("wrote", "written"),
    "find": ("found",), "show": ("showed", "shown"), "prove": ("proved", "proven"),
}
# Verbs whose final consonant doubles before -ed/-ing.
_DOUBLING = frozenset({"admit", "regret", "omit", "refer", "prefer", "commit"})

# Words that make a reported claim uncertain (certainty = hedged): modal verbs
# and adverbs inside the claim or on its verb.
HEDGES = frozenset({
    "may", "might", "could", "possibly", "perhaps", "probably", "reportedly", "allegedly",
    "apparently", "supposedly", "purportedly", "likely", "unlikely", "seemingly", "presumably",
    "maybe", "arguably", "ostensibly",
})
# Verbs that hedge what they introduce: "officials believe X" reports X as a belief.
HEDGING_LEMMAS = frozenset({"allege", "believe", "suspect", "estimate", "think", "suggest", "reckon",
                            "assume", "expect", "doubt"})

# Nouns whose "that" clause is a claim of the subject of the verb they are the
# object of: "Some observers are expressing concerns that ...", "analysts voiced
# fears that ...". The value says whether the claim is hedged.
CLAIM_NOUNS = {
    "concern": True, "concerns": True, "fear": True, "fears": True, "belief": True, "suspicion": True,
    "suspicions": True, "doubt": True, "doubts": True, "claim": False, "claims": False, "warning": False,
    "warnings": False, "allegation": True, "allegations": True, "assertion": False, "view": True,
}

# Verbs that make the subject the holder of such a noun's claim (not "dismissed
# claims that", "denied allegations that": there the claim is someone else's).
HOLDING_VERBS = ("express", "voice", "raise", "share", "air", "reiterate", "repeat", "make", "echo", "hold")

PREDICATE_LABELS = {"REPORTING_VERB": "reporting", "COGNITIVE_VERB": "cognitive"}


def inflect(lemma: str) -> tuple[str, ...]:
    """Lemma, third person, past (and participle) and -ing forms, lower case."""
    w = lemma.lower()
    vowel_y = len(w) > 1 and w.endswith("y") and w[-2] in "aeiou"
    if w.endswith(("s", "sh", "ch", "x", "z", "o")):
        third = w + "es"
    elif w.endswith("y") and not vowel_y:
        third = w[:-1] + "ies"
    else:
        third = w + "s"
    if w in _IRREGULAR_PAST:
        past: tuple[str, ...] = _IRREGULAR_PAST[w]
    elif w.endswith("e"):
        past = (w + "d",)
    elif w.endswith("y") and not vowel_y:
        past = (w[:-1] + "ied",)
    elif _doubles(w):
        past = (w + w[-1] + "ed",)
    else:
        past = (w + "ed",)
    if w.endswith("e") and not w.endswith("ee"):
        ing = w[:-1] + "ing"
    elif _doubles(w):
        ing = w + w[-1] + "ing"
    else:
        ing = w + "ing"
    return tuple(dict.fromkeys((w, third, *past, ing)))


def _doubles(w: str) -> bool:
    """One-syllable consonant-vowel-consonant verbs ("quip" -> "quipped"), and
    the listed longer ones ("admit")."""
    if w in _DOUBLING:
        return True
    plain = w.replace("qu", "q")
    return len(re.findall(r"[aeiou]+", plain)) == 1 and re.search(r"[^aeiou][aeiou][^aeiouwxy]$", plain) is not None


def forms_of(lemmas: Iterable[str]) -> dict[str, str]:
    """Surface form -> lemma for every form of ``lemmas`` (minus the forms that
    are mostly nouns)."""
    out: dict[str, str] = {}
    for lemma in sorted(set(lemmas)):
        for form in inflect(lemma):
            if form not in _SKIP_FORMS:
                out.setdefault(form, lemma)
    return out


def split_predicates(patterns: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, set[str]]]:
    """Separate a patterns file's predicate lines (REPORTING_VERB / COGNITIVE_VERB,
    whose pattern is a lemma) from its entity-ruler patterns."""
    ruler: list[dict[str, Any]] = []
    extra: dict[str, set[str]] = {kind: set() for kind in PREDICATE_LABELS.values()}
    for p in patterns:
        kind = PREDICATE_LABELS.get(p["label"])
        if kind is None:
            ruler.append(p)
        else:
            extra[kind].add(p["pattern"].strip().lower())
    return ruler, extra
