"""No escape or control sequence from data ever reaches a terminal.

Hostile strings (an OSC 52 clipboard write, an OSC 0 window title, an OSC 8
hyperlink, a DCS, an 8-bit CSI, bidi overrides, plain CSI) are planted in every
place data comes from: article texts and titles (the accepted corpus), story
titles, annotator names, notes, attribute values, and a schema.toml whose
attribute names, choices and relation names hold them (read from the current
folder, as a team's shared folder would provide it).

Two checks, on real processes:

- every CLI path (stats, doctor, export --annotator, agreement, compare,
  import errors, "no story X", a schema error, the reader's own start-up
  errors): the raw bytes the program writes to stdout and stderr hold no C0
  control but newline and tab, no DEL, no C1 and no bidi control;
- the reader in a real terminal (tmux): with `pipe-pane` recording the raw
  bytes the program writes to its pty while it shows the story, the annotation
  panel, the attribute form, help, the story list and the compare screen, no
  sequence that came from the data (OSC 52 / OSC 0 / OSC 8 / DCS bodies, C1,
  bidi controls) appears, tmux's window title is unchanged and no OSC 52
  reached tmux's clipboard (set-clipboard is on, so one would be stored).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_kit import ACCEPTED, BIDI_CONTROLS, REFUSED, REPO

from tui.core.schema import load_schema
from tui.core.session import AnnotationSession
from tui.core.store import Store

sys.path.insert(0, str(REPO / "tests" / "e2e"))
from tmux_kit import Tmux, require  # noqa: E402

OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
TITLE = "\x1b]0;pwned-title\x07"
LINK = "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
DCS = "\x1bP1$r\x1b\\"
HOSTILE = f"{TITLE}{OSC52}\u009b31m\u202eevil\u202c\x1b[2J{LINK}{DCS}[bold]x[/bold]"
STORY = "Story " + HOSTILE
ANNOTATOR = "mallory" + TITLE + "\u202e"
NOTE = "note " + HOSTILE
CHOICE = "choice " + OSC52 + "\u009b2J"
ATTR = "attr " + TITLE
RELATION = "rel " + TITLE + OSC52

def toml_string(value: str) -> str:
    """A TOML basic string with every non-printable character escaped."""
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" if ord(c) < 0x10000
                         else f"\\U{ord(c):08x}" for c in value) + '"'


def schema_text() -> str:
    return (f"[labels.CLAIM.attributes]\ncertainty = [\"reported\", {toml_string(CHOICE)}]\n"
            f"{toml_string(ATTR)} = [\"yes\", {toml_string(chr(27) + '[2J' + chr(0x202e))}]\n\n"
            f"[relations.{toml_string(RELATION)}]\nheads = [\"CLAIM\"]\ntails = [\"SOURCE\"]\n")


# ------------------------------------------------------------------ the data


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A team folder: annotations/diptych.db full of hostile data, annotations/schema.toml."""
    root = tmp_path_factory.mktemp("team")
    (root / "annotations").mkdir()
    schema_path = root / "annotations" / "schema.toml"
    schema_path.write_text(schema_text(), encoding="utf-8")
    schema = load_schema(schema_path)
    db = root / "annotations" / "diptych.db"
    with Store.open(db) as st:
        docs = [st.add_document(STORY, (ACCEPTED / name).read_text(encoding="utf-8"), title=f"{name} {HOSTILE}",
                                outlet=f"outlet{i} {TITLE}", url=f"https://evil.example/{i}")[0]
                for i, name in enumerate(["ansi_osc.txt", "markup.txt"])]
        st.add_document("Other " + TITLE, "A second story. Kandahar follows.", title="other")
        for who in ("alice", ANNOTATOR):
            s = AnnotationSession(st, who, schema)
            text = docs[0].text
            claim = s.tag(docs[0].id, 0, text.index(" "), "CLAIM", note=NOTE,
                          attrs={"certainty": CHOICE, ATTR: "yes"})
            i = text.index("Kandahar")
            source = s.tag(docs[0].id, i, i + len("Kandahar"), "SOURCE", note=NOTE)
            s.link(claim.id, source.id, RELATION)
            s.tag(docs[1].id, 0, docs[1].text.index(" "), "CLAIM", note=NOTE)
    result = run(["import", str(ACCEPTED / "hostile_records.jsonl")], root)
    assert result.returncode == 0, result.stderr
    return root


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """The real `diptych` (this worktree's code), stdout and stderr as raw bytes."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "DIPTYCH_DB": str(cwd / "annotations" / "diptych.db")}
    return subprocess.run([sys.executable, "-m", "tui", *args], cwd=cwd, capture_output=True, env=env,
                          timeout=300)


def raw_controls(data: bytes) -> list[str]:
    """Terminal-interpretable characters in a byte stream: C0 but LF and tab,
    DEL, C1 (as UTF-8 or as single bytes) and bidi controls."""
    found = [f"byte 0x{b:02x}" for b in data if (b < 0x20 and b not in (0x0A, 0x09)) or b == 0x7F]
    text = data.decode("utf-8", errors="replace")
    found += [f"U+{ord(c):04X}" for c in text if 0x80 <= ord(c) <= 0x9F or c in BIDI_CONTROLS]
    if "\ufffd" in text:
        found.append("bytes that are not UTF-8 (a raw 8-bit C1?)")
    return found


# ------------------------------------------------------------------ the CLI

CLI_CASES = {
    "stats": ["stats"],
    "stats --json": ["stats", "--json"],
    "doctor": ["doctor"],
    "export --annotator (unknown)": ["export", "--annotator", "nobody" + OSC52, "-o", "out.jsonl"],
    "export --annotator (hostile)": ["export", "--annotator", ANNOTATOR, "-o", "out.jsonl"],
    "export no story": ["export", "--story", "nope" + TITLE, "-o", "out.jsonl"],
    "agreement": ["agreement", "--story", STORY],
    "agreement --json": ["agreement", "--story", STORY, "--json"],
    "agreement unknown annotator": ["agreement", "--story", STORY, "--annotators", "nobody" + TITLE],
    "agreement no story": ["agreement", "--story", "nope" + OSC52],
    "compare": ["compare", "--story", STORY, "--annotator", "alice"],
    "compare --all-annotators": ["compare", "--story", STORY, "--all-annotators"],
    "compare --format json": ["compare", "--story", STORY, "--all-annotators", "--format", "json"],
    "compare no annotations": ["compare", "--story", STORY, "--annotator", "nobody" + TITLE],
    "compare which story": ["compare"],
    "compare notes": ["compare", "--story", "Other " + TITLE, "--annotator", "alice"],
    "reader no story": ["--story", "nope" + OSC52],
    "reader bad schema": ["--schema", "bad.toml"],
    "export bad schema": ["export", "--schema", "bad.toml", "-o", "out.jsonl"],
}


@pytest.mark.parametrize("name", sorted(CLI_CASES))
def test_cli_output_carries_no_control_from_data(folder: Path, name: str) -> None:
    (folder / "bad.toml").write_text(f"[labels.{toml_string('X' + TITLE)}]\nkey = \"q\"\n", encoding="utf-8")
    result = run(CLI_CASES[name], folder)
    assert result.stdout or result.stderr, "the command said nothing"
    assert raw_controls(result.stdout) == [], result.stdout.decode(errors="replace")[:2000]
    assert raw_controls(result.stderr) == [], result.stderr.decode(errors="replace")[:2000]


def run_on_tty(args: list[str], cwd: Path) -> bytes:
    """Run with stdout on a pseudo-terminal (as at a shell prompt); its raw bytes."""
    import pty

    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO), "DIPTYCH_DB": str(cwd / "annotations" / "diptych.db")}
    proc = subprocess.Popen([sys.executable, "-m", "tui", *args], cwd=cwd, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=300) == 0
    return b"".join(chunks).replace(b"\r\n", b"\n")  # the pty's own ONLCR


@pytest.mark.parametrize("args", [["export", "--format", "labelstudio", "--config"],
                                  ["export", "--format", "flat", "-o", "-"],
                                  ["compare", "--story", STORY, "--all-annotators", "--format", "csv"]],
                         ids=["export --config", "export -o -", "compare csv"])
def test_data_written_to_a_terminal_is_made_safe(folder: Path, args: list[str]) -> None:
    # To a file or a pipe exported data stays exact; to a terminal it is shown safe.
    data = run_on_tty(args, folder)
    assert data.strip()
    assert raw_controls(data) == [], data.decode(errors="replace")[:2000]


def test_import_errors_carry_no_control_from_file_names(folder: Path, tmp_path: Path) -> None:
    bad = tmp_path / f"binary{TITLE}\u202egpj.txt"
    bad.write_bytes((REFUSED / "binary_png.txt").read_bytes())
    also = tmp_path / f"latin1{OSC52}.txt"
    also.write_bytes((REFUSED / "latin1.txt").read_bytes())
    result = run(["import", str(bad), str(also), "--story", "S" + DCS, "--db", str(tmp_path / "new.db")], folder)
    assert result.returncode == 1
    assert b"failed" in result.stdout + result.stderr
    assert raw_controls(result.stdout) == [] and raw_controls(result.stderr) == [], result.stderr


def test_json_output_escapes_controls_and_reads_back_exactly(folder: Path) -> None:
    import json

    result = run(["agreement", "--story", STORY, "--json"], folder)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["story"] == STORY


# ------------------------------------------------------------------ the reader in tmux

PAYLOADS = [b"\x1b]52", b"\x1b]0;pwned", b"\x1b]8;;https://evil", b"\x1bP1$r", "\u202e".encode(),
            "\u009b".encode()]


def wait_for(tmux: Tmux, text: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = tmux.screen()
        if text in shown:
            return shown
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; last screen:\n{tmux.screen()}")


def close(tmux: Tmux, shown: str, key: str = "Escape", timeout: float = 30.0) -> None:
    """Press ``key`` and wait until ``shown`` has left the screen."""
    tmux.keys(key)
    deadline = time.monotonic() + timeout
    while shown in tmux.screen():
        if time.monotonic() > deadline:
            raise AssertionError(f"{shown!r} is still on screen:\n{tmux.screen()}")
        time.sleep(0.1)


def test_reader_in_a_real_terminal_passes_no_sequence_from_data(folder: Path, tmp_path: Path) -> None:
    require("tmux")
    raw = tmp_path / "pty.bytes"
    tmux = Tmux(width=160, height=48)
    try:
        env = {"PYTHONPATH": str(REPO), "DIPTYCH_DB": str(folder / "annotations" / "diptych.db")}
        command = f"cd {folder} && {sys.executable} -m tui --annotator alice --no-suggest --story 1"
        tmux.start("sh -c " + _q(command), env)
        tmux.tmux("set-option", "-g", "set-clipboard", "on")
        tmux.tmux("pipe-pane", "-o", "-t", "main", "cat >> " + _q(str(raw)))
        title_before = tmux.tmux("display", "-p", "-t", "main", "#{pane_title}")
        wait_for(tmux, "Story ␛]0;pwned-title␇")
        tmux.keys("p")                     # the annotation panel: notes, attributes, relation names
        wait_for(tmux, "note: note")
        # Escape is sent alone and its effect awaited: ESC and a key sent close
        # together read as alt+key.
        tmux.keys("Enter")                 # the attribute form of the claim highlighted in the panel
        wait_for(tmux, "attr ␛]0;pwned-title␇")
        close(tmux, "Save (ctrl+s)")
        tmux.keys("?")                     # help: legend and keys from the schema
        wait_for(tmux, "keys (esc closes)")
        close(tmux, "keys (esc closes)")
        tmux.keys("o")                     # the story list
        wait_for(tmux, "Stories — enter opens")
        close(tmux, "Stories — enter opens")
        tmux.keys("C")                     # the compare screen
        wait_for(tmux, "Compare  Story")
        wait_for(tmux, "across")
        close(tmux, "Compare  Story")
        # One burst: the search must not be lost (type-ahead), in a real pty.
        tmux.literal("/Kandahar\r")
        wait_for(tmux, "match 1/")
        tmux.keys("q")
        deadline = time.monotonic() + 30
        while "diptych" in tmux.tmux("display", "-p", "-t", "main", "#{pane_current_command}") \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        title_after = tmux.tmux("display", "-p", "-t", "main", "#{pane_title}")
        buffers = tmux.tmux("list-buffers", check=False)
    finally:
        tmux.close()
    data = raw.read_bytes()
    assert len(data) > 10_000, "nothing was recorded from the pty"
    assert b"\xe2\x90\x9b]0;pwned-title" in data, "the escapes should be shown as pictures"
    found = [p for p in PAYLOADS if p in data]
    assert found == [], f"sequences from data reached the terminal: {found}"
    assert "pwned" not in title_after and title_after == title_before
    assert "ZWNob" not in buffers and buffers.strip() == "", f"an OSC 52 reached tmux: {buffers!r}"


def _q(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"



# ------------------------------------------------------------------ the attribute form


async def test_attribute_form_shows_pictures_and_keeps_the_stored_note(folder: Path) -> None:
    from textual.widgets import Input, Label, Select

    from tui.app import DiptychApp
    from tui.screens.attributes import AttributeForm

    db = folder / "annotations" / "diptych.db"
    copy = folder / "form.db"
    copy.write_bytes(db.read_bytes())
    schema = load_schema(folder / "annotations" / "schema.toml")
    session = AnnotationSession.open(copy, annotator="alice", schema=schema)
    try:
        story = next(s for s in session.stories() if s.title == STORY)
        claim = next(a for d in session.documents(story.id) for a in session.annotations(d.id) if a.label == "CLAIM")
        app = DiptychApp(session, story_id=story.id, suggest=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            results = []
            app.push_screen(AttributeForm(schema.label("CLAIM"), claim), results.append)
            await pilot.pause()
            form = app.screen
            note = form.query_one("#note", Input)
            labels = [str(w.render()) for w in form.query(Label)]
            assert note.value == "note ␛]0;pwned-title␇␛]52;c;ZWNobyBwd25lZA==␇␦31m¤evil¤␛[2J" + \
                "␛]8;;https://evil.example/␛\\click␛]8;;␛\\␛P1$r␛\\[bold]x[/bold]"
            assert "attr ␛]0;pwned-title␇" in labels
            assert all(not any(ch in text for ch in "\x1b\x07\u009b\u202e") for text in labels)
            values = [s.value for s in form.query(Select)]
            assert CHOICE in values  # the stored value, selected, not its picture
            await pilot.press("ctrl+s")
            await pilot.pause()
        assert results and results[0]["note"] == NOTE
        assert results[0]["attrs"]["certainty"] == CHOICE
    finally:
        session.close()
