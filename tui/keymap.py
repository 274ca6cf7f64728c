"""User keymap: remap any binding by its id from a TOML file.

    # ~/.config/diptych/keymap.toml  (or --keymap FILE)
    [keys]
    "tag.CLAIM" = "C"
    "move.line_down" = "j,down"

Ids are listed by the `?` help screen and in the README.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from tui.core.errors import DiptychError


class KeymapError(DiptychError):
    code = "D070"


def default_keymap_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "diptych" / "keymap.toml"


def load_keymap(path: str | os.PathLike | None) -> dict[str, str]:
    """Binding id -> comma-separated keys. A missing default file means no remapping."""
    explicit = path is not None
    path = Path(path) if path else default_keymap_path()
    if not path.exists():
        if explicit:
            raise KeymapError(f"{path}: no such keymap file", hint="check the --keymap path")
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise KeymapError(f"{path}: not valid TOML: {exc}") from None
    keys = raw.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) and v for v in keys.values()):
        raise KeymapError(f"{path}: [keys] must map binding ids to key names",
                          hint='e.g. "tag.CLAIM" = "C"')
    return dict(keys)


def check_ids(keymap: dict[str, str], known: set[str], path: str = "keymap") -> None:
    unknown = sorted(set(keymap) - known)
    if unknown:
        raise KeymapError(f"{path}: unknown binding id(s): {', '.join(unknown)}",
                          hint="press ? in the app or see the README for the ids")
