"""Bytes of a text file → the text the extractor reads.

Encodings recognised (the same document in any of them decodes to the same text):
UTF-8 with or without BOM; UTF-16 LE/BE with BOM; BOM-less UTF-16 recognised by its NUL-byte
pattern; UTF-32 with BOM; Shift_JIS/CP932; EUC-JP. Where more than one Japanese legacy encoding
decodes the bytes without error, the decoding that reads most like Japanese text wins.

A UTF-8 file cut inside its last character keeps every whole character; a file that is UTF-8
except for a few bad bytes is refused with the offset of the first one (never decoded by guess).
Line ends (CRLF, lone CR) become LF. A form feed (page break in pdftotext output) becomes a page
break the extractor understands, a run of three blank lines (form-fields.md §2): the text keeps
its line break before the form feed and the next page starts on a new line.

Line numbers. Provenance line numbers produced by ``extract_text`` count the lines of the decoded
text. :func:`decode_with_line_map` also returns, for every decoded line, the number of the line in
the original file (lines split at LF, CRLF or CR; a form feed does not start a new line there),
and ``extract_path`` uses it so that records read from files point at the lines an editor shows.
Without form feeds the two numberings are identical.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from pia_graph.errors import InputError

BINARY_PROBLEM = "binary file, not text"
EMPTY_PROBLEM = "empty file"
PAGE_BREAK_BLANK_LINES = 3
# Share of C0/C1 control characters (other than tab, line ends and form feed) above which a
# decoded text is taken for binary data that happened to decode.
_MAX_CONTROL_RATIO = 0.01
# The Cc category is exactly U+0000-U+001F and U+007F-U+009F; this class is those minus the allowed
# controls (tab, LF, CR, form feed). One regex pass counts them far faster than a per-character
# unicodedata.category() loop over a whole document.
_DISALLOWED_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# Ctrl-Z: an end-of-file marker some DOS-era tools append to text files.
_DOS_EOF = "\x1a"

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its LE BOM starts with the UTF-16 LE BOM.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_LEGACY_JAPANESE = ("cp932", "euc_jis_2004", "euc_jp")


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    return len(_DISALLOWED_CONTROL.findall(text)) / len(text)


def _japanese_score(text: str) -> int:
    """How much ``text`` reads like Japanese: kana, kanji and ASCII count for, noise against.

    Decoding EUC-JP bytes as CP932 (or the reverse), when it succeeds at all, yields half-width
    katakana, private-use and rare symbols, which the penalty term catches.
    """
    score = 0
    for char in text:
        code = ord(char)
        if 0x3040 <= code <= 0x30FF or 0x4E00 <= code <= 0x9FFF or 0x3000 <= code <= 0x303F:
            score += 2
        elif 0x20 <= code < 0x7F or char in "\n\t":
            score += 1
        elif 0xFF61 <= code <= 0xFF9F or unicodedata.category(char) in ("Cc", "Co", "Cn", "Cs"):
            score -= 3
    return score


def _bomless_utf16(data: bytes) -> str | None:
    """The text of BOM-less UTF-16 data, or None when the data is not that.

    In UTF-16 every ASCII character (line ends, spaces, digits) has a NUL high byte, so text
    has many NUL bytes; both byte orders are tried and the one that reads like text wins (the
    wrong order turns line ends into unassigned code points, which the score penalises).
    """
    if len(data) < 2 or len(data) % 2:
        return None
    # At least one NUL per 64 characters: real text has line ends and ASCII all through.
    if data.count(0) * 64 < len(data) // 2:
        return None
    candidates = []
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _control_ratio(text) <= _MAX_CONTROL_RATIO:
            candidates.append(text)
    if not candidates:
        return None
    best = max(candidates, key=_utf16_order_score)
    return best if _utf16_order_score(best) * 4 > len(best) else None


def _utf16_order_score(text: str) -> int:
    """Characters that only the right byte order produces in quantity: ASCII, kana, CJK punctuation.

    Kanji are left out on purpose: ASCII read in the wrong byte order becomes kanji (U+6100…).
    """
    return sum(
        1 for char in text
        if char in "\n\t" or 0x20 <= ord(char) < 0x7F or 0x3000 <= ord(char) <= 0x30FF
        or 0xFF01 <= ord(char) <= 0xFF5E
    )


def _decode_raw(data: bytes, source: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                raise InputError(source, f"{BINARY_PROBLEM} (invalid {encoding} after its byte-order mark)") from None
    if b"\x00" in data:
        text = _bomless_utf16(data)
        if text is None:
            raise InputError(source, BINARY_PROBLEM)
        return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data" and error.end == len(data):
            # A file cut inside its last character (an interrupted download): keep every whole one.
            try:
                return data[:error.start].decode("utf-8")
            except UnicodeDecodeError:
                pass
        utf8_error = error
    candidates: list[str] = []
    for encoding in _LEGACY_JAPANESE:
        try:
            candidates.append(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    if not candidates:
        lossy = data.decode("utf-8", errors="replace")
        if lossy.count("\ufffd") * 100 <= len(lossy) and _control_ratio(lossy) <= _MAX_CONTROL_RATIO:
            # Nearly all UTF-8: say where it breaks rather than call the file binary or guess the bytes.
            raise InputError(source, f"invalid UTF-8 at byte {utf8_error.start} (the rest reads as UTF-8 text)")
        raise InputError(source, BINARY_PROBLEM)
    # max() keeps the first of equal scores, so CP932 (listed first, the commoner) wins ties.
    return max(candidates, key=_japanese_score)


def _split_original_lines(text: str) -> list[str]:
    """Lines of the original file: split at CRLF, CR or LF (nothing else)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def decode_with_line_map(data: bytes, source: str) -> tuple[str, list[int]]:
    """Decode ``data`` (see module doc); also return the original 1-based line of each decoded line.

    Raises InputError(source, "empty file") for empty or whitespace-only input and
    InputError(source, "binary file, not text") for data that is not text in a supported encoding.
    """
    if not data.strip():
        raise InputError(source, EMPTY_PROBLEM)
    text = _decode_raw(data, source)
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.rstrip(_DOS_EOF)
    if "\x00" in text or _control_ratio(text) > _MAX_CONTROL_RATIO:
        raise InputError(source, BINARY_PROBLEM)
    if not text.strip():
        raise InputError(source, EMPTY_PROBLEM)
    original_lines = _split_original_lines(text)
    if "\f" not in text:
        # the common case: decoded lines are the file's lines, one for one
        return "\n".join(original_lines), list(range(1, len(original_lines) + 1))
    decoded_lines: list[str] = []
    line_map: list[int] = []
    for number, line in enumerate(original_lines, start=1):
        pieces = line.split("\f")
        # A form feed becomes three blank lines; the empty text beside a form feed is not a line.
        if pieces[0] or len(pieces) == 1:
            decoded_lines.append(pieces[0])
            line_map.append(number)
        for piece in pieces[1:]:
            decoded_lines.extend([""] * PAGE_BREAK_BLANK_LINES)
            line_map.extend([number] * PAGE_BREAK_BLANK_LINES)
            if piece:
                decoded_lines.append(piece)
                line_map.append(number)
    return "\n".join(decoded_lines), line_map


def decode_bytes(data: bytes, source: str) -> str:
    """The text of ``data`` with LF line ends and form feeds turned into page breaks (see module doc)."""
    return decode_with_line_map(data, source)[0]


__all__ = ["BINARY_PROBLEM", "EMPTY_PROBLEM", "decode_bytes", "decode_with_line_map"]
