"""Row -> CatalogRecord for the table formats, and recognising a format by its header. Pure.

A row without any part number is skipped with a reason (blank lines, section titles and totals
rows are common in price lists). A row whose price text is present but malformed raises
`RowError`: dropping prices silently is the failure this importer exists to avoid.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType

from opencircuit_cli.catalog.columns import (
    GENERIC_HEADERS,
    INVENTREE_HEADERS,
    JLC_HEADERS,
    LCSC_ORDER_HEADERS,
    Columns,
    norm_header,
)
from opencircuit_cli.catalog.prices import (
    PriceGrammarError,
    first_tier_start,
    parse_breaks_cell,
    parse_jlc_price,
)
from opencircuit_cli.catalog.record import CatalogRecord, RowError, Skip, clean, normalize_lcsc
from opencircuit_cli.models import PriceBreak
from opencircuit_cli.money import (
    PriceParseError,
    currency_code,
    parse_int_loose,
    parse_lead_time_days,
    parse_price,
)

HEADERS: dict[str, Mapping[str, tuple[str, ...]]] = {
    "jlc": JLC_HEADERS,
    "lcsc-order": LCSC_ORDER_HEADERS,
    "generic": GENERIC_HEADERS,
    "inventree": INVENTREE_HEADERS,
}

#: Columns a header must have for the format (any one of each tuple).
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "jlc": (("sku",), ("mpn",), ("price",)),
    "lcsc-order": (("sku",), ("mpn",), ("price",)),
    "generic": (("mpn", "sku"),),
    "inventree": (("mpn", "sku"),),
}

_INVENTREE_MARKERS = frozenset(
    {"ipn", "supplier part", "pack quantity", "part name", "in stock", "purchase price currency",
     "zulieferer", "packungsmenge", "herstellerteilenummer", "einkaufspreis"}
)  # fmt: skip


def missing_required(fmt: str, columns: Columns) -> list[str]:
    return [" or ".join(group) for group in REQUIRED[fmt] if not any(map(columns.has, group))]


def detect_format(header: Sequence[str]) -> str | None:
    """The table format a header row belongs to, or None when it is no header at all."""
    names = {norm_header(h) for h in header if h.strip()}
    if {"lcsc part", "mfr part"} <= names or {"lcsc part", "first category"} <= names:
        return "jlc"
    if "lcsc part number" in names and "manufacture part number" in names:
        return "lcsc-order"
    if len(names & _INVENTREE_MARKERS) >= 2:
        return "inventree"
    generic = {s for synonyms in GENERIC_HEADERS.values() for s in synonyms}
    identity = set(GENERIC_HEADERS["mpn"] + GENERIC_HEADERS["sku"])
    if names & identity and len(names & generic) >= 2:
        return "generic"
    return None


_TOTALS = frozenset({"total", "totals", "subtotal", "sub total", "grand total", "sum", "summe"})


def _int(text: str) -> int | None:
    return parse_int_loose(text) if clean(text) else None


def jlc_record(
    row: int, cells: Sequence[str], cols: Columns, currency: str
) -> CatalogRecord | Skip:
    sku = normalize_lcsc(cols.get(cells, "sku"))
    mpn = clean(cols.get(cells, "mpn"))
    if sku is None and not clean(cols.get(cells, "sku")):
        return Skip(row, "no LCSC part number")
    if sku is None:
        raise RowError(row, f"LCSC part {cols.get(cells, 'sku')!r} is not a C-number")
    try:
        breaks = parse_jlc_price(cols.get(cells, "price"))
    except PriceGrammarError as exc:
        raise RowError(row, f"price: {exc}") from None
    first, second = clean(cols.get(cells, "category")), clean(cols.get(cells, "subcategory"))
    specs = {
        k: v
        for k, v in (
            ("library_type", clean(cols.get(cells, "library_type"))),
            ("solder_joints", clean(cols.get(cells, "joints"))),
        )
        if v
    }
    return CatalogRecord(
        row=row,
        mpn=mpn or sku,
        manufacturer=clean(cols.get(cells, "manufacturer")),
        sku=sku,
        description=clean(cols.get(cells, "description")),
        package=clean(cols.get(cells, "package")),
        category=" / ".join(c for c in (first, second) if c) or None,
        datasheet_url=clean(cols.get(cells, "datasheet")),
        url=lcsc_url(sku),
        stock=_int(cols.get(cells, "stock")),
        moq=first_tier_start(breaks),
        currency=currency,
        price_breaks=breaks,
        specs=MappingProxyType(specs),
    )


def lcsc_url(sku: str) -> str:
    return f"https://www.lcsc.com/product-detail/{sku}.html"


def _single_price(row: int, text: str, currency: str | None) -> tuple[Decimal | None, str | None]:
    if not clean(text):
        return None, None
    try:
        money = parse_price(text, currency)
    except PriceParseError as exc:
        raise RowError(row, f"price: {exc}") from None
    if money.amount <= 0:
        raise RowError(row, f"price: {text!r} is not a positive price")
    return money.amount, money.currency


def lcsc_order_record(
    row: int, cells: Sequence[str], cols: Columns, currency: str
) -> CatalogRecord | Skip:
    raw_sku = clean(cols.get(cells, "sku"))
    if raw_sku is None:
        return Skip(row, "no LCSC part number")
    sku = normalize_lcsc(raw_sku)
    if sku is None:
        raise RowError(row, f"LCSC part {raw_sku!r} is not a C-number")
    found = re.match(r"\s*(\d+)\s*[\\/]\s*(\d+)\s*$", cols.get(cells, "min_mult"))
    moq, multiple = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
    price, named = _single_price(row, cols.get(cells, "price"), currency)
    return CatalogRecord(
        row=row,
        mpn=clean(cols.get(cells, "mpn")) or sku,
        manufacturer=clean(cols.get(cells, "manufacturer")),
        sku=sku,
        description=clean(cols.get(cells, "description")),
        package=clean(cols.get(cells, "package")),
        url=lcsc_url(sku),
        moq=max(moq, 1),
        order_multiple=max(multiple, 1),
        currency=named or currency,
        price_breaks=(PriceBreak(max(moq, 1), price),) if price is not None else (),
    )


def _pair_breaks(
    row: int, cells: Sequence[str], cols: Columns, currency: str | None
) -> tuple[tuple[PriceBreak, ...], str | None]:
    breaks: dict[int, Decimal] = {}
    named: str | None = None
    for q_index, p_index in cols.price_pairs:
        qty_text = cells[q_index] if q_index < len(cells) else ""
        price_text = cells[p_index] if p_index < len(cells) else ""
        if not clean(qty_text) and not clean(price_text):
            continue
        quantity = parse_int_loose(qty_text)
        if quantity is None or quantity < 1 or not clean(price_text):
            raise RowError(row, f"price break {qty_text!r}/{price_text!r} is incomplete")
        amount, found = _single_price(row, price_text, currency)
        named = named or found
        if amount is not None:
            breaks[quantity] = amount
    return tuple(PriceBreak(q, breaks[q]) for q in sorted(breaks)), named


def _lead_days(text: str, unit_days: int) -> int | None:
    """ "12 weeks" / "84 days" as written; a bare number counts in the column's unit."""
    if not clean(text):
        return None
    if text.strip().isdigit():
        return int(text) * unit_days
    return parse_lead_time_days(text)


