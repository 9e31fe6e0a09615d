"""The quote as CSV: one row per BOM line (a split line's allocations joined with " | "), DNP
lines after the fitted ones, then the totals as final rows (label in the first column, amount
in `extended_price`).

Formula injection: a spreadsheet opening a CSV runs any cell that starts with `=`, `+`, `-` or
`@` (and tab / carriage return) as a formula. Text from the BOM or a distributor that starts
with one of them is written with a leading `'` (the OWASP mitigation), so it reads as text;
numbers this module writes itself are left alone. Money is in the quote currency, written as
plain decimals ("0.189"). UTF-8 without a byte-order mark, RFC 4180 quoting, CRLF line ends.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from opencircuit_cli import atomic
from opencircuit_cli.output.documents import money
from opencircuit_cli.output.quote_doc import allocations, amounts, quote_totals
from opencircuit_cli.pricing.quote import Quote, QuoteLine

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = (
    "row",
    "references",
    "quantity",
    "build_quantity",
    "manufacturer",
    "mpn",
    "description",
    "status",
    "distributor",
    "sku",
    "packaging",
    "order_quantity",
    "unit_price",
    "fees",
    "extended_price",
    "currency",
    "stock",
    "lead_time_days",
    "lifecycle",
    "datasheet",
    "url",
    "allocations",
    "why",
    "notes",
)

Cell = str | int | None


def csv_safe(text: str | None) -> str | None:
    """Text from data, made inert for spreadsheets: a leading `'` before a formula character."""
    if text and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _joined(values: Sequence[str | None]) -> str | None:
    present = [v for v in values if v]
    return " | ".join(dict.fromkeys(present)) if present else None


def _amount(value: Decimal | None) -> str | None:
    return money(value)


def line_row(line: QuoteLine, currency: str) -> list[Cell]:
    allocs = allocations(line)
    bom = line.line
    option = line.choice.option
    money_of = [amounts(a) for a in allocs]
    stock = [a.offer.stock for a in allocs]
    leads = [a.offer.lead_time_days for a in allocs]
    return [
        bom.row,
        csv_safe(", ".join(bom.references)),
        bom.quantity,
        line.build_quantity,
        csv_safe(bom.manufacturer or (allocs[0].part.manufacturer if allocs else None)),
        csv_safe(bom.mpn or (allocs[0].part.mpn if allocs else None)),
        csv_safe(bom.description or (allocs[0].part.description if allocs else None)),
        line.status,
        csv_safe(_joined([a.distributor for a in allocs])),
        csv_safe(_joined([a.offer.sku for a in allocs])),
        csv_safe(_joined([a.offer.packaging for a in allocs])),
        option.quantity if option else None,
        _amount(money_of[0].unit_price) if len(allocs) == 1 else None,
        _amount(sum((m.fees for m in money_of), Decimal(0))) if allocs else None,
        _amount(option.cost) if option else None,
        currency if option else None,
        stock[0]
        if len(allocs) == 1
        else csv_safe(_joined([str(s) for s in stock if s is not None])),
        leads[0] if len(allocs) == 1 else None,
        csv_safe(allocs[0].part.lifecycle) if allocs else None,
        csv_safe(_joined([a.part.datasheet_url for a in allocs])),
        csv_safe(_joined([a.offer.url for a in allocs])),
        csv_safe(
            " | ".join(
                f"{a.price.order_quantity} x {a.offer.sku} ({a.distributor}) "
                f"@ {money(m.unit_price)} {currency}"
                for a, m in zip(allocs, money_of, strict=True)
            )
            if len(allocs) > 1
            else None
        ),
        csv_safe(line.choice.why),
        csv_safe("; ".join([*line.choice.warnings, *line.notes]) or None),
    ]


def quote_rows(quote: Quote) -> list[list[Cell]]:
    """Header, line rows, DNP rows, a blank row, then the totals (pure)."""
    rows: list[list[Cell]] = [list(HEADER)]
    rows += [line_row(line, quote.currency) for line in quote.lines]
    for bom in quote.dnp:
        row: list[Cell] = [None] * len(HEADER)
        row[0], row[1], row[2] = bom.row, csv_safe(", ".join(bom.references)), bom.quantity
        row[4], row[5] = csv_safe(bom.manufacturer), csv_safe(bom.mpn)
        row[6], row[7] = csv_safe(bom.description), "dnp"
        rows.append(row)
    rows.append([None] * len(HEADER))
    totals = quote_totals(quote)
    at = HEADER.index("extended_price")

    def total(label: str, amount: Decimal) -> list[Cell]:
        row: list[Cell] = [None] * len(HEADER)
        row[0], row[at], row[at + 1] = csv_safe(label), money(amount), quote.currency
        return row

    for name, d in totals.by_distributor.items():
        rows.append(total(f"{name} parts", d.parts))
        if d.fees:
            rows.append(total(f"{name} fees", d.fees))
        rows.append(total(f"{name} shipping", d.shipping))
        rows.append(total(f"{name} total", d.total))
    rows.append(total("parts", totals.parts))
    rows.append(total("fees", totals.fees))
    rows.append(total("shipping", totals.shipping))
    rows.append(total("total", totals.total))
    return rows


def render_csv(rows: Sequence[Sequence[Cell]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buffer.getvalue()


def write_quote_csv(quote: Quote, path: Path) -> None:
    """Atomic: the old file stays intact until the new one is complete."""
    atomic.write_text(Path(path), render_csv(quote_rows(quote)))
