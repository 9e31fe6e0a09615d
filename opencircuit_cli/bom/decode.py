"""Bytes of a delimited-text BOM -> text, never raising on bad bytes.

Order: a UTF-16/UTF-8 byte-order mark wins; then strict UTF-8; then cp1252 (which maps the five
bytes cp1252 leaves undefined through Latin-1, so every byte decodes). Lines that had to be
replaced are reported so the reader can warn with their row number.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    # 1-based lines holding bytes that did not decode as the encoding (U+FFFD), or for the
    # cp1252 fallback the lines whose non-ASCII bytes were read as cp1252
    bad_lines: tuple[int, ...] = ()


def _cp1252_or_latin1(data: bytes) -> str:
    """cp1252 for the printable range, Latin-1 for the five bytes cp1252 does not define."""
    table = {}
    for code in range(0x80, 0xA0):
        try:
            table[code] = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1").translate(table)


def _lines_with(text: str, char: str) -> tuple[int, ...]:
    if char not in text:
        return ()
    return tuple(i for i, line in enumerate(text.splitlines(), 1) if char in line)


def decode_bytes(data: bytes) -> Decoded:
    if data.startswith(codecs.BOM_UTF32_LE) or data.startswith(codecs.BOM_UTF32_BE):
        text = data.decode("utf-32", errors="replace")
        return Decoded(text, "utf-32", _lines_with(text, "\ufffd"))
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        text = data.decode("utf-16", errors="replace")
        return Decoded(text, "utf-16", _lines_with(text, "\ufffd"))
    if data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
        return Decoded(text, "utf-8-sig", _lines_with(text, "\ufffd"))
    if _looks_like_bomless_utf16(data):
        encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        text = data.decode(encoding, errors="replace")
        return Decoded(text, encoding, _lines_with(text, "\ufffd"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _cp1252_or_latin1(data)
        lines = tuple(
            i for i, line in enumerate(text.splitlines(), 1) if any(ord(c) > 127 for c in line)
        )
        return Decoded(text, "cp1252", lines)
    # U+FFFD already in valid UTF-8 means an earlier tool lost a byte (EspHeatController).
    return Decoded(text, "utf-8", _lines_with(text, "\ufffd"))


def _looks_like_bomless_utf16(data: bytes) -> bool:
    """ASCII-heavy UTF-16 without a BOM: every other byte is NUL."""
    sample = data[:2000]
    if len(sample) < 8:
        return False
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    half = len(sample) // 2
    return (odd_nul > 0.8 * half and even_nul < 0.1 * half) or (
        even_nul > 0.8 * half and odd_nul < 0.1 * half
    )


def is_binary(text: str) -> bool:
    """Control characters other than whitespace in a decoded sample: not a text table."""
    sample = text[:20000]
    if not sample:
        return False
    if "\x00" in sample:
        return True
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f\v")
    return controls > max(2, len(sample) // 200)
