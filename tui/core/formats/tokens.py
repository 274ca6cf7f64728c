"""spaCy tokens of a text, for token offsets and token-aligned spans.

spaCy is imported lazily, only to tokenise, so importing a format stays cheap."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import cache
from typing import Any


@cache
def _blank_english() -> Any:
    import spacy  # lazy: only exports that need tokens pay for spaCy

    return spacy.blank("en")


def make_doc(text: str) -> Any:
    """A spaCy ``Doc`` of ``text`` from the blank English tokenizer (no model)."""
    return _blank_english().make_doc(text)


class TokenIndex:
    """Token boundaries of one text, for mapping character spans to tokens."""

    __slots__ = ("starts", "ends", "ws")

    def __init__(self, starts: list[int], ends: list[int], ws: list[bool] | None = None) -> None:
        self.starts = starts
        self.ends = ends
        # Whether one space follows the token (spaCy's ``whitespace_``; Prodigy's ``ws``).
        self.ws = ws if ws is not None else [False] * len(starts)

    @classmethod
    def of_doc(cls, doc: Any) -> "TokenIndex":
        from spacy.attrs import IDX, LENGTH, SPACY

        if not len(doc):
            return cls([], [], [])
        # One array call instead of a Token object per token: several times faster.
        idx, length, space = doc.to_array([IDX, LENGTH, SPACY]).T.tolist()
        return cls(idx, [s + n for s, n in zip(idx, length)], [bool(x) for x in space])

    def prodigy_tokens(self, text: str) -> list[dict]:
        """Prodigy's ``tokens`` list: ``{text, start, end, id, ws}`` per token, ``end`` exclusive."""
        return [{"text": text[s:e], "start": s, "end": e, "id": i, "ws": w}
                for i, (s, e, w) in enumerate(zip(self.starts, self.ends, self.ws))]

    @classmethod
    def of_text(cls, text: str) -> "TokenIndex":
        return cls.of_doc(make_doc(text))

    def __len__(self) -> int:
        return len(self.starts)

    def snap(self, start: int, end: int) -> tuple[int, int]:
        """``[start, end)`` grown to the boundaries of the tokens it touches."""
        if not self.starts:
            return start, end
        first, last, _ = self.span(start, end)
        return min(start, self.starts[first]), max(end, self.ends[last])

    def span(self, start: int, end: int) -> tuple[int, int, bool]:
        """``(token_start, token_end, aligned)`` for the characters ``[start, end)``.

        ``token_end`` is inclusive (as Prodigy has it). When the span does not
        start and end on token boundaries, the indices cover every token it
        touches and ``aligned`` is False.
        """
        if not self.starts:
            return 0, 0, False
        ts = max(bisect_right(self.starts, start) - 1, 0)
        if start >= self.ends[ts] and ts + 1 < len(self.starts):
            ts += 1  # the span starts in the whitespace after token ts
        te = min(bisect_left(self.ends, end), len(self.ends) - 1)
        if self.starts[te] >= end and te > ts:
            te -= 1  # the span ends in the whitespace before token te
        aligned = self.starts[ts] == start and self.ends[te] == end
        return ts, te, aligned

