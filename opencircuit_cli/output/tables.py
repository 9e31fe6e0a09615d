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
    priority: int  # 1 always shown; 2 from 120 columns; 3 from 150 columns (see NARROW)
    justify: str = "left"
    fold: bool = False  # long identifiers may wrap; numbers and headers never do


OFFER_COLUMNS = (
    Column("distributor", 1),
    Column("SKU", 1, fold=True),
    Column("MPN", 1, fold=True),
    Column("manufacturer", 2, fold=True),
    Column("stock", 1, "right"),
    Column("MOQ/mult", 2, "right"),
    Column("order qty", 1, "right"),
    Column("unit", 1, "right"),
    Column("extended", 1, "right"),
    Column("packaging", 3, fold=True),
    Column("lead", 3, "right"),
)


#: Below this width the distributor, SKU and MPN share one column, one per line.
NARROW = 100

NARROW_OFFER_COLUMNS = (
    Column("offer", 1, fold=True),
    Column("stock", 1, "right"),
    Column("qty", 1, "right"),
    Column("unit", 1, "right"),
    Column("extended", 1, "right"),
)


def visible(columns: Sequence[Column], width: int) -> list[Column]:
    limit = 3 if width >= 150 else 2 if width >= 120 else 1
    return [c for c in columns if c.priority <= limit]


def display_money(value: Decimal) -> str:
    """At least cents ("20.40"), more digits where the price has them ("0.0189")."""
    text = money(value) or "0"
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def _amount(value: Decimal | None, currency: str) -> str:
    return "-" if value is None else f"{display_money(value)} {currency}"


def _add_columns(table: Table, columns: Sequence[Column]) -> None:
    for column in columns:
        table.add_column(
            column.title,
            justify=column.justify,  # type: ignore[arg-type]
            overflow="fold" if column.fold else "ellipsis",
            no_wrap=not column.fold,
            min_width=max(len(column.title), 10 if column.fold else 0),
        )


def _count(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def offer_cells(item: PricedOffer) -> dict[str, str]:
    offer, part, price = item.offer, item.part, item.price
    flag = f" ({part.lifecycle})" if part.lifecycle not in ("active", "unknown") else ""
    return {
        "distributor": offer.distributor
        + (f" (via {offer.source})" if offer.source.lower() != offer.distributor.lower() else ""),
        "SKU": offer.sku,
        "MPN": part.mpn + flag,
        "manufacturer": part.manufacturer or "?",
        "stock": _count(offer.stock),
        "MOQ/mult": f"{offer.moq}/{offer.order_multiple}",
        "order qty": _count(price.order_quantity) if price else "-",
        "unit": _amount(price.unit_price if price else None, offer.currency),
        "extended": _amount(price.extended if price else None, offer.currency),
        "packaging": offer.packaging or "",
        "lead": f"{offer.lead_time_days} d" if offer.lead_time_days is not None else "",
        "offer": f"{offer.distributor}\n{offer.sku}\n{part.mpn}{flag}",
        "qty": _count(price.order_quantity) if price else "-",
    }


def offers_table(title: str, items: Sequence[PricedOffer], width: int, caption: str = "") -> Table:
    from rich.table import Table

    columns = list(NARROW_OFFER_COLUMNS) if width < NARROW else visible(OFFER_COLUMNS, width)
    table = Table(
        title=title,
        title_justify="left",
        caption=caption or None,
        caption_justify="left",
        expand=False,
    )
    _add_columns(table, columns)
    for item in items:
        cells = offer_cells(item)
        style = "dim" if item.price is None or not item.in_stock_for_order else None
        table.add_row(*(cells[c.title] for c in columns), style=style)
    return table


def parts_table(title: str, rows: Sequence[dict[str, Any]], width: int) -> Table:
    """Search results: one row per part with its best single-unit offer."""
    from rich.table import Table

    if width < NARROW:
        columns = [
            Column("part", 1, fold=True),
            Column("best offer", 1, fold=True),
            Column("stock", 1, "right"),
            Column("unit @1", 1, "right"),
        ]
    else:
        columns = visible(
            (
                Column("MPN", 1, fold=True),
                Column("manufacturer", 1, fold=True),
                Column("description", 2, fold=True),
                Column("best offer", 1, fold=True),
                Column("stock", 1, "right"),
                Column("unit @1", 1, "right"),
            ),
            width,
        )
    table = Table(title=title, title_justify="left")
    _add_columns(table, columns)
    for row in rows:
        table.add_row(*(row[c.title] for c in columns))
    return table
