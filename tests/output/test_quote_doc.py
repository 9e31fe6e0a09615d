"""The opencircuit.quote/1 document against the hand-computed totals in builders.py."""

import json
from decimal import Decimal as D

from opencircuit_cli.output.quote_doc import SCHEMA, amounts, quote_doc, quote_totals
from tests.output.builders import EVIL_DESCRIPTION, make_quote


def by_row(doc):
    return {line["line"]["row"]: line for line in doc["lines"]}


def test_document_header_and_totals():
    doc = quote_doc(make_quote())
    json.dumps(doc)  # serialisable as is
    assert doc["schema"] == SCHEMA == "opencircuit.quote/1"
    assert (doc["file"], doc["boards"], doc["spares_percent"], doc["spares_min"]) == (
        "board.csv",
        3,
        "10",
        1,
    )
    assert doc["currency"] == "USD" and doc["rate_source"] == "config [currency] rates"
    assert doc["totals"] == {
        "parts": "19.94",
        "by_distributor": {
            "Mouser": {"parts": "12.3", "fees": "0", "shipping": "4.99", "total": "17.29"},
            "DigiKey": {"parts": "7.2", "fees": "7", "shipping": "6.99", "total": "21.19"},
            "LCSC": {"parts": "0.44", "fees": "0", "shipping": "2", "total": "2.44"},
        },
        "fees": "7",
        "shipping": "13.98",
        "total": "40.92",
    }
    assert doc["unpriced"] == [5] and doc["short"] == [6]
    assert [d["references"] for d in doc["dnp"]] == [["R99"]]
    assert doc["errors"] == [{"provider": "nexar", "kind": "network", "message": "timed out"}]
    assert doc["complete"] is False


def test_totals_add_up_everywhere():
    quote = make_quote()
    totals = quote_totals(quote)
    assert totals.parts + totals.fees + totals.shipping == totals.total == D("40.92")
    for d in totals.by_distributor.values():
        assert d.parts + d.fees + d.shipping == d.total
    line_sum = sum((line.choice.option.cost for line in quote.lines if line.choice.option), D(0))
    assert line_sum == totals.parts + totals.fees


def test_line_fields():
    lines = by_row(quote_doc(make_quote()))
    plain = lines[2]
    assert plain["line"]["references"] == ["R1", "R2"] and plain["line"]["quantity"] == 2
    assert plain["line"]["rows"] == [2]
    assert (plain["build_quantity"], plain["status"], plain["order_quantity"]) == (7, "ok", 7)
    assert (plain["unit_price"], plain["extended_price"]) == ("0.1", "0.7")
    assert plain["chosen"]["sku"] == "M1" and plain["chosen"]["cost"] == "0.7"
    assert plain["chosen"]["order_quantity"] == 7 and plain["chosen"]["part"]["mpn"] == "RC0402"
    assert [a["sku"] for a in plain["alternatives"]] == ["D1"]
    assert plain["why"] == "cheapest total"

    split = lines[4]
    assert split["kind"] == "split" and split["unit_price"] is None
    assert [(a["sku"], a["order_quantity"], a["cost"]) for a in split["allocations"]] == [
        ("M3", 2, "1"),
        ("D3", 2, "1.2"),
    ]
    assert split["extended_price"] == "2.2" and split["order_quantity"] == 4

    unpriced = lines[5]
    assert unpriced["status"] == "unpriced" and unpriced["chosen"] is None
    assert unpriced["allocations"] == [] and unpriced["extended_price"] is None

    short = lines[6]
    assert short["status"] == "short" and short["short_by"] == 28
    assert any("short of stock" in n for n in short["notes"])

    fee = lines[7]
    assert (fee["unit_price"], fee["fees"], fee["extended_price"]) == ("0.5", "7", "9")
    assert fee["chosen"]["fees"] == [{"name": "Digi-Reel", "amount": "7"}]

    euro = lines[9]
    assert euro["chosen"]["currency"] == "EUR" and euro["chosen"]["unit_price"] == "0.1"
    assert euro["chosen"]["extended_price"] == "0.4" and euro["chosen"]["cost"] == "0.44"
    assert (euro["unit_price"], euro["extended_price"]) == ("0.11", "0.44")

    assert lines[3]["line"]["description"] == EVIL_DESCRIPTION
    assert any("obsolete" in n for n in lines[8]["notes"])


def test_amounts_recover_the_rate_exactly():
    quote = make_quote()
    euro = next(line for line in quote.lines if line.line.row == 9)
    m = amounts(euro.choice.option.allocations[0])
    assert (m.unit_price, m.fees, m.parts, m.cost) == (D("0.11"), D(0), D("0.44"), D("0.44"))
