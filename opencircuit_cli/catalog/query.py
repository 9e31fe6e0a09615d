"""A search text and `--filter`s -> what the store asks SQLite. Pure.

Terms of three or more characters go to the FTS5 trigram index (substring match, any case);
shorter ones (`1%`, `5V`) cannot use trigrams and become LIKE conditions. Terms that start with a
digit (`10k`, `0603`, `1%`, `100nF`) are parametric values and must not be part of a longer
number: `10k` must not match `110k` nor `1%` match `0.1%`, checked on the candidates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from opencircuit_cli.matching import normalize_mpn

#: `--filter` names the store applies as column conditions; any other name's value is
#: searched for as a parametric term in the description (`--filter tolerance=1%`).
COLUMN_FILTERS = {
    "package": "package",
    "footprint": "package",
    "category": "category",
    "manufacturer": "manufacturer",
    "distributor": "distributor",
}


@dataclass(frozen=True)
class SearchPlan:
    text: str
    normalized: str  # the text as a part number, for exact MPN/SKU hits
    fts: str | None  # FTS5 MATCH expression, None when no term is long enough
    like_terms: tuple[str, ...]  # short terms, matched with LIKE
    values: tuple[re.Pattern[str], ...]  # parametric terms, checked with word boundaries
    columns: tuple[tuple[str, str], ...]  # (column, value) LIKE conditions
    in_stock: bool = False


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def value_pattern(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<![0-9.,])" + re.escape(term) + r"(?![0-9])", re.IGNORECASE)


def plan_search(
    text: str,
    filters: Mapping[str, str] | None = None,
    *,
    in_stock: bool = False,
    manufacturer: str | None = None,
) -> SearchPlan:
    terms = [t for t in text.split() if t]
    columns: list[tuple[str, str]] = []
    for name, value in (filters or {}).items():
        column = COLUMN_FILTERS.get(name.strip().lower())
        if column is None:
            terms.append(value.strip())
        else:
            columns.append((column, value.strip()))
    if manufacturer:
        columns.append(("manufacturer", manufacturer.strip()))
    long_terms = [t for t in terms if len(t) >= 3]
    short_terms = tuple(t for t in terms if len(t) < 3)
    values = tuple(value_pattern(t) for t in terms if t[:1].isdigit())
    return SearchPlan(
        text=text.strip(),
        normalized=normalize_mpn(text) if text.strip() else "",
        fts=" AND ".join(_quote(t) for t in long_terms) or None,
        like_terms=short_terms,
        values=values,
        columns=tuple(columns),
        in_stock=in_stock,
    )


def like_pattern(term: str) -> str:
    """`%term%` with LIKE wildcards escaped (the store uses ESCAPE '\\')."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
