"""The quote CSV (formula-safe, totals as final rows) and the per-distributor order files."""

import csv
import os

import pytest

from opencircuit_cli.output import orders
from opencircuit_cli.output.orders import order_files, reference_text, write_orders_dir
from opencircuit_cli.output.quote_csv import HEADER, csv_safe, quote_rows, write_quote_csv
from tests.output.builders import EVIL_DESCRIPTION, EVIL_MPN, bom, make_quote, offer, part


def read(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1-555", "'+1-555"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("RC0402", "RC0402"),
        ("a=b", "a=b"),
        ("", ""),
        (None, None),
    ],
)
def test_csv_safe(text, safe):
    assert csv_safe(text) == safe


def test_quote_csv(tmp_path):
    path = tmp_path / "quote.csv"
    write_quote_csv(make_quote(), path)
    rows = read(path)
    assert rows[0] == list(HEADER)
    lines = {r[0]: dict(zip(HEADER, r, strict=True)) for r in rows[1:] if r[0].isdigit()}
    assert set(lines) == {"2", "3", "4", "5", "6", "7", "8", "9", "10"}
    evil = lines["3"]
    assert evil["description"] == "'" + EVIL_DESCRIPTION and evil["mpn"] == "'" + EVIL_MPN
    split = lines["4"]
    assert (split["distributor"], split["sku"]) == ("Mouser | DigiKey", "M3 | D3")
    assert split["order_quantity"] == "4" and split["extended_price"] == "2.2"
    assert split["unit_price"] == "" and "2 x M3 (Mouser) @ 0.5 USD" in split["allocations"]
    plain = lines["2"]
    assert (plain["build_quantity"], plain["unit_price"], plain["extended_price"]) == (
        "7",
        "0.1",
        "0.7",
    )
    assert lines["5"]["status"] == "unpriced" and lines["10"]["status"] == "dnp"
    totals = {
        r[0]: r[HEADER.index("extended_price")] for r in rows if r and r[0] and not r[0].isdigit()
    }
    assert totals["parts"] == "19.94" and totals["fees"] == "7"
    assert totals["shipping"] == "13.98" and totals["total"] == "40.92"
    assert totals["DigiKey total"] == "21.19" and totals["Mouser parts"] == "12.3"
    assert [p.name for p in tmp_path.iterdir() if p.name != "home"] == ["quote.csv"]


def test_quote_rows_are_pure():
    quote = make_quote()
    assert quote_rows(quote) == quote_rows(quote)


def test_order_files_pure_shapes():
    files = order_files(make_quote())
    assert list(files) == ["Mouser", "DigiKey", "LCSC"]
    name, header, rows = files["DigiKey"]
    assert name == "order-digikey.csv"
    assert header == ("Digi-Key Part Number", "Quantity", "Customer Reference")
    assert rows == [("D2", 4, "C1"), ("D3", 2, "U1-U3"), ("D6", 4, "L1")]
    assert files["Mouser"][1] == ("Mouser Part Number", "Quantity", "Customer Part Number")
    assert files["LCSC"][1] == ("LCSC Part Number", "Quantity", "Customer #")


def test_generic_distributor_and_merged_skus():
    pairs = [
        (bom(2, ["R1"], 1, "A1"), [part(offer("Arrow", "AR-1", [(1, "0.10")]), mpn="A1")]),
        (bom(3, ["R2"], 2, "A1"), [part(offer("Arrow", "AR-1", [(1, "0.10")]), mpn="A1")]),
    ]
    files = order_files(make_quote(pairs, dnp=(), errors=()))
    name, header, rows = files["Arrow"]
    assert name == "order-arrow.csv"
    assert header == ("SKU", "Manufacturer Part Number", "Quantity", "Reference")
    assert rows == [("AR-1", "A1", 4 + 7, "R1, R2")]  # one row, quantities added


def test_reference_text_is_condensed_and_cut():
    refs = [f"C{n}" for n in range(1, 5)] + [f"C{n}" for n in range(10, 60, 2)]
    text = reference_text(refs, 48)
    assert len(text) <= 48 and text.startswith("C1-C4, C10, C12") and text.endswith(", ...")
    assert reference_text(["R1", "R2"], 48) == "R1, R2"
    assert reference_text(["VERYLONGDESIGNATOR" * 4], 10) == "VERYLON..."


def test_write_orders_dir(tmp_path):
    pairs = [
        (
            bom(2, ["=R1"], 1, "A1"),
            [part(offer("Mouser", "-595-X", [(1, "0.10")]), mpn="A1")],
        )
    ]
    out = tmp_path / "orders"
    written = write_orders_dir(make_quote(pairs, dnp=(), errors=()), out)
    assert written == [out / "order-mouser.csv"]
    assert read(written[0]) == [
        ["Mouser Part Number", "Quantity", "Customer Part Number"],
        ["'-595-X", "4", "'=R1"],
    ]
    assert os.listdir(out) == ["order-mouser.csv"]


def test_distributor_keys():
    assert orders.distributor_key("Digi-Key") == orders.distributor_key("DigiKey") == "digikey"
    assert orders.file_slug("Future Electronics") == "future-electronics"
    assert orders.file_slug("!!!") == "distributor"
