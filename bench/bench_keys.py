"""Keys per span: a scripted expert makes the reference spans of the seed story
through the real reader, once with every key and once with the old keys only.

Run from the repository root::

    python bench/bench_keys.py [--only a01,b05] [--plans]

The reference set is bench/data/seed_reference_spans.json: spans of every label
(CLAIM, SOURCE, MOTIVE, ACTOR) with the links an annotator would make, written
by hand with their quotes. The seed story is imported into a fresh database and
its suggestions computed with the real model (``diptych suggest``), as a user
would have them.

For each span, in reading order (the first article, then ``tab`` and the
second), the expert plans the cheapest key sequence from where the cursor is,
knowing the text and what the screen shows (the suggestions, the tagged spans,
what is under each position), then presses it through Pilot in the real app
under ``App.run_test()``, waits for the save and checks the database holds the
span exactly (offsets and label). A link whose two ends exist is made right
after (``r``, a motion, ``enter``) and its keys count for the span that
completed it. A span made by accepting a suggested pair counts 0 keys.

Two plans, the same run, the same app:

- ``ours``: every key: count prefixes, ``T`` + label, ``U``, ``e`` skipping
  tagged spans, the boundary keys, ``V`` with a count, ``=`` for a link.
- ``baseline``: the keys that existed before (motions without counts, ``e``/``E``,
  ``v``, ``V``, label keys, ``r``, ``enter``, ``tab``): no boundary fix, so a span
  the old keys cannot make exactly is counted with the keys of its nearest plan
  and reported as not exact. The baseline runs on today's app, so it gets this
  version's ``e``, ``V`` and ``v )`` behaviour: a conservative baseline.

The planner is a shortest-path search over cursor positions with each key (and
count) an edge; it simulates motions with the same core functions the reader
uses, and the live screen answers what a label or boundary key would act on.

Prints one JSON object: median and p90 keys per span, overall and per label,
for ``ours`` and ``baseline``, the spans made exactly, the worst span, and
whether the targets (median <= 3, no span above 12) are met.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import json
import statistics
import sys
import tempfile
from bisect import bisect_left, bisect_right
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REFERENCE = ROOT / "bench" / "data" / "seed_reference_spans.json"
SEEDS = ROOT / "seeds"

from tui.core.boundaries import BoundaryEdit, move_boundary, word_edges  # noqa: E402
from tui.core.text import paragraphs, sentences, snap_to_words, word_at, words  # noqa: E402

LABEL_KEYS = {"CLAIM": "c", "SOURCE": "s", "MOTIVE": "m", "ACTOR": "t"}
BOUND_KEYS = {
    ("start", "word", -1): "comma", ("start", "word", 1): "full_stop",
    ("end", "word", -1): "less_than_sign", ("end", "word", 1): "greater_than_sign",
    ("start", "char", -1): "semicolon", ("start", "char", 1): "apostrophe",
    ("end", "char", -1): "colon", ("end", "char", 1): "quotation_mark",
}
MAX_FIX_COST = 8
TARGET_MEDIAN, TARGET_MAX = 3, 12


def counted(n: int, key: str, counts: bool) -> list[str]:
    """The keys that repeat ``key`` n times: ``3l`` with counts, ``l l l`` without."""
    if n <= 0:
        return []
    if n == 1 or not counts:
        return [key] * n
    return list(str(n)) + [key]


def nth_after(lst: list[int], p: int, n: int, end: int, wrap: bool) -> int | None:
    if not wrap:
        i = bisect_right(lst, p) + n - 1
        return lst[i] if i < len(lst) else end
    for _ in range(n):
        i = bisect_right(lst, p)
        if i < len(lst):
            p = lst[i]
        elif wrap and lst:
            p = lst[0]
        elif wrap:
            return None
        else:
            p = end
    return p


def nth_before(lst: list[int], p: int, n: int, wrap: bool) -> int | None:
    if not wrap:
        i = bisect_left(lst, p) - n
        return lst[i] if i >= 0 else 0
    for _ in range(n):
        i = bisect_left(lst, p) - 1
        if i >= 0:
            p = lst[i]
        elif wrap and lst:
            p = lst[-1]
        elif wrap:
            return None
        else:
            p = 0
    return p


class Planner:
    """Plans keys on one pane of the live reader (``screen``), with all keys or the old ones."""

    def __init__(self, screen, pane, *, new: bool, alone_key: str = "") -> None:
        self.screen, self.pane, self.new = screen, pane, new
        # The key accepting one end of a suggested pair alone, with its own label.
        self.alone_key = alone_key if new else ""
        self.text = text = pane.doc.text
        self.end = len(text)
        self.word_starts = [s for s, _ in words(text)]
        self.sentences = sentences(text)
        self.sentence_starts = [s for s, _ in self.sentences]
        self.paragraph_starts = [s for s, _ in paragraphs(text)]
        self.edges = word_edges(text)

    # ------------------------------------------------------------ state the screen shows

    def refresh(self) -> None:
        doc_id = self.pane.doc.id
        anns = self.screen.anns.get(doc_id, [])
        visible = self.screen.visible_suggestions(doc_id)
        inside = (lambda s: any(a.start <= s.start and s.end <= a.end for a in anns))
        self.e_starts = sorted({s.start for s in visible if not inside(s)})
        self.label_starts = {label: sorted({s.start for s in visible if s.label == label and not inside(s)})
                             for label in LABEL_KEYS}
        self.untagged = [s for s, e in self.sentences if not any(a.start < e and s < a.end for a in anns)]

    # ------------------------------------------------------------ motions

    def moves(self, p: int):
        """(keys, position) for every motion (and count) from ``p``."""
        counts = self.new
        reach = 25 if counts else 1
        for key, lst in (("l", self.word_starts), (")", self.sentence_starts), ("}", self.paragraph_starts)):
            back = {"l": "h", ")": "(", "}": "{"}[key]
            names = {"l": "l", "h": "h", ")": "right_parenthesis", "(": "left_parenthesis",
                     "}": "right_curly_bracket", "{": "left_curly_bracket"}
            for n in range(1, (reach if key == "l" else min(reach, 12)) + 1):
                yield counted(n, names[key], counts), nth_after(lst, p, n, self.end, wrap=False)
                yield counted(n, names[back], counts), nth_before(lst, p, n, wrap=False)
        yield ["g"], 0
        yield ["G"], self.end
        for n in range(1, (8 if counts else 1) + 1):
            q = nth_after(self.e_starts, p, n, self.end, wrap=True)
            if q is not None:
                yield counted(n, "e", counts), q
            q = nth_before(self.e_starts, p, n, wrap=True)
            if q is not None:
                yield counted(n, "E", counts), q
        if self.new:
            for label, lst in self.label_starts.items():
                q = nth_after(lst, p, 1, self.end, wrap=True)
                if q is not None:
                    yield ["T", LABEL_KEYS[label]], q
            for n in range(1, 4):
                q = nth_after(self.untagged, p, n, self.end, wrap=True)
                if q is not None:
                    yield counted(n, "U", True), q

    def reach(self, start: int, limit: int = 14) -> dict[int, list[str]]:
        """Cheapest keys to every position reachable from ``start`` (Dijkstra, keys as cost)."""
        best: dict[int, list[str]] = {start: []}
        heap = [(0, start)]
        while heap:
            cost, p = heapq.heappop(heap)
            if cost > len(best[p]) or cost >= limit:
                continue
            for keys, q in self.moves(p):
                if q is None:
                    continue
                c = cost + len(keys)
                if q not in best or c < len(best[q]):
                    best[q] = best[p] + keys
                    heapq.heappush(heap, (c, q))
        return best

    # ------------------------------------------------------------ boundary fixes

    def fix(self, span: tuple[int, int], target: tuple[int, int]) -> list[str] | None:
        """Boundary keys turning ``span`` into ``target`` (None: cannot, or too many)."""
        if span == target:
            return []
        if not self.new:
            return None
        cache = self.__dict__.setdefault("_fixes", {})
        if (span, target) not in cache:
            cache[(span, target)] = self._fix(span, target)
        return cache[(span, target)]

    def _fix(self, span: tuple[int, int], target: tuple[int, int]) -> list[str] | None:
        options = []
        for first in ("start", "end"):
            second = "end" if first == "start" else "start"
            keys1, mid = self._fix_side(span, target, first)
            if keys1 is None:
                continue
            keys2, done = self._fix_side(mid, target, second)
            if keys2 is not None and done == target:
                options.append(keys1 + keys2)
        return min(options, key=len) if options else None

    def _fix_side(self, span, target, side):
        """Keys moving one end of ``span`` onto the target's: some words one way, then
        characters (each run with a count), the cheapest that the app's arithmetic
        confirms."""
        i = 0 if side == "start" else 1
        if span[i] == target[i]:
            return [], span
        best = None
        for direction in (-1, 1):
            for k in range(0, 7):
                if k == 0 and direction == 1:
                    continue
                cur, keys = span, []
                if k:
                    edit = BoundaryEdit(side, "word", direction)
                    for _ in range(k):
                        cur = move_boundary(self.text, cur, edit, edges=self.edges)
                        if cur is None:
                            break
                    if cur is None:
                        break
                    keys = counted(k, BOUND_KEYS[(side, "word", direction)], True)
                diff = target[i] - cur[i]
                if abs(diff) > 40:
                    continue
                if diff:
                    step = 1 if diff > 0 else -1
                    edit = BoundaryEdit(side, "char", step)
                    for _ in range(abs(diff)):
                        cur = move_boundary(self.text, cur, edit, edges=self.edges)
                        if cur is None:
                            break
                    if cur is None:
                        continue
                    keys = keys + counted(abs(diff), BOUND_KEYS[(side, "char", step)], True)
                if cur[i] == target[i] and len(keys) <= MAX_FIX_COST and (best is None or len(keys) < len(best[0])):
                    best = (keys, cur)
        return best if best is not None else (None, span)

    # ------------------------------------------------------------ what a selection becomes

    def selected(self, anchor: int, cursor: int) -> tuple[int, int] | None:
        lo, hi = sorted((anchor, cursor))
        hi = min(hi + 1, self.end)
        if cursor > anchor:
            i = bisect_left(self.sentence_starts, cursor)
            if i < len(self.sentence_starts) and self.sentence_starts[i] == cursor:
                hi = cursor
        s, e = snap_to_words(self.text, lo, hi)
        return (s, e) if e > s else None

    # ------------------------------------------------------------ one span

    def plan_span(self, cursor: int, target: tuple[int, int], label: str, wanted: set) -> tuple[list[str], tuple]:
        """The cheapest keys from ``cursor`` that tag ``target`` as ``label``, and the span
        they make (the target itself, or the nearest the keys can make)."""
        self.refresh()
        key = LABEL_KEYS[label]
        doc_id = self.pane.doc.id
        routes = self.reach(cursor, limit=14 if self.new else 40)
        best: tuple[int, list[str], tuple] | None = None

        def offer(keys: list[str], made: tuple, miss: int = 0) -> None:
            nonlocal best
            score = (miss, len(keys))
            if best is None or score < (best[0], len(best[1])):
                best = (miss, keys, made)

        for p, route in routes.items():
            if p >= self.end:
                continue
            # a label key with no selection: the suggestion (or word) under the cursor
            sugg = self.screen.suggestion_at(self.pane, p, label)
            made = (sugg.start, sugg.end) if sugg is not None else word_at(self.text, p)
            if made == target:
                # Accepting one end of a suggested pair adds its partner: only when that is wanted too.
                partner = self.screen.partner_of(doc_id, sugg) if sugg is not None and sugg.label == label else None
                if partner is None or (partner.start, partner.end, partner.label) in wanted:
                    offer(route + [key], target)
                elif self.alone_key and sugg.label == label:
                    offer(route + [self.alone_key], target)
            if not self.new:
                continue
            # the label key (the word or suggestion under the cursor), then boundary keys on the
            # saved annotation; only where no other annotation covers the cursor, so it is the target
            if made is not None and made != target and self.screen.annotation_at(self.pane, p) is None:
                partner = self.screen.partner_of(doc_id, sugg) if sugg is not None and sugg.label == label else None
                if partner is None or (partner.start, partner.end, partner.label) in wanted:
                    fix = self.fix(made, target)
                    if fix and not any(made == (a.start, a.end) and a.label == label
                                       for a in self.screen.anns.get(doc_id, [])):
                        offer(route + [key] + fix, target)
            # boundary keys on the suggestion under the cursor, then the label key
            under = self.screen.suggestion_at(self.pane, p)
            if under is not None and self.screen.annotation_at(self.pane, p) is None:
                fix = self.fix((under.start, under.end), target)
                if fix == []:
                    fix = ["quotation_mark", "colon"] if under.end < self.end else None
                if fix is not None:
                    offer(route + fix + [key], target)
        # V (with a count) on the sentence where the target starts
        first = next((i for i, (s, e) in enumerate(self.sentences) if s <= target[0] < e), None)
        if first is not None:
            s0, e0 = self.sentences[first]
            inside = [(p, r) for p, r in routes.items() if s0 <= p < e0]
            if inside:
                p, route = min(inside, key=lambda pr: len(pr[1]))
                for n in range(1, (4 if self.new else 2)):
                    if first + n - 1 >= len(self.sentences):
                        break
                    made = (s0, self.sentences[first + n - 1][1])
                    fix = self.fix(made, target)
                    keys = route + counted(n, "V", True)
                    if fix is not None:
                        offer(keys + fix + [key], target)
                    elif not self.new:
                        offer(keys + [key], made, miss=_miss(made, target))
        # v at a word near the start, a motion to a word near the end, fixes, the label key
        starts = [w for w in self.word_starts if target[0] - 40 <= w <= target[0] + 2][-3:]
        for p in starts:
            if p not in routes:
                continue
            inner = self.reach(p, limit=10 if self.new else 40)
            for q, route2 in inner.items():
                if not target[0] - 1 <= q <= target[1] + 2:
                    continue
                made = self.selected(p, q)
                if made is None:
                    continue
                keys = routes[p] + ["v"] + route2
                fix = self.fix(made, target)
                if fix is not None:
                    offer(keys + fix + [key], target)
                elif not self.new:
                    offer(keys + [key], made, miss=_miss(made, target))
        if best is None:
            raise RuntimeError(f"no plan for {target} {label}")
        return best[1], best[2]

    def plan_link(self, cursor: int, head_id: str, tail_id: str) -> list[str]:
        """``r`` on the head, a motion onto the tail, ``enter``."""
        self.refresh()
        routes = self.reach(cursor, limit=14 if self.new else 40)

        def on(p: int, ann_id: str) -> bool:
            ann = self.screen.annotation_at(self.pane, p)
            return ann is not None and ann.id == ann_id

        heads = sorted(((r, p) for p, r in routes.items() if p < self.end and on(p, head_id)), key=lambda rp: len(rp[0]))
        best = None
        if self.new:
            # = on one end links it with the other when that one was tagged just before
            for p, route in routes.items():
                ann = self.screen.annotation_at(self.pane, p) if p < self.end else None
                if ann is None or ann.id not in (head_id, tail_id):
                    continue
                other = self.screen.last_tagged_other(self.pane.doc.id, ann.id)
                if other is not None and {ann.id, other.id} == {head_id, tail_id}:
                    if best is None or len(route) + 1 < len(best):
                        best = route + ["equals_sign"]
        for route, p in heads[:4]:
            inner = self.reach(p, limit=10 if self.new else 40)
            tails = [r for q, r in inner.items() if q < self.end and on(q, tail_id)]
            if tails:
                keys = route + ["r"] + min(tails, key=len) + ["enter"]
                if best is None or len(keys) < len(best):
                    best = keys
        if best is None:
            raise RuntimeError("no plan for a link")
        return best


def _miss(made: tuple[int, int], target: tuple[int, int]) -> int:
    return abs(made[0] - target[0]) + abs(made[1] - target[1])


# ---------------------------------------------------------------- replaying through the app

async def press(pilot, screen, keys: list[str]) -> None:
    for key in keys:
        await pilot.press(key)
        for _ in range(3000):
            if not screen.pending:
                break
            await pilot.pause(0.01)
        else:
            raise RuntimeError("a save never finished")


async def run_plan(db: Path, reference: list[dict], *, new: bool, alone_key: str = "") -> list[dict]:
    from tui.app import DiptychApp
    from tui.core.session import AnnotationSession

    session = AnnotationSession.open(db, annotator="expert-new" if new else "expert-old")
    app = DiptychApp(session, story_id=session.stories()[0].id, suggest=False)
    results: list[dict] = []
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            screen = app.screen
            panes = {Path(pane.doc.source_path).stem: pane for pane in screen.panes}
            by_title = {pane.doc.id: pane for pane in screen.panes}
            made_ids: dict[str, str] = {}
            links_done: set[tuple[str, str]] = set()
            planners = {}
            for span in reference:
                pane = panes[span["doc"]]
                keys: list[str] = []
                if screen.current != pane.index:
                    keys.append("tab")
                    await press(pilot, screen, ["tab"])
                planner = planners.setdefault((pane.index, new), Planner(screen, pane, new=new, alone_key=alone_key))
                target = (span["start"], span["end"])
                wanted = {(r["start"], r["end"], r["label"]) for r in reference if r["doc"] == span["doc"]}
                have = {(a.start, a.end, a.label): a for a in screen.anns.get(pane.doc.id, [])}
                made = target
                if (span["start"], span["end"], span["label"]) not in have:
                    plan, made = planner.plan_span(pane.view.cursor, target, span["label"], wanted)
                    keys += plan
                    await press(pilot, screen, plan)
                have = {(a.start, a.end, a.label): a for a in screen.anns.get(pane.doc.id, [])}
                ann = have.get((span["start"], span["end"], span["label"]))
                if ann is None:
                    ann = have.get((made[0], made[1], span["label"]))
                if ann is not None:
                    made_ids[span["id"]] = ann.id
                # links whose two ends now exist
                for other in reference:
                    link = other.get("link")
                    if not link or other["id"] not in made_ids or link["to"] not in made_ids:
                        continue
                    pair = (other["id"], link["to"])
                    if pair in links_done or span["id"] not in pair:
                        continue
                    links_done.add(pair)
                    head, tail = made_ids[pair[0]], made_ids[pair[1]]
                    if any((r.head_id, r.tail_id) == (head, tail) for r in screen.rels):
                        continue
                    plan = planner.plan_link(pane.view.cursor, head, tail)
                    keys += plan
                    await press(pilot, screen, plan)
                results.append({"id": span["id"], "label": span["label"], "keys": len(keys), "plan": " ".join(keys),
                                "exact": ann is not None and (ann.start, ann.end) == target})
            # the check, from the database: every span exact, every link there
            store_anns = {a.id: a for d in by_title for a in session.annotations(d)}
            rels = {(r.head_id, r.tail_id, r.type) for r in session.relations(list(by_title))}
            by_ref = {r["id"]: r for r in reference}
            for res in results:
                ref = by_ref[res["id"]]
                ann = store_anns.get(made_ids.get(res["id"], ""))
                res["exact"] = bool(ann and (ann.start, ann.end, ann.label) == (ref["start"], ref["end"], ref["label"]))
                link = ref.get("link")
                if link:
                    head, tail = made_ids.get(ref["id"]), made_ids.get(link["to"])
                    res["linked"] = (head, tail, link["type"]) in rels
            await pilot.press("q")
    finally:
        session.close()
    return results


def summary(results: list[dict]) -> dict:
    def stats(values: list[int]) -> dict:
        ordered = sorted(values)
        p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
        return {"median": statistics.median(ordered), "p90": p90, "max": ordered[-1], "n": len(ordered)}

    out = {"all": stats([r["keys"] for r in results])}
    for label in LABEL_KEYS:
        values = [r["keys"] for r in results if r["label"] == label]
        if values:
            out[label] = stats(values)
    out["all"]["total"] = sum(r["keys"] for r in results)
    out["all"]["made_by_a_pair"] = sum(1 for r in results if r["keys"] == 0)
    out["exact"] = sum(r["exact"] for r in results)
    links = [r for r in results if "linked" in r]
    out["links_made"] = f"{sum(r['linked'] for r in links)}/{len(links)}"
    worst = max(results, key=lambda r: r["keys"])
    out["worst"] = {"id": worst["id"], "keys": worst["keys"], "plan": worst["plan"]}
    return out


def prepare(folder: Path) -> Path:
    from click.testing import CliRunner

    from tui.cli import main

    db = folder / "keys.db"
    for args in (["import", str(SEEDS), "--story", "Seed story", "--db", str(db)], ["suggest", "--db", str(db)]):
        res = CliRunner().invoke(main, args, catch_exceptions=False)
        if res.exit_code != 0:
            raise SystemExit(res.output)
    return db


def load_reference(db: Path, only: set[str] | None) -> list[dict]:
    from tui.core.session import AnnotationSession

    spans = json.loads(REFERENCE.read_text(encoding="utf-8"))["spans"]
    session = AnnotationSession.open(db, annotator="check")
    try:
        texts = {}
        for story in session.stories():
            for doc in session.documents(story.id):
                texts[Path(doc.source_path).stem] = doc.text
    finally:
        session.close()
    for span in spans:
        text = texts[span["doc"]]
        if text[span["start"]:span["end"]] != span["quote"]:
            raise SystemExit(f"{REFERENCE}: span {span['id']}: the offsets do not hold its quote")
    order = sorted(texts)
    spans.sort(key=lambda s: (order.index(s["doc"]), s["start"], -s["end"]))
    return [s for s in spans if only is None or s["id"] in only]


def _bound(binding_id: str) -> str:
    """The reader's first key for a binding id (the expert uses what the reader binds)."""
    from tui.bindings import all_keys
    from tui.core.schema import DEFAULT_SCHEMA

    return next(k.keys.split(",")[0] for k in all_keys(DEFAULT_SCHEMA) if k.id == binding_id)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", help="comma-separated span ids (a quick look at a few)")
    ap.add_argument("--plans", action="store_true", help="print every span's keys on stderr")
    ap.add_argument("--alone-key", default=_bound("suggestion.accept_alone"),
                    help="the key (Textual name) that accepts one end of a suggested pair alone "
                    "(default: the reader's binding)")
    args = ap.parse_args()
    only = set(args.only.split(",")) if args.only else None
    with tempfile.TemporaryDirectory() as tmp:
        db = prepare(Path(tmp))
        reference = load_reference(db, only)
        ours = asyncio.run(run_plan(db, reference, new=True, alone_key=args.alone_key))
        base = asyncio.run(run_plan(db, reference, new=False))
    if args.plans:
        for o, b in zip(ours, base):
            print(f"{o['id']} {o['label']:7} new {o['keys']:2} {'ok ' if o['exact'] else 'BAD'} {o['plan']}\n"
                  f"{'':12} old {b['keys']:2} {'ok ' if b['exact'] else 'BAD'} {b['plan']}", file=sys.stderr)
    s_ours, s_base = summary(ours), summary(base)
    print(json.dumps({
        "name": "keys per span, seed story reference spans",
        "unit": "keys",
        "spans": len(reference),
        "ours": {k: s_ours[k] for k in ("all", *LABEL_KEYS) if k in s_ours},
        "baseline": {k: s_base[k] for k in ("all", *LABEL_KEYS) if k in s_base},
        "exact": {"ours": s_ours["exact"], "baseline": s_base["exact"]},
        "links_made": {"ours": s_ours["links_made"], "baseline": s_base["links_made"]},
        "worst": {"ours": s_ours["worst"], "baseline": s_base["worst"]},
        "targets": {"median_at_most": TARGET_MEDIAN, "max_at_most": TARGET_MAX,
                    "met": s_ours["all"]["median"] <= TARGET_MEDIAN and s_ours["all"]["max"] <= TARGET_MAX
                    and s_ours["exact"] == len(reference)},
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
