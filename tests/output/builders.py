"""A small hand-made Quote whose totals are computed by hand below.

boards 3, spares 10 % (min 1): a line of 1/board needs 3 + max(ceil(0.3), 1) = 4,
2/board 6 + 1 = 7, 10/board 30 + 3 = 33.

    R1,R2   Mouser M1    7 x 0.10            =  0.70
    C1      DigiKey D2   4 x 1.00            =  4.00  (formula-injection text)
    U1-U3   split: Mouser M3 2 x 0.50 = 1.00, DigiKey D3 2 x 0.60 = 1.20
    J1      unpriced
    Q1      short: Mouser M5 33 x 0.20       =  6.60  (5 in stock)
    L1      DigiKey D6 Digi-Reel 4 x 0.50 + 7.00 fee = 9.00
    X1      Mouser M7 obsolete 4 x 1.00      =  4.00
    Y1      LCSC C123 4 x 0.10 EUR at 1.10   =  0.44 USD
    R99     DNP

    Mouser  parts 12.30                 shipping 4.99 -> 17.29
    DigiKey parts  7.20 + fees 7.00     shipping 6.99 -> 21.19
    LCSC    parts  0.44                 shipping 2.00 ->  2.44
    total   parts 19.94, fees 7.00, shipping 13.98   -> 40.92
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal as D

from opencircuit_cli.models import BomLine, Fee, Offer, Part, PriceBreak
from opencircuit_cli.pricing.choice import choose_line
from opencircuit_cli.pricing.currency import Converter
from opencircuit_cli.pricing.order import DistributorCosts, plan_order
from opencircuit_cli.pricing.quote import Quote, QuoteLine, build_quantity
from opencircuit_cli.sourcing import ProviderFailure

BOARDS, SPARES, SPARES_MIN = 3, D("10"), 1
CONVERTER = Converter("USD", {"EUR": D("1.10")})
COSTS = {
    "mouser": DistributorCosts(D("4.99")),
    "digikey": DistributorCosts(D("6.99")),
    "lcsc": DistributorCosts(D("2.00")),
}


def offer(dist, sku, breaks, *, stock=10_000, packaging="Cut Tape", currency="USD", fees=()):
    return Offer(
        "test",
        dist,
        sku,
        currency,
        tuple(PriceBreak(q, D(p)) for q, p in breaks),
        packaging=packaging,
        stock=stock,
        fees=fees,
        lead_time_days=7,
        url=f"https://{dist.lower()}.example/{sku}",
    )


def part(*offers, mpn="X1", maker="Acme", lifecycle="active", description=None):
    return Part(
        mpn,
        maker,
        description=description,
        datasheet_url=f"https://acme.example/{mpn}.pdf",
        lifecycle=lifecycle,
        offers=tuple(offers),
    )


def bom(row, refs, qty, mpn, description=None, dnp=False):
    return BomLine(
        row,
        tuple(refs),
        qty,
        manufacturer="Acme",
        mpn=mpn,
        description=description,
        dnp=dnp,
        rows=(row,),
    )


EVIL_DESCRIPTION = '=HYPERLINK("http://evil")'
EVIL_MPN = "+1-555"


def sample_lines():
    """(BomLine, parts) pairs."""
    return [
        (
            bom(2, ["R1", "R2"], 2, "RC0402"),
            [
                part(
                    offer("Mouser", "M1", [(1, "0.10"), (100, "0.05")]),
                    offer("DigiKey", "D1", [(1, "0.12")]),
                    mpn="RC0402",
                )
            ],
        ),
        (
            bom(3, ["C1"], 1, EVIL_MPN, EVIL_DESCRIPTION),
            [part(offer("DigiKey", "D2", [(1, "1.00")]), mpn=EVIL_MPN)],
        ),
        (
            bom(4, ["U1", "U2", "U3"], 1, "SPLIT1"),
            [
                part(
                    offer("Mouser", "M3", [(1, "0.50")], stock=2),
                    offer("DigiKey", "D3", [(1, "0.60")], stock=3),
                    mpn="SPLIT1",
                )
            ],
        ),
        (bom(5, ["J1"], 1, "NOPRICE"), [part(offer("Mouser", "M4", []), mpn="NOPRICE")]),
        (
            bom(6, ["Q1"], 10, "SHORT1"),
            [part(offer("Mouser", "M5", [(1, "0.20")], stock=5), mpn="SHORT1")],
        ),
        (
            bom(7, ["L1"], 1, "REEL1"),
            [
                part(
                    offer(
                        "DigiKey",
                        "D6",
                        [(1, "0.50")],
                        packaging="Digi-Reel",
                        fees=(Fee("Digi-Reel", D("7.00")),),
                    ),
                    mpn="REEL1",
                )
            ],
        ),
        (
            bom(8, ["X1"], 1, "OLD1"),
            [part(offer("Mouser", "M7", [(1, "1.00")]), mpn="OLD1", lifecycle="obsolete")],
        ),
        (
            bom(9, ["Y1"], 1, "EU1"),
            [part(offer("LCSC", "C123", [(1, "0.10")], currency="EUR"), mpn="EU1")],
        ),
    ]


def make_quote(pairs=None, dnp=None, errors=None) -> Quote:
    pairs = sample_lines() if pairs is None else pairs
    dnp = (bom(10, ["R99"], 1, "DNP1", dnp=True),) if dnp is None else dnp
    errors = (
        (ProviderFailure("nexar", "network", "timed out", None, None),)
        if errors is None
        else errors
    )
    lines = []
    for line, parts in pairs:
        needed = build_quantity(line.quantity, BOARDS, SPARES, SPARES_MIN)
        lines.append(QuoteLine(line, needed, None, choose_line(parts, needed, CONVERTER)))
    plan = plan_order([q.choice for q in lines], COSTS)
    lines = [replace(q, choice=c) for q, c in zip(lines, plan.lines, strict=True)]
    return Quote(
        file="board.csv",
        boards=BOARDS,
        spares_percent=SPARES,
        spares_min=SPARES_MIN,
        currency="USD",
        rate_source="config [currency] rates",
        lines=tuple(lines),
        dnp=tuple(dnp),
        plan=plan,
        errors=tuple(errors),
        created_at=datetime(2026, 12, 4, 12, 0, tzinfo=UTC),
    )
