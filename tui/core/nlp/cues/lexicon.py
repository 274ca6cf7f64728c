"""The vocabulary of the cue rules: trigger words, the words that bound
speakers, actors and clauses, the ACTOR label and the cue scores."""

from __future__ import annotations

from .predicates import COGNITIVE_LEMMAS, REPORTING_LEMMAS, forms_of, inflect

# --- word lists (lower-case surface forms: no lemmatizer needed) -------------

REPORT_LEMMA_OF = forms_of(REPORTING_LEMMAS)
COGNITIVE_LEMMA_OF = forms_of(COGNITIVE_LEMMAS)
REPORT_FORMS = frozenset(REPORT_LEMMA_OF) | frozenset(COGNITIVE_LEMMA_OF)
TELL_FORMS = frozenset(inflect("tell"))
# Without a parse, base and -ing forms are too often nouns ("a new report", "a warning").
_UNPARSED_SKIP = frozenset(f for f in REPORT_FORMS if f.endswith("ing")) | frozenset(
    (*REPORTING_LEMMAS, *COGNITIVE_LEMMAS))
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
