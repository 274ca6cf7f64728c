"""What a sentence states, as the fact aligner compares it: its words with
numbers and dates in one written form ("7,000" = "seven thousand",
"Feb. 28" = "February 28"), whom it attributes itself to, and whether it
denies what it reports.

Plain regular expressions over the text: no model, so the aligner stays fast
and the same on every machine."""

from __future__ import annotations

import re

from tui.core.align.words import STOPWORDS, _fold, _stem

# A number written with digits (thousands separators, decimals), a word, or a
# month abbreviation with its full stop.
_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\w+(?:['\u2019]\w+)*")

_SMALL = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_MONTHS = {
    **{m: i + 1 for i, m in enumerate("january february march april may june july august september october "
                                      "november december".split())},
    **{m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())},
    "sept": 9,
}
# "may" and "march" are verbs too: a month only beside a day number.
_AMBIGUOUS_MONTHS = frozenset({"may", "march", "mar", "jan", "jun", "aug", "dec", "oct", "sep", "nov"})

NUMBER_PREFIX = "#"
MONTH_PREFIX = "@"


def _value(word: str) -> float | None:
    if word[:1].isdigit():
        try:
            return float(word.replace(",", ""))
        except ValueError:
            return None
    if word in _SMALL:
        return float(_SMALL[word])
    if word in _TENS:
        return float(_TENS[word])
    return None


def _number_token(value: float) -> str:
    return NUMBER_PREFIX + (str(int(value)) if value == int(value) else f"{value:g}")


def tokens(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """Words of ``text[start:end]`` as ``(abs_start, abs_end, form)``: folded and
    stemmed; a number (digits or words, with its scale: "30 million",
    "twenty-five") is one ``#<value>`` token, a month beside a day or year one
    ``@<month>`` token."""
    end = len(text) if end is None else end
    raw = [(m.start(), m.end(), _fold(m.group())) for m in _TOKEN.finditer(text, start, end)]
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(raw):
        s, e, w = raw[i]
        value = _value(w)
        # A lone "one" is a pronoun far more often than a count ("one official").
        if value is not None and not (w == "one" and not _scale_follows(raw, i)):
            total, current, j = 0.0, value, i + 1
            while j < len(raw):
                nxt = raw[j][2]
                if nxt in _SCALES:
                    current *= _SCALES[nxt]
                    if _SCALES[nxt] >= 1000:
                        total, current = total + current, 0.0
                elif nxt in _SMALL and not nxt[:1].isdigit() and not w[:1].isdigit() and current % 10 == 0 < current:
                    current += _SMALL[nxt]  # "twenty five"
                elif nxt == "and" and j + 1 < len(raw) and _value(raw[j + 1][2]) is not None and not w[:1].isdigit():
                    pass  # "one hundred and five"
                else:
                    break
                j += 1
            out.append((s, raw[j - 1][1], _number_token(total + current)))
            i = j
            continue
        if w in _MONTHS and _month_context(raw, i, w):
            out.append((s, e, f"{MONTH_PREFIX}{_MONTHS[w]}"))
        else:
            out.append((s, e, _stem(w)))
        i += 1
    return out


def _scale_follows(raw: list[tuple[int, int, str]], i: int) -> bool:
    return i + 1 < len(raw) and raw[i + 1][2] in _SCALES


def _month_context(raw: list[tuple[int, int, str]], i: int, w: str) -> bool:
    if w not in _AMBIGUOUS_MONTHS and len(w) > 3:
        return True
    near = [raw[k][2] for k in (i - 1, i + 1) if 0 <= k < len(raw)]
    return any(n[:1].isdigit() for n in near)


def is_content(form: str) -> bool:
    return form[:1] in (NUMBER_PREFIX, MONTH_PREFIX) or (form not in STOPWORDS and len(form) > 1)


def numbers(forms: list[str]) -> frozenset[str]:
    """The counts a sentence states (not its dates' days or years: a date
    differing is not a different number of things)."""
    out = set()
    for k, f in enumerate(forms):
        if not f.startswith(NUMBER_PREFIX):
            continue
        near_month = any(forms[j].startswith(MONTH_PREFIX) for j in (k - 1, k + 1) if 0 <= j < len(forms))
        value = f[1:]
        is_year = value.isdigit() and len(value) == 4 and value[:2] in ("19", "20")
        if not near_month and not is_year:
            out.add(f)
    return frozenset(out)


# --------------------------------------------------------------------------- speakers

# Verbs of making a statement. "reported", "according to", "citing" name the
# conduit a fact came through, not who stated it: two outlets' reports of one
# fact from two agencies are still one fact.
_VERBS = (r"(?:said|says|say|told|tells|stated|states|added|adds|warned|warns|claimed|claims|"
          r"declared|declares|announced|announces|insisted|insists|wrote|writes|argued|argues|alleged|alleges|"
          r"demanded|demands|denied|denies|confirmed|confirms|cautioned|urged|urges)")
_NAME = r"((?:[A-Z][\w'\u2019.-]*|of|the|for|and)(?:\s+(?:[A-Z][\w'\u2019.-]*|of|the|for|and))*)"
_SPEAKER_PATTERNS = (
    re.compile(_NAME + r"(?:,[^,]{1,90},)?\s+(?:has\s+|have\s+|had\s+)?" + _VERBS + r"\b"),
    re.compile(r"\b" + _VERBS + r"\s+(?:the\s+)?" + _NAME),
)
_NOT_NAMES = frozenset("he she they it we i you this that these those the a an there".split())


def speakers(text: str) -> frozenset[str]:
    """Keys of the proper names that make the sentence's statement ("X said",
    "said X", "X demanded"); each name also answers to its initials and its
    last word. Empty when only a pronoun or a description
    speaks: unknown, never a mismatch."""
    out: set[str] = set()
    for pattern in _SPEAKER_PATTERNS:
        for m in pattern.finditer(text):
            words = [_fold(w) for w in re.findall(r"[\w'\u2019-]+", m.group(1))]
            while words and words[0] in ("the", "of", "for", "and", "a", "an"):
                words.pop(0)
            while words and words[-1] in ("the", "of", "for", "and"):
                words.pop()
            if not words or words[0] in _NOT_NAMES or all(w in STOPWORDS for w in words):
                continue
            caps = [w for w in words if w not in ("of", "the", "for", "and")]
            out.add(" ".join(words))
            out.add(caps[-1])
            if len(caps) > 1:
                out.add("".join(w[0] for w in caps))
    # A sentence-initial capital ("Second, ...", "Thus") is not a speaker.
    return frozenset(k for k in out if k not in STOPWORDS)


# --------------------------------------------------------------------------- polarity

_DENIAL = frozenset(
    "not never nobody nothing neither nor deny denied denies denying false untrue cannot dismissed rejected "
    "refuted".split()
)


def denies(text: str) -> bool:
    """Whether the sentence negates or denies what it reports (a cue word or an
    n't contraction)."""
    for m in _TOKEN.finditer(text):
        w = _fold(m.group())
        if w in _DENIAL or w.endswith("n't"):
            return True
    return False
