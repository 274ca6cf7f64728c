"""bench/devset.py, the one reader of a development set for the quality benches:
what it reads, how a bad line is reported (file, line, field, what to do), and
bench_train's cut of the articles into paragraphs."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Constructed text: two paragraphs, the second repeated word for word.
TEXT = ("The minister said on Monday that the border with the neighbouring country would stay closed "
        "until further notice.\n\nOfficials in the capital said the decision was taken in order to stop "
        "smugglers from crossing at night.\n\nOfficials in the capital said the decision was taken in order "
        "to stop smugglers from crossing at night.\n")
SHA = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()


def module(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    if name not in sys.modules:  # a dataclass looks its module up there
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


def span(exact: str, label: str, occurrence: int = 0, **more) -> dict:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(exact, start + 1)
    return {"text_sha256": SHA, "label": label, "start": start, "end": start + len(exact), "annotator": "gold",
            "selector": {"exact": exact}, **more}


def write_set(folder: Path, records: list[dict], *, raw_lines: tuple[str, ...] = ()) -> Path:
    (folder / "texts").mkdir(parents=True)
    (folder / "texts" / "minister.txt").write_text(TEXT, encoding="utf-8")
    (folder / "LICENSE.md").write_text("constructed text for a test\n", encoding="utf-8")
    lines = [json.dumps(r) for r in records] + list(raw_lines)
    (folder / "annotations.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


GOOD = [span("The minister", "SOURCE", id="s1"),
        span("the border with the neighbouring country would stay closed", "CLAIM", id="c1",
             relations=[{"child": "s1", "label": "attributed_to"}]),
        span("in order to stop smugglers from crossing at night", "MOTIVE"),
        span("in order to stop smugglers from crossing at night", "MOTIVE", occurrence=1)]


def test_a_development_set_is_read_with_its_texts_spans_and_titles(tmp_path):
    devset = module("devset").load_devset(write_set(tmp_path / "set", GOOD))
    assert devset.texts == {SHA: TEXT} and not devset.seeds_only
    assert devset.titles == {SHA: "minister.txt"}
    assert [TEXT[a:b] for a, b, _ in devset.spans(SHA)] == [
        "The minister", "the border with the neighbouring country would stay closed",
        "in order to stop smugglers from crossing at night", "in order to stop smugglers from crossing at night"]
    spans, pairs = module("bench_suggest_quality").reference(devset.records)
    assert len(spans) == 4 and len(pairs) == 1


@pytest.mark.parametrize(("records", "raw", "says"), [
    ([GOOD[0]], ("{not json",), ":2: not JSON"),
    ([{**GOOD[0], "start": "0"}], (), ":1: field 'start' must be an integer"),
    ([{k: v for k, v in GOOD[0].items() if k != "label"}], (), ":1: field 'label' must be a string"),
    ([{**GOOD[0], "text_sha256": "ab" * 32}], (), ":1: field 'text_sha256': no text with SHA-256 abababababab"),
    ([{**GOOD[0], "end": len(TEXT) + 1}], (), ":1: fields 'start', 'end'"),
    ([{**GOOD[0], "start": 1}], (), ":1: field 'selector.exact' 'The minister' is not the text"),
    ([GOOD[0], {**GOOD[1], "annotator": "alice"}], (), "spans of 2 annotators (alice, gold)"),
])
def test_a_bad_line_stops_naming_the_file_line_and_field(tmp_path, records, raw, says):
    folder = write_set(tmp_path / "set", records, raw_lines=raw)
    with pytest.raises(SystemExit) as stop:
        module("devset").load_devset(folder)
    message = str(stop.value)
    assert str(folder / "annotations.jsonl") in message and says in message


def test_a_folder_without_the_reference_says_what_it_needs(tmp_path):
    with pytest.raises(SystemExit, match="annotations.jsonl in Diptych's flat format"):
        module("devset").load_devset(tmp_path)


def test_bench_train_cuts_articles_into_paragraphs_keeping_each_span_on_its_words(tmp_path):
    bench_train = module("bench_train")
    devset = module("devset").load_devset(write_set(tmp_path / "set", GOOD))
    docs, dropped = bench_train.devset_docs(devset, "paragraph")
    assert dropped == 0
    assert len(docs) == 2, "the repeated paragraph is kept once"
    assert [[(d.text[s.start:s.end], s.label) for s in d.spans] for d in docs] == [
        [("The minister", "SOURCE"), ("the border with the neighbouring country would stay closed", "CLAIM")],
        [("in order to stop smugglers from crossing at night", "MOTIVE")]]
    (article,), _ = bench_train.devset_docs(devset, "article")
    assert article.text == TEXT and len(article.spans) == 4
