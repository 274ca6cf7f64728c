"""The real `diptych` program in a real terminal (tmux pty), keys only."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tmux_kit import diptych

from tui.core.store import Store

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def import_seeds(db: Path) -> None:
    result = subprocess.run([diptych(), "import", str(SEEDS), "--db", str(db), "--story", "Seed story"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr + result.stdout


def test_tag_claim_and_source_across_panes_then_quit(tmp_path, tmux):
    db = tmp_path / "e2e.db"
    import_seeds(db)
    tmux.start(f"{diptych()} --db {db} --annotator tester --no-suggest")
    tmux.wait_for("Seed story")
    tmux.keys("V", "c")                      # the first sentence of the first article is a claim
    tmux.wait_for("saved ")
    tmux.keys("Tab", "/")
    tmux.wait_for("search this article")
    tmux.literal("Wall Street")
    tmux.keys("Enter")
    tmux.wait_for("match 1/")
    tmux.keys("v", "l", "l", "s")            # "Wall Street Journal" is its source
    tmux.wait_for("tagged SOURCE")
    tmux.keys("BTab", "r")
    tmux.wait_for("LINK from CLAIM")
    tmux.keys("Tab", "Enter")
    tmux.wait_for("linked CLAIM attributed_to SOURCE")
    tmux.keys("q")
    assert tmux.wait_exit() == 0

    store = Store.open(db)
    try:
        anns = {a.id: a for a in store.annotations(annotator="tester")}
        rels = store.relations(annotator="tester")
    finally:
        store.close()
    assert sorted((a.label, a.quote) for a in anns.values())[1] == ("SOURCE", "Wall Street Journal")
    claim = next(a for a in anns.values() if a.label == "CLAIM")
    assert claim.quote.startswith("SMALL BUT GROWING NUMBERS")
    assert [(anns[r.head_id].label, r.type, anns[r.tail_id].label) for r in rels] == [
        ("CLAIM", "attributed_to", "SOURCE")]


def test_exact_spans_at_80x24_tag_resize_accept_a_pair_and_reach_same_start_spans(tmp_path):
    from tmux_kit import Tmux

    db = tmp_path / "exact.db"
    import_seeds(db)
    result = subprocess.run([diptych(), "suggest", "--db", str(db)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr + result.stdout
    tmux = Tmux(80, 24)
    try:
        # Cached suggestions are shown without the worker (--no-suggest).
        tmux.start(f"{diptych()} --db {db} --annotator tester --no-suggest")
        tmux.wait_for("Seed story")
        tmux.keys("V", "c")                  # the whole first sentence, full stop included
        tmux.wait_for("tagged CLAIM")
        tmux.keys("2", "<")                  # its end two words left, one saved change
        tmux.wait_for("CLAIM resized")
        tmux.keys("T", "m")                  # the next MOTIVE suggestion not inside a tagged span
        tmux.wait_for("suggested")
        tmux.keys("m")                       # accepted with its ACTOR, linked
        tmux.wait_for("tagged MOTIVE")
        # A second span starting where the CLAIM starts: both must be reachable.
        tmux.keys("g", "v", "l", "l", "s")   # "SMALL BUT GROWING" as SOURCE
        tmux.wait_for("tagged SOURCE")
        tmux.keys("g")
        tmux.wait_for("z next")              # several targets at the cursor, and how to switch
        for _ in range(6):                   # z until the status names the SOURCE as the target
            if " SOURCE  “SMALL BUT GROWING" in tmux.screen():
                break
            tmux.keys("z")
            tmux.wait_for("z next")
        tmux.wait_for(" SOURCE  “SMALL BUT GROWING")
        tmux.keys("x")                       # deletes what the status names: the SOURCE
        tmux.wait_for("deleted SOURCE")
        tmux.keys("q")
        assert tmux.wait_exit() == 0
    finally:
        tmux.close()

    store = Store.open(db)
    try:
        anns = {a.id: a for a in store.annotations(annotator="tester")}
        rels = store.relations(annotator="tester")
    finally:
        store.close()
    quotes = sorted((a.label, a.quote) for a in anns.values())
    assert "SOURCE" not in {a.label for a in anns.values()}, "x deleted the target the status named"
    assert quotes[0][0] == "ACTOR" and quotes[0][1] == "Other Afghans with access to weapons"
    claim = next(a for a in anns.values() if a.label == "CLAIM")
    assert claim.start == 0 and claim.quote.endswith("in order to fight the Taliban, according to a new")
    assert ("MOTIVE", "fearing that they will be killed") in quotes
    assert [(anns[r.head_id].label, r.type, anns[r.tail_id].label) for r in rels] == [
        ("MOTIVE", "motive_of", "ACTOR")]
