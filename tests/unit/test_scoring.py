"""Precision and recall of suggestions against reference spans (tui.core.nlp.scoring),
on hand-counted cases."""

from __future__ import annotations

from tui.core.models import Suggestion
from tui.core.nlp.scoring import (ANY_SUGGESTER, PAIRS, format_table, overlaps, score_pairs, score_spans,
                                  suggested_pairs)


def test_overlap_is_half_of_the_longer_span():
    assert overlaps((0, 10), (0, 10))
    assert overlaps((0, 10), (5, 10))  # 5 shared of 10
    assert not overlaps((0, 10), (6, 10))  # 4 of 10
    assert not overlaps((0, 4), (0, 10))  # a short span inside a long one
    assert not overlaps((0, 5), (5, 10))  # touching is not sharing


def test_exact_and_overlap_counts_per_suggester_and_label():
    reference = [(1, 0, 10, "CLAIM"), (1, 20, 25, "SOURCE"), (2, 0, 8, "SOURCE")]
    suggested = {
        "a": [(1, 0, 10, "CLAIM"), (1, 20, 24, "SOURCE"), (1, 40, 50, "SOURCE")],
        "b": [(2, 0, 8, "SOURCE"), (1, 0, 10, "MOTIVE")],
    }
    rows = {(s.suggester, s.label): s for s in score_spans(reference, suggested)}
    claim = rows[("a", "CLAIM")]
    assert (claim.precision, claim.recall) == (1.0, 1.0)
    src = rows[("a", "SOURCE")]
    assert (src.suggested, src.reference) == (2, 2)
    assert (src.precision, src.recall) == (0.0, 0.0)  # 20-24 is not 20-25
    assert (src.precision_overlap, src.recall_overlap) == (0.5, 0.5)  # 4 of 5 shared
    assert rows[("b", "SOURCE")].recall == 0.5 and rows[("b", "SOURCE")].precision == 1.0
    assert rows[("b", "MOTIVE")].reference == 0 and rows[("b", "MOTIVE")].recall is None
    any_src = rows[(ANY_SUGGESTER, "SOURCE")]
    assert (any_src.suggested, any_src.exact_recalled, any_src.overlap_recalled) == (3, 1, 2)


def test_a_span_in_another_document_never_matches():
    rows = score_spans([(1, 0, 10, "CLAIM")], {"a": [(2, 0, 10, "CLAIM")]})
    assert rows[0].precision == 0.0 and rows[0].recall == 0.0


def test_pairs_from_groups_and_their_scores():
    sugg = [Suggestion(0, 10, "CLAIM", "att", "v", layer="attribution", group="g", role="head"),
            Suggestion(12, 20, "SOURCE", "att", "v", layer="attribution", group="g", role="tail"),
            Suggestion(30, 40, "SOURCE", "att", "v", layer="attribution"),  # alone: no pair
            Suggestion(0, 10, "MOTIVE", "mot", "v", layer="motive", group="m", role="head")]
    pairs = suggested_pairs(7, sugg)
    assert pairs == {"att": [(7, (0, 10), (12, 20))]}
    (row,) = score_pairs([(7, (0, 10), (12, 20)), (7, (50, 60), (12, 20))], pairs)
    assert row.label == PAIRS and (row.precision, row.recall) == (1.0, 0.5)
    (near,) = score_pairs([(7, (0, 12), (12, 21))], pairs)
    assert (near.precision, near.precision_overlap) == (0.0, 1.0)


def test_table_has_a_row_per_score_and_dashes_for_nothing_to_count():
    lines = format_table(score_spans([], {"a": [(1, 0, 3, "ACTOR")]}))
    assert lines[0].split()[:2] == ["suggester", "label"] and len(lines) == 3
    assert "–" in lines[1]
