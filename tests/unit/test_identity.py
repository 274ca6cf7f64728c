"""Identity (issue #15): the OS user on every event, the write policy, undo per
person, imports that cannot write as someone else, and gold without duplicates
when two reviewers accept the same span at once (broken item 9)."""

from __future__ import annotations

import json
import multiprocessing
import os
import pwd
import re
import sqlite3
from pathlib import Path

import pytest

from tui.core.errors import PolicyError
from tui.core.ingest import FileResult, ImportOptions, import_paths
from tui.core.review import copy_to_gold, remove_from_gold
from tui.core.schema import DEFAULT_SCHEMA
from tui.core.session import AnnotationSession
from tui.core.store import Policy, Store, os_user, write_policy
from tui.core.store import connection as store_mod

LOGIN = pwd.getpwuid(os.geteuid()).pw_name


def _session(store: Store, annotator: str, who: str) -> AnnotationSession:
    return AnnotationSession(store, annotator, DEFAULT_SCHEMA, os_user=who)


def _words(text: str, n: int) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"\w{4,}", text)][:n]


def _close(store: Store) -> None:
    store.set_setting("shared", "1")


# ---------------------------------------------------------------- the event log

def test_every_event_carries_the_os_user_next_to_the_annotator(seeded_session, seed_docs) -> None:
    doc = seed_docs[0]
    ann = seeded_session.tag(doc.id, *_words(doc.text, 1)[0], "CLAIM")
    seeded_session.undo()
    seeded_session.redo()
    rows = seeded_session.store.events()
    assert [(r["annotator"], r["op"], r["os_user"]) for r in rows] == [
        ("alice", "change", LOGIN), ("alice", "undo", LOGIN), ("alice", "redo", LOGIN)]
    assert rows[0]["entity_id"] == ann.id
    assert os_user() == LOGIN  # the default is this process's login, not $USER


