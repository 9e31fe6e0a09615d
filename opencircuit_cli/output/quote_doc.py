"""The `opencircuit.quote/1` JSON document (DESIGN §4) and the money views every quote output
shares (JSON, XLSX, CSV, order files), so they all add up to the same totals.

Money is a string ("0.189"). Amounts on a line are in the quote currency unless the field sits
inside an offer document, whose `unit_price` / `extended_price` are in the offer's currency
(its `cost` is in the quote currency).

Totals: `parts + fees + shipping == total`, overall and per distributor. `parts` is the
merchandise (order quantity x unit price), `fees` the per-order fees of the chosen offers
(Digi-Reel, ...), both converted to the quote currency; `total` is the order plan's total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from opencircuit_cli.bom.document import line_document
from opencircuit_cli.output.documents import errors_doc, money, offer_doc
from opencircuit_cli.pricing.choice import Allocation, Option
from opencircuit_cli.pricing.quote import Quote, QuoteLine

SCHEMA = "opencircuit.quote/1"
ALTERNATIVES = 3  # how many alternatives a line lists
ZERO = Decimal(0)


@dataclass(frozen=True)
class Amounts:
    """One allocation in the quote currency. `parts + fees == cost` exactly."""

    unit_price: Decimal
    fees: Decimal
    parts: Decimal
    cost: Decimal


@dataclass(frozen=True)
class DistributorTotal:
    parts: Decimal
    fees: Decimal
    shipping: Decimal
    total: Decimal


@dataclass(frozen=True)
class Totals:
    parts: Decimal
    fees: Decimal
    shipping: Decimal
    total: Decimal
    by_distributor: dict[str, DistributorTotal]


def amounts(alloc: Allocation) -> Amounts:
    """The allocation's prices in the quote currency.

    The converter is not part of the Quote, so the rate is recovered as cost / extended (exact
    in Decimal when the conversion is a multiplication, as `Converter.convert` does)."""
    price = alloc.price
    rate = Decimal(1) if not price.extended else alloc.cost / price.extended
    fees = price.fees * rate
    return Amounts(price.unit_price * rate, fees, alloc.cost - fees, alloc.cost)


def allocations(line: QuoteLine) -> tuple[Allocation, ...]:
    option = line.choice.option
    return () if option is None else option.allocations


def quote_totals(quote: Quote) -> Totals:
    fees: dict[str, Decimal] = {}
    for line in quote.lines:
        for alloc in allocations(line):
            fees[alloc.distributor] = fees.get(alloc.distributor, ZERO) + amounts(alloc).fees
    by_distributor = {}
    for name, subtotal in quote.plan.subtotals.items():
        fee = fees.get(name, ZERO)
        ship = quote.plan.shipping.get(name, ZERO)
        by_distributor[name] = DistributorTotal(subtotal - fee, fee, ship, subtotal + ship)
    return Totals(
        parts=sum((d.parts for d in by_distributor.values()), ZERO),
        fees=sum((d.fees for d in by_distributor.values()), ZERO),
        shipping=sum((d.shipping for d in by_distributor.values()), ZERO),
        total=quote.plan.total,
        by_distributor=by_distributor,
    )


def allocation_doc(alloc: Allocation) -> dict[str, Any]:
    """An offer document (offer currency) plus its cost in the quote currency and its part."""
    part = alloc.part
    return {
        **offer_doc(alloc.offer, alloc.price),
        "cost": money(alloc.cost),
        "part": {
            "mpn": part.mpn,
            "manufacturer": part.manufacturer,
            "description": part.description,
            "lifecycle": part.lifecycle,
            "datasheet_url": part.datasheet_url,
        },
    }


def alternative_doc(option: Option) -> dict[str, Any]:
    """The first allocation's offer document; `option_cost` is the whole option's cost."""
    doc = allocation_doc(option.allocations[0])
    doc["kind"] = option.kind
    doc["option_cost"] = money(option.cost)
    if len(option.allocations) > 1:
        doc["allocations"] = [allocation_doc(a) for a in option.allocations]
    return doc


def line_doc(line: QuoteLine) -> dict[str, Any]:
    """`unit_price` is null when the line is bought in several allocations (each has its own);
    `allocations` always lists every allocation (one for a plain line)."""
    choice = line.choice
    option = choice.option
    allocs = allocations(line)
    money_of = [amounts(a) for a in allocs]
    return {
        "line": line_document(line.line),
        "build_quantity": line.build_quantity,
        "status": line.status,
        "kind": option.kind if option else None,
        "chosen": allocation_doc(allocs[0]) if allocs else None,
        "allocations": [allocation_doc(a) for a in allocs],
        "order_quantity": option.quantity if option else None,
        "unit_price": money(money_of[0].unit_price) if len(allocs) == 1 else None,
        "fees": money(sum((m.fees for m in money_of), ZERO)) if allocs else None,
        "extended_price": money(option.cost) if option else None,
        "short_by": choice.short_by,
        "alternatives": [alternative_doc(o) for o in choice.alternatives[:ALTERNATIVES]],
        "why": choice.why,
        "notes": [*choice.warnings, *line.notes],
    }


def totals_doc(totals: Totals) -> dict[str, Any]:
    return {
        "parts": money(totals.parts),
        "by_distributor": {
            name: {
                "parts": money(d.parts),
                "fees": money(d.fees),
                "shipping": money(d.shipping),
                "total": money(d.total),
            }
            for name, d in totals.by_distributor.items()
        },
        "fees": money(totals.fees),
        "shipping": money(totals.shipping),
        "total": money(totals.total),
    }


def rows_with(lines: Sequence[QuoteLine], status: str) -> list[int]:
    return [line.line.row for line in lines if line.status == status]


def quote_doc(quote: Quote) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "file": quote.file,
        "created_at": quote.created_at.isoformat(),
        "boards": quote.boards,
        "spares_percent": money(quote.spares_percent),
        "spares_min": quote.spares_min,
        "currency": quote.currency,
        "rate_source": quote.rate_source,
        "complete": quote.complete,
        "lines": [line_doc(line) for line in quote.lines],
        "totals": totals_doc(quote_totals(quote)),
        "dnp": [line_document(line) for line in quote.dnp],
        "unpriced": rows_with(quote.lines, "unpriced"),
        "short": rows_with(quote.lines, "short"),
        "errors": errors_doc(quote.errors),
        "notes": list(quote.plan.notes),
    }
