"""Learned sources: the SOURCE names the annotator tagged or accepted, as
phrases to match elsewhere, and the version that keys their cached suggestions."""

from __future__ import annotations

import hashlib
import re
from typing import Iterable


def normalise_sources(sources: Iterable[str]) -> tuple[str, ...]:
    """The learnable phrases: names only (at least one capital letter, so
    "the paper" or "he" are not spread everywhere), whitespace collapsed,
    possessive dropped, sorted and unique."""
    out = set()
    for raw in sources:
        text = " ".join(str(raw).split())
        text = re.sub(r"[’']s$", "", text).strip(" ,.;:*\"“”‘’")
        if not text or len(text) > 120 or not any(ch.isupper() for ch in text):
            continue
        out.add(text)
    return tuple(sorted(out))


def learned_version(sources: Iterable[str]) -> str:
    phrases = normalise_sources(sources)
    return "l-" + hashlib.sha1("\n".join(phrases).encode("utf-8")).hexdigest()[:10]


def _phrase_variants(phrase: str) -> set[str]:
    """"The Wall Street Journal" also matches "the Wall Street Journal" and
    "Wall Street Journal"."""
    out = {phrase}
    m = re.match(r"(?i)the\s+(.+)", phrase)
    if m and m.group(1)[:1].isupper():
        rest = m.group(1)
        out |= {"The " + rest, "the " + rest, rest}
    return out


def stands_alone(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is not part of a longer word: the tokenizer splits
    "anti-Taliban" into three tokens, but "Taliban" there is not the name learned."""
    def joined(i: int, step: int) -> bool:
        # A letter or digit right beside the match, or a hyphen or apostrophe with one beyond it.
        if not 0 <= i < len(text):
            return False
        if text[i].isalnum():
            return True
        beyond = i + step
        if step > 0 and text[i] in "'’" and text[beyond:beyond + 1] in ("s", "S") \
                and not text[beyond + 1:beyond + 2].isalnum():
            return False  # a possessive: "the Taliban’s" still names the Taliban
        return text[i] in "-‐‑'’" and 0 <= beyond < len(text) and text[beyond].isalnum()

    return not joined(start - 1, -1) and not joined(end, 1)
