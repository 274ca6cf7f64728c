"""tui.core.boilerplate: one recogniser of non-content lines for every outlet.

The lines below are constructed for each pattern (not taken from articles)."""

from __future__ import annotations

import pytest

from tui.core.boilerplate import boilerplate_lines, boilerplate_spans, line_kind


@pytest.mark.parametrize(
    "line, kind",
    [
        ("Source: The New York Times", "credit"),  # four words: was counted as content before
        ("Source: Fox News", "credit"),
        ("SOURCE: Reuters", "credit"),
        ("Photo: AP", "credit"),
        ("Image credit: Getty Images", "credit"),
        ("Reporting by Jane Doe; Editing by John Roe", "credit"),
        ("By Jane Doe", "byline"),
        ("By Jane Doe and John Roe, Reuters", "byline"),
        ("Published: Nov. 1, 2021", "dateline"),
        ("Updated 3:45 pm ET", "dateline"),
        ("November 1, 2021", "dateline"),
        ("1 November 2021 14:05 GMT", "dateline"),
        ("https://example.org/2021/11/01/story/", "url"),
        ("© 2021 Example Media. All rights reserved.", "copyright"),
        ("Post a Comment", "comment form"),
        ("No comments :", "comment form"),
    ],
)
def test_boilerplate_lines_are_recognised(line, kind):
    assert line_kind(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        "By Tuesday at least forty ships were waiting at anchor off the terminals.",
        "Sources close to the minister said she would resign before the vote.",
        "Readers may post a comment below.",
        "The report was published on November 1, 2021, by the ministry.",
        "God help us.",
    ],
)
def test_content_lines_are_not_boilerplate(line):
    assert line_kind(line) is None


def test_bare_name_is_a_byline_only_beside_a_url_or_credit_line():
    text = "Ships waited.\nJane Doe\nhttps://example.org/a\n\nMark Rutte\nA sentence follows here."
    kinds = [(text[s:e], k) for s, e, k in boilerplate_lines(text)]
    assert kinds == [("Jane Doe", "byline"), ("https://example.org/a", "url")]


def test_a_dateline_opening_a_paragraph_is_flagged_not_its_sentence():
    text = "KABUL, Afghanistan (Reuters) - Fighters joined the group on Monday, officials said."
    (s, e, kind), = boilerplate_lines(text)
    assert (text[s:e], kind) == ("KABUL, Afghanistan (Reuters) -", "dateline")


def test_consecutive_lines_form_one_span():
    text = "Body text of the article here.\nJane Doe\nhttps://example.org/a\nSource: Example News"
    (s, e), = boilerplate_spans(text)
    assert text[s:e] == "Jane Doe\nhttps://example.org/a\nSource: Example News"


def test_every_outlets_source_line_is_boilerplate_in_the_alignment():
    from tui.core import align as A

    body = "Officials said dock workers at the port walked off the job on Monday over pay."
    a = f"{body}\nSource: The New York Times"
    b = f"{body}\nSource: Fox News"
    al = A.align_story([(1, a), (2, b)])  # no regions from an importer: the aligner sees them itself
    assert [a[s:e] for s, e in al.only_in(1)] == [] and [b[s:e] for s, e in al.only_in(2)] == []
    assert [m for _, _, m in al.gutter(1)] == ["verbatim", "boilerplate"]
    assert [m for _, _, m in al.gutter(2)] == ["verbatim", "boilerplate"]
