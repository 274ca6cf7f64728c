"""Lines of an article that are not its reported content: bylines ("Joseph
Fitsanakis" alone on a line, "By Jane Doe"), datelines ("KABUL (Reuters) -")
and credits ("Image: Reuters", "Photo: AFP"); and the entity spans that
belong together ("Facebook co-founder Mark Zuckerberg": one SOURCE).

A byline's or dateline's name is the writer or the place of writing, not a
source of the story's claims, so nothing in them is proposed. A credit names
who supplied a picture: it is proposed as a SOURCE of kind CREDIT.
"""

from __future__ import annotations

import re
from typing import Any

# A line that is only a person's name (2-4 capitalised words, initials
# allowed), optionally after "By" and before "| Outlet" or ", Outlet".
_NAME = r"[A-Z][a-zA-Z'’\-]+(?:\s+(?:[A-Z]\.|[A-Z][a-zA-Z'’\-]+)){1,3}"
_BYLINE = re.compile(rf"(?m)^[ \t]*(?:[Bb]y[ \t]+)?({_NAME})(?:[ \t]*(?:[|,–—-]|and)[ \t]*[^\n]{{0,60}})?[ \t]*$")
# "KABUL (Reuters) -", "WASHINGTON, Nov 1 (AP) —", "LONDON —": upper-case place at a paragraph start.
_DATELINE = re.compile(
    r"(?m)^[ \t]*([A-Z][A-Z .'’\-]{2,30}(?:,[ \t]*[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2})?[ \t]*(?:\([^)\n]{2,40}\))?)"
    r"[ \t]*[-–—][ \t]")
_CREDIT = re.compile(
    r"(?:^|\()[ \t]*(?:Image|Images|Photo|Photos|Photograph|Picture|Pictures|Illustration|Video|Footage|"
    r"Credit|Credits|Image credit|Photo credit|Image source)[ \t]*:[ \t]*([^\n()|]{2,60}?)[ \t]*(?=$|\)|\|)",
    re.M)
_WORDS_IN_SENTENCES = re.compile(r"\b[a-z]{3,}\s+[a-z]{3,}\b")
# Capitalised words of a title-case headline that no person's name is made of.
_NOT_NAME_WORDS = frozenset("""
the a an of in on at to for and or but with from by as is are was were be has have had will would
says said say tells told claims reports warns new after over how why what who when where this that
""".split())


def byline_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of bylines and datelines."""
    out: list[tuple[int, int]] = []
    for m in _BYLINE.finditer(text):
        line = m.group(0)
        # A headline or a sentence has lower-case words in a row; a byline does not.
        if _WORDS_IN_SENTENCES.search(line.split("|")[0].split(",")[0]):
            continue
        if any(w.lower() in _NOT_NAME_WORDS for w in m.group(1).split()):
            continue  # "The Taliban Said No": a headline in title case
        out.append((m.start(), m.end()))
    for m in _DATELINE.finditer(text):
        if any(ch.isalpha() for ch in m.group(1)) and m.group(1).strip()[:2].isupper():
            out.append((m.start(1), m.start(1) + len(m.group(1).rstrip())))
    return sorted(out)


def credit_ranges(text: str) -> list[tuple[int, int]]:
    """"Image: Reuters", "(Photo: AFP/Getty)": the credited name."""
    if ":" not in text:
        return []
    out = []
    for m in _CREDIT.finditer(text):
        value = m.group(1).strip(" .")
        if value and value[0].isupper() and len(value.split()) <= 8:
            a = m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip(" ")))
            out.append((a, a + len(value)))
    return out


def inside_any(start: int, end: int, ranges: list[tuple[int, int]]) -> bool:
    return any(a <= start and end <= b for a, b in ranges)


# Titles between an organisation and a name: "Facebook co-founder Mark Zuckerberg".
TITLES = frozenset({
    "founder", "co-founder", "cofounder", "chief", "ceo", "executive", "president", "chairman", "chairwoman",
    "chair", "spokesman", "spokeswoman", "spokesperson", "minister", "secretary", "director", "official",
    "leader", "commander", "head", "owner", "boss", "analyst", "reporter", "correspondent", "editor",
    "ambassador", "envoy", "senator", "governor", "general", "adviser", "advisor", "researcher",
    "professor", "economist", "representative", "lawmaker", "mayor", "prime", "foreign", "defence",
    "defense", "deputy", "vice", "former", "senior", "top", "general", "prosecutor", "judge", "lawyer",
})


def titled_names(doc: Any, names: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """"<Org> <title words> <PERSON>" as one range: the model's PERSON entity,
    extended left over title words ("co-founder", "foreign minister") and the
    capitalised name of the body before them ("Facebook"). A body glued to a
    prefix ("anti-Taliban commander X") is a description, not a name."""
    if names is None:
        people = [p for p in doc.ents if p.label_ == "PERSON"]
    else:  # rules only: capitalised-name runs (character ranges) stand for the people
        people = [sp for sp in (doc.char_span(a, b, alignment_mode="expand") for a, b in names) if sp is not None]
    out = []
    for person in people:
        k = person.start - 1
        titles = 0
        while k >= 0 and not doc[k].is_sent_end:
            tok = doc[k]
            if tok.lower_ in TITLES or tok.lower_ == "co" and _glued(doc, k, k + 1):
                titles += tok.lower_ in TITLES
                k -= 1
            elif tok.text == "-" and _glued(doc, k - 1, k) and _glued(doc, k, k + 1):
                k -= 1
            else:
                break
        if not titles:
            continue
        b = k + 1  # first title token
        while k >= 0 and _capitalised(doc[k]) and not doc[k].is_sent_end:
            k -= 1
        a = k + 1
        if a == b or (k >= 0 and doc[k].text == "-" and _glued(doc, k, k + 1)):
            continue
        out.append((doc[a].idx, person.end_char))
    return out


def _glued(doc: Any, i: int, j: int) -> bool:
    """Tokens i and j = i + 1 are written without a space between them."""
    return 0 <= i < j < len(doc) and not doc[i].whitespace_


def _capitalised(tok: Any) -> bool:
    t = tok.text
    return t[:1].isupper() and t.isalpha() is not False and not tok.is_punct and tok.lower_ not in TITLES
