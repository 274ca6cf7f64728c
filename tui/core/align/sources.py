"""SOURCE annotations across articles: the name a span gives, whether it is a
proper name, and which sources name the same entity ("WSJ" / "the Wall Street
Journal")."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Sequence

from tui.core.align.claims import _alive
from tui.core.align.words import STOPWORDS, _WORD, _fold
from tui.core.models import Annotation


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class SourceGroup:
    """SOURCE annotations that name the same entity; ``name`` is for display."""

    name: str
    members: tuple[str, ...]


# --------------------------------------------------------------------------- sources

_LEADING = ("the ", "a ", "an ")


def source_name(quote: str) -> str:
    """The name a SOURCE span gives, for display: before an apposition comma,
    without a leading article or possessive."""
    name = unicodedata.normalize("NFKC", quote).strip()
    # "Rahmatullah Nabil, former chief of ..." -> the name before the comma.
    if "," in name and name.split(",", 1)[0].strip()[:1].isupper():
        name = name.split(",", 1)[0]
    name = name.strip(" \t\n\"'\u201c\u201d\u2018\u2019.:;")
    for art in _LEADING:
        if name.lower().startswith(art):
            name = name[len(art) :]
            break
    name = re.sub(r"['\u2019]s?$", "", name).strip()
    return name


def _name_keys(name: str) -> tuple[str, set[str], bool]:
    """Normalised full key, extra keys it answers to, and whether it is a proper name."""
    words = [_fold(m.group()) for m in _WORD.finditer(name)]
    raw_words = [m.group() for m in _WORD.finditer(name)]
    full = " ".join(words)
    keys = {full} if full else set()
    proper = (
        bool(raw_words)
        and raw_words[0][:1].isupper()
        and all(w[:1].isupper() or w.lower() in STOPWORDS for w in raw_words)
    )
    if proper:
        caps = [w for w in raw_words if w[:1].isupper()]
        if len(caps) > 1:
            keys.add("".join(w[0] for w in caps).lower())  # Wall Street Journal -> wsj
    return full, keys, proper


def is_proper_name(text: str) -> bool:
    """True when ``text`` (a SOURCE's words, see :func:`source_name`) is a proper
    name: every word capitalised but function words ("Islamic State of Iraq")."""
    return _name_keys(source_name(text))[2]


def group_sources(sources: Sequence[Annotation], texts: dict[int, str] | None = None) -> list[SourceGroup]:
    """Group SOURCE annotations that name the same entity, across documents.

    Names are compared without case, leading article or possessive; a multiword
    proper name also answers to its initials ("WSJ"), and a lone capitalised
    word to a longer proper name ending in it ("Nabil" -> "Rahmatullah Nabil").
    Descriptions ("one former unnamed official") group only with identical
    descriptions. ``texts`` (doc id -> text) fills in empty quotes. Every
    source is in exactly one group; groups are sorted by size then name."""
    live = [s for s in sources if s.label == "SOURCE" and _alive(s)]
    parent = list(range(len(live)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    names: list[str] = []  # for display: the name, or a description as written
    info: list[tuple[str, set[str], bool]] = []
    for s in live:
        quote = s.quote or ((texts or {}).get(s.doc_id, "")[s.start : s.end])
        name = source_name(quote)
        info.append(_name_keys(name))
        names.append(name if info[-1][2] else " ".join(quote.split()).strip(" \"'\u201c\u201d\u2018\u2019.:;,"))
    owner: dict[str, int] = {}
    for i, (full, keys, proper) in enumerate(info):
        if not full:
            continue
        # Descriptions only meet their exact twin; names meet any of their keys.
        for key in keys if proper else {full}:
            tagged = ("p:" if proper else "d:") + key
            if tagged in owner:
                union(i, owner[tagged])
            else:
                owner[tagged] = i
    # Surname (or last word) alone -> the longer proper name ending in it.
    for i, (full, _keys, proper) in enumerate(info):
        if proper and full and len(full.split()) == 1:
            for j, (full_j, _kj, proper_j) in enumerate(info):
                if j != i and proper_j and len(full_j.split()) > 1 and full_j.split()[-1] == full:
                    union(i, j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(live)):
        groups[find(i)].append(i)
    out: list[SourceGroup] = []
    for members in groups.values():
        # Display the longest proper name in the group, else the commonest form.
        proper_names = [names[i] for i in members if info[i][2]]
        pool = proper_names or [names[i] for i in members]
        display = max(pool, key=lambda n: (len(n.split()), pool.count(n), n)) if pool else ""
        out.append(SourceGroup(display, tuple(live[i].id for i in members)))
    return sorted(out, key=lambda g: (-len(g.members), g.name.lower(), g.members))
