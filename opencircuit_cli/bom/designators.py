"""Reference designator lists: parse (`C1, C3`, `C1 C3`, `C102-C105`, `R2,3`, `Q1#2`) and format.

`parse_references` never fails: text that is not a designator is kept as-is and reported, so
the caller can warn (`LEDs`, `Display`, `JP2 (closed jumper)`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_RANGE = 1000  # a range longer than this is a typo, not 5,000 parts

_DESIGNATOR = re.compile(r"[A-Za-z][A-Za-z0-9_/+.\-]*?\d+[A-Za-z]?(?:#\d+)?|[A-Za-z]+\d+[A-Za-z]+")
_SPLIT = re.compile(r"(\d+)(?:(#\d+))?$")
_RANGE = re.compile(r"([A-Za-z][A-Za-z_]*)(\d+)\s*(?:-|–|\.\.|:)\s*(?:([A-Za-z][A-Za-z_]*))?(\d+)")


@dataclass(frozen=True)
class ParsedReferences:
    references: tuple[str, ...]
    unrecognised: tuple[str, ...] = ()  # tokens kept as-is that do not look like designators


def _tokens(text: str) -> tuple[list[str], list[str]]:
    """Tokens, and remarks in brackets after a designator (`JP2 (closed jumper)`)."""
    text = text.strip().lstrip(">").strip()
    remarks = re.findall(r"(?<=\S)\s+(\([^()]*\))", text)
    text = re.sub(r"(?<=\S)\s+\([^()]*\)", "", text)
    parts = re.split(r"[,;\s]+", text)
    return [p for p in (p.strip() for p in parts) if p], remarks


def parse_references(text: str) -> ParsedReferences:
    """Expand a designator list in file order."""
    refs: list[str] = []
    tokens, odd = _tokens(text)
    last_prefix: str | None = None
    for token in tokens:
        if token in ("-", "--", "~"):
            continue
        range_match = _RANGE.fullmatch(token)
        if range_match:
            prefix, first, prefix2, last = range_match.groups()
            start, stop = int(first), int(last)
            if (prefix2 in (None, prefix)) and start <= stop and stop - start < MAX_RANGE:
                width = len(first) if first.startswith("0") else 0
                refs.extend(f"{prefix}{n:0{width}d}" for n in range(start, stop + 1))
                last_prefix = prefix
                continue
        if token.isdigit() and last_prefix is not None:
            refs.append(f"{last_prefix}{token}")  # `R2,3` continuation
            continue
        if _DESIGNATOR.fullmatch(token):
            refs.append(token)
            prefix_match = re.match(r"([A-Za-z][A-Za-z_]*?)\d", token)
            last_prefix = prefix_match.group(1) if prefix_match else None
            continue
        refs.append(token)
        odd.append(token)
        last_prefix = None
    return ParsedReferences(tuple(refs), tuple(odd))


def _split(ref: str) -> tuple[str, int, str] | None:
    """`C12` -> ("C", 12, ""), or None for refs that cannot take part in a range."""
    match = re.fullmatch(r"([A-Za-z][A-Za-z_]*)([1-9]\d*)", ref)
    if not match:
        return None
    return match.group(1), int(match.group(2)), ""


def format_references(refs: Sequence[str]) -> str:
    """The inverse of `parse_references`: runs of 3+ consecutive numbers become ranges."""
    out: list[str] = []
    i = 0
    while i < len(refs):
        head = _split(refs[i])
        j = i
        if head is not None:
            while j + 1 < len(refs):
                nxt = _split(refs[j + 1])
                if nxt is None or nxt[0] != head[0] or nxt[1] != head[1] + (j + 1 - i):
                    break
                j += 1
        if head is not None and j - i >= 2:
            out.append(f"{refs[i]}-{refs[j]}")
            i = j + 1
        else:
            out.append(refs[i])
            i += 1
    return ", ".join(out)
