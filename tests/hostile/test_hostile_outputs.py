"""Hostile places to write to (issue #15): a full disk behind `-o -`, a FIFO or
device at the `-o` path, a story title too long in bytes for a file name, and an
export killed while its temporary file exists. Real `diptych` processes.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
from pathlib import Path

import pytest
from hostile_kit import DIPTYCH

from tui.core.session import AnnotationSession
from tui.core.store import Store

INCOMPLETE = "stdout: no space left on device; the output is incomplete"
CJK_TITLE = "漢字" * 60 + " 報道"  # 122 characters, 366 bytes in UTF-8


def run(*args: object, cwd: Path | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(DIPTYCH), *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=300, **kwargs)


def annotated_db(path: Path, docs: int, words: int = 50, title: str = "Update") -> Path:
    """``docs`` documents of ``words`` words in one story, each with one CLAIM by alice."""
    with Store.open(path) as st:
        for i in range(docs):
            text = f"Article {i} says " + " ".join(f"word{j}" for j in range(words)) + "."
            st.add_document(title, text, title=f"{title} {i}")
        alice = AnnotationSession(st, "alice")
        for doc in st.documents():
            alice.tag(doc.id, 0, 7, "CLAIM")
    return path


@pytest.fixture(scope="module")
def one_big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return annotated_db(tmp_path_factory.mktemp("big") / "one.db", 1, words=40_000)


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return annotated_db(tmp_path_factory.mktemp("many") / "many.db", 300)


def assert_incomplete_said(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode != 0, proc.stderr
    assert INCOMPLETE in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "exported" not in proc.stderr


# ------------------------------------------------------------------ 1. a full disk behind -o -

@pytest.mark.parametrize("which", ["one_big", "many"])
def test_export_to_dev_full_fails_and_says_so(which: str, request: pytest.FixtureRequest) -> None:
    db = request.getfixturevalue(which)
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([str(DIPTYCH), "export", "--db", str(db), "-o", "-"], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=300)
    assert_incomplete_said(proc)


@pytest.fixture
def tiny_tmpfs(tmp_path: Path):
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode(errors='replace').strip()}); "
                    "/dev/full covers the same failure")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.parametrize("which", ["one_big", "many"])
def test_export_piped_to_a_full_tmpfs_fails_and_says_so(which: str, tiny_tmpfs: Path,
                                                        request: pytest.FixtureRequest) -> None:
    db = request.getfixturevalue(which)
    with open(tiny_tmpfs / "out.jsonl", "wb") as out:
        proc = subprocess.run([str(DIPTYCH), "export", "--db", str(db), "-o", "-"], stdout=out,
                              stderr=subprocess.PIPE, text=True, timeout=300)
    assert_incomplete_said(proc)


def test_export_to_stdout_with_room_still_works(many: Path, tmp_path: Path) -> None:
    with open(tmp_path / "out.jsonl", "wb") as out:
        proc = subprocess.run([str(DIPTYCH), "export", "--db", str(many), "-o", "-"], stdout=out,
                              stderr=subprocess.PIPE, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = (tmp_path / "out.jsonl").read_bytes().splitlines()
    assert len(lines) == 300 and all(json.loads(line)["spans"] for line in lines)


# ------------------------------------------------------------------ 4. -o at a FIFO or a device

def test_export_never_replaces_a_fifo(many: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    proc = run("export", "--db", many, "-o", fifo)
    assert proc.returncode != 0
    assert "is a FIFO, not a regular file; it was left as it is" in proc.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe.jsonl"]  # no temporary file left


def test_export_never_replaces_a_device(many: Path, tmp_path: Path) -> None:
    dev = tmp_path / "null.jsonl"
    try:
        os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # /dev/null's numbers
    except PermissionError:
        os.symlink("/dev/null", dev)  # no CAP_MKNOD: a link to a device is refused the same way
    proc = run("export", "--db", many, "-o", dev)
    assert proc.returncode != 0
    assert "is a device or special file, not a regular file; it was left as it is" in proc.stderr
    assert stat.S_ISCHR(dev.stat().st_mode)


# ------------------------------------------------------------------ 7. names and killed exports

@pytest.mark.parametrize("fmt", ["prodigy", "labelstudio", "inception"])
def test_default_export_name_of_a_long_cjk_title_fits_in_255_bytes(tmp_path: Path, fmt: str) -> None:
    db = annotated_db(tmp_path / "cjk.db", 1, title=CJK_TITLE)
    proc = run("export", "--db", db, "--story", CJK_TITLE, "-f", fmt, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    written = list((tmp_path / "annotations").rglob("*"))
    assert written
    for path in written:
        assert len(os.fsencode(path.name)) <= 255
    assert any(p.name.startswith("漢字漢字") for p in (tmp_path / "annotations").iterdir())


def _hidden_temps(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp")]


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Big enough that exporting it takes far longer than noticing its temporary file.
    return annotated_db(tmp_path_factory.mktemp("large") / "large.db", 3000, words=200)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_killed_export_leaves_no_temporary_file(large: Path, tmp_path: Path, sig: signal.Signals) -> None:
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen([str(DIPTYCH), "export", "--db", str(large), "-o", str(out / "all.jsonl")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        # Poll until the temporary file exists (or the export ended, which the
        # assertion below reports): no fixed sleep.
        while not _hidden_temps(out) and proc.poll() is None:
            os.sched_yield()
        assert proc.poll() is None, f"the export ended before it could be killed: {proc.stderr.read()}"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    assert "Traceback" not in err
    assert list(out.iterdir()) == [], [p.name for p in out.iterdir()]
