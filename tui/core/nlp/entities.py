"""Entity-layer rules: which entity types become SOURCE suggestions, their
scores, the media-outlet list, and trimming, "Source:" lines and the
capitalised-name heuristic of the rules-only engine.

Entity types kept as SOURCE suggestions: PERSON, ORG, NORP (only when used as
a noun: "Afghans", not "Afghan forces") and media outlets. GPE, LOC, dates and
numbers are left out: places are rarely the cited source, and when they are
("Washington said") the attribution cues catch the speaker anyway.
"""

from __future__ import annotations

import re
from typing import Any

# Bump when entity rules (mapping, trimming, outlet list, name heuristics) change.
# 2: bylines/datelines dropped, credits, countries as speakers, "<org> <title> <name>" as one.
RULES_VERSION = "2"

SOURCE_KINDS = frozenset({"PERSON", "ORG", "NORP", "MEDIA"})
PASS_THROUGH_LABELS = frozenset({"SOURCE", "CLAIM", "MOTIVE"})

# Scores are ranking hints for the UI, not probabilities.
SCORE_LEARNED = 1.0
SCORE_PATTERN = 1.0
SCORE_MEDIA = 0.9
SCORE_MODEL = 0.8
SCORE_NAME = 0.5

# Well-known outlets, matched case-sensitively; the model misses some
# ("Sputnik News") and the rules fallback has nothing else.
MEDIA_OUTLETS = (
    "ABC News", "AFP", "Agence France-Presse", "Al Jazeera", "Associated Press", "Axios",
    "BBC", "Bloomberg", "CBS News", "CNN", "Der Spiegel", "Deutsche Welle", "Financial Times",
    "Fox News", "Interfax", "Le Monde", "NBC News", "NPR", "New York Times", "Politico",
    "RIA Novosti", "Reuters", "Sputnik", "Sputnik News", "TASS", "The Economist", "The Guardian",
    "The New York Times", "The Wall Street Journal", "The Washington Post", "WSJ",
    "Wall Street Journal", "Washington Post", "Xinhua", "intelNews",
)

_URLISH = re.compile(r"(?:https?://|www\.)\S+|\S+\.(?:com|org|net|gov|info|io|co\.uk)\b\S*")


_NON_NAME_PREFIX = re.compile(r"^(?:anti|ex|pro|non|post|pre)-", re.I)


def _trim_entity(text: str, start: int, end: int, *, name: bool = True) -> tuple[int, int] | None:
    """Drop a leading lower-case "the", a possessive, a glued sentence period
    and trailing asterisks (some outlets mark banned groups "Taliban*")."""
    s = text[start:end]
    if s.startswith("the "):
        start += 4
    s = text[start:end]
    m = re.search(r"(?:[’']s|\*+|[.,;:]+)$", s)
    while m and end > start:
        cut = m.group(0)
        if cut == "." and "." in s[:-1]:
            break  # "U.S." keeps its dots
        end -= len(cut)
        s = text[start:end]
        m = re.search(r"(?:[’']s|\*+|[,;:]+|(?<=\w)\.)$", s)
    s = text[start:end].strip()
    if not s or "\n" in s:
        return None
    if name and (not s[0].isupper() or _NON_NAME_PREFIX.match(s)):
        return None  # "anti-Taliban", "ex-Afghan National Army": modifiers, not names
    return start, end


def _source_lines(doc: Any) -> list[tuple[int, int]]:
    """"Source: Sputnik News" / "Via: Reuters" trailer lines name the outlet."""
    out = []
    text = doc.text
    if "Source" not in text and "Via" not in text:
        return out
    for m in re.finditer(r"(?m)^[ \t]*(?:Source|Sources|Via)\s*:[ \t]*([^\n]{2,80}?)[ \t]*$", text):
        value = m.group(1).strip(" .")
        if value and value[0].isupper() and not _URLISH.search(value) and len(value.split()) <= 8:
            a = m.start(1)
            out.append((a, a + len(value)))
    return out


# Capitalised words that start sentences or are too common to be names.
_COMMON_CAPS = frozenset("""
a about after again against all also although among an and another any are as at be because
before being both but by can could did do does during each even every few first for from further
had has have he her here his how however i if in into is it its many may meanwhile more most much
my new no nor not now of on once one only or other our over same second several she should since
so some still such than that the their them then there these they third this those though thus
to today under until up very was we were what when where whether which while who why will with
would yet yesterday you according last next monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december mr mrs ms dr
""".split())


def _capitalised_names(doc: Any) -> list[tuple[int, int]]:
    """Runs of Capitalised (or short ALL-CAPS) words, allowing "of" inside
    ("National Directorate of Security"). A sentence's first word counts only
    when the same word is also capitalised mid-sentence somewhere in the text;
    shouted headlines (runs of long ALL-CAPS words) are skipped."""
    def name_like(tok: Any) -> bool:
        t = tok.text
        if not t[:1].isupper() or tok.lower_ in _COMMON_CAPS or tok.like_url or tok.like_num:
            return False
        if t.isupper() and len(t.replace("-", "")) > 5:
            return False  # "GROWING": shouting, not an acronym
        return any(ch.isalpha() for ch in t)

    mid_sentence = set()
    for tok in doc:
        if not tok.is_sent_start and name_like(tok):
            mid_sentence.add(tok.text)
    out: list[tuple[int, int]] = []
    i, n = 0, len(doc)
    while i < n:
        tok = doc[i]
        glued_prefix = (i >= 2 and doc[i - 1].text == "-" and not doc[i - 1].whitespace_
                        and doc[i - 2].text[:1].islower())
        if not name_like(tok) or glued_prefix or (tok.is_sent_start and tok.text not in mid_sentence):
            i += 1
            continue
        j = i + 1
        while j < n:
            nxt = doc[j]
            if name_like(nxt) and not nxt.is_sent_start:
                j += 1
            elif nxt.text == "-" and j + 1 < n and name_like(doc[j + 1]) and not nxt.whitespace_ \
                    and not doc[j - 1].whitespace_:
                j += 2  # "ISIS-K", "Syria-Khorasan"
            elif nxt.lower_ == "of" and j + 1 < n and name_like(doc[j + 1]) and not doc[j + 1].is_sent_start:
                j += 2
            else:
                break
        start, end = doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text)
        rng = _trim_entity(doc.text, start, end)
        if rng is not None:
            out.append(rng)
        i = j
    return out
