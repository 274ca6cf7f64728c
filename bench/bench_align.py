"""Benchmark: align a story of 5 articles of ~5,000 words each.

Prints one JSON object: our time, the time of a plain all-pairs
``difflib.SequenceMatcher`` baseline measured in the same run, their ratio, and
precision/recall of both against the known answers of the synthetic story.

    .venv/bin/python bench/bench_align.py [--docs 5] [--words 5000] [--seed 7]
        [--baseline-cutoff 0.6] [--baseline-level words|chars]

The story is generated: a pool of shared "event" sentences, each article
carrying some of them near-verbatim (one or two words changed) or paraphrased
(a third of the content words swapped for others, clauses reordered), the rest
its own sentences. The last article repeats its first half, like seed 000.
"""

from __future__ import annotations

import argparse
import difflib
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui.core.align import align_story  # noqa: E402

FUNCTION = "the of and to in a that for on with as by at from was were is are has have had it its this which after".split()


def _vocabulary(rng: random.Random, n: int) -> list[str]:
    syllables = ["ka", "lo", "mi", "ren", "tas", "vo", "dri", "pel", "sun", "ghar", "bel", "tor", "ina", "ost", "que", "zam"]
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _sentence(rng: random.Random, vocab: list[str], weights: list[float]) -> list[str]:
    n = rng.randint(12, 28)
    out = []
    for i in range(n):
        if rng.random() < 0.4:
            out.append(rng.choice(FUNCTION))
        else:
            w = rng.choices(vocab, weights)[0]
            out.append(w.capitalize() if rng.random() < 0.1 else w)
    return out


def _render(words: list[str]) -> str:
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _near_verbatim(rng: random.Random, words: list[str], vocab: list[str]) -> list[str]:
    out = list(words)
    for _ in range(rng.randint(1, 2)):
        out[rng.randrange(len(out))] = rng.choice(vocab)
    return out


def _paraphrase(rng: random.Random, words: list[str], vocab: list[str]) -> list[str]:
    out = [rng.choice(vocab) if w not in FUNCTION and rng.random() < 0.3 else w for w in words]
    cut = rng.randint(len(out) // 3, 2 * len(out) // 3)
    return out[cut:] + out[:cut]  # reordered clauses


def make_story(n_docs: int, words_per_doc: int, seed: int) -> tuple[list[tuple[int, str, list]], set]:
    """Documents for align_story and the true pairs {(doc_a, sent_a, doc_b, sent_b)}."""
    rng = random.Random(seed)
    vocab = _vocabulary(rng, 12000)
    rng.shuffle(vocab)
    # Zipf-like, flattened at the top as content words are once function words
    # are gone; a few story words ("Taliban") are frequent everywhere.
    weights = [1.0 / (rank + 20) for rank in range(len(vocab))]
    for topical in range(8):
        weights[topical] = 0.05
    per_doc = max(4, words_per_doc // 20)
    pool = [_sentence(rng, vocab, weights) for _ in range(per_doc)]
    docs = []
    origin: dict[tuple[int, int], int] = {}  # (doc, sentence index) -> pool index
    for d in range(n_docs):
        sentences: list[str] = []
        for _ in range(per_doc):
            r = rng.random()
            if r < 0.25:
                p = rng.randrange(len(pool))
                origin[(d, len(sentences))] = p
                sentences.append(_render(_near_verbatim(rng, pool[p], vocab)))
            elif r < 0.45:
                p = rng.randrange(len(pool))
                origin[(d, len(sentences))] = p
                sentences.append(_render(_paraphrase(rng, pool[p], vocab)))
            else:
                sentences.append(_render(_sentence(rng, vocab, weights)))
        # Paragraphs of five sentences, one per line.
        paras = [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]
        text = "\n".join(paras)
        regions = []
        if d == n_docs - 1:
            half = "\n".join(paras[: len(paras) // 2])
            regions = [(len(text) + 1, len(text) + 1 + len(half))]
            text = text + "\n" + half
        docs.append((d, text, regions))
    truth = set()
    keys = sorted(origin)
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            if a[0] != b[0] and origin[a] == origin[b]:
                truth.add((a[0], a[1], b[0], b[1]))
    return docs, truth


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """The generator's own sentence ends: every '.' followed by space/newline/end."""
    spans, start = [], 0
    for i, ch in enumerate(text):
        if ch == ".":
            spans.append((start, i + 1))
            start = i + 2
    return spans


def _index_of(spans: list[tuple[int, int]], start: int) -> int:
    for i, (s, e) in enumerate(spans):
        if s <= start < e:
            return i
    return -1


def baseline(docs, cutoff: float, level: str = "words") -> set:
    """All pairs of sentences across documents, difflib word-level ratio >= cutoff (with
    difflib's own cheap upper bounds first, as ``get_close_matches`` does)."""
    found = set()
    # Word lists by default: the fairer and ~100x faster way to use difflib here
    # (characters: several minutes at 5 x 5,000 words).
    def unit(chunk: str):
        return chunk.lower().split() if level == "words" else chunk

    split = {d: [unit(text[s:e]) for s, e in _sentence_spans(text)] for d, text, _ in docs}
    # Only first copies, like ours: the repeated half would only add duplicates.
    for d, text, regions in docs:
        if regions:
            split[d] = [t for (s, e), t in zip(_sentence_spans(text), split[d]) if s < regions[0][0]]
    ids = sorted(split)
    matcher = difflib.SequenceMatcher(autojunk=False)
    for x, da in enumerate(ids):
        for db in ids[x + 1 :]:
            for j, sb in enumerate(split[db]):
                matcher.set_seq2(sb)
                for i, sa in enumerate(split[da]):
                    matcher.set_seq1(sa)
                    # The cheap upper bounds first, as difflib.get_close_matches does.
                    if (
                        matcher.real_quick_ratio() >= cutoff
                        and matcher.quick_ratio() >= cutoff
                        and matcher.ratio() >= cutoff
                    ):
                        found.add((da, i, db, j))
    return found


def ours(docs) -> set:
    alignment = align_story(docs)
    spans = {d: _sentence_spans(text) for d, text, _ in docs}
    return {
        (p.doc_a, _index_of(spans[p.doc_a], p.start_a), p.doc_b, _index_of(spans[p.doc_b], p.start_b))
        for p in alignment.pairs
    }


def _quality(found: set, truth: set) -> dict[str, float]:
    hit = len(found & truth)
    return {
        "precision": round(hit / len(found), 3) if found else 0.0,
        "recall": round(hit / len(truth), 3) if truth else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5)
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline-cutoff", type=float, default=0.6)
    parser.add_argument("--baseline-level", choices=("words", "chars"), default="words")
    args = parser.parse_args()
    docs, truth = make_story(args.docs, args.words, args.seed)

    t0 = time.perf_counter()
    found = ours(docs)
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    found_base = baseline(docs, args.baseline_cutoff, args.baseline_level)
    t_base = time.perf_counter() - t0

    print(
        json.dumps(
            {
                "bench": "align_story",
                "docs": args.docs,
                "words_per_doc": args.words,
                "total_words": sum(len(t.split()) for _, t, _ in docs),
                "true_pairs": len(truth),
                "ours_seconds": round(t_ours, 3),
                "baseline": f"all-pairs difflib.SequenceMatcher({args.baseline_level}).ratio >= {args.baseline_cutoff}",
                "baseline_seconds": round(t_base, 3),
                "speedup": round(t_base / t_ours, 1) if t_ours else None,
                "ours_quality": _quality(found, truth),
                "baseline_quality": _quality(found_base, truth),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