def test_the_migration_adds_os_user_and_settings_to_an_older_database(db_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(store_mod, "MIGRATIONS", store_mod.MIGRATIONS[:2])
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", 2)
    old = Store.open(db_path)
    old.add_document("s", "Officials said the army collapsed.", title="t")
    old.close()
    monkeypatch.undo()
    with Store.open(db_path) as st:
        cols = {r["name"] for r in st._query("PRAGMA table_info(events)")}
        assert "os_user" in cols
        assert st._query("SELECT key, value FROM settings") == []
        assert write_policy(st) == Policy()
        assert len(st.documents()) == 1


# ---------------------------------------------------------------- the write policy

def test_policy_is_open_by_default_and_when_there_is_no_settings_table(seeded_store, seed_docs) -> None:
    assert write_policy(seeded_store) == Policy(shared=False, reviewers=frozenset())
    bob_as_alice = _session(seeded_store, "alice", "bob")
    bob_as_alice.tag(seed_docs[0].id, *_words(seed_docs[0].text, 1)[0], "CLAIM")
    with seeded_store.transaction():
        seeded_store._exec("DROP TABLE settings")
    assert write_policy(seeded_store).allows("bob", "alice")


def test_closed_policy_refuses_writing_as_another_with_a_clear_error(seeded_store, seed_docs) -> None:
    doc = seed_docs[0]
    spans = _words(doc.text, 3)
    alice = _session(seeded_store, "alice", "alice")
    mine = alice.tag(doc.id, *spans[0], "CLAIM")
    _close(seeded_store)
    events = len(seeded_store.events())
    bob_as_alice = _session(seeded_store, "alice", "bob")
    with pytest.raises(PolicyError) as err:
        bob_as_alice.tag(doc.id, *spans[1], "CLAIM")
    text = str(err.value)
    assert err.value.code == "D090"
    assert "'bob'" in text and "'alice'" in text and "--annotator bob" in text and "reviewers" in text
    for attempt in (lambda: bob_as_alice.delete(mine.id), bob_as_alice.undo,
                    lambda: bob_as_alice.set_status(doc.id, "done")):
        with pytest.raises(PolicyError):
            attempt()
    bob_as_alice.save_position(doc.story_id, doc.id, 10)  # reading someone's work: position not taken over
    assert seeded_store.position("alice") is None
    assert len(seeded_store.events()) == events and seeded_store.doc_statuses("alice") == {}
    assert [a.id for a in seeded_store.annotations(doc.id, "alice")] == [mine.id]
    # Writing as oneself stays allowed; a listed reviewer may write as anyone.
    _session(seeded_store, "bob", "bob").tag(doc.id, *spans[1], "CLAIM")
    seeded_store.set_setting("reviewers", " carol, dave ")
    assert write_policy(seeded_store) == Policy(True, frozenset({"carol", "dave"}))
    _session(seeded_store, "alice", "carol").tag(doc.id, *spans[2], "CLAIM")


def test_gold_is_closed_to_non_reviewers_in_shared_mode(seeded_store, seed_docs) -> None:
    doc = seed_docs[0]
    ann = _session(seeded_store, "alice", "alice").tag(doc.id, *_words(doc.text, 1)[0], "CLAIM")
    _close(seeded_store)
    seeded_store.set_setting("reviewers", "carol")
    with pytest.raises(PolicyError, match="'bob'.*'gold'|'gold'.*'bob'"):
        copy_to_gold(_session(seeded_store, "gold", "bob"), doc.id, [ann.id])
    with pytest.raises(PolicyError):
        copy_to_gold(seeded_store, doc.id, [ann.id])  # a Store target: this process's login, not listed
    copied = copy_to_gold(_session(seeded_store, "gold", "carol"), doc.id, [ann.id])
    with pytest.raises(PolicyError):
        remove_from_gold(_session(seeded_store, "gold", "bob"), [copied.created[0].id])
    assert len(seeded_store.annotations(doc.id, "gold")) == 1


# ---------------------------------------------------------------- undo per person

def test_undo_never_undoes_another_persons_change_under_the_same_name(seeded_store, seed_docs, db_path) -> None:
    doc = seed_docs[0]
    a_span, b_span = _words(doc.text, 2)
    alice = _session(seeded_store, "alice", "alice")
    bob_as_alice = _session(Store.open(db_path), "alice", "bob")  # another terminal, another person
    try:
        a = alice.tag(doc.id, *a_span, "CLAIM")
        b = bob_as_alice.tag(doc.id, *b_span, "CLAIM")
        assert bob_as_alice.undo_state()[0].summary.startswith("tag CLAIM")
        assert bob_as_alice.undo().batch != alice.undo_state()[0].batch
        assert bob_as_alice.undo() is None, "alice's tag is not bob's to undo"
        assert [x.id for x in seeded_store.annotations(doc.id, "alice")] == [a.id]
        assert alice.undo_state()[1] is None, "bob's undo is not on alice's redo stack"
        assert bob_as_alice.redo() is not None
        assert {x.id for x in seeded_store.annotations(doc.id, "alice")} == {a.id, b.id}
    finally:
        bob_as_alice.close()
    # After a restart, each person's history is still their own.
    again = _session(Store.open(db_path), "alice", "alice")
    try:
        assert again.undo().summary.startswith("tag CLAIM")
        assert again.undo() is None
        assert [x.id for x in seeded_store.annotations(doc.id, "alice")] == [b.id]
    finally:
        again.close()


def test_events_logged_before_os_user_was_recorded_stay_undoable(seeded_session, seed_docs) -> None:
    doc = seed_docs[0]
    seeded_session.tag(doc.id, *_words(doc.text, 1)[0], "CLAIM")
    with seeded_session.store.transaction():  # what the migration gives rows logged before it
        seeded_session.store._exec("UPDATE events SET os_user = ''")
    assert _session(seeded_session.store, "alice", "someone").undo() is not None
    assert seeded_session.store.annotations(doc.id, "alice") == []


def test_gold_has_one_undo_history_per_reviewer(seeded_store, seed_docs) -> None:
    doc = seed_docs[0]
    spans = _words(doc.text, 2)
    alice = _session(seeded_store, "alice", "alice")
    first, second = (alice.tag(doc.id, *s, "CLAIM") for s in spans)
    x, y = _session(seeded_store, "gold", "xavier"), _session(seeded_store, "gold", "yasmin")
    gx = copy_to_gold(x, doc.id, [first.id]).created[0]
    gy = copy_to_gold(y, doc.id, [second.id]).created[0]
    assert x.undo().summary.startswith("accept 1 span(s) from alice into gold")
    assert [g.id for g in seeded_store.annotations(doc.id, "gold")] == [gy.id], "y's accept survives x's undo"
    assert x.undo() is None
    assert y.undo() is not None and seeded_store.annotations(doc.id, "gold") == []
    assert x.redo() is not None and [g.id for g in seeded_store.annotations(doc.id, "gold")] == [gx.id]
    rows = [r for r in seeded_store.events("gold") if r["op"] == "change"]
    assert sorted({r["os_user"] for r in rows}) == ["xavier", "yasmin"]


# ---------------------------------------------------------------- imports

TEXT = "Officials said the army collapsed. Analysts blamed corruption."


def _jsonl(path: Path, **extra) -> Path:
    record = {"text": TEXT, "spans": [{"start": 0, "end": 9, "label": "SOURCE"},
                                      {"start": 15, "end": 33, "label": "CLAIM"}], **extra}
    path.write_text(json.dumps(record) + "\n" + json.dumps({**record, "text": TEXT + " More."}) + "\n",
                    encoding="utf-8")
    return path


def _import(store: Store, path: Path, annotator: str) -> FileResult:
    [result] = [r for r in import_paths(store, [path], ImportOptions(annotator=annotator, schema=DEFAULT_SCHEMA))
                if isinstance(r, FileResult)]
    return result


def test_import_cannot_write_into_gold_in_shared_mode(store, tmp_path) -> None:
    _close(store)
    path = _jsonl(tmp_path / "team.jsonl", _annotator_id="gold")
    result = _import(store, path, LOGIN)
    assert result.status == "failed" and result.error.code == "D090"
    text = str(result.error)
    assert f"{path}:1:" in text and "'gold'" in text and repr(LOGIN) in text
    assert "remove _annotator_id" in text and "nothing of this file was saved" in text
    assert store.annotations() == [] and store.documents() == [] and store.events() == []
    # Nor with --annotator naming someone else than the login.
    other = _import(store, _jsonl(tmp_path / "mine.jsonl"), "alice")
    assert other.status == "failed" and "--annotator " + LOGIN in str(other.error)
    # As oneself it imports; as a listed reviewer, into gold too.
    assert _import(store, _jsonl(tmp_path / "mine.jsonl"), LOGIN).status == "imported"
    store.set_setting("reviewers", LOGIN)
    assert _import(store, path, LOGIN).status == "imported"
    assert len(store.annotations(annotator="gold")) == 4


def test_import_as_another_annotator_when_allowed_is_said_with_counts(store, tmp_path) -> None:
    path = _jsonl(tmp_path / "team.jsonl", _annotator_id="gold")
    result = _import(store, path, "bob")
    assert result.status == "imported"
    assert result.warnings == [(f"{path}: 2 record(s) name annotator 'gold', not 'bob' whom this import runs as: "
                                "4 new span(s) written as 'gold' (this database's policy allows it)")]
    assert {r["os_user"] for r in store.events()} == {LOGIN}
    assert _import(store, _jsonl(tmp_path / "plain.jsonl"), "bob").warnings == []


# ---------------------------------------------------------------- two reviewers, one gold (broken item 9)

ROUNDS = 120


def _reviewer(db: str, doc_id: int, ids: list[str], who: str, barrier, results) -> None:
    # A real second process with its own connection, as a second reviewer's reader would be.
    store = Store.open(db)
    try:
        session = AnnotationSession(store, "gold", DEFAULT_SCHEMA, os_user=who)
        for ann_id in ids:
            barrier.wait()  # both accept the same span in the same round
            copy_to_gold(session, doc_id, [ann_id])
        results.put((who, "ok"))
    except BaseException as exc:  # reported to the test, not lost in the child
        results.put((who, repr(exc)))
    finally:
        store.close()


def test_two_reviewers_accepting_the_same_spans_at_once_store_each_once(seeded_store, seed_docs, db_path) -> None:
    doc = seed_docs[0]
    alice = _session(seeded_store, "alice", "alice")
    spans = _words(doc.text, ROUNDS)
    ids = [alice.tag(doc.id, s, e, "CLAIM").id for s, e in spans]
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2, timeout=120), ctx.Queue()
    procs = [ctx.Process(target=_reviewer, args=(str(db_path), doc.id, ids, who, barrier, results))
             for who in ("xavier", "yasmin")]
    for p in procs:
        p.start()
    outcomes = dict(results.get(timeout=300) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    assert outcomes == {"xavier": "ok", "yasmin": "ok"}
    conn = sqlite3.connect(db_path)
    try:
        dupes = conn.execute(
            "SELECT start, \"end\", label, COUNT(*) FROM annotations WHERE annotator = 'gold' "
            "AND deleted_at IS NULL GROUP BY start, \"end\", label HAVING COUNT(*) > 1").fetchall()
        total = conn.execute("SELECT COUNT(*) FROM annotations WHERE annotator = 'gold'").fetchone()[0]
    finally:
        conn.close()
    assert dupes == [], f"{len(dupes)} span(s) stored twice in gold"
    assert total == len(spans)


def test_init_sets_the_reviewers_a_shared_database_lets_write_as_anyone(tmp_path) -> None:
    from click.testing import CliRunner

    from tui.cli import main

    db = tmp_path / "team.db"
    result = CliRunner().invoke(main, ["init", str(db), "--reviewers", " carol,dave ,carol"])
    assert result.exit_code == 0, result.output
    store = Store.open(db)
    try:
        store.set_setting("shared", "1")
        policy = write_policy(store)
        assert policy.reviewers == frozenset({"carol", "dave"})
        assert policy.allows("carol", "gold") and not policy.allows("erin", "gold")
    finally:
        store.close()
