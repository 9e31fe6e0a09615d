"""Which column holds which field: header synonyms per format, and `--map field=Column`.

Headers are compared normalised (case, punctuation and spacing ignored), so `MFR.Part`,
`Mfr Part` and `mfr_part` are the same header. Pure functions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from opencircuit_cli.errors import UsageError

#: Fields a `--map` may name.
FIELDS = (
    "mpn", "manufacturer", "sku", "distributor", "description", "package", "category",
    "subcategory", "datasheet", "url", "stock", "moq", "multiple", "min_mult", "packaging",
    "lead_time", "lead_time_weeks", "price", "price_breaks", "currency", "library_type", "joints",
)  # fmt: skip


def norm_header(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9%#]+", " ", folded).strip()


JLC_HEADERS: dict[str, tuple[str, ...]] = {
    "sku": ("lcsc part", "lcsc part #", "lcsc"),
    "category": ("first category",),
    "subcategory": ("second category",),
    "mpn": ("mfr part", "mfr part #"),
    "package": ("package",),
    "joints": ("solder joint",),
    "manufacturer": ("manufacturer",),
    "library_type": ("library type",),
    "description": ("description",),
    "datasheet": ("datasheet",),
    "price": ("price",),
    "stock": ("stock",),
}

LCSC_ORDER_HEADERS: dict[str, tuple[str, ...]] = {
    "sku": ("lcsc part number",),
    "mpn": ("manufacture part number", "manufacturer part number", "mfr part number"),
    "manufacturer": ("manufacturer",),
    "package": ("package",),
    "description": ("description",),
    "min_mult": ("min mult order qty",),
    "price": ("unit price", "unit price usd", "unit price $"),
}

GENERIC_HEADERS: dict[str, tuple[str, ...]] = {
    "mpn": (
        "mpn", "mfr part", "mfr part #", "mfr part number", "manufacturer part number",
        "manufacturer part", "manufacture part number", "mfg part number", "mfg part",
        "part number", "part no", "part #", "pn",
    ),
    "manufacturer": ("manufacturer", "manufacturer name", "mfr", "mfg", "maker", "brand"),
    "sku": (
        "sku", "supplier part number", "supplier part", "supplier sku", "distributor part number",
        "order code", "order number", "stock code", "ipn", "internal part number", "item code",
    ),
    "distributor": ("distributor", "supplier", "supplier name", "vendor"),
    "description": ("description", "part description", "desc"),
    "package": ("package", "footprint", "case", "case package"),
    "category": ("category", "part category"),
    "datasheet": ("datasheet", "datasheet url"),
    "url": ("url", "link", "product url", "supplier link"),
    "stock": (
        "stock", "in stock", "quantity in stock", "qty in stock", "on hand", "qty on hand",
        "quantity on hand", "available", "quantity available", "qty available", "quantity", "qty",
    ),
    "moq": ("moq", "min order qty", "minimum order quantity", "min qty", "minimum"),
    "multiple": ("multiple", "order multiple", "mult", "increment", "pack quantity", "pack qty"),
    "packaging": ("packaging", "pack", "package type"),
    "lead_time": ("lead time", "lead time days", "leadtime", "lead time d"),
    "lead_time_weeks": ("lead time weeks", "lead time wks", "lead time w"),
    "price": ("price", "unit price", "unit cost", "cost", "purchase price"),
    "price_breaks": ("price breaks", "prices", "pricing", "price list"),
    "currency": ("currency", "price currency", "purchase price currency"),
}  # fmt: skip

#: InvenTree supplier-part / stock-item exports. Their headers are the field labels in the
#: user's language, so English and German labels are both matched.
INVENTREE_HEADERS: dict[str, tuple[str, ...]] = {
    **GENERIC_HEADERS,
    "mpn": (
        "mpn", "manufacturer part number", "manufacturer part", "manufacturer part mpn",
        "herstellerteilenummer", "hersteller teilenummer", "mpn hersteller",
    ),
    "manufacturer": ("manufacturer", "manufacturer name", "hersteller", "herstellername"),
    "sku": ("sku", "supplier part", "supplier part sku", "ipn", "zulieferer teil"),
    "distributor": ("supplier", "supplier name", "zulieferer", "lieferant", "zulieferername"),
    "description": ("description", "part description", "beschreibung", "teilbeschreibung"),
    "stock": (
        "in stock", "quantity", "available", "stock", "available quantity", "auf lager",
        "lagerbestand", "verfugbar", "anzahl", "menge",
    ),
    "multiple": ("pack quantity", "pack size", "multiple", "packungsmenge"),
    "packaging": ("packaging", "verpackung"),
    "url": ("link", "url"),
    "price": ("purchase price", "unit price", "price", "einkaufspreis", "preis"),
    "currency": ("purchase price currency", "currency", "price currency", "wahrung"),
}  # fmt: skip

_QTY_N = re.compile(r"^(?:qty|quantity|break|price break|min qty|break qty)\s*(\d+)$")
_PRICE_N = re.compile(r"^(?:price|unit price|price break price|break price)\s*(\d+)$")


@dataclass(frozen=True)
class Columns:
    """Field -> column index, and (quantity, price) column pairs for break ladders."""

    fields: Mapping[str, int]
    price_pairs: tuple[tuple[int, int], ...] = ()

    def has(self, name: str) -> bool:
        return name in self.fields

    def get(self, cells: Sequence[str], name: str) -> str:
        index = self.fields.get(name)
        return cells[index] if index is not None and index < len(cells) else ""


def parse_map(items: Sequence[str]) -> dict[str, str]:
    """`--map field=Column` items -> {field: header}; unknown fields are usage errors."""
    mapped: dict[str, str] = {}
    for item in items:
        name, sep, column = item.partition("=")
        name = name.strip().lower().replace("-", "_")
        if not sep or not column.strip():
            raise UsageError(f"--map expects field=Column, got {item!r}", hint="e.g. --map mpn=PN")
        if name not in FIELDS:
            raise UsageError(f"--map: unknown field {name!r}", hint=f"fields: {', '.join(FIELDS)}")
        mapped[name] = column.strip()
    return mapped


def match_columns(
    header: Sequence[str], synonyms: Mapping[str, tuple[str, ...]], mapped: Mapping[str, str]
) -> Columns:
    """Assign columns: `--map` first (by header text), then synonyms, first column wins."""
    normalised = [norm_header(h) for h in header]
    fields: dict[str, int] = {}
    taken: set[int] = set()
    for name, column in mapped.items():
        wanted = norm_header(column)
        if wanted in normalised:
            fields[name] = normalised.index(wanted)
            taken.add(fields[name])
    for name, names in synonyms.items():
        if name in fields:
            continue
        for synonym in names:  # synonyms in order of preference
            index = next(
                (i for i, h in enumerate(normalised) if h == synonym and i not in taken), None
            )
            if index is not None:
                fields[name] = index
                taken.add(index)
                break
    quantities: dict[str, int] = {}
    prices: dict[str, int] = {}
    for index, text in enumerate(normalised):
        if (found := _QTY_N.match(text)) is not None:
            quantities[found.group(1)] = index
        elif (found := _PRICE_N.match(text)) is not None:
            prices[found.group(1)] = index
    pairs = tuple((quantities[n], prices[n]) for n in sorted(quantities, key=int) if n in prices)
    return Columns(fields, pairs)


def missing_mapped(header: Sequence[str], mapped: Mapping[str, str]) -> list[str]:
    normalised = {norm_header(h) for h in header}
    return [f"{k}={v}" for k, v in mapped.items() if norm_header(v) not in normalised]
