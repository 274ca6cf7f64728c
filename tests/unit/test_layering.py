"""Import hygiene: the core never pulls in the UI toolkit, headless commands
never pull in Textual, and the import-linter contracts hold.

Each check runs in a fresh interpreter, because this test process may already
have imported anything.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UI_TOOLKIT = ("textual", "rich")


def run_python(code: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_core_never_imports_the_ui_toolkit() -> None:
    result = run_python("""
        import importlib, json, pkgutil, sys
        import tui.core
        names = sorted(m.name for m in pkgutil.walk_packages(tui.core.__path__, "tui.core."))
        culprits = {}
        for name in names:
            before = {m for m in sys.modules if m.split(".")[0] in ("textual", "rich")}
            importlib.import_module(name)
            new = sorted({m.split(".")[0] for m in sys.modules
                          if m.split(".")[0] in ("textual", "rich")} - {m.split(".")[0] for m in before})
            if new:
                culprits[name] = new
        print(json.dumps({"modules": names, "culprits": culprits,
                          "loaded": sorted({m.split(".")[0] for m in sys.modules} & {"textual", "rich"})}))
    """)
    assert "tui.core.store" in result["modules"] and "tui.core.session" in result["modules"]
    assert result["loaded"] == [], (
        f"tui.core pulled in {result['loaded']}; first brought in by (module: packages) {result['culprits']}")


def test_headless_command_does_not_import_textual() -> None:
    if importlib.util.find_spec("tui.commands.stats") is None:
        pytest.skip("tui/commands/stats.py is not written yet")
    result = run_python("""
        import json, sys
        from click.testing import CliRunner
        import tui.cli
        after_import = "textual" in sys.modules
        res = CliRunner().invoke(tui.cli.main, ["stats", "--help"])
        print(json.dumps({"after_import": after_import, "exit": res.exit_code, "output": res.output,
                          "textual": sorted(m for m in sys.modules if m.split(".")[0] == "textual")[:5]}))
    """)
    assert result["after_import"] is False, "import tui.cli alone imported textual"
    assert result["exit"] == 0, result["output"]
    assert "Usage" in result["output"] and "stats" in result["output"]
    assert result["textual"] == [], f"`diptych stats --help` imported {result['textual']}"


def test_import_linter_contracts_hold() -> None:
    # The venv's own script (sys.executable is the venv's python, not resolved).
    lint = Path(sys.executable).parent / "lint-imports"
    assert lint.exists(), f"import-linter is not installed next to {sys.executable}"
    proc = subprocess.run([str(lint), "--no-cache"], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
