"""What kind of file a BOM is (by content first, extension second) and, for text, its delimiter."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

DELIMITERS = (",", ";", "\t", "|")

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_kind(path: Path, head: bytes) -> str:
    """One of "xlsx", "xls", "xml", "text". Magic bytes beat the extension (a `.csv` that is
    really an XLSX is read as XLSX)."""
    if head.startswith(_ZIP):
        return "xlsx"
    if head.startswith(_OLE):
        return "xls"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if (
        stripped.startswith(b"<?xml")
        or stripped.startswith(b"<export")
        or (stripped.startswith(b"<") and path.suffix.lower() == ".xml")
    ):
        return "xml"
    if head.startswith((b"\xff\xfe<\x00", b"\xfe\xff\x00<")):
        return "xml"
    return "text"


def _quoted_free(line: str) -> str:
    """The line with double-quoted spans removed, so delimiters inside quotes do not count."""
    return re.sub(r'"[^"]*"', '""', line)


def sniff_delimiter(text: str, *, sample_lines: int = 200) -> str | None:
    """The delimiter whose per-line count is most consistent (and non-zero) over the sample.

    Scores each candidate by how many lines share its most common non-zero count, weighted by
    that count; comment lines (`#`) and blank lines are ignored. None: no delimiter at all
    (a single column, or a fixed-width report).
    """
    # Quoted spans are removed from the whole sample before splitting it into lines: a quoted
    # cell may hold a newline, and halves of it must not count as lines of their own.
    sample = _quoted_free("\n".join(text.splitlines()[: sample_lines * 4]))
    lines = [
        line for line in sample.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ][:sample_lines]
    if not lines:
        return None
    best: tuple[float, str] | None = None
    for delim in DELIMITERS:
        counts = [line.count(delim) for line in lines]
        nonzero = [c for c in counts if c]
        if not nonzero:
            continue
        mode, agree = Counter(nonzero).most_common(1)[0]
        # lines with at least the modal count also support the guess (ragged rows, footers)
        support = sum(1 for c in counts if c >= 1)
        score = (agree + 0.5 * support) * (1 + min(mode, 10) / 10)
        if support < max(2, len(lines) // 5) and len(lines) > 3:
            continue
        if best is None or score > best[0]:
            best = (score, delim)
    return best[1] if best else None


def looks_fixed_width(text: str) -> bool:
    """Columns separated by runs of spaces on most lines (EAGLE/Altium text reports)."""
    lines = [line for line in text.splitlines()[:100] if line.strip()]
    if len(lines) < 2:
        return False
    runs = sum(1 for line in lines if re.search(r"\S {2,}\S", line))
    return runs >= 0.6 * len(lines)
