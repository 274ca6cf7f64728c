"""The one reader of a development set, shared by the quality benches
(``bench_suggest_quality.py``, ``bench_train.py``).

A development set is a folder (see bench/README.md, "Development sets"):

- ``annotations.jsonl``: the reference, in Diptych's flat format
  (``diptych export -f flat --annotator gold``): one span a line with
  ``text_sha256``, ``label``, ``start``, ``end`` (character offsets), and
  optionally ``id``, ``relations`` (``[{"child": id, "label": ...}]``),
  ``title`` and ``selector.exact`` (checked against the text when present);
- the texts as ``*.txt`` in the folder or in ``texts/`` (``seeds/`` is searched
  too), matched to the reference by SHA-256 of their UTF-8 bytes;
- ``LICENSE.md``: where the texts come from and the licence to keep them here.

A bad line stops the bench with the file, the line, the field and what to do.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS_DATA = ROOT / "bench" / "data" / "seeds"  # the default of both benches: SEEDS ONLY, not a dev set
REFERENCE_FILE = "annotations.jsonl"


@dataclass(frozen=True)
class DevSet:
    folder: Path
    texts: dict[str, str]  # text_sha256 -> text, every text the reference names, in SHA order
    records: list[dict]  # the reference's flat-format lines, in file order
    titles: dict[str, str]  # text_sha256 -> a name for the text (the reference's title, else its file)

    @property
    def seeds_only(self) -> bool:
        return self.folder.resolve() == SEEDS_DATA.resolve()

    def spans(self, sha: str) -> list[tuple[int, int, str]]:
        """The reference spans of one text, sorted, without repeats."""
        return sorted({(r["start"], r["end"], r["label"]) for r in self.records if r["text_sha256"] == sha})


def _texts_near(folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    texts: dict[str, str] = {}
    names: dict[str, str] = {}
    for where in (folder, folder / "texts", ROOT / "seeds"):
        for path in sorted(where.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
            texts.setdefault(sha, text)
            names.setdefault(sha, path.name)
    return texts, names


def _check(rec: object, texts: dict[str, str], where: str) -> dict:
    if not isinstance(rec, dict):
        raise SystemExit(f"{where}: not a JSON object; each line is one span of Diptych's flat format")
    for field, kind in (("text_sha256", str), ("label", str), ("start", int), ("end", int)):
        value = rec.get(field)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise SystemExit(f"{where}: field '{field}' must be {'a string' if kind is str else 'an integer'} "
                             f"(got {value!r}); export the set with `diptych export -f flat --annotator gold`")
    text = texts.get(rec["text_sha256"])
    if text is None:
        raise SystemExit(f"{where}: field 'text_sha256': no text with SHA-256 {rec['text_sha256'][:12]}… in the "
                         f"folder, its texts/ or seeds/; put the article there as UTF-8, exactly as imported")
    start, end = rec["start"], rec["end"]
    if not 0 <= start < end <= len(text):
        raise SystemExit(f"{where}: fields 'start', 'end' ({start}, {end}) are not a span of the text "
                         f"({len(text)} characters)")
    selector = rec.get("selector")
    exact = selector.get("exact") if isinstance(selector, dict) else None
    if exact is not None and text[start:end] != exact:
        raise SystemExit(f"{where}: field 'selector.exact' {exact[:40]!r} is not the text at ({start}, {end}) "
                         f"{text[start:end][:40]!r}: the offsets belong to another version of the text")
    return rec


def load_devset(folder: Path) -> DevSet:
    """Read a development set folder; stops (SystemExit) naming file, line and field on bad input."""
    folder = Path(folder)
    ref_path = folder / REFERENCE_FILE
    if not ref_path.is_file():
        raise SystemExit(f"{ref_path}: no reference file; a development set holds {REFERENCE_FILE} in Diptych's "
                         f"flat format (`diptych export -f flat --annotator gold`), see bench/README.md")
    if not (folder / "LICENSE.md").is_file():
        print(f"warning: {folder} has no LICENSE.md saying where the texts come from", file=sys.stderr)
    texts, names = _texts_near(folder)
    records = []
    for n, line in enumerate(ref_path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{ref_path}:{n}"
        try:
            rec = json.loads(line)
        except ValueError as err:
            raise SystemExit(f"{where}: not JSON ({err}); each line is one span of Diptych's flat format") from None
        records.append(_check(rec, texts, where))
    if not records:
        raise SystemExit(f"{ref_path}: no spans; a development set needs annotated texts")
    annotators = sorted({str(r.get("annotator", "")) for r in records})
    if len(annotators) > 1:
        raise SystemExit(f"{ref_path}: spans of {len(annotators)} annotators ({', '.join(annotators)}); the "
                         f"reference is one annotator's: export it with `diptych export -f flat --annotator NAME`")
    shas = sorted({r["text_sha256"] for r in records})
    titles = {}
    for sha in shas:
        titled = [r["title"] for r in records if r["text_sha256"] == sha and isinstance(r.get("title"), str)
                  and r["title"]]
        titles[sha] = titled[0] if titled else names.get(sha, sha[:12])
    return DevSet(folder, {sha: texts[sha] for sha in shas}, records, titles)
