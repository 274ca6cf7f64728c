"""Plain-text articles: bytes -> stored text, metadata found in it, flagged regions.

The stored text is the file decoded as UTF-8 with three normalisations, and
nothing else: a leading byte-order mark is dropped, CRLF / lone CR line ends
become LF, and the text is put in Unicode NFC (as for every other format). Offsets (annotations, regions) refer to that stored text.
Nothing is ever removed: repeated paragraphs and comment-form leftovers stay
in the text and are *flagged* as regions instead.

Metadata rules (each a pure function of the text, unit-tested):

- ``url``: a line that is only an ``http(s)://`` URL (optionally after
  ``URL:`` / ``Link:``) in the trailing block — the last few non-blank lines,
  not counting boilerplate.
- ``outlet``: the last ``Source: X`` line (X at most 60 characters); else the
  URL's host without ``www.``.
- ``author``: a ``By X`` / ``Author: X`` / ``Written by X`` line among the
  first or last five lines; else a bare name line (2-4 capitalised words, no
  digits, at most 40 characters) in the trailing block next to the URL /
  ``Source:`` line.
- ``published``: a ``/YYYY/MM/DD/`` date in the URL's path.
- ``title``: the first non-blank line if it is at most 150 characters and is
  not itself a URL, ``Source:`` or byline; else the first sentence of the
  first paragraph, cut at a word boundary to at most 80 characters with "…"
  when cut; else the file name without its extension.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import IngestError
from ..text import paragraphs, sentences
from .regions import _norm, is_boilerplate

# ----------------------------------------------------------------- bytes -> text

# Signatures of formats people drop into a folder of articles by mistake, so the
# message can say what the file is and how to get text out of it.
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "a PDF document", "extract its text first (e.g. pdftotext FILE out.txt)"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.odt/.epub)", "export or extract the article as plain text"),
    (b"\x89PNG", "a PNG image", "only text files can be imported"),
    (b"\xff\xd8\xff", "a JPEG image", "only text files can be imported"),
    (b"GIF8", "a GIF image", "only text files can be imported"),
    (b"\x1f\x8b", "gzip-compressed", "decompress it first (gunzip FILE)"),
    (b"SQLite format 3\x00", "a SQLite database", "pass it as --db, not as a file to import"),
    (b"\x7fELF", "a program (ELF binary)", "only text files can be imported"),
)
_UTF16_32_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"),
)
_BOM = "\ufeff"
# C0 controls that real text files do contain.
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1b")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_text(path: str, data: bytes, *, nfc: bool = True) -> tuple[str, list[str]]:
    """Decode a file's bytes as UTF-8; return (text, normalisations applied).

    ``nfc=False`` for a JSONL file: its records' texts are normalised one by one,
    with their span offsets (``ingest.normalise``); NFC on the whole file would
    move the texts under the offsets.

    Raises IngestError for binary data, other encodings, invalid UTF-8 (with
    the byte offset and line) and empty or blank files.
    """
    if not data:
        raise IngestError(path, "the file is empty", hint="remove it or put the article text in it")
    for bom, name in _UTF16_32_BOMS:
        if data.startswith(bom):
            raise IngestError(path, f"the file is {name} (it starts with a {name} byte-order mark), not UTF-8",
                              hint=f"convert it: iconv -f {name} -t UTF-8 FILE > FILE.utf8.txt")
    for magic, what, hint in _MAGIC:
        if data.startswith(magic):
            raise IngestError(path, f"this is a binary file ({what}), not text", hint=hint)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise IngestError(path, f"this is a binary file (NUL byte at byte offset {nul})",
                          line=_line_of(data, nul), hint="only UTF-8 text files (.txt, .jsonl) can be imported")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start:exc.start + 4]
        raise IngestError(
            path, f"invalid UTF-8 at byte offset {exc.start} (bytes {bad!r}): {exc.reason}",
            line=_line_of(data, exc.start),
            hint="save the file as UTF-8, e.g. iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.utf8.txt") from None
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 0x20 and ch not in _TEXT_CONTROLS)
    if controls > max(8, len(sample) // 10):
        raise IngestError(path, f"this looks like a binary file ({controls} control characters "
                                f"in its first {len(sample)} characters)",
                          hint="only UTF-8 text files (.txt, .jsonl) can be imported")
    done: list[str] = []
    if text.startswith(_BOM):
        text = text[1:]
        done.append("bom")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        done.append("newlines")
    if nfc and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)  # as every other format (ingest.normalise)
        done.append("nfc")
    if not text.strip():
        raise IngestError(path, "the file holds only whitespace", hint="remove it or put the article text in it")
    return text, done


# ----------------------------------------------------------------- metadata

_URL_LINE_RE = re.compile(r"^(?:(?:url|link|source url|original)\s*:\s*)?<?(https?://[^\s<>]+)>?$", re.IGNORECASE)
_SOURCE_RE = re.compile(r"^source\s*:\s*(.+)$", re.IGNORECASE)
_BYLINE_RE = re.compile(r"^(?:by|author\s*:|written by|words by)\s+(.+)$", re.IGNORECASE)
_URL_DATE_RE = re.compile(r"/((?:19|20)\d\d)/(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])(?:/|$)")
_NAME_PARTICLES = frozenset("de da del della di du van von der den ter la le al el bin ibn y".split())
_NAME_CHARS = frozenset(".'’-‐")

TITLE_MAX_LINE = 150
TITLE_MAX_SENTENCE = 80
_TRAILING_LINES = 6


@dataclass(frozen=True)
class TextMeta:
    title: str = ""
    outlet: str = ""
    url: str = ""
    author: str = ""
    published: str = ""
    # Which rule gave the title: "first_line", "first_sentence" or "file_stem".
    title_rule: str = ""


def _is_name(line: str) -> bool:
    words = line.split()
    if not 2 <= len(words) <= 4 or len(line) > 40:
        return False
    for w in words:
        if w.lower() in _NAME_PARTICLES:
            continue
        if not w[0].isupper() or any(not (c.isalpha() or c in _NAME_CHARS) for c in w):
            return False
    return True


def _byline(line: str) -> str:
    m = _BYLINE_RE.match(line)
    if not m:
        return ""
    name = re.split(r"\s+[|–—-]\s+|,\s*", m.group(1).strip())[0].strip()
    return name if name and len(name) <= 60 and name[0].isupper() else ""


def url_outlet(url: str) -> str:
    """The outlet a URL names: its host in lower case, without ``www.``."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def url_date(url: str) -> str:
    m = _URL_DATE_RE.search(urlsplit(url).path)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else ""


