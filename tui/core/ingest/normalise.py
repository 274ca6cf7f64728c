"""One text normalisation for every import format, with span offsets carried across.

Stored text is Unicode NFC with LF line ends, whatever the format (txt, JSONL,
Label Studio, brat, INCEpTION, W3C): the same article saved as NFC, NFD or with
CRLF line ends is one document (one SHA-256), not three. A leading BOM is
dropped by the txt reader as before.

Normalising changes code-point offsets ("e" + U+0301 becomes one "é"; "\\r\\n"
becomes "\\n"), so a record's spans are moved with an offset map from the
original text to the stored one. A span boundary that falls *inside* what
normalisation merged (between the "e" and its accent, between CR and LF) has no
place in the stored text: that record is refused, naming the file, line and span.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from ..errors import IngestError
from ..formats.incoming import DocRecord, FlatRecord, ParsedJsonl, RelIn, SpanRef

INSIDE = -1  # an original offset strictly inside a merged character: no stored offset


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _line_ends(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def normalise_text(text: str) -> str:
    """The stored form: LF line ends, then NFC."""
    return _nfc(_line_ends(text))


def _segments(text: str) -> list[tuple[int, int]]:
    """Cut ``text`` where normalising the pieces one by one gives the same as the whole:
    before a character that neither combines (canonical class 0) nor composes with
    what precedes it (Hangul jamo and a few scripts compose two starters); CR LF is one piece."""
    cuts: list[tuple[int, int]] = []
    start, i, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\r":
            if i > start:
                cuts.append((start, i))
            end = i + 2 if text[i + 1:i + 2] == "\n" else i + 1
            cuts.append((i, end))
            start = i = end
            continue
        if i > start and unicodedata.combining(ch) == 0:
            last = _nfc(text[start:i])[-1:]
            if _nfc(last + ch) == last + _nfc(ch):
                cuts.append((start, i))
                start = i
        i += 1
    if start < n:
        cuts.append((start, n))
    return cuts


def offset_map(text: str) -> tuple[str, list[int] | None]:
    """(stored text, map of every original offset 0..len(text) to its stored offset,
    INSIDE where it falls within a merged character); None when nothing changes."""
    if "\r" not in text and unicodedata.is_normalized("NFC", text):
        return text, None
    want = normalise_text(text)
    mapping = [INSIDE] * (len(text) + 1)
    out: list[str] = []
    pos = 0
    for a, b in _segments(text):
        piece = text[a:b]
        new = "\n" if piece in ("\r\n", "\r") else _nfc(piece)
        mapping[a] = pos
        if new == piece:
            for k in range(a + 1, b):
                mapping[k] = pos + k - a
        pos += len(new)
        out.append(new)
    mapping[len(text)] = pos
    if "".join(out) != want:  # a composition the cuts did not foresee: only the ends are sure
        mapping = [INSIDE] * (len(text) + 1)
        mapping[0], mapping[len(text)] = 0, len(want)
    return want, mapping


def _moved(path: str, line: int, where: str, mapping: list[int], start: int, end: int, text: str) -> tuple[int, int]:
    s, e = mapping[start], mapping[end]
    if s == INSIDE or e == INSIDE:
        at = start if s == INSIDE else end
        around = text[max(0, at - 1):at + 1].encode("unicode_escape").decode("ascii")
        raise IngestError(path, f"{where}: span {start}-{end} {'starts' if s == INSIDE else 'ends'} inside a "
                                f"character that normalisation merges ({around!s}: stored text is NFC with LF "
                                "line ends)", line=line,
                          hint="move the span boundary off the combining mark or CR, or save the text as NFC "
                               "with LF line ends; nothing from this file was imported")
    return s, e


def _ref(path: str, rel: RelIn, ref: SpanRef, mapping: list[int], text: str) -> SpanRef:
    if ref.start is None or ref.end is None or ref.text_sha256 is not None:
        return ref  # an id, or a span of another (already stored, already normal) document
    s, e = _moved(path, rel.line, rel.where, mapping, ref.start, ref.end, text)
    return replace(ref, start=s, end=e)


def normalise_record(path: str, rec: DocRecord) -> DocRecord:
    """``rec`` with its text normalised and every span and relation end moved to match."""
    text, mapping = offset_map(rec.text)
    if mapping is None:
        return rec
    spans = []
    for span in rec.spans:
        s, e = _moved(path, span.line, span.where, mapping, span.start, span.end, rec.text)
        spans.append(replace(span, start=s, end=e))
    relations = [replace(rel, head=_ref(path, rel, rel.head, mapping, rec.text),
                         child=_ref(path, rel, rel.child, mapping, rec.text)) for rel in rec.relations]
    return replace(rec, text=text, spans=spans, relations=relations)


def normalise_flat(flat: FlatRecord) -> FlatRecord:
    """A flat record's quote normalised like the text it is looked for in (its
    offsets are only a hint: the quote places it)."""
    return replace(flat, exact=normalise_text(flat.exact), prefix=normalise_text(flat.prefix),
                   suffix=normalise_text(flat.suffix))


def normalise_parsed(path: str, parsed: ParsedJsonl | list[DocRecord]) -> ParsedJsonl:
    """Everything a reader produced, normalised; raises IngestError before anything is written."""
    if not isinstance(parsed, ParsedJsonl):
        parsed = ParsedJsonl(documents=list(parsed))
    return ParsedJsonl(documents=[normalise_record(path, rec) for rec in parsed.documents],
                       flats=[normalise_flat(flat) for flat in parsed.flats])
