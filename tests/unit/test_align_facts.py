"""The fact aligner (tui.core.align.facts, evidence): kinds, speakers, denials,
numbers, short sentences, and the version-1 aligner kept as a baseline.

Every sentence here is constructed for the pattern it tests (not news text)."""

from __future__ import annotations

import pytest

from tui.core import align as A
from tui.core.align.evidence import denies, numbers, speakers, tokens


def pairs_of(a: list[str], b: list[str], **kw) -> dict[tuple[int, int], A.AlignedPair]:
    ta, tb = "\n".join(a), "\n".join(b)
    al = A.align_story([(1, ta), (2, tb)], **kw)
    ia = {u.start: u.index for u in al.units[1]}
    ib = {u.start: u.index for u in al.units[2]}
    return {(ia[p.start_a], ib[p.start_b]): p for p in al.pairs}


FILLER_A = [
    "The harbour cranes stood idle for most of the afternoon.",
    "A ferry company said its timetable would not change.",
]
FILLER_B = [
    "Farmers in the east of the country reported a record harvest of apples.",
    "The national orchestra opened its season with a new symphony.",
]


# ------------------------------------------------------------------ evidence


@pytest.mark.parametrize(
    "one, other",
    [
        ("7,000 people", "seven thousand people"),
        ("on Feb. 28", "on February 28"),
        ("twenty-five ships", "25 ships"),
        ("30 million euros", "thirty million euros"),
        ("one hundred and five", "105"),
    ],
)
def test_numbers_and_dates_are_written_one_way(one, other):
    assert [f for _, _, f in tokens(one)] == [f for _, _, f in tokens(other)]


def test_a_lone_one_is_not_a_count_and_dates_are_not_counts():
    assert numbers([f for _, _, f in tokens("one former official said")]) == frozenset()
    assert numbers([f for _, _, f in tokens("on February 28, 2021")]) == frozenset()
    assert numbers([f for _, _, f in tokens("at least forty ships")]) == {"#40"}


def test_speakers_are_the_names_a_sentence_cites():
    assert {"wall street journal", "wsj"} <= speakers("The Wall Street Journal said ships waited.")
    # A conduit is not a speaker: two agencies reporting one fact is still one fact.
    assert speakers("Ships waited, according to Reuters.") == speakers("Reuters reported that ships waited.") == set()
    assert "stam" in speakers("Union leader Niek Stam said the workers would stay out.")
    assert speakers("He said the workers would stay out.") == frozenset()  # a pronoun: unknown
    assert speakers("Second, because the port is closed, ships wait.") == frozenset()


def test_denials():
    assert denies("The minister denied that the port would close.")
    assert denies("The port won't close.")
    assert not denies("The port will close on Monday.")


# ------------------------------------------------------------------ kinds


def test_verbatim_needs_a_long_shared_run_and_a_short_quote_is_a_quote():
    a = ["Workers at the harbour vowed a “long and bitter” fight over pay and pensions this winter."]
    b = ["Management called the threatened “long and bitter” fight a negotiating tactic by the union."]
    found = pairs_of(a + FILLER_A, b + FILLER_B)
    assert found[(0, 0)].kind == "quote"
    a2 = ["By Tuesday at least forty ships were waiting at anchor off the terminals in the north."]
    b2 = ["Officials said at least forty ships were waiting at anchor off the terminals in the north."]
    assert pairs_of(a2 + FILLER_A, b2 + FILLER_B)[(0, 0)].kind == "verbatim"


def test_the_same_quote_with_and_without_its_speaker_tag():
    a = ["“We will stay out until the robots stop taking our jobs,” union leader Niek Stam said."]
    b = ["“We will stay out until the robots stop taking our jobs.”"]
    found = pairs_of(a + FILLER_A, b + FILLER_B)
    assert (0, 0) in found and found[(0, 0)].kind in ("verbatim", "quote")


def test_the_same_words_from_two_speakers_are_two_facts():
    a = ["Union leader Niek Stam said the company must raise wages by ten percent before any talks."]
    b = ["Employers' chairman Ingrid Thijssen said the company must raise wages by ten percent before any talks."]
    assert pairs_of(a + FILLER_A, b + FILLER_B) == {}
    # With the speaker left unsaid on one side, nothing contradicts: one fact.
    c = ["The company must raise wages by ten percent before any talks, the union says."]
    assert (0, 0) in pairs_of(a + FILLER_A, c + FILLER_B)


def test_a_statement_and_its_denial_are_a_contradiction():
    a = ["The port authority confirmed that the northern terminal will close for repairs in March."]
    b = ["The port authority denied that the northern terminal will close for repairs in March."]
    found = pairs_of(a + FILLER_A, b + FILLER_B)
    assert found[(0, 0)].kind == "contradiction"


def test_the_same_fact_with_other_numbers_is_flagged():
    a = ["Police said 7,000 protesters marched through the old town towards the parliament building."]
    b = ["Police said twelve thousand protesters marched through the old town towards the parliament building."]
    assert pairs_of(a + FILLER_A, b + FILLER_B)[(0, 0)].kind == "numbers"
    c = ["Police said seven thousand protesters marched through the old town towards the parliament building."]
    assert pairs_of(a + FILLER_A, c + FILLER_B)[(0, 0)].kind == "verbatim"


def test_short_sentences_pair_only_with_their_twin():
    a = ["God help us.", "The storm flattened the village church on Sunday night."]
    b = ["Residents gathered outside the village hall.", "God help us."]
    found = pairs_of(a + FILLER_A, b + FILLER_B)
    assert (0, 1) in found and found[(0, 1)].kind == "verbatim"
    assert not any(k[0] == 0 and k[1] != 1 for k in found)
    # The v1 aligner never aligned anything under four words.
    assert (0, 1) not in pairs_of(a + FILLER_A, b + FILLER_B, method="baseline")


def test_one_sentence_holding_two_facts_pairs_with_both():
    a = ["The strike closed the container terminals for three days; the port authority estimated losses "
         "at thirty million euros."]
    b = ["The strike closed the container terminals for three days.",
         "Losses were estimated at thirty million euros by the port authority."]
    found = pairs_of(a + FILLER_A, b + FILLER_B)
    assert (0, 0) in found and (0, 1) in found


def test_the_baseline_is_kept_and_cached_apart():
    docs = [(1, "\n".join(FILLER_A)), (2, "\n".join(FILLER_B))]
    assert A.cache_key(docs) != A.cache_key(docs, method="baseline")
    assert A.align_story(docs, method="baseline").params["method"] == "baseline"
    with pytest.raises(ValueError, match="method must be one of"):
        A.align_story(docs, method="magic")
    assert A.ALGORITHM_VERSION != "1"  # v1 cache rows are misses
