"""Peak memory of `diptych suggest` on a 25-article corpus, against plain spaCy.

Each figure is the peak resident set size of one child process (``ru_maxrss``
from ``os.wait4``: interpreter, imports, model, work), each started fresh in
the same run, on the same corpus:

- ``first``: ``diptych suggest --db X`` on a database where nothing is cached
  (loads the model, parses every article, stores the suggestions), with its
  default batch size;
- ``cached``: the same command again, every text cached: it must not load the
  model (its figure is then the CLI's own, far below the model's);
- ``baseline``: ``spacy.load`` of the same model and ``list(nlp.pipe(texts))``.

The corpus: 25 articles cut from the seed paragraphs (each a different run of
paragraphs, numbered, so every text is distinct), ~500-900 words each.
Target (issue #13): ``first`` under 300 MiB. Prints one JSON object.

    python bench/bench_suggest_memory.py [--articles 25]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MIB = 300


def corpus(n: int) -> list[str]:
    paras = [p for p in (ROOT / "seeds").glob("*.txt") for p in p.read_text(encoding="utf-8").split("\n")
             if len(p.split()) >= 8]
    paras = sorted(set(paras))
    out = []
    for k in range(n):
        take = [paras[(k + j * 3) % len(paras)] for j in range(6 + k % 4)]
        out.append(f"Article {k + 1}\n\n" + "\n\n".join(take) + "\n")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=25)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from tui.core.nlp import choose_model

    model = choose_model(None).name
    if model is None:
        raise SystemExit("no spaCy model installed: nothing to measure")
    texts = corpus(args.articles)
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        for k, text in enumerate(texts):
            (folder / f"a{k:03d}.txt").write_text(text, encoding="utf-8")
        db = Path(tmp) / "c.db"
        subprocess.run([py, "-m", "tui", "import", str(folder), "--db", str(db)], cwd=ROOT, check=True,
                       capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        suggest = [py, "-m", "tui", "suggest", "--db", str(db)]
        first = _measured(suggest)
        cached = _measured(suggest)
        texts_file = Path(tmp) / "texts.json"
        texts_file.write_text(json.dumps(texts), encoding="utf-8")
        code = ("import json, spacy, sys; nlp = spacy.load(sys.argv[1]); "
                "list(nlp.pipe(json.load(open(sys.argv[2], encoding='utf-8'))))")
        base = _measured([py, "-c", code, model, str(texts_file)])
    words = sum(len(t.split()) for t in texts)
    print(json.dumps({
        "name": "suggest_memory", "articles": len(texts), "words": words, "model": model, "unit": "MiB",
        "ours": {"first_run_peak_rss": round(first, 1), "cached_run_peak_rss": round(cached, 1)},
        "baseline": {"first_run_peak_rss": round(base, 1), "cached_run_peak_rss": round(base, 1)},
        "target_mib": TARGET_MIB, "under_target": first < TARGET_MIB,
    }))


def _measured(cmd: list[str]) -> float:
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    _pid, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read() if proc.stderr else b""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} … failed: {err.decode(errors='replace')[-2000:]}")
    return usage.ru_maxrss / 1024  # Linux reports KiB


if __name__ == "__main__":
    main()
