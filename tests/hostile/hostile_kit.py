"""Shared helpers of the hostile-input suite: the corpus, database snapshots,
terminal-safety checks, and a small "full disk" for SQLite.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
import sys
import unicodedata
from pathlib import Path
from typing import Any

from tui.core.store import Store

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CORPUS = HERE / "corpus"
ACCEPTED = CORPUS / "accepted"
REFUSED = CORPUS / "refused"
SEEDS = REPO / "seeds"
# The installed `diptych` entry point beside the interpreter running the tests.
DIPTYCH = Path(sys.executable).parent / "diptych"
if not DIPTYCH.exists():
    DIPTYCH = Path(shutil.which("diptych") or REPO / ".venv" / "bin" / "diptych")
TARGET = "Kandahar"

# Characters that must never reach a terminal raw: C0 controls other than
# newline, DEL, C1 controls (U+009B is an 8-bit CSI), and bidi controls, which
# reorder what the terminal shows.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_UNSAFE_RE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS)) + "]")


def unsafe(text: str) -> list[str]:
    """Every terminal-unsafe character in ``text``, as readable names."""
    return [f"U+{ord(m.group()):04X} {unicodedata.name(m.group(), 'control')}" for m in _UNSAFE_RE.finditer(text)]


def unsafe_bytes(data: bytes) -> list[str]:
    """Raw C0 (other than LF), DEL and UTF-8-encoded C1 / bidi controls in a byte stream."""
    return unsafe(data.decode("utf-8", errors="replace"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def side_files(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name + "-"))


# ------------------------------------------------------------------ database content

def snapshot(db: Path) -> dict[str, Any]:
    """Everything stored: Store.stats() and every row of every table (read-only open)."""
    with Store.open(db, readonly=True) as st:
        tables = {name: sorted((tuple(sorted(row.items())) for row in st.db[name].rows), key=repr)
                  for name in sorted(st.db.table_names())}
        return {"stats": st.stats(), "tables": tables}


def assert_kept(before: dict[str, Any], after: dict[str, Any], *, may_add: bool) -> None:
    """Nothing stored before changed; with ``may_add`` new rows may have appeared
    (suggestion/alignment caches aside, which are rebuildable)."""
    if not may_add:
        assert after == before
        return
    for table, rows in before["tables"].items():
        if table == "sqlite_sequence":  # SQLite's own AUTOINCREMENT counters grow with any insert
            continue
        missing = set(rows) - set(after["tables"].get(table, []))
        assert not missing, f"{table}: rows changed or vanished: {sorted(missing, key=repr)[:3]}"


def seeded_db(path: Path, annotator: str = "alice") -> Path:
    """A database with both seed articles, one annotation and one relation by ``annotator``."""
    from tui.core.session import AnnotationSession

    with Store.open(path) as st:
        docs = [st.add_document("Seed story", p.read_text(encoding="utf-8"), title=p.stem, source_path=str(p))[0]
                for p in sorted(SEEDS.glob("*.txt"))]
        s = AnnotationSession(st, annotator)
        text = docs[0].text
        claim = s.tag(docs[0].id, 0, text.index(" ", 20), "CLAIM", attrs={"certainty": "reported"}, note="seed")
        i = text.index("Taliban")
        source = s.tag(docs[0].id, i, i + len("Taliban"), "SOURCE")
        s.link(claim.id, source.id)
    return path


def make_db(path: Path, texts: dict[str, str], story: str = "Hostile story") -> Path:
    """A database holding ``texts`` (title -> text) in one story, stored exactly."""
    with Store.open(path) as st:
        for i, (title, text) in enumerate(texts.items()):
            st.add_document(story, text, title=title, outlet=f"outlet {i}")
    return path


# ------------------------------------------------------------------ a full disk

def fill_up(store: Store, spare_pages: int = 0) -> None:
    """Let the database file grow by at most ``spare_pages`` pages: SQLite then
    answers "database or disk is full", exactly as on a full filesystem."""
    conn: sqlite3.Connection = store._conn  # the one place a test reaches inside the Store
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + spare_pages}")


def make_room(store: Store) -> None:
    store._conn.execute("PRAGMA max_page_count = 1073741823")


def full_disk_open(spare_pages: int = 0):
    """A drop-in for ``Store.open`` whose stores cannot grow the file."""
    real_open = Store.open

    def open_full(path, *args, **kwargs) -> Store:
        st = real_open(path, *args, **kwargs)
        if not st.readonly:
            fill_up(st, spare_pages)
        return st

    return open_full


def full_disk_second():
    """A drop-in for ``Store.second`` (the reader's writer connection) that cannot grow the file."""
    real_second = Store.second

    def second_full(self) -> Store:
        st = real_second(self)
        fill_up(st)
        return st

    return second_full
