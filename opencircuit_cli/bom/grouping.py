"""Source rows -> BOM lines (EXPECTATIONS.md rules).

Rows with the same MPN and the same manufacturer (the same company however spelled; an empty
manufacturer matches any) form one line; rows without an MPN group by (value, footprint) when
either is non-empty; rows with neither stay alone. DNP rows only group with DNP rows. A line's
quantity is the sum of its rows', and it keeps every source row number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from opencircuit_cli.matching import normalize_mpn
from opencircuit_cli.models import BomLine

_COMPANY_NOISE = frozenset(
    {
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "ltd",
        "llc",
        "gmbh",
        "ag",
        "the",
        "company",
        "electronics",
        "semiconductor",
        "semiconductors",
        "technologies",
        "technology",
        "international",
        "group",
        "limited",
        "sa",
        "bv",
        "kg",
        "plc",
    }
)


@dataclass(frozen=True)
class SourceRow:
    """One data row of the table, already interpreted."""

    row: int
    references: tuple[str, ...]
    quantity: int
    value: str | None = None
    footprint: str | None = None
    manufacturer: str | None = None
    mpn: str | None = None
    skus: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    dnp: bool = False
    description: str | None = None
    extra: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def company_key(name: str | None) -> str:
    """`Murata Electronics North America` ~ `MURATA`, `Diodes Inc.` ~ `Diodes Incorporated`,
    `Würth Elektronik` ~ `Wurth`: the first significant word, folded."""
    if not name:
        return ""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = [w for w in re.split(r"[^a-z0-9&]+", folded) if w and w not in _COMPANY_NOISE]
    return words[0] if words else ""


def group_rows(rows: Sequence[SourceRow], *, description_as_value: bool = False) -> list[BomLine]:
    """`description_as_value`: the file has neither a value nor a footprint column, so rows
    without an MPN group by their description (hand-made lists: `22K 1206`)."""
    groups: list[list[SourceRow]] = []
    by_mpn: dict[tuple[str, bool], list[list]] = {}  # (mpn, dnp) -> [[company, rows], ...]
    by_value: dict[tuple[str, str, bool], list[SourceRow]] = {}
    for row in rows:
        if row.mpn:
            clusters = by_mpn.setdefault((normalize_mpn(row.mpn), row.dnp), [])
            company = company_key(row.manufacturer)
            for cluster in clusters:
                if not company or not cluster[0] or cluster[0] == company:
                    cluster[0] = cluster[0] or company
                    cluster[1].append(row)
                    break
            else:
                members = [row]
                clusters.append([company, members])
                groups.append(members)
            continue
        value = (row.value or "").strip().lower()
        if description_as_value and not value:
            value = " ".join((row.description or "").split()).lower()
        footprint = (row.footprint or "").strip().lower()
        if value or footprint:
            key = (value, footprint, row.dnp)
            if key not in by_value:
                by_value[key] = []
                groups.append(by_value[key])
            by_value[key].append(row)
            continue
        groups.append([row])
    return [_line(members) for members in groups if members]


def _first(values: Sequence[str | None]) -> str | None:
    for value in values:
        if value:
            return value
    return None


def _line(members: Sequence[SourceRow]) -> BomLine:
    skus: dict[str, str] = {}
    extra: dict[str, str] = {}
    for member in members:
        for key, sku in member.skus.items():
            skus.setdefault(key, sku)
        for key, text in member.extra.items():
            extra.setdefault(key, text)
    return BomLine(
        row=members[0].row,
        references=tuple(ref for m in members for ref in m.references),
        quantity=sum(m.quantity for m in members),
        value=_first([m.value for m in members]),
        footprint=_first([m.footprint for m in members]),
        manufacturer=_first([m.manufacturer for m in members]),
        mpn=_first([m.mpn for m in members]),
        skus=MappingProxyType(skus),
        dnp=members[0].dnp,
        description=_first([m.description for m in members]),
        extra=MappingProxyType(extra),
        rows=tuple(m.row for m in members),
    )
