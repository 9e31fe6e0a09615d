from decimal import Decimal as D

from opencircuit_cli.errors import NetworkError
from opencircuit_cli.models import BomLine
from opencircuit_cli.pricing.currency import Converter
from opencircuit_cli.pricing.quote import build_quantity
from opencircuit_cli.quoting import QuoteOptions, build_quote, query_for
from tests.support.fake_provider import FakeProvider, offer, part


def line(row, refs, qty, mpn=None, maker=None, skus=None, dnp=False):
    return BomLine(
        row=row,
        references=tuple(refs),
        quantity=qty,
        mpn=mpn,
        manufacturer=maker,
        skus=skus or {},
        dnp=dnp,
        rows=(row,),
    )


def test_build_quantity_with_spares():
    assert build_quantity(2, 10, D(0), 0) == 20
    assert build_quantity(2, 10, D(5), 0) == 21  # 5 % of 20 = 1
    assert build_quantity(3, 7, D(5), 0) == 23  # 5 % of 21 = 1.05 -> 2
    assert build_quantity(1, 10, D(5), 2) == 12  # minimum extra wins
    assert build_quantity(0, 10, D(5), 2) == 0


def test_query_prefers_mpn_and_falls_back_to_a_bom_sku():
    assert query_for(line(2, ["R1"], 1, mpn="RC0603", maker="Yageo")).mpn == "RC0603"
    q = query_for(line(3, ["R2"], 1, skus={"digikey": "311-1.0KHRCT-ND"}))
    assert (q.mpn, q.sku, q.distributor) == ("311-1.0KHRCT-ND", "311-1.0KHRCT-ND", "digikey")
    assert query_for(line(4, ["H1"], 1)) is None


def test_quote_chooses_per_line_and_keeps_unpriced_and_dnp_apart():
    catalog = FakeProvider(
        "alpha",
        [
            part(
                "LM358DR",
                "Texas Instruments",
                offer("Arrow", "AR-358", [(1, "0.50"), (10, "0.30")]),
            ),
            part("LM358DRG4", "Texas Instruments", offer("Arrow", "AR-G4", [(1, "0.01")])),
            part("NE555", "TI", offer("Arrow", "AR-555", [(1, "0.20")], stock=5)),
        ],
    )
    lines = [
        line(2, ["U1", "U2"], 2, mpn="LM358DR", maker="TI"),
        line(3, ["U3"], 1, mpn="LM358"),  # only a near miss exists: never bought
        line(4, ["H1"], 1),  # no part number
        line(5, ["U4"], 1, mpn="NE555"),  # 10 needed, 5 in stock: short
        line(6, ["R9"], 1, mpn="LM358DR", dnp=True),
    ]
    quote = build_quote("bom.csv", lines, [catalog], QuoteOptions(boards=10), Converter("USD"), {})
    by_row = {q.line.row: q for q in quote.lines}
    assert set(by_row) == {2, 3, 4, 5}
    assert [r.row for r in quote.dnp] == [6]
    first = by_row[2]
    assert (first.build_quantity, first.status) == (20, "ok")
    assert first.choice.option.cost == D("6.00")  # 20 x 0.30
    assert (by_row[3].status, by_row[3].choice.option) == ("unpriced", None)
    assert by_row[4].choice.why == "no part number in the BOM"
    assert by_row[5].status == "short"
    assert quote.plan.total == D("8.00")  # 20 x 0.30 + the short line's 10 x 0.20
    assert not quote.complete


def test_near_misses_are_reported_not_bought():
    from opencircuit_cli.models import PartQuery
    from opencircuit_cli.quoting import parts_for

    found = [part("LM358DRG4", "TI", offer("Arrow", "AR-G4", [(1, "0.01")]))]
    parts, notes = parts_for(PartQuery("LM358DR"), found)
    assert parts == []
    assert notes == ["no exact match for LM358DR; similar part numbers were not bought"]


def test_a_failing_provider_is_named_on_the_lines_it_could_not_price():
    good = FakeProvider("alpha", [part("A1", "Acme", offer("Arrow", "AR-A1", [(1, "1.00")]))])
    bad = FakeProvider("beta", [], NetworkError("beta", "HTTP 500 after 5 attempts"))
    lines = [line(2, ["R1"], 1, mpn="A1"), line(3, ["R2"], 1, mpn="B2")]
    quote = build_quote("b.csv", lines, [good, bad], QuoteOptions(), Converter("USD"), {})
    assert [e.provider for e in quote.errors] == ["beta"]
    assert quote.lines[0].status == "ok"
    assert quote.lines[1].status == "unpriced"
    assert "not answered by beta (see errors)" in quote.lines[1].notes
