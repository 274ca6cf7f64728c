"""Combining suggestion lists: entity overlaps resolved, cues grouped into
head/tail groups, and the one ordering every output is sorted by."""

from __future__ import annotations

from typing import Iterable

from ..models import LAYER_ATTRIBUTION, LAYER_ENTITY, Suggestion
from .cues.spans import Cue, CueSpan


def _longest_first(sugg: list[Suggestion]) -> list[Suggestion]:
    return sorted(sugg, key=lambda s: (-(s.end - s.start), s.start))


def _sorted(sugg: Iterable[Suggestion]) -> list[Suggestion]:
    return sorted(sugg, key=lambda s: (s.start, s.end, s.label, s.layer, s.suggester, s.role, s.group))


def merge_suggestions(*parts: Iterable[Suggestion]) -> list[Suggestion]:
    """Combine suggestion lists, earlier lists winning: in the entity layer a
    span overlapping an already kept one of the same label is dropped (so a
    learned name hides the model's overlapping guess); cue layers are kept
    whole. The result is sorted by (start, end, label, ...)."""
    kept: list[Suggestion] = []
    entity_spans: dict[str, list[tuple[int, int]]] = {}
    seen: set[tuple[str, str, int, int, str]] = set()
    for part in parts:
        for s in part:
            ident = (s.suggester, s.label, s.start, s.end, s.layer)
            if ident in seen:
                continue
            if s.layer == LAYER_ENTITY:
                spans = entity_spans.setdefault(s.label, [])
                if any(s.start < b and a < s.end for a, b in spans):
                    continue
                spans.append((s.start, s.end))
            seen.add(ident)
            kept.append(s)
    return _sorted(kept)


def _cue_suggestions(cues: list[Cue], layer: str, suggester: str, version: str) -> list[Suggestion]:
    """Turn cues into suggestions sharing a ``group`` per head. Cues that share
    a span (one actor with two motives) are merged into one group, so a span
    appears once: every head of a group relates to every tail of it."""
    parent: dict[tuple[int, int, str], tuple[int, int, str]] = {}

    def key(sp: CueSpan) -> tuple[int, int, str]:
        return (sp.start, sp.end, sp.label)

    def find(k: tuple[int, int, str]) -> tuple[int, int, str]:
        while parent.setdefault(k, k) != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    role: dict[tuple[int, int, str], str] = {}
    spans: dict[tuple[int, int, str], CueSpan] = {}
    relation: dict[tuple[int, int, str], str] = {}
    for cue in cues:
        members = ([cue.head] if cue.head else []) + cue.tails
        for sp in members:
            k = key(sp)
            if k not in spans or sp.score > spans[k].score:
                spans[k] = sp
            find(k)
        if cue.head is not None:
            role[key(cue.head)] = "head"
            relation[key(cue.head)] = cue.relation
            for t in cue.tails:
                role.setdefault(key(t), "tail")
                relation.setdefault(key(t), cue.relation)
                a, b = find(key(cue.head)), find(key(t))
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[tuple[int, int, str], list[tuple[int, int, str]]] = {}
    for k in spans:
        groups.setdefault(find(k), []).append(k)
    prefix = "att" if layer == LAYER_ATTRIBUTION else "mot"
    out = []
    for members in groups.values():
        heads = sorted(k for k in members if role.get(k) == "head")
        if heads and len(members) > 1:
            gid = f"{prefix}:{heads[0][0]}-{heads[0][1]}"
        else:
            gid = ""
        for k in members:
            sp = spans[k]
            r = role.get(k, "") if gid else ""
            out.append(Suggestion(sp.start, sp.end, sp.label, suggester, version, sp.score, layer,
                                  group=gid, role=r, relation=relation.get(k, "") if gid else "",
                                  attrs=sp.attrs))
    return _sorted(out)
