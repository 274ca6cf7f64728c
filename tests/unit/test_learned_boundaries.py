"""Learned SOURCE names match whole words only (issue #11, defect 10)."""

from __future__ import annotations

import pytest

from tui.core.nlp.engine import build_engine
from tui.core.nlp.learned import stands_alone

TEXT = "The anti-Taliban front met Taliban envoys; the Taliban’s spokesman and pro-Taliban media spoke."


@pytest.mark.parametrize("word, alone", [
    ("anti-Taliban", False), ("pro-Taliban", False), ("Taliban envoys", True), ("Taliban’s", True)])
def test_stands_alone(word, alone):
    at = TEXT.index(word) + (word.index("Taliban") if "-" in word else 0)
    assert stands_alone(TEXT, at, at + len("Taliban")) is alone


def test_a_learned_name_is_not_found_inside_a_hyphenated_word():
    engine = build_engine(None)
    found = [TEXT[s.start:s.end + 2] for s in engine.learned(TEXT, ["Taliban"])]
    assert found == ["Taliban e", "Taliban’s"], found
