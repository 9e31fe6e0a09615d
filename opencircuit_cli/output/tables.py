"""Rich tables for `price` and `search`. Narrow terminals drop the least useful columns first
instead of wrapping every cell into an unreadable column of letters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from opencircuit_cli.output.documents import money
from opencircuit_cli.output.offers import PricedOffer

if TYPE_CHECKING:
    from rich.table import Table


@dataclass(frozen=True)
class Column:
    title: str
    priority: int  # 1 always shown; 2 from 80 columns; 3 from 110 columns
    justify: str = "left"


OFFER_COLUMNS = (
    Column("distributor", 1),
    Column("SKU", 1),
    Column("MPN", 1),
    Column("manufacturer", 2),
    Column("stock", 1, "right"),
    Column("MOQ/mult", 2, "right"),
    Column("order qty", 2, "right"),
    Column("unit", 1, "right"),
    Column("extended", 1, "right"),
    Column("packaging", 3),
    Column("lead", 3, "right"),
    Column("lifecycle", 2),
)


def visible(columns: Sequence[Column], width: int) -> list[Column]:
    limit = 3 if width >= 110 else 2 if width >= 80 else 1
    return [c for c in columns if c.priority <= limit]


def _amount(value: Decimal | None, currency: str) -> str:
    return "-" if value is None else f"{money(value)} {currency}"


def _count(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def offer_cells(item: PricedOffer) -> dict[str, str]:
    offer, part, price = item.offer, item.part, item.price
    lifecycle = part.lifecycle if part.lifecycle != "active" else ""
    return {
        "distributor": offer.distributor
        + (f" (via {offer.source})" if offer.source.lower() != offer.distributor.lower() else ""),
        "SKU": offer.sku,
        "MPN": part.mpn,
        "manufacturer": part.manufacturer or "?",
        "stock": _count(offer.stock),
        "MOQ/mult": f"{offer.moq}/{offer.order_multiple}",
        "order qty": _count(price.order_quantity) if price else "-",
        "unit": _amount(price.unit_price if price else None, offer.currency),
        "extended": _amount(price.extended if price else None, offer.currency),
        "packaging": offer.packaging or "",
        "lead": f"{offer.lead_time_days} d" if offer.lead_time_days is not None else "",
        "lifecycle": lifecycle,
    }


def offers_table(title: str, items: Sequence[PricedOffer], width: int, caption: str = "") -> Table:
    from rich.table import Table

    columns = visible(OFFER_COLUMNS, width)
    table = Table(
        title=title,
        title_justify="left",
        caption=caption or None,
        caption_justify="left",
        expand=False,
    )
    for column in columns:
        table.add_column(column.title, justify=column.justify, overflow="fold")  # type: ignore[arg-type]
    for item in items:
        cells = offer_cells(item)
        style = "dim" if item.price is None or not item.in_stock_for_order else None
        table.add_row(*(cells[c.title] for c in columns), style=style)
    return table


def parts_table(title: str, rows: Sequence[dict[str, Any]], width: int) -> Table:
    """Search results: one row per part with its best single-unit offer."""
    from rich.table import Table

    columns = visible(
        (
            Column("MPN", 1),
            Column("manufacturer", 1),
            Column("description", 2),
            Column("best offer", 1),
            Column("stock", 1, "right"),
            Column("unit @1", 1, "right"),
            Column("lifecycle", 2),
        ),
        width,
    )
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column.title, justify=column.justify, overflow="fold")  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*(row[c.title] for c in columns))
    return table
