"""The XLSX workbook, reopened with openpyxl: formulas where promised, values elsewhere,
formula-injection text kept as text, totals equal to the JSON document, atomic writes."""

import os
from decimal import Decimal as D

import openpyxl
import pytest

from opencircuit_cli.output import quote_xlsx
from opencircuit_cli.output.quote_doc import quote_doc, quote_totals
from opencircuit_cli.output.quote_xlsx import (
    FIRST_ROW,
    money_format,
    sheet_title,
    write_quote_xlsx,
)
from opencircuit_cli.pricing.quote import build_quantity
from tests.output.builders import EVIL_DESCRIPTION, EVIL_MPN, make_quote
from tests.output.xlsx_eval import Evaluator


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    quote = make_quote()
    path = tmp_path_factory.mktemp("xlsx") / "quote.xlsx"
    write_quote_xlsx(quote, path, project="Demo board")
    return quote, openpyxl.load_workbook(path)


def table_rows(ws):
    """Table rows as dicts keyed by header, until the first blank row."""
    header = [c.value for c in ws[FIRST_ROW - 1]]
    rows = []
    for cells in ws.iter_rows(min_row=FIRST_ROW):
        if all(c.value is None for c in cells):
            break
        rows.append({h: c for h, c in zip(header, cells, strict=False) if h})
    return rows


def test_sheets_and_layout(written):
    _, wb = written
    assert wb.sheetnames == ["Quote", "Offers", "Order Mouser", "Order DigiKey", "Order LCSC"]
    ws = wb["Quote"]
    assert ws.freeze_panes == f"A{FIRST_ROW}"
    assert ws.auto_filter.ref.startswith(f"A{FIRST_ROW - 1}:W")
    assert (ws["A1"].value, ws["A2"].value) == ("Project", "Demo board")
    assert (ws["B2"].value, ws["C2"].value, ws["D2"].value) == (3, 10, 1)
    assert (ws["F2"].value, ws["G2"].value) == ("board.csv", "USD")
    assert ws["M1"].value == "Total" and ws["M2"].data_type == "f"
    assert ws.column_dimensions["F"].width == 36
    assert wb["Offers"].freeze_panes == "A2" and wb["Offers"].auto_filter.ref


def test_build_quantity_and_extended_are_formulas_that_compute_right(written):
    quote, wb = written
    ws = wb["Quote"]
    ev = Evaluator(ws)
    rows = table_rows(ws)
    # one row per allocation: the split line has two
    assert len(rows) == len(quote.lines) + 1
    for row in rows:
        build = row["Build qty"]
        assert build.data_type == "f" and "$B$2" in build.value and "$C$2" in build.value
        per_board = row["Qty/board"].value
        assert ev.value(build.coordinate) == build_quantity(per_board, 3, D(10), 1)
        if row["Status"].value != "unpriced":
            ext = row["Extended"]
            assert ext.data_type == "f" and ext.value.startswith(f"=J{ext.row}*K{ext.row}")
    fee_row = next(r for r in rows if r["SKU"].value == "D6")
    assert (
        fee_row["Extended"].value
        == f"=J{fee_row['SKU'].row}*K{fee_row['SKU'].row}+L{fee_row['SKU'].row}"
    )
    assert ev.value(fee_row["Extended"].coordinate) == pytest.approx(9.0)
    split = [r for r in rows if r["References"].value == "U1, U2, U3"]
    assert [r["Buy"].value for r in split] == ["split 1/2", "split 2/2"]
    assert [r["Distributor"].value for r in split] == ["Mouser", "DigiKey"]


