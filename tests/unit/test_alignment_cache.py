"""story_alignment: computed once per story text, then read from the SQLite cache;
story_report: whose annotations it pools; report_path/write_report."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.align import alignment  # the cache calls align_story through this module
from tui.core.align.alignment import Alignment, cache_key
from tui.core.align.cache import report_path, story_alignment, story_report, write_report
from tui.core.align.units import inputs_from
from tui.core.errors import ExportError, StoreError
from tui.core.models import Story
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession


@pytest.fixture
def calls(monkeypatch) -> list[int]:
    """Counts align_story runs; the real function still does the work."""
    made: list[int] = []
    real = alignment.align_story

    def counting(*args, **kwargs):
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(alignment, "align_story", counting)
    return made


def _key(session: AnnotationSession, story_id: int) -> str:
    docs = session.documents(story_id)
    return cache_key(inputs_from(docs, [r for d in docs for r in session.regions(d.id)]))


def _story_id(session: AnnotationSession) -> int:
    return session.stories()[0].id


def test_second_call_reads_the_cache(seeded_session, calls):
    sid = _story_id(seeded_session)
    key = _key(seeded_session, sid)
    assert seeded_session.cache_get(key) is None

    first = story_alignment(seeded_session, sid)
    assert len(calls) == 1
    assert seeded_session.cache_get(key) == first.to_json()
    assert first.pairs, "the seed articles share passages: an empty alignment means a broken test setup"

    second = story_alignment(seeded_session, sid)
    assert len(calls) == 1, "the cached alignment was recomputed"
    assert second.to_json() == first.to_json()
    assert isinstance(second, Alignment)


def test_cache_is_shared_across_connections(seeded_session, open_session, calls):
    sid = _story_id(seeded_session)
    story_alignment(seeded_session, sid)
    other = open_session("bob")
    again = story_alignment(other, sid)
    assert len(calls) == 1
    assert again.coverage(again.doc_ids[0]) == pytest.approx(
        story_alignment(seeded_session, sid).coverage(again.doc_ids[0]))


@pytest.mark.parametrize("stale", [{"version": "0", "units": {}, "pairs": [], "lengths": {}},
                                   {"version": alignment.ALGORITHM_VERSION, "units": "garbage"},
                                   ["not", "a", "record"]])
def test_stale_or_damaged_cache_is_a_miss(seeded_session, calls, stale):
    sid = _story_id(seeded_session)
    key = _key(seeded_session, sid)
    seeded_session.cache_put(key, stale)
    result = story_alignment(seeded_session, sid)
    assert len(calls) == 1
    assert seeded_session.cache_get(key) == result.to_json()  # replaced by a good record
    story_alignment(seeded_session, sid)
    assert len(calls) == 1


def test_read_only_database_recomputes_without_failing(db_path, seeded_store, calls):
    seeded_store.close()
    session = AnnotationSession.open(db_path, annotator="alice", schema=DEFAULT_SCHEMA, readonly=True)
    try:
        sid = _story_id(session)
        story_alignment(session, sid)
        story_alignment(session, sid)
        assert len(calls) == 2  # nothing could be stored
        assert session.cache_get(_key(session, sid)) is None
    finally:
        session.close()


def test_unknown_story_is_a_clear_error(seeded_session):
    with pytest.raises(StoreError) as info:
        story_alignment(seeded_session, 999)
    assert "no story with id 999" in str(info.value)
    assert "Ex-Afghan forces" in str(info.value)  # the hint names the stories there are


def test_story_report_pools_or_filters_annotators(seeded_session, seed_docs):
    sid = _story_id(seeded_session)
    d1, d2 = seed_docs
    bob = AnnotationSession(seeded_session.store, "bob", DEFAULT_SCHEMA)
    claim = seeded_session.tag(d1.id, 0, 25, "CLAIM", attrs={"certainty": "reported"})
    start = d2.text.index("the Wall Street Journal")
    wsj = seeded_session.tag(d2.id, start, start + len("the Wall Street Journal"), "SOURCE")
    seeded_session.link(claim.id, wsj.id)
    bob.tag(d2.id, 0, 12, "MOTIVE", attrs={"category": "economic"})

    mine = story_report(seeded_session, sid, annotators=["alice"])
    assert [r.cells[d1.id].attribution for r in mine.claims] == [["Wall Street Journal"]]
    assert mine.motives == []

    theirs = story_report(seeded_session, sid, annotators=["bob"])
    assert theirs.claims == [] and theirs.sources == []
    assert [m.category for m in theirs.motives] == ["economic"]

    everyone = story_report(seeded_session, sid, annotators=None)
    assert len(everyone.claims) == 1 and [m.category for m in everyone.motives] == ["economic"]
    assert everyone.only_in, "with the alignment, passages only one outlet has are listed"


def test_report_path_and_atomic_write(tmp_path):
    assert report_path(Story(3, "Ex-Afghan forces: join IS?", "")) == Path("annotations/ex-afghan-forces-join-is-compare.csv")
    assert report_path(Story(4, "???", "")) == Path("annotations/story-4-compare.csv")
    target = tmp_path / "out" / "r.csv"
    assert write_report(target, "a,b\n“x”,y\n") == target
    assert target.read_text(encoding="utf-8") == "a,b\n“x”,y\n"
    assert [p.name for p in target.parent.iterdir()] == ["r.csv"]  # no temporary file left behind

    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ExportError) as info:
        write_report(blocker / "r.csv", "x")
    assert str(blocker / "r.csv") in str(info.value)
