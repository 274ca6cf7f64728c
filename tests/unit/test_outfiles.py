"""Output files: the user's umask, an existing file's mode kept, nothing but regular files replaced."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tui.core.errors import ExportError
from tui.core.outfiles import current_umask, write_atomically

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def umask():
    old = os.umask(0o022)
    os.umask(old)

    def set_to(mask: int) -> None:
        os.umask(mask)

    yield set_to
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_current_umask_reads_without_changing(umask) -> None:
    umask(0o027)
    assert current_umask() == 0o027
    assert current_umask() == 0o027


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path: Path, umask, mask: int, expected: int) -> None:
    umask(mask)
    out = tmp_path / "out.jsonl"
    assert write_atomically(out, lambda fh: fh.write(b"data\n")) == 5
    assert out.read_bytes() == b"data\n"
    assert mode(out) == expected


def test_replacing_keeps_the_existing_mode(tmp_path: Path, umask) -> None:
    umask(0o022)
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"old")
    out.chmod(0o640)
    write_atomically(out, lambda fh: fh.write(b"new"))
    assert out.read_bytes() == b"new"
    assert mode(out) == 0o640


def test_a_fifo_is_never_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ExportError, match="is a FIFO, not a regular file"):
        write_atomically(fifo, lambda fh: fh.write(b"x"))
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_a_folder_is_never_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "out.jsonl"
    folder.mkdir()
    with pytest.raises(ExportError, match="is a folder"):
        write_atomically(folder, lambda fh: fh.write(b"x"))
    assert folder.is_dir()


def test_a_failed_fill_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"old")

    def broken(fh):
        fh.write(b"half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_atomically(out, broken)
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_diptych_export_creates_a_group_readable_file_under_umask_022(tmp_path: Path) -> None:
    from tui.core.session import AnnotationSession

    db = tmp_path / "t.db"
    s = AnnotationSession.open(db, annotator="alice")
    doc, _ = s.store.add_document("S", "The mayor said taxes will rise.", title="T")
    s.tag(doc.id, 0, 9, "SOURCE")
    s.close()
    out = tmp_path / "x.jsonl"
    proc = subprocess.run(
        [sys.executable, "-c", "import os, sys; os.umask(0o022); from tui.cli import main; sys.argv[0] = 'diptych';"
         " main()", "export", "--db", str(db), "-o", str(out)],
        capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert mode(out) == 0o644
    assert mode(db) == 0o644


def test_a_folder_export_appears_whole_with_umask_modes_and_replaces_only_its_own(tmp_path: Path, umask) -> None:
    from tui.core.outfiles import FOLDER_MARK, write_folder_atomically

    umask(0o002)
    out = tmp_path / "brat"
    assert write_folder_atomically(out, lambda: iter([("a.txt", b"A"), ("sub/b.ann", b"B")])) == 2
    assert (out / "sub" / "b.ann").read_bytes() == b"B"
    assert mode(out / "a.txt") == 0o664 and mode(out / "sub") == 0o775 and mode(out) == 0o775
    assert (out / FOLDER_MARK).exists()
    write_folder_atomically(out, lambda: iter([("c.txt", b"C")]))
    assert sorted(p.name for p in out.iterdir()) == [FOLDER_MARK, "c.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brat"]  # no temporary or old folder left

    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "keep.txt").write_bytes(b"mine")
    with pytest.raises(ExportError, match="did not write"):
        write_folder_atomically(theirs, lambda: iter([("a.txt", b"A")]))
    assert sorted(p.name for p in theirs.iterdir()) == ["keep.txt"]


def test_a_folder_export_never_writes_outside_itself(tmp_path: Path) -> None:
    from tui.core.outfiles import write_folder_atomically

    with pytest.raises(ExportError, match="outside the export folder"):
        write_folder_atomically(tmp_path / "x", lambda: iter([("../escape.txt", b"!")]))
    assert sorted(p.name for p in tmp_path.iterdir()) == []
