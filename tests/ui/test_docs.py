"""The README and the help screen say exactly what is bound."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tui.bindings import all_keys, markdown_table
from tui.cli import SUBCOMMANDS, main
from tui.core.schema import DEFAULT_SCHEMA

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands():
    assert README.split("```")[1].strip().splitlines() == ["make run", "make test"]


def test_readme_key_table_matches_the_bindings():
    assert markdown_table(DEFAULT_SCHEMA) in README


def test_every_binding_id_is_unique():
    ids = [k.id for k in all_keys(DEFAULT_SCHEMA)]
    assert len(ids) == len(set(ids))


def test_no_key_is_bound_twice():
    seen: dict[str, str] = {}
    for k in all_keys(DEFAULT_SCHEMA):
        for key in k.keys.split(","):
            assert key not in seen, f"{key} is bound to {seen.get(key)} and {k.id}"
            seen[key] = k.id


def test_readme_documents_every_command():
    for name in SUBCOMMANDS:
        assert f"diptych {name}" in README, name
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0, result.output


def test_readme_format_table_lists_every_format_and_what_it_cannot_carry():
    import importlib

    from tui.core.formats import REGISTRY

    table = README[README.index("| format | writes |"):]
    table = table[:table.index("\n\n")]
    rows = {line.split("|")[1].strip().split()[0].strip("`"): line for line in table.splitlines()[2:]}
    assert set(rows) == set(REGISTRY)
    for name, fmt in REGISTRY.items():
        module = importlib.import_module(f"tui.core.formats.{fmt.module}")
        for what in module.CANNOT_CARRY:
            assert what in rows[name], (name, what)