def short_title(sentence: str, limit: int = TITLE_MAX_SENTENCE) -> str:
    """``sentence`` cut at a word boundary to at most ``limit`` characters, "…" added when cut."""
    flat = _norm(sentence)
    if len(flat) <= limit:
        return flat
    cut = flat[: limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[: limit - 1]
    return cut.rstrip(" ,;:–—-") + "…"


def _is_meta_line(line: str) -> bool:
    return bool(_URL_LINE_RE.match(line) or _SOURCE_RE.match(line) or _byline(line))


def extract_metadata(text: str, stem: str = "") -> TextMeta:
    """Title, outlet, URL, author and date found in an article's text."""
    lines = [_norm(text[s:e]) for s, e in paragraphs(text)]
    content = [ln for ln in lines if not is_boilerplate(ln)]
    url = outlet = author = ""
    # Trailing block: walk back over metadata-looking lines.
    tail: list[str] = []
    for ln in reversed(content[-_TRAILING_LINES:]):
        if _URL_LINE_RE.match(ln) or _SOURCE_RE.match(ln) or _byline(ln) or _is_name(ln):
            tail.append(ln)
        else:
            break
    for ln in tail:  # nearest the end first
        if not url and (m := _URL_LINE_RE.match(ln)):
            url = m.group(1)
    sources = [m.group(1).strip() for ln in lines if (m := _SOURCE_RE.match(ln)) and len(m.group(1).strip()) <= 60]
    if sources:
        outlet = sources[-1]
    for ln in content[:5] + content[-5:]:
        if name := _byline(ln):
            author = name
            break
    if not author and any(_URL_LINE_RE.match(ln) or _SOURCE_RE.match(ln) for ln in tail):
        names = [ln for ln in tail if _is_name(ln) and not _byline(ln)]
        if names:
            author = names[0]
    if not outlet and url:
        outlet = url_outlet(url)
    published = url_date(url) if url else ""

    title, rule = "", ""
    first = next((ln for ln in content if not _is_meta_line(ln)), "")
    if first and len(first) <= TITLE_MAX_LINE and len(content) > 1:
        title, rule = first, "first_line"
    elif first:
        spans = sentences(first)
        if spans:
            title, rule = short_title(first[spans[0][0]:spans[0][1]]), "first_sentence"
    if not title and stem:
        title, rule = stem, "file_stem"
    return TextMeta(title=title, outlet=outlet, url=url, author=author, published=published, title_rule=rule)