def generic_record(
    row: int, cells: Sequence[str], cols: Columns, currency: str
) -> CatalogRecord | Skip:
    mpn, sku = clean(cols.get(cells, "mpn")), clean(cols.get(cells, "sku"))
    if not mpn and not sku:
        return Skip(row, "no part number (MPN or SKU)")
    if (mpn or sku or "").strip(" :").lower() in _TOTALS:
        return Skip(row, "totals row")
    declared = currency_code(cols.get(cells, "currency")) or currency
    moq = max(_int(cols.get(cells, "moq")) or 1, 1)
    breaks, named = _pair_breaks(row, cells, cols, declared)
    if not breaks and clean(cols.get(cells, "price_breaks")):
        try:
            breaks, named = parse_breaks_cell(cols.get(cells, "price_breaks"), declared)
        except PriceGrammarError as exc:
            raise RowError(row, f"price breaks: {exc}") from None
    if not breaks:
        price, named = _single_price(row, cols.get(cells, "price"), declared)
        breaks = (PriceBreak(moq, price),) if price is not None else ()
    lead_days = _lead_days(cols.get(cells, "lead_time"), 1) or _lead_days(
        cols.get(cells, "lead_time_weeks"), 7
    )
    return CatalogRecord(
        row=row,
        mpn=mpn or sku or "",
        manufacturer=clean(cols.get(cells, "manufacturer")),
        sku=sku,
        distributor=clean(cols.get(cells, "distributor")),
        description=clean(cols.get(cells, "description")),
        package=clean(cols.get(cells, "package")),
        category=clean(cols.get(cells, "category")),
        datasheet_url=clean(cols.get(cells, "datasheet")),
        url=clean(cols.get(cells, "url")),
        stock=_int(cols.get(cells, "stock")),
        moq=max(moq, breaks[0].quantity if breaks and moq == 1 else moq),
        order_multiple=max(_int(cols.get(cells, "multiple")) or 1, 1),
        packaging=clean(cols.get(cells, "packaging")),
        lead_time_days=lead_days,
        currency=named or declared,
        price_breaks=breaks,
    )


RowParser = Callable[[int, Sequence[str], Columns, str], "CatalogRecord | Skip"]

ROW_PARSERS: dict[str, RowParser] = {
    "jlc": jlc_record,
    "lcsc-order": lcsc_order_record,
    "generic": generic_record,
    "inventree": generic_record,
}
