"""The user's entity-ruler patterns file (``--patterns``): reading and
checking it line by line, and the hash that versions suggestions made with it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..errors import IngestError
from .cues.predicates import PREDICATE_LABELS
from .discovery import spacy_available


def load_patterns(path: str | Path) -> list[dict[str, Any]]:
    """Read an entity-ruler patterns JSONL (spaCy/Prodigy format): one
    ``{"label": ..., "pattern": "phrase" | [token dicts], "id"?: ...}`` per line.
    Blank lines are skipped; any bad line raises IngestError naming file:line."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise IngestError(str(path), "no such patterns file", hint="check the --patterns path") from None
    except UnicodeDecodeError as exc:
        raise IngestError(str(path), f"not UTF-8 text ({exc.reason})", hint="save the file as UTF-8") from None
    except OSError as exc:
        raise IngestError(str(path), f"cannot read the patterns file: {exc.strerror}") from None
    checker = _token_pattern_checker()
    patterns: list[dict[str, Any]] = []
    for lineno, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        hint = 'each line is like {"label": "SOURCE", "pattern": "Reuters"}'
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise IngestError(str(path), f"not valid JSON: {exc.msg} (column {exc.colno})",
                              line=lineno, hint=hint) from None
        if not isinstance(obj, dict):
            raise IngestError(str(path), "each line must be a JSON object", line=lineno, hint=hint)
        label = obj.get("label")
        if not isinstance(label, str) or not label.strip():
            raise IngestError(str(path), 'missing or empty "label"', line=lineno, hint=hint)
        pattern = obj.get("pattern")
        if isinstance(pattern, str):
            if not pattern.strip():
                raise IngestError(str(path), 'empty "pattern"', line=lineno, hint=hint)
        elif isinstance(pattern, list):
            if not pattern or not all(isinstance(t, dict) and t for t in pattern):
                raise IngestError(str(path), '"pattern" must be a string or a non-empty list of token objects',
                                  line=lineno, hint='e.g. [{"LOWER": "reuters"}]')
            if checker is not None:
                problem = checker(pattern)
                if problem:
                    raise IngestError(str(path), f"invalid token pattern: {problem}", line=lineno,
                                      hint="see spaCy's Matcher token attributes (ORTH, LOWER, OP ...)")
        else:
            raise IngestError(str(path), 'missing "pattern" (a string or a list of token objects)',
                              line=lineno, hint=hint)
        if label.strip() in PREDICATE_LABELS and not (isinstance(pattern, str) and pattern.strip().isalpha()):
            raise IngestError(str(path), f'a {label.strip()} pattern must be one verb, as its lemma',
                              line=lineno, hint=f'e.g. {{"label": "{label.strip()}", "pattern": "concede"}}')
        if "id" in obj and not isinstance(obj["id"], str):
            raise IngestError(str(path), '"id" must be a string', line=lineno)
        entry: dict[str, Any] = {"label": label.strip(), "pattern": pattern}
        if "id" in obj:
            entry["id"] = obj["id"]
        patterns.append(entry)
    return patterns


def _token_pattern_checker():
    """A function returning an error text for a bad token pattern, using
    spaCy's own Matcher validation when spaCy is installed."""
    if not spacy_available():
        return None

    def check(pattern: list[dict[str, Any]]) -> str:
        from spacy.matcher import Matcher
        from spacy.vocab import Vocab

        try:
            Matcher(Vocab(), validate=True).add("P", [pattern])
        except Exception as exc:  # spaCy raises ValueError/MatchPatternError
            return " ".join(str(exc).split())[:300]
        return ""

    return check


def _file_hash(path: str | Path) -> str:
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()[:8]
