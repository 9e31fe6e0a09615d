"""The normalised catalog row every file format produces, and small text helpers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from opencircuit_cli.models import PriceBreak

#: Formats `catalog import --format` accepts (besides "auto").
FORMATS = ("jlc", "jlcparts-db", "generic", "inventree", "lcsc-order")

#: Who sells the parts of a catalog when the file does not say.
DEFAULT_DISTRIBUTOR = {
    "jlc": "LCSC",
    "jlcparts-db": "LCSC",
    "lcsc-order": "LCSC",
    "generic": "Stockroom",
    "inventree": "Stockroom",
}


@dataclass(frozen=True)
class CatalogRecord:
    """One part of one catalog. `row` is the 1-based row in the source (sheet row, CSV line
    number, or database rowid) so problems can be reported where the user can find them."""

    row: int
    mpn: str
    manufacturer: str | None = None
    sku: str | None = None
    distributor: str | None = None  # None: the catalog's distributor
    description: str | None = None
    package: str | None = None
    category: str | None = None  # "First / Second" category
    datasheet_url: str | None = None
    url: str | None = None
    stock: int | None = None
    moq: int = 1
    order_multiple: int = 1
    packaging: str | None = None
    lead_time_days: int | None = None
    currency: str | None = None  # None: the catalog's currency
    price_breaks: tuple[PriceBreak, ...] = ()
    specs: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Skip:
    """A source row left out of the catalog, and why (shown in the import summary)."""

    row: int
    reason: str


class RowError(ValueError):
    """A row that cannot be imported and must not be skipped silently (a malformed price)."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row = row
        self.message = message


_LCSC = re.compile(r"^\s*[Cc]?0*(\d+)\s*$")


def normalize_lcsc(code: str | int | None) -> str | None:
    """`C17902`, `c17902`, `17902`, `C017902` -> `C17902`; None when it is not an LCSC code."""
    if code is None:
        return None
    found = _LCSC.match(str(code))
    return f"C{int(found.group(1))}" if found else None


def clean(text: object) -> str | None:
    """A cell as trimmed text; empty cells, "-" and "N/A" are None."""
    if text is None:
        return None
    value = str(text).strip()
    return None if value in ("", "-", "—", "N/A", "n/a", "None") else value
