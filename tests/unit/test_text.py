"""tui.core.text: boundaries, snapping, quote selectors, safe display."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from tui.core import anchoring as A
from tui.core import text as T

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))
SEED_A = SEEDS[0].read_text(encoding="utf-8")  # intelnews: repeated paragraphs, no blank lines
SEED_B = SEEDS[1].read_text(encoding="utf-8")  # sputnik: blank-line separated

HOSTILE = (
    "[bold]x[/bold] \x1b[31mred\x1b[0m \x1b]0;title\x07 "
    "مرحبا بالعالم עברית e\u0301te 中文字 👍🏽 a\tb c\rd \u202eevil\u202c z\u200bw \ufeffbom \x9bC1"
)


def texts(spans, text):
    return [text[s:e] for s, e in spans]


# ---------------------------------------------------------------------- words


def test_words_keep_internal_apostrophes_and_hyphens():
    found = texts(T.words(SEED_A), SEED_A)
    for word in ("take-over", "Taliban’s", "American-trained", "ISIS-K", "anti-Soviet", "Syria-Khorasan"):
        assert word in found
    assert "take" not in found and "over" not in found
    assert found[:4] == ["SMALL", "BUT", "GROWING", "NUMBERS"]


def test_words_never_hold_spaces_or_edge_punctuation():
    for seed in (SEED_A, SEED_B):
        for s, e in T.words(seed):
            w = seed[s:e]
            assert w and not any(c.isspace() for c in w)
            assert w[0].isalnum() and (w[-1].isalnum() or unicodedata.category(w[-1])[0] == "M")


def test_words_in_other_scripts_and_numbers():
    text = "cafe\u0301 مُحَمَّد 中文 3.5 1,000 U.S. don't"
    assert texts(T.words(text), text) == ["cafe\u0301", "مُحَمَّد", "中文", "3.5", "1,000", "U", "S", "don't"]


def test_word_at():
    text = "the take-over, now"
    assert T.word_at(text, 0) == (0, 3)
    assert T.word_at(text, 2) == (0, 3)
    assert T.word_at(text, 3) is None  # the space
    assert T.word_at(text, 8) == (4, 13)  # on the hyphen
    assert T.word_at(text, 13) is None  # the comma
    assert T.word_at(text, len(text)) is None
    assert T.word_at(text, -1) is None


@pytest.mark.parametrize("seed", [SEED_A, SEED_B, HOSTILE])
def test_next_and_prev_word_start_agree_with_words(seed):
    starts = [s for s, _ in T.words(seed)]
    for offset in range(0, len(seed) + 1, 3):
        after = [s for s in starts if s > offset]
        before = [s for s in starts if s < offset]
        assert T.next_word_start(seed, offset) == (after[0] if after else len(seed)), offset
        assert T.prev_word_start(seed, offset) == (before[-1] if before else 0), offset


def test_prev_word_start_far_back():
    text = "word" + " " * 5000 + "next"
    assert T.prev_word_start(text, len(text) - 2) == len(text) - 4
    assert T.prev_word_start(text, len(text) - 4) == 0


# ------------------------------------------------------------------ sentences


def test_sentences_of_seed_b():
    found = texts(T.sentences(SEED_B), SEED_B)
    assert len(found) == 16
    assert found[2] == "The US-backed government of Afghanistan and its American-trained security forces collapsed after Taliban fighters entered Kabul on 15 August."
    assert found[6] == "“If there were a resistance, they would have jointed the resistance."
    assert found[7].startswith("For the time being, [Daesh-K]")
    assert found[-1] == "Source: Sputnik News"


def test_sentences_are_trimmed_and_never_cross_lines():
    for seed in (SEED_A, SEED_B):
        spans = T.sentences(seed)
        assert spans == sorted(spans)
        for s, e in spans:
            chunk = seed[s:e]
            assert chunk == chunk.strip() and "\n" not in chunk
        for (_, e1), (s2, _) in zip(spans, spans[1:]):
            assert e1 <= s2


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mr. Smith went to Washington. He left.", ["Mr. Smith went to Washington.", "He left."]),
        ("J. R. R. Tolkien wrote it. Then rest.", ["J. R. R. Tolkien wrote it.", "Then rest."]),
        ("Officials in the U.S. Army agreed. Others did not.", ["Officials in the U.S. Army agreed.", "Others did not."]),
        ("It grew 3.5 percent. Then fell.", ["It grew 3.5 percent.", "Then fell."]),
        ("Is it? Yes! Done... Really.", ["Is it?", "Yes!", "Done...", "Really."]),
        ("He said “no.” Then left.", ["He said “no.”", "Then left."]),
        ("lower. case stays one", ["lower. case stays one"]),
        ("Title line\nBody one. Body two.", ["Title line", "Body one.", "Body two."]),
        ("On Aug. 15 they left.", ["On Aug. 15 they left."]),
        ("你好。世界。", ["你好。", "世界。"]),
        ("مرحبا. عالم جديد.", ["مرحبا.", "عالم جديد."]),
        ("", []),
        ("   \n\n  ", []),
    ],
)
def test_sentence_rules(text, expected):
    assert texts(T.sentences(text), text) == expected


def test_sentence_at():
    text = "One two. Three four."
    assert T.sentence_at(text, 0) == (0, 8)
    assert T.sentence_at(text, 7) == (0, 8)
    assert T.sentence_at(text, 8) is None  # the space between
    assert T.sentence_at(text, 12) == (9, 20)


# ----------------------------------------------------------------- paragraphs


def test_paragraphs_of_seeds():
    a = T.paragraphs(SEED_A)
    assert len(a) == len([line for line in SEED_A.split("\n") if line.strip()]) == 13
    assert SEED_A[a[4][0] : a[4][1]] == "Joseph Fitsanakis"
    b = T.paragraphs(SEED_B)
    assert len(b) == 12
    for s, e in b:
        assert SEED_B[s:e].strip() and "\n" not in SEED_B[s:e]


def test_paragraph_at_blank_line_is_none():
    text = "first para\n\n  second para  \n"
    assert T.paragraphs(text) == [(0, 10), (14, 25)]
    assert T.paragraph_at(text, 3) == (0, 10)
    assert T.paragraph_at(text, 11) is None
    assert T.paragraph_at(text, 20) == (14, 25)


# ---------------------------------------------------------------- snapping


def test_snap_extends_partial_words():
    text = "the Taliban’s take-over of Afghanistan"
    s = text.index("liban")
    e = text.index("ke-over") + 2
    assert texts([T.snap_to_words(text, s, e)], text) == ["Taliban’s take-over"]


def test_snap_is_order_insensitive_and_clamped():
    text = "alpha beta gamma"
    assert T.snap_to_words(text, 9, 2) == (0, 10)
    assert T.snap_to_words(text, -5, 999) == (0, 16)


@pytest.mark.parametrize(
    "selected, expected",
    [
        (" the group.  ", "the group."),
        (", but growing", "but growing"),
        ("group, ", "group"),
        ("“relatively small, but growing”", "“relatively small, but growing”"),
        ("“relatively small", "relatively small"),
        ("but growing” numbers", "but growing” numbers"),
        ("growing” ", "growing"),
        ("— a development", "a development"),
    ],
)
def test_snap_trims_punctuation_sensibly(selected, expected):
    text = "They said “relatively small, but growing” numbers of the group.  — a development, group, end"
    start = text.index(selected)
    s, e = T.snap_to_words(text, start, start + len(selected))
    assert text[s:e] == expected


def test_snap_without_words_collapses():
    text = "a — , b"
    s, e = T.snap_to_words(text, 1, 5)
    assert s == e


# --------------------------------------------------------------- selectors


def test_make_selector():
    sel = A.make_selector(SEED_B, 10, 20, context=5)
    assert sel == {"exact": SEED_B[10:20], "prefix": SEED_B[5:10], "suffix": SEED_B[20:25]}
    assert A.make_selector("abc", 0, 1)["prefix"] == ""


def test_reanchor_same_offsets():
    s = SEED_B.index("Rahmatullah Nabil")
    e = s + len("Rahmatullah Nabil")
    assert A.reanchor(SEED_B, A.make_selector(SEED_B, s, e), s, e) == (s, e)


def test_reanchor_unique_after_shift():
    s = SEED_B.index("Rahmatullah Nabil")
    e = s + len("Rahmatullah Nabil")
    sel = A.make_selector(SEED_B, s, e)
    new = "EDITOR'S NOTE: corrected.\n" + SEED_B
    assert A.reanchor(new, sel, s, e) == (s + 26, e + 26)


def test_reanchor_repeated_paragraph_uses_context():
    # SEED_A repeats two paragraphs; annotate the second copy, then shift.
    phrase = "In the weeks after the Taliban’s take-over"
    first = SEED_A.index(phrase)
    second = SEED_A.index(phrase, first + 1)
    sel = A.make_selector(SEED_A, second, second + len(phrase))
    new = "Inserted lead.\n" + SEED_A
    shift = len("Inserted lead.\n")
    assert A.reanchor(new, sel, second, second + len(phrase)) == (second + shift, second + shift + len(phrase))
    sel1 = A.make_selector(SEED_A, first, first + len(phrase))
    assert A.reanchor(new, sel1, first, first + len(phrase)) == (first + shift, first + shift + len(phrase))


def test_reanchor_refuses_ambiguous_and_missing():
    text = "x ab y ab z"
    sel = {"exact": "ab", "prefix": "", "suffix": ""}
    assert A.reanchor(text, sel, 0, 2) is None  # two places, no context to choose
    sel = {"exact": "ab", "prefix": "q ", "suffix": " q"}
    assert A.reanchor(text, sel, 100, 102) is None  # only the spaces agree
    sel = {"exact": "ab", "prefix": "x ", "suffix": " y ax"}
    assert A.reanchor(text, sel, 100, 102) == (2, 4)  # "x " and " y a" agree: more than half
    # Equal context and equal distance: a tie is refused.
    tie = "q ab qq ab q"
    tie_sel = {"exact": "ab", "prefix": "q ", "suffix": " q"}
    assert A.reanchor(tie, tie_sel, 5, 7) is None
    assert A.reanchor(tie, tie_sel, 6, 8) == (8, 10)  # same context, nearer wins
    assert A.reanchor(SEED_B, {"exact": "a sentence that is not there at all", "prefix": "", "suffix": ""}, 0, 10) is None
    assert A.reanchor(SEED_B, {"exact": "", "prefix": "", "suffix": ""}, 0, 0) is None


def test_reanchor_fuzzy_after_small_edit():
    quote = "fears of being hunted down by the Taliban"
    s = SEED_B.index(quote)
    sel = A.make_selector(SEED_B, s, s + len(quote))
    new = SEED_B.replace("hunted down", "hunted dwon").replace("The former security", "The ex- security")
    got = A.reanchor(new, sel, s, s + len(quote))
    assert got is not None
    gs, ge = got
    assert abs(gs - (s - 5)) <= 2 and "hunted dwon by the Taliban" in new[gs:ge]


def test_reanchor_fuzzy_refuses_far_or_ambiguous():
    quote = "fears of being hunted down by the Taliban"
    s = SEED_B.index(quote)
    sel = {"exact": quote, "prefix": "", "suffix": ""}
    # Two equally good near-copies and no context: refuse.
    new = SEED_B[:s] + "fears of being hunted dwon by the Taliban; fears of being hunted dwon by the Taliban" + SEED_B[s + len(quote) :]
    assert A.reanchor(new, sel, s, s + len(quote)) is None
    # A near-copy far from the old offset is out of reach.
    far = "x" * 5000 + SEED_B.replace("hunted down", "hunted dwon")
    assert A.reanchor(far, sel, s, s + len(quote)) is None


# ----------------------------------------------------------------- display


@pytest.mark.parametrize(
    "ch, shown",
    [
        ("\x1b", "␛"),
        ("\x07", "␇"),
        ("\x00", "␀"),
        ("\r", "␍"),
        ("\x7f", "␡"),
        ("\x9b", "␦"),
        ("\x85", "␦"),
        ("\t", "→"),
        ("\u202e", "¤"),
        ("\u2066", "¤"),
        ("\u200e", "¤"),
        ("\u200b", "¤"),
        ("\u200d", "¤"),
        ("\ufeff", "¤"),
        ("\u2028", "¤"),
        ("\u00ad", "-"),
        ("\ud800", "\ufffd"),
        ("\n", "\n"),
        ("a", "a"),
        ("[", "["),
        ("中", "中"),
        ("\u0301", "\u0301"),
        ("👍", "👍"),
        ("ب", "ب"),
    ],
)
def test_display_char(ch, shown):
    assert T.display_char(ch) == shown


def test_display_text_of_hostile_string_is_terminal_safe():
    shown = T.display_text(HOSTILE, keep_newlines=False)
    for ch in shown:
        o = ord(ch)
        assert o >= 0x20 and not 0x7F <= o < 0xA0, repr(ch)
        assert unicodedata.category(ch) not in ("Cf", "Cs", "Zl", "Zp"), repr(ch)
    assert "[bold]x[/bold]" in shown
    assert "␛[31mred" in shown and "␛]0;title␇" in shown
    assert "e\u0301te" in shown and "👍🏽" in shown
    assert T.display_text("a\nb", keep_newlines=False) == "a␤b"
    assert T.display_text("\u0301x") == "◌\u0301x"


def test_core_text_does_not_import_ui_toolkits():
    code = "import sys, tui.core.text as t, tui.core.anchoring as a; t.words('a b'); a.reanchor('ab cd', {'exact': 'abcd x'}, 0, 1); print(sorted(m for m in ('textual', 'rich') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------ safe_text / safe_json

def test_safe_text_turns_every_terminal_control_into_a_picture():
    from tui.core.text import safe_text

    hostile = "a\x1b]52;c;eA==\x07b\u009b31m\u202ec\x7f\x00\td\ne"
    shown = safe_text(hostile)
    assert shown == "a␛]52;c;eA==␇b␦31m¤c␡␀→d␤e"
    assert safe_text(hostile, keep_newlines=True).endswith("→d\ne")
    assert safe_text(42) == "42" and safe_text(ValueError("x\x1by")) == "x␛y"
    assert T.display_text("a\nb") == "a\nb"  # the older name keeps its newline default


def test_safe_json_escapes_what_json_dumps_leaves_raw_and_reads_back_exactly():
    import json

    from tui.core.text import safe_json

    data = {"t": "C1 \u0085\u009b, bidi \u202e\u2066, tag \U000e0041, LS \u2028, ok é 漢"}
    dumped = safe_json(json.dumps(data, ensure_ascii=False))
    assert json.loads(dumped) == data
    assert all(ch == "\n" or (ord(ch) >= 0x20 and not 0x7F <= ord(ch) <= 0x9F) for ch in dumped)
    assert "\u202e" not in dumped and "é 漢" in dumped
