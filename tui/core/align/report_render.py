"""Display strings and the plain renderings of the comparison report: ``clean``
(control and bidi characters escaped), and the CSV and plain-text tables, mixed
into :class:`tui.core.align.report.Report`."""

from __future__ import annotations

import csv
import io
import re
import textwrap
from typing import Any

NOT_CARRIED = "-"
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean(text: str) -> str:
    """One line of display text: control and bidi characters escaped, runs of
    whitespace (newlines included) made one space."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in "\n\r\t\u2028\u2029":
            out.append(" ")
        elif code < 0x20 or 0x7F <= code <= 0x9F:
            out.append(f"\\x{code:02x}")
        elif ch in _BIDI:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return re.sub(r"\s+", " ", "".join(out)).strip()


class ReportRender:
    """``to_csv`` and ``to_text`` of :class:`~tui.core.align.report.Report`: a
    mixin, the fields and ``outlet_name`` are Report's."""

    # ----- CSV

    CSV_COLUMNS = ("table", "row", "doc_id", "outlet", "field", "value")

    def to_csv(self) -> str:
        """One long-format CSV: ``table,row,doc_id,outlet,field,value``.

        ``table`` is claims / sources / source_groups / motives / only_in /
        aligned_pairs; ``row`` is the claim row id, source annotation id, group
        name, motive category, ``doc:start-end`` or the pair id; row-wide fields
        have an empty doc_id.
        Lists are joined with `` | ``."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.CSV_COLUMNS)

        def put(table: str, row: str, doc_id: int | None, fld: str, value: Any) -> None:
            if isinstance(value, (list, tuple)):
                value = " | ".join(str(v) for v in value)
            elif isinstance(value, bool):
                value = "yes" if value else "no"
            outlet = self.outlet_name(doc_id) if doc_id is not None else ""
            w.writerow([table, row, "" if doc_id is None else doc_id, outlet, fld, value])

        for r in self.claims:
            put("claims", r.id, None, "text", r.text)
            if r.contradicts:
                put("claims", r.id, None, "contradicts", r.contradicts)
            if r.partial:
                put("claims", r.id, None, "partial", r.partial)
            for d, c in r.cells.items():
                put("claims", r.id, d, "carried", c.carried)
                if c.carried:
                    put("claims", r.id, d, "quote", c.quotes)
                    put("claims", r.id, d, "certainty", c.certainty)
                    put("claims", r.id, d, "attribution", c.attribution)
        for s in self.sources:
            for fld in ("quote", "name", "named", "type", "claims"):
                put("sources", s.annotation_id, s.doc_id, fld, getattr(s, fld))
        for g in self.source_groups:
            for d, qs in g.cells.items():
                put("source_groups", g.name, d, "count", len(qs))
                if qs:
                    put("source_groups", g.name, d, "quotes", qs)
        for m in self.motives:
            for d, items in m.cells.items():
                put("motives", m.category, d, "count", len(items))
                if items:
                    put("motives", m.category, d, "quotes", [i.quote for i in items])
        for p in self.only_in:
            put("only_in", f"{p.doc_id}:{p.start}-{p.end}", p.doc_id, "text", p.text)
        for pr in self.pairs:
            put("aligned_pairs", pr.id, None, "kind", pr.kind)
            put("aligned_pairs", pr.id, None, "score", pr.score)
            for d, start, end, text in ((pr.doc_a, pr.start_a, pr.end_a, pr.text_a),
                                        (pr.doc_b, pr.start_b, pr.end_b, pr.text_b)):
                put("aligned_pairs", pr.id, d, "start", start)
                put("aligned_pairs", pr.id, d, "end", end)
                put("aligned_pairs", pr.id, d, "text", text)
        return buf.getvalue()

    # ----- plain text

    def to_text(self, width: int = 100) -> str:
        """Plain aligned tables (no colour, no markup) fitting ``width`` columns
        where possible; cells wrap, long passages are shortened."""
        width = max(40, width)
        names = [o.name for o in self.outlets]
        ids = [o.doc_id for o in self.outlets]
        parts: list[str] = textwrap.wrap(f"Story: {clean(self.story_title)}", width, subsequent_indent="  ")
        for o in self.outlets:
            cov = f", {round(100 * self.coverage[o.doc_id])}% shared" if o.doc_id in self.coverage else ""
            title = f": {clean(o.title)}" if o.title else ""
            parts.extend(textwrap.wrap(f"[{o.doc_id}] {o.name}{title}{cov}", width,
                                       initial_indent="  ", subsequent_indent="      "))

        rows = []
        for r in self.claims:
            cells = []
            for d in ids:
                c = r.cells[d]
                if not c.carried:
                    cells.append(NOT_CARRIED)
                    continue
                lines = ["yes"]
                if c.certainty:
                    lines.append("certainty: " + ", ".join(c.certainty))
                if c.attribution:
                    lines.append("via: " + ", ".join(c.attribution))
                cells.append("\n".join(lines))
            extra = ""
            if r.contradicts:
                extra += f" [contradicts {', '.join(r.contradicts)}]"
            if r.partial:
                extra += f" [partly {', '.join(r.partial)}]"
            rows.append([f"{r.id} {_shorten(r.text, 160)}{extra}", *cells])
        parts.append(_section("Claims x outlets", ["claim", *names], rows, width))

        rows = [[g.name, *[_count_cell(g.cells[d]) for d in ids]] for g in self.source_groups]
        parts.append(_section("Sources x outlets", ["source", *names], rows, width))

        rows = [
            [
                self.outlet_name(s.doc_id),
                _shorten(s.quote, 120),
                s.named + ("?" if s.named_inferred else ""),
                s.type or NOT_CARRIED,
                ", ".join(s.claims) or NOT_CARRIED,
            ]
            for s in self.sources
        ]
        parts.append(_section("Sources per outlet", ["outlet", "source", "named", "type", "claims"], rows, width))

        rows = [[m.category, *[_count_cell([i.quote for i in m.cells[d]]) for d in ids]] for m in self.motives]
        parts.append(_section("Motives per outlet by category", ["category", *names], rows, width))

        rows = [[self.outlet_name(p.doc_id), _shorten(p.text, 240)] for p in self.only_in]
        parts.append(_section("Passages only one outlet has", ["outlet", "passage"], rows, width))
        return "\n".join(parts) + "\n"


def _count_cell(quotes: list[str]) -> str:
    """"2: first quote; second quote" or the not-carried mark."""
    if not quotes:
        return NOT_CARRIED
    return f"{len(quotes)}: " + "; ".join(_shorten(q, 60) for q in quotes)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _section(title: str, header: list[str], rows: list[list[str]], width: int) -> str:
    out = ["", title, "=" * min(width, len(title))]
    if not rows:
        out.append("(none)")
        return "\n".join(out)
    out.append(_table(header, rows, width))
    return "\n".join(out)


def _table(header: list[str], rows: list[list[str]], width: int) -> str:
    """Columns separated by `` | ``, cells wrapped; the first column gets the
    most room. Only below 6 characters a column may the table exceed ``width``."""
    n = len(header)
    sep = " | "
    room = width - len(sep) * (n - 1)
    natural = [
        max(len(line) for cell in [header[i], *[r[i] for r in rows]] for line in cell.split("\n")) for i in range(n)
    ]
    # Water-filling: columns that fit their share get their natural width; the
    # rest split what is left (the first column counts double).
    weights = [2] + [1] * (n - 1)
    widths = [max(1, w) for w in natural]
    remaining = set(range(n))
    avail = room
    while remaining:
        total = sum(weights[i] for i in remaining)
        fit = [i for i in remaining if natural[i] <= avail * weights[i] / total]
        if not fit:
            for i in remaining:
                widths[i] = max(6, int(avail * weights[i] / total))
            break
        for i in fit:
            avail -= widths[i]
            remaining.discard(i)

    def wrap(cell: str, w: int) -> list[str]:
        lines: list[str] = []
        for para in cell.split("\n"):
            lines.extend(textwrap.wrap(para, w, break_long_words=True, break_on_hyphens=False) or [""])
        return lines

    def render(cells: list[str]) -> list[str]:
        wrapped = [wrap(c, widths[i]) for i, c in enumerate(cells)]
        height = max(len(w) for w in wrapped)
        return [
            sep.join((wrapped[i][k] if k < len(wrapped[i]) else "").ljust(widths[i]) for i in range(n)).rstrip()
            for k in range(height)
        ]

    lines = render(header)
    lines.append("-+-".join("-" * w for w in widths))
    for r in rows:
        lines.extend(render(r))
    return "\n".join(lines)
