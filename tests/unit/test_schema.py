"""The label schema: DESIGN.md's defaults, and TOML files refused with reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.errors import SchemaError
from tui.core.schema import DEFAULT_SCHEMA, RESERVED_KEYS, load_schema


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schema.toml"
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- defaults

def test_default_labels_keys_and_attributes() -> None:
    # DESIGN.md's three labels, plus ACTOR (the tail of motive_of links).
    assert DEFAULT_SCHEMA.names == ("CLAIM", "SOURCE", "MOTIVE", "ACTOR")
    assert [DEFAULT_SCHEMA.label(n).key for n in DEFAULT_SCHEMA.names] == ["c", "s", "m", "t"]
    attrs = {spec.name: {a.name: a.choices for a in spec.attributes} for spec in DEFAULT_SCHEMA.labels}
    assert attrs == {
        "CLAIM": {"certainty": ("asserted", "hedged", "reported"), "checkworthy": ("yes", "no"),
                  "stance": ("endorses", "neutral", "distances")},
        "SOURCE": {"type": ("named person", "official body", "media outlet", "document", "anonymous"),
                   "named": ("yes", "no")},
        "MOTIVE": {"category": ("economic", "security", "ideological", "political", "personal", "other"),
                   "explicit": ("yes", "no")},
        "ACTOR": {"type": ("person", "group", "organisation", "state", "other")},
    }
    assert len({spec.color for spec in DEFAULT_SCHEMA.labels}) == len(DEFAULT_SCHEMA.labels)


def test_default_keys_do_not_clash_with_reader_keys() -> None:
    assert not {spec.key for spec in DEFAULT_SCHEMA.labels} & RESERVED_KEYS


def test_lookup_by_name_and_key() -> None:
    assert DEFAULT_SCHEMA.by_key("s").name == "SOURCE"
    assert DEFAULT_SCHEMA.by_key("z") is None
    with pytest.raises(SchemaError) as err:
        DEFAULT_SCHEMA.label("claim")
    assert "unknown label 'claim'" in str(err.value) and "CLAIM, SOURCE, MOTIVE" in str(err.value)


def test_default_relations() -> None:
    rel = DEFAULT_SCHEMA.relation_for
    assert rel("CLAIM", "SOURCE").name == "attributed_to"
    assert rel("MOTIVE", "SOURCE").name == "attributed_to"
    assert rel("MOTIVE", "CLAIM").name == "motive_of"
    assert rel("CLAIM", "CLAIM") is None, "CLAIM to CLAIM is for another article"
    assert rel("CLAIM", "CLAIM", cross_document=True).name == "same_as"
    assert rel("SOURCE", "CLAIM") is None and rel("SOURCE", "CLAIM", cross_document=True) is None
    assert {r.name for r in DEFAULT_SCHEMA.relations_from("CLAIM")} == {
        "attributed_to", "same_as", "contradicts", "partial"}


def test_no_file_means_the_defaults() -> None:
    assert load_schema(None) is DEFAULT_SCHEMA


# ---------------------------------------------------------------- files that work

def test_a_file_adds_labels_and_replaces_choices(tmp_path: Path) -> None:
    path = write(tmp_path, """
[labels.EVENT]
key = "w"
color = "bright_red"
[labels.EVENT.attributes]
kind = ["attack", "meeting"]

[labels.CLAIM.attributes]
certainty = ["certain", "uncertain"]

[relations]
located_at = { heads = ["EVENT"], tails = ["*"] }
echoes = { heads = ["CLAIM"], tails = ["CLAIM"], cross_document = true }
""")
    schema = load_schema(path)
    assert schema.names == DEFAULT_SCHEMA.names + ("EVENT",)
    claim = {a.name: a.choices for a in schema.label("CLAIM").attributes}
    assert claim["certainty"] == ("certain", "uncertain")
    assert claim["checkworthy"] == ("yes", "no"), "attributes not named keep their default choices"
    assert schema.label("CLAIM").key == "c" and schema.label("CLAIM").color == "yellow"
    assert schema.by_key("w").name == "EVENT"
    assert schema.relation_for("EVENT", "SOURCE").name == "located_at"
    assert schema.relation_for("CLAIM", "CLAIM", cross_document=True).name == "same_as"
    assert {r.name for r in schema.relations} >= {"attributed_to", "located_at", "echoes"}
    assert next(r for r in schema.relations if r.name == "echoes").cross_document


def test_an_empty_file_means_the_defaults(tmp_path: Path) -> None:
    schema = load_schema(write(tmp_path, ""))
    assert schema == DEFAULT_SCHEMA


# ---------------------------------------------------------------- files refused

BAD = [
    ("not-toml", "[labels.CLAIM\nkey = 'c'", "not valid TOML"),
    ("labels-not-table", "labels = 3", "[labels] must be a table"),
    ("label-not-table", "[labels]\nCLAIM = 'x'", "labels.CLAIM must be a table"),
    ("lowercase-label", "[labels.event]\nkey = 'w'", "upper-case"),
    ("key-too-long", "[labels.EVENT]\nkey = 'ww'", "labels.EVENT.key must be one character"),
    ("key-missing", "[labels.EVENT]\ncolor = 'green'", "labels.EVENT.key must be one character"),
    ("key-reserved", "[labels.EVENT]\nkey = 'j'", "already bound to a reader action"),
    ("key-shared", "[labels.EVENT]\nkey = 'c'", "share the key 'c'"),
    ("bad-colour", "[labels.EVENT]\nkey = 'w'\ncolor = 'salmon'", "not one of the 16 terminal colours"),
    ("attrs-not-table", "[labels.CLAIM]\nattributes = ['a']", "attributes must be a table"),
    ("attr-empty", "[labels.CLAIM.attributes]\ncertainty = []", "must be a non-empty list of strings"),
    ("attr-not-strings", "[labels.CLAIM.attributes]\ncertainty = [1, 2]", "must be a non-empty list of strings"),
    ("attr-empty-string", "[labels.CLAIM.attributes]\ncertainty = ['']", "must be a non-empty list of strings"),
    ("relations-not-table", "relations = 1", "[relations] must be a table"),
    ("relation-not-table", "[relations]\nx = 1", "relations.x must be a table"),
    ("relation-no-heads", "[relations.x]\ntails = ['SOURCE']", "relations.x.heads must be a non-empty list"),
    ("relation-unknown-label", "[relations.x]\nheads = ['CLAIM']\ntails = ['PERSON']",
     "relations.x.tails: unknown label 'PERSON'"),
    ("unknown-section", "[colours]\nCLAIM = 'red'", "unknown section(s) colours"),
]


@pytest.mark.parametrize("name,text,phrase", BAD, ids=[b[0] for b in BAD])
def test_bad_files_are_refused_with_the_reason(tmp_path: Path, name: str, text: str, phrase: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SchemaError) as err:
        load_schema(path)
    message = str(err.value)
    assert err.value.code == "D030"
    assert str(path) in message, "the error names the file"
    assert phrase in message


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="no such schema file"):
        load_schema(tmp_path / "nope.toml")


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "schema.toml"
    path.write_bytes(b"[labels.CLAIM]\nkey = '\xff'\n")
    with pytest.raises(SchemaError, match="not valid TOML"):
        load_schema(path)
