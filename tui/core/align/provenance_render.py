"""Renderings of :class:`tui.core.align.provenance.Provenance`: JSON, long CSV,
and plain text with the sources drawn as a tree above the outlets (also what
the provenance screen shows). Strings from articles are display-cleaned."""

from __future__ import annotations

import csv
import io
import textwrap
from typing import Any

from tui.core.align.provenance import OWN, ClaimProvenance, Provenance
from tui.core.align.report_render import clean


def to_json(p: Provenance) -> dict[str, Any]:
    def claim(c: ClaimProvenance) -> dict[str, Any]:
        return {
            "id": c.id,
            "text": c.text,
            "outlets": c.outlets,
            "independent_origins": c.independent,
            "suggested": c.suggested,
            "origins": c.origins,
            "chains": [
                {"doc_id": ch.doc_id, "outlet": ch.outlet, "source": None if ch.source == OWN else ch.source,
                 "inferred": ch.inferred, "upstream": ch.upstream}
                for ch in c.chains
            ],
        }

    return {
        "story": p.story_title,
        "outlets": p.outlets,
        "sources": [{"name": n.name, "cited_by": n.cited_by, "upstream": n.upstream, "claims": n.claims}
                    for n in p.sources],
        "shared_claims": [claim(c) for c in p.shared],
        "single_outlet_claims": [claim(c) for c in p.single],
    }


def to_csv(p: Provenance) -> str:
    """One row per chain: ``claim,text,outlets,independent_origins,outlet,source,inferred,upstream,suggested``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["claim", "text", "outlets", "independent_origins", "outlet", "source", "inferred", "upstream",
                "suggested"])
    for c in p.claims:
        for ch in c.chains:
            w.writerow([c.id, c.text, len(c.chains), c.independent, ch.outlet,
                        "" if ch.source == OWN else ch.source, "yes" if ch.inferred else "no",
                        " | ".join(ch.upstream), "yes" if c.suggested else "no"])
    return buf.getvalue()


def tree_lines(p: Provenance) -> list[str]:
    """The sources upstream of the outlets, one tree per source: what the
    source cites (when stated) on top, the source, the outlets citing it."""
    lines: list[str] = []
    for node in p.sources:
        indent = ""
        if node.upstream:
            lines.append(clean(" · ".join(node.upstream)))
            lines.append(f"└─ {clean(node.name)}   [{', '.join(node.claims)}]")
            indent = "   "
        else:
            lines.append(f"{clean(node.name)}   [{', '.join(node.claims)}]")
        for i, outlet in enumerate(node.cited_by):
            branch = "└─" if i == len(node.cited_by) - 1 else "├─"
            lines.append(f"{indent}{branch} {clean(outlet)}")
    own: dict[str, list[str]] = {}
    for c in p.claims:
        for ch in c.chains:
            if ch.source == OWN:
                own.setdefault(ch.outlet, []).append(c.id)
    if own:
        lines.append(OWN)
        for i, (outlet, ids) in enumerate(own.items()):
            branch = "└─" if i == len(own) - 1 else "├─"
            lines.append(f"{branch} {clean(outlet)}   [{', '.join(ids)}]")
    return lines


def chain_text(c: ClaimProvenance) -> list[str]:
    out = []
    for ch in c.chains:
        parts = [ch.outlet]
        if ch.source != OWN:
            parts.append(ch.source + (" (read from the sentence)" if ch.inferred else ""))
            if ch.upstream:
                parts.append(", ".join(ch.upstream))
        else:
            parts.append("no source stated")
        out.append(" <- ".join(clean(x) for x in parts))
    return out


def claim_heading(c: ClaimProvenance) -> str:
    n = c.independent
    outlets = len(c.chains)
    mark = " (suggested)" if c.suggested else ""
    return (f"{c.id}{mark}  {outlets} outlet{'s' if outlets != 1 else ''}, "
            f"{n} independent origin{'s' if n != 1 else ''}: {', '.join(clean(o) for o in c.origins)}")


def to_text(p: Provenance, width: int = 100) -> str:
    width = max(40, width)
    out = textwrap.wrap(f"Provenance: {clean(p.story_title)}", width) or ["Provenance"]
    out += ["", "Sources upstream of the outlets", "==============================="]
    tree = tree_lines(p)
    for line in tree:
        # Branch lines keep their drawing: cut, not wrapped; a long list of upstream sources wraps.
        if len(line) <= width:
            out.append(line)
        elif line.lstrip()[:2] in ("├─", "└─"):
            out.append(line[: width - 3] + "...")
        else:
            out += textwrap.wrap(line, width, subsequent_indent="  ")
    if not tree:
        out.append("(no claims tagged yet)")
    for title, claims in (("Shared claims and their independent origins", p.shared),
                          ("Claims carried by one outlet only", p.single)):
        out += ["", title, "=" * min(width, len(title))]
        if not claims:
            out.append("(none)")
        for c in claims:
            out += textwrap.wrap(claim_heading(c), width, subsequent_indent="    ")
            out += textwrap.wrap(clean(c.text), width, initial_indent="    ", subsequent_indent="    ")
            for line in chain_text(c):
                out += textwrap.wrap(line, width, initial_indent="    ", subsequent_indent="      ")
    return "\n".join(out) + "\n"


__all__ = ["chain_text", "claim_heading", "to_csv", "to_json", "to_text", "tree_lines"]
