"""What the reader imports before its first paint (issue #16): nothing the first
screen does not need. Checked in a fresh interpreter that opens the seed story
in the real app under ``run_test`` and lists the modules loaded by the time the
screen is up: deterministic, never timed."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Heavy or unneeded before the first screen: numpy and pandas (sqlite_utils
# imports them when installed), spaCy and its stack, the aligner (rapidfuzz),
# review and the formats, and the engine itself.
NOT_BEFORE_PAINT = ("numpy", "pandas", "spacy", "thinc", "sqlite_utils", "rapidfuzz", "tui.core.nlp.engine",
                    "tui.core.align.alignment", "tui.core.review", "tui.core.formats")

OPEN_READER = """
    import asyncio, json, sys
    from pathlib import Path
    from tui.core.store import Store

    db = Path(sys.argv[1])
    store = Store.open(db)
    for i, path in enumerate(sorted(Path("seeds").glob("*.txt"))):
        store.add_document("Seed story", path.read_text(encoding="utf-8"), title=path.stem, outlet=f"o{i}")
    store.close()
    for name in [m for m in sys.modules if m.split(".")[0] in ("numpy", "pandas", "sqlite_utils")]:
        del sys.modules[name]  # set-up only: the reader below must not need them again

    from tui.launch import pick_story
    from tui.core.session import AnnotationSession
    from tui.app import DiptychApp
    from tui.screens.reader.compare import CompareActions

    # The alignment starts in the background right after the paint; what it
    # imports then is allowed, so it is kept from racing the snapshot below.
    CompareActions.align_story = lambda self: None

    async def main():
        session = AnnotationSession.open(db, annotator="alice", create=False)
        app = DiptychApp(session, story_id=pick_story(session, None), suggest=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            painted = len(app.screen.query("ArticlePane"))
            loaded = sorted(sys.modules)
        session.close()
        print(json.dumps({"panes": painted, "modules": loaded}))

    asyncio.run(main())
"""


def test_the_reader_paints_without_numpy_spacy_aligner_or_review(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(OPEN_READER), str(tmp_path / "r.db")],
                          capture_output=True, text=True, timeout=300, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["panes"] == 2, "the seed story's two articles are on screen"
    loaded = set(result["modules"])
    culprits = sorted(m for m in loaded if m in NOT_BEFORE_PAINT or m.split(".")[0] in NOT_BEFORE_PAINT)
    assert culprits == [], f"imported before the first paint: {culprits}"


def test_the_store_works_without_sqlite_utils_and_still_offers_it(tmp_path: Path) -> None:
    code = """
        import json, sys
        from tui.core.store import Store
        store = Store.open(sys.argv[1])
        store.add_document("S", "One sentence here.", title="t")
        before = "sqlite_utils" in sys.modules
        tables = store.db.table_names()  # the sqlite_utils view, for tools and tests, made on use
        print(json.dumps({"before": before, "tables": tables}))
    """
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code), str(tmp_path / "s.db")],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["before"] is False
    assert {"stories", "documents", "annotations"} <= set(result["tables"])


READER_WITH_WORKERS = """
    import asyncio, json, os, sys
    from pathlib import Path
    from tui.core.store import Store

    db = Path(sys.argv[1])
    store = Store.open(db)
    for i, path in enumerate(sorted(Path("seeds").glob("*.txt"))):
        store.add_document("Seed story", path.read_text(encoding="utf-8"), title=path.stem, outlet=f"o{i}")
    store.close()

    from tui.core.session import AnnotationSession
    from tui.app import DiptychApp

    async def main():
        session = AnnotationSession.open(db, annotator="alice", create=False)
        app = DiptychApp(session, story_id=session.stories()[0].id, suggest=True)
        streamed = []
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            shown = screen.set_suggestions
            screen.set_suggestions = lambda doc_id, found: streamed.append(doc_id) or shown(doc_id, found)
            for _ in range(3000):  # bounded; what is asserted is the outcome, not the time
                if len(streamed) >= 2 and screen.alignment is not None:
                    break
                if screen.suggest_status.startswith(("suggestions off", "suggestions failed")):
                    break
                await pilot.pause(0.05)
            shown_suggs = {d.id: [s.key for s in screen.suggs.get(d.id, [])] for d in screen.docs}
            heavy = sorted(m for m in ("spacy", "thinc", "numpy") if m in sys.modules)
            pids = [app.suggest_worker.pid, app.align_worker.pid]
            status = screen.suggest_status
        alive = []
        for pid in pids:
            try:
                os.kill(pid, 0)
                alive.append(pid)
            except (OSError, TypeError):
                pass
        # The same suggestions, computed here in-process as before the worker existed.
        from tui.core.suggestions import SuggestionService
        local = SuggestionService(session)
        expected = {d.id: [s.key for s in local.compute(d)] for d in session.documents(app.story_id)}
        session.close()
        print(json.dumps({"streamed": streamed, "heavy": heavy, "pids": pids, "alive": alive, "status": status,
                          "shown": shown_suggs, "expected": {str(k): v for k, v in expected.items()}}))

    asyncio.run(main())
"""


def test_suggestions_and_alignment_come_from_worker_processes_document_by_document(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(READER_WITH_WORKERS), str(tmp_path / "w.db")],
                          capture_output=True, text=True, timeout=600, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert sorted(result["streamed"]) == sorted(int(k) for k in result["expected"]), result["status"]
    assert result["heavy"] == [], "spaCy ran in the worker process, never in the reader's"
    assert all(result["pids"]), "both workers were started"
    assert result["alive"] == [], "the workers end with the app"
    for doc_id, keys in result["expected"].items():
        assert keys, "the seeds have suggestions"
        assert result["shown"][doc_id] == keys, "the reader shows what the in-process engine computes"
