"""Suggestion attributes (a hedged CLAIM's certainty, a description SOURCE's
refers_to): cached with the suggestion and carried into the annotation on accept."""

from __future__ import annotations

import pytest

from tui.core.errors import SpanError
from tui.core.models import Suggestion

HEDGED = (("certainty", "hedged"),)
REFERS = (("refers_to", "The Wall Street Journal"),)


def span_of(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def test_attributes_survive_the_cache(seeded_session, seed_docs):
    doc = seed_docs[0]
    a, b = span_of(doc.text, "the paper")
    sugg = [Suggestion(a, b, "SOURCE", "attribution-cues", "v", 0.7, "attribution", attrs=REFERS),
            Suggestion(0, 10, "CLAIM", "attribution-cues", "v", 0.7, "attribution", attrs=HEDGED),
            Suggestion(20, 30, "SOURCE", "attribution-cues", "v", 0.7, "attribution")]
    seeded_session.store_suggestions(doc, "attribution-cues", "v", sugg)
    back = seeded_session.cached_suggestions(doc, [("attribution-cues", "v")])
    assert sorted(back, key=lambda s: s.start) == sorted(sugg, key=lambda s: s.start)
    assert {s.start: s.attributes for s in back} == {a: dict(REFERS), 0: dict(HEDGED), 20: {}}


def test_accept_carries_certainty_and_refers_to(seeded_session, seed_docs):
    doc = seed_docs[0]
    ca, cb = span_of(doc.text, "Some of those joining ISIS-K have been trained")
    sa, sb = span_of(doc.text, "the paper")
    claim = Suggestion(ca, cb, "CLAIM", "attribution-cues", "v", 0.7, "attribution", "g", "head",
                       "attributed_to", attrs=HEDGED)
    source = Suggestion(sa, sb, "SOURCE", "attribution-cues", "v", 0.7, "attribution", "g", "tail",
                        "attributed_to", attrs=REFERS)
    made = seeded_session.accept_suggestion(doc.id, claim, partner=source)
    by_label = {a.label: a for a in made}
    assert by_label["CLAIM"].attrs == {"certainty": "hedged"}
    assert by_label["SOURCE"].attrs == {"refers_to": "The Wall Street Journal"}
    stored = {a.label: a.attrs for a in seeded_session.annotations(doc.id)}
    assert stored == {"CLAIM": {"certainty": "hedged"}, "SOURCE": {"refers_to": "The Wall Street Journal"}}


def test_accepted_as_another_label_drops_what_does_not_fit(seeded_session, seed_docs):
    doc = seed_docs[0]
    a, b = span_of(doc.text, "Some of those joining ISIS-K")
    claim = Suggestion(a, b, "CLAIM", "attribution-cues", "v", 0.7, "attribution", attrs=HEDGED)
    (ann,) = seeded_session.accept_suggestion(doc.id, claim, label="MOTIVE")
    assert ann.label == "MOTIVE" and ann.attrs == {}


def test_refers_to_is_free_text_but_other_attributes_are_checked(seeded_session, seed_docs):
    doc = seed_docs[0]
    ann = seeded_session.tag(doc.id, 0, 5, "SOURCE", attrs={"refers_to": "anyone at all"})
    assert ann.attrs == {"refers_to": "anyone at all"}
    with pytest.raises(SpanError):
        seeded_session.tag(doc.id, 6, 9, "CLAIM", attrs={"certainty": "somewhat"})


def test_status_names_the_referent_as_plain_text():
    from tui.screens.reader.targets import suggestion_details

    sugg = Suggestion(0, 9, "SOURCE", "attribution-cues", "v", attrs=(("refers_to", "[b]The Paper[/b]"),))
    assert suggestion_details(sugg) == "  refers to “[b]The Paper[/b]”"
    assert suggestion_details(Suggestion(0, 9, "CLAIM", "x", "v", attrs=HEDGED)) == "  certainty=hedged"
    assert suggestion_details(Suggestion(0, 9, "CLAIM", "x", "v")) == ""


@pytest.mark.parametrize("fmt", ["flat", "prodigy", "w3c"])
def test_refers_to_survives_export_and_import(tmp_path, fmt):
    from click.testing import CliRunner

    from tui.cli import main
    from tui.core.session import AnnotationSession

    seeds = __import__("pathlib").Path(__file__).resolve().parents[2] / "seeds"
    src, dst, out = tmp_path / "a.db", tmp_path / "b.db", tmp_path / f"out.{fmt}"
    for db in (src, dst):
        assert CliRunner().invoke(main, ["import", str(seeds), "--db", str(db)]).exit_code == 0
    session = AnnotationSession.open(src, annotator="alice")
    text = session.document(1).text
    at = text.index("the paper")
    session.tag(1, at, at + 9, "SOURCE", attrs={"refers_to": "The Wall Street Journal"})
    session.close()
    res = CliRunner().invoke(main, ["export", "--db", str(src), "-f", fmt, "-o", str(out), "--annotator", "alice"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["--annotator", "alice", "import", str(out), "--db", str(dst)])
    assert res.exit_code == 0 and "failed 0" in res.output, res.output
    session = AnnotationSession.open(dst, annotator="alice")
    try:
        assert [a.attrs for a in session.annotations(1)] == [{"refers_to": "The Wall Street Journal"}]
    finally:
        session.close()
