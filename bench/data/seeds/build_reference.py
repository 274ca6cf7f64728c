"""Writes annotations.jsonl: our reference annotation of the two seed articles
(seeds/), in Diptych's flat format, annotator "gold".

SEEDS ONLY — NOT A DEVELOPMENT SET. The rules were written while looking at
these two articles, so scores on them say that the bench runs, not how well
the suggesters do on news they were not tuned on (see bench/README.md).

Each entry names a span by its exact text (every occurrence is annotated: seed
000 repeats three paragraphs), a label, and the entries it links to. Run
``python bench/data/seeds/build_reference.py`` after editing.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parent.parent.parent / "seeds"

# file -> [(key, label, exact text, [(relation, key of the tail), ...])]
REFERENCE: dict[str, list[tuple[str, str, str, list[tuple[str, str]]]]] = {
    "000_26c581c9b022c814.txt": [
        ("c1", "CLAIM", "SMALL BUT GROWING NUMBERS of American-trained members of Afghanistan’s elite special "
                        "forces and intelligence agencies are joining the Islamic State", [("attributed_to", "s1")]),
        ("s1", "SOURCE", "a new report", []),
        ("m1", "MOTIVE", "in order to fight the Taliban", []),
        ("c2", "CLAIM", "these new recruits are equipping the Islamic State’s Afghanistan affiliate with advanced "
                        "skills and expertise that might make the group difficult to defeat in the coming months "
                        "or even years", [("attributed_to", "s2")]),
        ("s2", "SOURCE", "Some observers", []),
        ("m2", "MOTIVE", "fearing that they will be killed", []),
        ("c3", "CLAIM", "“relatively small, but growing” numbers of former members of Afghanistan’s security and "
                        "intelligence agencies, are now joining ISIS-K",
         [("attributed_to", "s3"), ("attributed_to", "s4"), ("attributed_to", "s5"), ("attributed_to", "s6")]),
        ("s3", "SOURCE", "The Wall Street Journal", []),
        ("s4", "SOURCE", "Taliban leaders", []),
        ("s5", "SOURCE", "former Afghan republic security officials", []),
        ("s6", "SOURCE", "people who know the defectors", []),
        ("c4", "CLAIM", "Some of those joining ISIS-K have been trained in unconventional warfare and "
                        "intelligence-gathering by the United States", [("attributed_to", "s7")]),
        ("s7", "SOURCE", "claims the paper", []),  # replaced below by the span "the paper" in it
        ("c5", "CLAIM", "those joining ISIS-K appear to do so for two reasons", [("attributed_to", "s8")]),
        ("s8", "SOURCE", "According to the report", []),  # "the report" in it
        ("m3", "MOTIVE", "in order to secure a regular income", []),
        ("m4", "MOTIVE", "because ISIS-K is currently the only armed group that is putting up resistance against "
                         "the Taliban", []),
        ("c6", "CLAIM", "the former members of Afghanistan’s security and intelligence forces, are also receiving "
                        "protection from ISIS-K fighters", [("attributed_to", "s9")]),
        ("s9", "SOURCE", "says the paper", []),  # "the paper" in it
    ],
    "001_b99049fc623f2364.txt": [
        ("m1", "MOTIVE", "to fight Taliban\n", []),  # the headline, twice
        ("c1", "CLAIM", "US forces would pull out of the country after nearly 20 years of war",
         [("attributed_to", "s1")]),
        ("s1", "SOURCE", "President Biden", []),
        ("c2", "CLAIM", "A “small but growing” number of former Afghan special forces and intelligence personnel "
                        "have been joining Daesh-K, the ISIS* offshoot fighting for control of Afghanistan, Central "
                        "Asia and the Indian subcontinent",
         [("attributed_to", "s2"), ("attributed_to", "s3"), ("attributed_to", "s4"), ("attributed_to", "s5")]),
        ("s2", "SOURCE", "the Wall Street Journal", []),
        ("s3", "SOURCE", "Taliban* leaders", []),
        ("s4", "SOURCE", "former Afghan security officials", []),
        ("s5", "SOURCE", "people who know the defectors", []),
        ("m2", "MOTIVE", "lack of income to support themselves and their families after the Kabul government’s "
                         "collapse", []),
        ("m3", "MOTIVE", "fears of being hunted down by the Taliban", []),
        ("m4", "MOTIVE", "an ideologically-driven quest to resist the conservative Islamist movement’s control of "
                         "Afghanistan", []),
        ("c3", "CLAIM", "If there were a resistance, they would have jointed the resistance. For the time being, "
                        "[Daesh-K] is the only other armed group", [("attributed_to", "s6")]),
        ("s6", "SOURCE", "Rahmatullah Nabil", []),
        ("c4", "CLAIM", "for many, joining Daesh became “very attractive” after they were “left behind” by the "
                        "United States", [("attributed_to", "s7")]),
        ("s7", "SOURCE", "He added", []),  # "He" in it
        ("c5", "CLAIM", "the US-trained special forces troops and spies could provide Daesh-K with “critical "
                        "expertise” in intelligence-gathering and warfighting capabilities",
         [("attributed_to", "s8")]),
        ("s8", "SOURCE", "The paper’s sources", []),
        ("c6", "CLAIM", "hundreds of thousands of Afghan National Army soldiers, intelligence service members, "
                        "police and special forces unit troops haven’t been paid for months, and could become "
                        "fodder for recruitment by the terrorists", [("attributed_to", "s9")]),
        ("s9", "SOURCE", "The report warned", []),  # "The report" in it
        ("c7", "CLAIM", "one of his former comrades – an ex-Afghan National Army officer who joined Daesh-K, was "
                        "killed last month in a firefight with Taliban units", [("attributed_to", "s10")]),
        ("s10", "SOURCE", "one former unnamed Afghan official", []),
        ("c8", "CLAIM", "“several other men” he knew – all of them former members of the military and "
                        "intelligence forces, also joined Daesh-K after the Taliban searched their homes and "
                        "demanded that they appear before the new authorities", [("attributed_to", "s11")]),
        ("s11", "SOURCE", "The unnamed official", []),
        ("m5", "MOTIVE", "to fight Taliban insurgents", []),
        ("s12", "SOURCE", "Sputnik News", []),
    ],
}
# Context phrases above that hold the span: (context, span inside it).
INSIDE = {"claims the paper": "the paper", "says the paper": "the paper", "According to the report": "the report",
          "He added": "He", "The report warned": "The report", "to fight Taliban\n": "to fight Taliban"}


def occurrences(text: str, exact: str) -> list[tuple[int, int]]:
    inner = INSIDE.get(exact)
    out, at = [], text.find(exact)
    while at >= 0:
        a = at + (exact.index(inner) if inner else 0)
        out.append((a, a + len(inner or exact)))
        at = text.find(exact, at + 1)
    if not out:
        raise SystemExit(f"not found in the text: {exact!r}")
    return out


def records() -> list[dict]:
    out = []
    for name, entries in REFERENCE.items():
        text = (SEEDS / name).read_text(encoding="utf-8")
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        places = {key: occurrences(text, exact) for key, _label, exact, _links in entries}
        for key, label, _exact, links in entries:
            for n, (a, b) in enumerate(places[key]):
                rels = []
                for rel, tail in links:
                    # the n-th copy links to the tail's nearest copy before or after it
                    t = min(range(len(places[tail])), key=lambda k: abs(places[tail][k][0] - a))
                    rels.append({"child": f"{name[:3]}-{tail}-{t}", "label": rel})
                out.append({
                    "id": f"{name[:3]}-{key}-{n}", "annotator": "gold", "label": label, "start": a, "end": b,
                    "text_sha256": sha, "title": name, "url": "", "attrs": {}, "note": "", "origin": "manual",
                    "selector": {"type": "TextQuoteSelector", "exact": text[a:b], "prefix": text[max(0, a - 32):a],
                                 "suffix": text[b:b + 32]},
                    "position": {"type": "TextPositionSelector", "start": a, "end": b},
                    "relations": rels,
                })
    return out


def main() -> None:
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records()]
    (HERE / "annotations.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} reference spans written to {HERE / 'annotations.jsonl'}")


if __name__ == "__main__":
    main()