def test_build_quantity_formula_matches_python_for_many_inputs(tmp_path):
    """The Excel formula against pricing.quote.build_quantity over a grid of inputs."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for boards in (0, 1, 3, 7, 100):
        for percent in (D(0), D("2.5"), D(10), D("33.3")):
            for minimum in (0, 1, 5):
                for per_board in (0, 1, 2, 10, 37):
                    ws["B2"], ws["C2"], ws["D2"] = boards, float(percent), minimum
                    ws["B5"] = per_board
                    ws["C5"] = quote_xlsx.build_qty_formula(5).text
                    ev = Evaluator(ws)
                    expected = build_quantity(per_board, boards, percent, minimum)
                    assert ev.value("C5") == expected, (boards, percent, minimum, per_board)


def test_totals_equal_the_json_totals(written):
    quote, wb = written
    ws = wb["Quote"]
    ev = Evaluator(ws)
    totals = quote_doc(quote)["totals"]
    for cell, key in (("J2", "parts"), ("K2", "fees"), ("L2", "shipping"), ("M2", "total")):
        assert ws[cell].data_type == "f"
        assert ev.value(cell) == pytest.approx(float(totals[key])), key
    by_name = {}
    for row in ws.iter_rows(min_row=FIRST_ROW):
        name = row[6].value
        if name in totals["by_distributor"] and row[12].data_type == "f" and row[13].value is None:
            by_name[name] = row
    assert set(by_name) == set(totals["by_distributor"])
    for name, row in by_name.items():
        expected = totals["by_distributor"][name]
        parts, fees, shipping, total = row[9], row[10], row[11], row[12]
        assert parts.data_type == "f" and fees.data_type == "f" and total.data_type == "f"
        assert shipping.data_type == "n"  # shipping is a value
        assert ev.value(parts.coordinate) == pytest.approx(float(expected["parts"]))
        assert ev.value(fees.coordinate) == pytest.approx(float(expected["fees"]))
        assert shipping.value == pytest.approx(float(expected["shipping"]))
        assert ev.value(total.coordinate) == pytest.approx(float(expected["total"]))
    assert float(quote_totals(quote).total) == pytest.approx(40.92)


def test_values_and_formats(written):
    _, wb = written
    ws = wb["Quote"]
    rows = {r["SKU"].value: r for r in table_rows(ws) if r["SKU"].value}
    m1 = rows["M1"]
    assert (m1["Order qty"].value, m1["Unit price"].value) == (7, pytest.approx(0.10))
    assert m1["Unit price"].number_format == money_format("USD", unit=True) == '"$"#,##0.00###'
    assert m1["Extended"].number_format == '"$"#,##0.00'
    assert m1["Stock"].value == 10_000 and m1["Lead days"].value == 7
    assert m1["Product link"].value == "https://mouser.example/M1"
    assert m1["Product link"].data_type == "s"
    assert m1["Product link"].hyperlink.target == "https://mouser.example/M1"
    assert m1["Datasheet"].value == "https://acme.example/RC0402.pdf"
    assert rows["M7"]["Lifecycle"].value == "obsolete"
    assert rows["C123"]["Unit price"].value == pytest.approx(0.11)  # converted to USD
    unpriced = [r for r in table_rows(ws) if r["Status"].value == "unpriced"]
    assert len(unpriced) == 1 and unpriced[0]["Extended"].value is None
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "Not fitted (DNP)" in values and "DNP" in values and "R99" in values
    assert any(isinstance(v, str) and "nexar: timed out" in v for v in values)


def test_formula_injection_stays_text(written):
    _, wb = written
    ws = wb["Quote"]
    row = next(r for r in table_rows(ws) if r["References"].value == "C1")
    assert row["Description"].value == EVIL_DESCRIPTION
    assert row["Description"].data_type == "s"
    assert row["Description"].quotePrefix is True
    assert row["MPN"].value == EVIL_MPN and row["MPN"].data_type == "s"
    for sheet in wb:
        for cells in sheet.iter_rows():
            for c in cells:
                if c.data_type == "f":
                    assert "HYPERLINK" not in c.value and "evil" not in c.value


def test_formula_injection_in_distributor_data(tmp_path):
    from tests.output.builders import bom, offer, part

    pairs = [
        (
            bom(2, ["=R1"], 1, "=cmd|' /C calc'!A0", "@SUM(1+1)"),
            [part(offer("=Evil", "-2+3", [(1, "1.00")]), mpn="=cmd|' /C calc'!A0")],
        )
    ]
    path = tmp_path / "q.xlsx"
    write_quote_xlsx(make_quote(pairs, dnp=(), errors=()), path)
    wb = openpyxl.load_workbook(path)
    seen = {}
    for sheet in wb:
        for cells in sheet.iter_rows():
            for c in cells:
                if isinstance(c.value, str) and c.value[:1] in "=+-@" and c.data_type == "s":
                    seen[c.value] = c
                if c.data_type == "f":
                    assert "Evil" not in c.value and "calc" not in c.value
    assert {"=R1", "=cmd|' /C calc'!A0", "@SUM(1+1)", "=Evil", "-2+3"} <= set(seen)
    assert wb.sheetnames[-1] == "Order =Evil"


def test_conditional_formatting(written):
    _, wb = written
    ws = wb["Quote"]
    rules = {
        rule.formula[0]: str(cf.sqref) for cf in ws.conditional_formatting for rule in cf.rules
    }
    assert rules[f'$N{FIRST_ROW}="unpriced"'].startswith(f"A{FIRST_ROW}:W")
    assert f'$N{FIRST_ROW}="short"' in rules
    assert any("obsolete" in f for f in rules)
    assert all(rule.dxf.fill is not None for cf in ws.conditional_formatting for rule in cf.rules)


def test_order_sheets(written):
    _, wb = written
    mouser = [[c.value for c in row] for row in wb["Order Mouser"].iter_rows()]
    assert mouser == [
        ["Mouser Part Number", "Quantity", "Customer Part Number"],
        ["M1", 7, "R1, R2"],
        ["M3", 2, "U1-U3"],
        ["M5", 33, "Q1"],
        ["M7", 4, "X1"],
    ]
    digikey = [[c.value for c in row] for row in wb["Order DigiKey"].iter_rows()]
    assert digikey == [
        ["Digi-Key Part Number", "Quantity", "Customer Reference"],
        ["D2", 4, "C1"],
        ["D3", 2, "U1-U3"],
        ["D6", 4, "L1"],
    ]
    lcsc = [[c.value for c in row] for row in wb["Order LCSC"].iter_rows()]
    assert lcsc[0] == ["LCSC Part Number", "Quantity", "Customer #"] and lcsc[1][:2] == ["C123", 4]


def test_offers_sheet(written):
    _, wb = written
    ws = wb["Offers"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, [c.value for c in row], strict=True)) for row in ws.iter_rows(2)]
    m1 = next(r for r in rows if r["SKU"] == "M1")
    assert m1["Price breaks (qty:price)"] == "1:0.1 100:0.05" and m1["Chosen"] == "yes"
    assert (m1["Order qty"], m1["Currency"], m1["MOQ"], m1["Multiple"]) == (7, "USD", 1, 1)
    d1 = next(r for r in rows if r["SKU"] == "D1")
    assert d1["Chosen"] == "no" and d1["Extended"] == pytest.approx(0.84)
    euro = next(r for r in rows if r["SKU"] == "C123")
    assert euro["Extended"] == pytest.approx(0.40) and euro["Cost (USD)"] == pytest.approx(0.44)


def test_sheet_titles_are_valid_and_unique():
    taken = {"quote", "offers"}
    assert sheet_title("Mouser", taken) == "Order Mouser"
    assert sheet_title("mouser", taken) == "Order mouser (2)"
    long = sheet_title("A very long distributor name: with/odd*chars", taken)
    assert len(long) <= 31 and not set("[]:*?/\\") & set(long)


def test_overwrite_protection(tmp_path):
    path = tmp_path / "quote.xlsx"
    path.write_bytes(b"old")
    with pytest.raises(FileExistsError):
        write_quote_xlsx(make_quote(), path, overwrite=False)
    assert path.read_bytes() == b"old"
    write_quote_xlsx(make_quote(), path)  # default: overwrite (the CLI checks --force)
    assert openpyxl.load_workbook(path).sheetnames[0] == "Quote"
    assert oct(path.stat().st_mode & 0o777) == "0o644"
    fresh = tmp_path / "new" / "quote.xlsx"
    write_quote_xlsx(make_quote(), fresh, overwrite=False)
    assert os.listdir(fresh.parent) == ["quote.xlsx"]


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_interrupted_write_leaves_target_untouched(tmp_path, monkeypatch, error):
    path = tmp_path / "quote.xlsx"
    path.write_bytes(b"previous quote")
    real_save = openpyxl.Workbook.save

    def broken_save(self, handle):
        handle.write(b"PK partial zip")
        raise error("interrupted mid-write")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(error):
        write_quote_xlsx(make_quote(), path)
    assert path.read_bytes() == b"previous quote"
    assert sorted(tmp_path.glob("*quote.xlsx*")) == [path]  # no temp file left
    monkeypatch.setattr(openpyxl.Workbook, "save", real_save)


def test_empty_quote(tmp_path):
    path = tmp_path / "empty.xlsx"
    write_quote_xlsx(make_quote(pairs=[], dnp=(), errors=()), path)
    ws = openpyxl.load_workbook(path)["Quote"]
    assert Evaluator(ws).value("M2") == 0


def test_control_characters_and_non_web_links(tmp_path):
    from dataclasses import replace

    from tests.output.builders import bom, offer, part

    bad = replace(offer("Mouser", "M9", [(1, "1.00")]), url="javascript:alert(1)")
    pairs = [(bom(2, ["R1"], 1, "A1", "bell\x07 and\x00 nul"), [part(bad, mpn="A1")])]
    path = tmp_path / "q.xlsx"
    write_quote_xlsx(make_quote(pairs, dnp=(), errors=()), path)
    row = table_rows(openpyxl.load_workbook(path)["Quote"])[0]
    assert row["Description"].value == "bell and nul"
    assert row["Product link"].value == "javascript:alert(1)"
    assert row["Product link"].hyperlink is None
