"""Every format in the registry through the real commands: export, import into an empty
database holding the same articles, export again: the same bytes (or the same files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main
from tui.core.formats import REGISTRY
from tui.core.session import AnnotationSession

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
IMPORTABLE = [f.name for f in REGISTRY.values() if f.imports]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def seeded(path: Path) -> Path:
    result = run("import", str(SEEDS), "--db", str(path), "--story", "Seed story")
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    db = seeded(tmp_path_factory.mktemp("src") / "a.db")
    s = AnnotationSession.open(db, annotator="alice")
    first, second = s.documents(1)
    claim = s.tag(first.id, 0, 40, "CLAIM", attrs={"certainty": "reported"}, note="see the WSJ")
    source = s.tag(first.id, 50, 60, "SOURCE", attrs={"type": "media outlet"})
    s.link(claim.id, source.id, "attributed_to")
    other = s.tag(second.id, 0, 30, "CLAIM")
    s.link(claim.id, other.id, "same_as")
    s.close()
    AnnotationSession.open(db, annotator="bob").close()
    return db


def contents(path: Path) -> dict[str, bytes] | bytes:
    if path.is_dir():
        return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}
    return path.read_bytes()


def test_the_registry_is_what_the_cli_offers() -> None:
    result = run("export", "--help")
    for name in REGISTRY:
        assert name in result.output
    result = run("import", "--help")
    for name in IMPORTABLE:
        if REGISTRY[name].reader in ("file", "folder"):
            assert name in result.output


@pytest.mark.parametrize("fmt", IMPORTABLE)
def test_export_import_export_gives_the_same_output(fmt: str, source: Path, tmp_path: Path) -> None:
    first = tmp_path / f"first-{fmt}"
    result = run("export", "--db", str(source), "-f", fmt, "-o", str(first))
    assert result.exit_code == 0, result.output
    target = seeded(tmp_path / "b.db")
    result = run("import", str(first), "--db", str(target), "--annotator", "carol")
    assert result.exit_code == 0, result.output
    assert "failed 0" in result.output
    second = tmp_path / f"second-{fmt}"
    result = run("export", "--db", str(target), "-f", fmt, "-o", str(second))
    assert result.exit_code == 0, result.output
    assert contents(second) == contents(first)


@pytest.mark.parametrize("fmt", [f.name for f in REGISTRY.values()])
def test_what_a_format_cannot_carry_is_said_on_stderr(fmt: str, source: Path, tmp_path: Path) -> None:
    result = run("export", "--db", str(source), "-f", fmt, "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    carries_cross_document = fmt in ("flat", "w3c")  # prodigy keeps them only in meta
    said = "NOT CARRIED by" in result.stderr and "cross-document relations" in result.stderr
    assert said != carries_cross_document, result.stderr


@pytest.mark.parametrize("fmt", [f.name for f in REGISTRY.values() if f.layout == "folder"])
def test_a_folder_format_refuses_stdout(fmt: str, source: Path) -> None:
    result = run("export", "--db", str(source), "-f", fmt, "-o", "-")
    assert result.exit_code == 1
    assert "cannot go to stdout" in result.stderr and result.stdout == ""


@pytest.mark.parametrize(("fmt", "start"), [("labelstudio", "<View>"), ("brat", "# brat annotation configuration"),
                                            ("inception", "<?xml"), ("spacy", "# spaCy 3.8 training config")])
def test_config_prints_the_set_up_file_the_tool_needs(fmt: str, start: str, source: Path) -> None:
    result = run("export", "--db", str(source), "-f", fmt, "--config")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(start)


def test_a_spacy_export_writes_its_training_config_beside_it(source: Path, tmp_path: Path) -> None:
    result = run("export", "--db", str(source), "-f", "spacy", "-o", str(tmp_path / "train.spacy"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "train.cfg").read_text().startswith("# spaCy 3.8 training config")
    assert "spancat training config" in result.stderr
