"""The data every layer shares: frozen dataclasses, money as Decimal, currencies as ISO 4217."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType

LIFECYCLES = ("active", "new", "nrnd", "eol", "obsolete", "unknown")


@dataclass(frozen=True)
class PartQuery:
    """What a BOM line or the user asks for. Hashable: used as a dict key for batched lookups."""

    mpn: str
    manufacturer: str | None = None
    sku: str | None = None  # a distributor part number, when the BOM names one
    distributor: str | None = None  # whose SKU `sku` is


@dataclass(frozen=True)
class PriceBreak:
    quantity: int  # the break applies from this quantity up
    unit_price: Decimal


@dataclass(frozen=True)
class Fee:
    """A per-order charge of an offer, e.g. DigiKey's Digi-Reel fee."""

    name: str
    amount: Decimal


@dataclass(frozen=True)
class Offer:
    source: str  # the provider that answered (nexar)
    distributor: str  # who sells (Arrow)
    sku: str
    currency: str
    price_breaks: tuple[PriceBreak, ...] = ()  # ascending by quantity
    packaging: str | None = None  # "Cut Tape", "Tape & Reel", "Digi-Reel", "Bulk", ...
    stock: int | None = None  # None: unknown
    moq: int = 1
    order_multiple: int = 1
    lead_time_days: int | None = None
    url: str | None = None
    fees: tuple[Fee, ...] = ()
    fetched_at: datetime | None = None
    factory_stock: int | None = None
    on_order: int | None = None
    authorized: bool | None = None  # None: the source does not say


@dataclass(frozen=True)
class Part:
    mpn: str
    manufacturer: str | None
    description: str | None = None
    datasheet_url: str | None = None
    lifecycle: str = "unknown"  # one of LIFECYCLES
    lifecycle_text: str | None = None  # the source's own words ("Not Recommended for New Designs")
    specs: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    offers: tuple[Offer, ...] = ()
    suggested_replacement: str | None = None
    alternate_packagings: tuple[str, ...] = ()  # other MPNs/SKUs of the same die in other packs
    rohs: str | None = None


@dataclass(frozen=True)
class BomLine:
    """One purchasable line of a BOM, after grouping.

    `row` is the 1-based physical row (spreadsheet row, or the text line where the record starts)
    of the first source row; `rows` holds every source row merged into this line. `quantity` is
    per board. `skus` maps a distributor key (digikey, mouser, lcsc, ...) to its part number.
    `extra` keeps other recognised cells (datasheet, ...).
    """

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
    rows: tuple[int, ...] = ()
