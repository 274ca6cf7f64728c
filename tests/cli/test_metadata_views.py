"""The database read by other tools: views with text, Datasette metadata, sqlite-utils."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from tui.cli import main
from tui.core.session import AnnotationSession
from tui.core.store.metadata import TABLES

TEXT_A = "The mayor said taxes will rise. Critics disagree."
TEXT_B = "Taxes will rise, the mayor told reporters."


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "team.db"
    s = AnnotationSession.open(path, annotator="alice")
    a, _ = s.store.add_document("Taxes", TEXT_A, title="Council", outlet="Daily")
    b, _ = s.store.add_document("Taxes", TEXT_B, title="Mayor speaks", outlet="Weekly")
    claim = s.tag(a.id, 15, 30, "CLAIM")
    source = s.tag(a.id, 0, 9, "SOURCE")
    s.link(claim.id, source.id, "attributed_to")
    other = s.tag(b.id, 0, 15, "CLAIM")
    s.link(claim.id, other.id, "same_as")
    gone = s.tag(a.id, 32, 39, "SOURCE")
    s.delete(gone.id)
    s.close()
    return path


def test_live_annotations_view_has_document_and_story_and_leaves_out_deleted(db: Path) -> None:
    rows = list(sqlite_utils.Database(db).query(
        "SELECT story, document_title, outlet, label, quote FROM live_annotations ORDER BY doc_id, start"))
    assert rows == [
        {"story": "Taxes", "document_title": "Council", "outlet": "Daily", "label": "SOURCE", "quote": "The mayor"},
        {"story": "Taxes", "document_title": "Council", "outlet": "Daily", "label": "CLAIM",
         "quote": "taxes will rise"},
        {"story": "Taxes", "document_title": "Mayor speaks", "outlet": "Weekly", "label": "CLAIM",
         "quote": "Taxes will rise"},
    ]


def test_relations_with_text_show_both_ends(db: Path) -> None:
    rows = {r["type"]: r for r in sqlite_utils.Database(db).query("SELECT * FROM relations_with_text")}
    assert rows["attributed_to"]["head_text"] == "taxes will rise"
    assert rows["attributed_to"]["tail_text"] == "The mayor"
    assert (rows["same_as"]["head_document"], rows["same_as"]["tail_document"]) == ("Council", "Mayor speaks")
    assert rows["same_as"]["tail_outlet"] == "Weekly"


def test_sqlite_utils_command_reads_the_views(db: Path) -> None:
    exe = Path(sys.executable).with_name("sqlite-utils")
    proc = subprocess.run([str(exe), "rows", str(db), "live_annotations", "--nl"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 3
    proc = subprocess.run([str(exe), "views", str(db), "--nl"], capture_output=True, text=True, timeout=60)
    assert {json.loads(v)["view"] for v in proc.stdout.splitlines()} == {"live_annotations", "relations_with_text"}


def test_metadata_describes_every_table_and_view_and_nothing_else(db: Path) -> None:
    names = set(sqlite_utils.Database(db).table_names()) | set(sqlite_utils.Database(db).view_names())
    names.discard("sqlite_sequence")
    assert set(TABLES) == names
    assert all(entry.get("description") for entry in TABLES.values())


def test_metadata_command_writes_a_file_named_for_the_database(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "metadata.json"
    result = CliRunner().invoke(main, ["metadata", "--db", str(db), "-o", str(out)])
    assert result.exit_code == 0, result.output
    meta = json.loads(out.read_text())
    assert set(meta["databases"]) == {"team"}
    assert meta["databases"]["team"]["tables"]["relations_with_text"]["description"]


async def test_datasette_serves_the_views_with_the_metadata(db: Path) -> None:
    from datasette.app import Datasette

    result = CliRunner().invoke(main, ["metadata", "--db", str(db)])
    meta = json.loads(result.stdout)
    ds = Datasette([str(db)], metadata=meta)
    await ds.invoke_startup()
    resp = await ds.client.get("/team/relations_with_text.json?_shape=array")
    assert resp.status_code == 200
    assert {r["tail_text"] for r in resp.json()} == {"The mayor", "Taxes will rise"}
    page = await ds.client.get("/team/annotations")
    assert page.status_code == 200
    assert "see live_annotations for what an export carries" in page.text
    # label_column: a relation's ends are shown by their quoted text, not a bare id
    rel = await ds.client.get("/team/relations.json?_shape=array&_labels=on")
    labels = {r["tail_id"]["label"] for r in rel.json()}
    assert "The mayor" in labels
