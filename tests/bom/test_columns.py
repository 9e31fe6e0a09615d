"""Header scoring, synonyms, column traps, DNP values, SKU shapes, URLs, MPN repair, --map."""

from __future__ import annotations

from pathlib import Path

import pytest

from opencircuit_cli.bom import read_bom
from opencircuit_cli.bom.dnp import dnp_cell, fitted_cell_means_dnp, value_means_dnp
from opencircuit_cli.bom.fields import (
    clean_mpn,
    map_columns,
    parse_product_url,
    sku_shape,
    split_alternates,
)
from opencircuit_cli.bom.header import classify, distributor_key, find_header, score_row
from opencircuit_cli.bom.tables import RawRow, cell_text
from opencircuit_cli.errors import InputError, UsageError


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("*Ref Des", "references"),
        ("Reference\nDesignator", "references"),
        ("Reference(s)", "references"),
        (" Quantity", "quantity"),
        ("Qnty", "quantity"),
        ("*Qty", "quantity"),
        ("Quantity Per PCB", "quantity"),
        ("Comment", "value"),
        ("*Package", "footprint"),
        ("MANUFACTURER_PART_NUMBER", "mpn"),
        ("Manufacturer\nPart Number", "mpn"),
        ("Manf#", "mpn"),
        ("*Mfg Part #", "mpn"),
        ("Manufacter Part#", "mpn"),
        ("manf", "manufacturer"),
        ("Note:", "description"),
        ("DATASHEET-URL", "datasheet"),
        ("LCSC Part #", "lcsc"),
        ("JLC Part Number", "lcsc"),
        ("digikey#", "digikey"),
        ("Mouser Part Number", "mouser"),
        ("FARNELL_PART_NUMBER", "farnell"),
        ("RS", "rs"),
        ("Supplier 1", "supplier"),
        ("Vendor Part #", "supplier_pn"),
        ("Total Qty (@ Batch Size: 1000)", "ignore"),
        ("Build Quantity", "ignore"),
        ("\ufeffDesignator", "references"),
    ],
)
def test_synonyms(header: str, field: str) -> None:
    match = classify(header)
    assert match is not None and match.field == field


def test_unknown_headers() -> None:
    assert classify("Spice_Model").field == "ignore"
    assert classify("Thermal Coefficient") is None
    assert classify("") is None


def test_distributor_names() -> None:
    assert distributor_key("Digi-Key") == "digikey"
    assert distributor_key("RS Components") == "rs"
    assert distributor_key("element14") == "farnell"
    assert distributor_key("Murata") is None


def test_header_row_is_found_by_score_not_position() -> None:
    rows = [
        RawRow(1, ("Title", "HackRF One")),
        RawRow(2, ("Generated", "Monday", " 07 September 2020")),
        RawRow(3, ()),
        RawRow(4, ("Ref", "Value", "Footprint", "Qty", "Description")),
        RawRow(5, ("C1 C3", "33pF", "0402", "2", "CAP CER")),
    ]
    choice = find_header(rows)
    assert choice is not None and rows[choice.index].row == 4


def test_preamble_and_data_rows_score_low() -> None:
    assert score_row(("Component Count:", "41")) < 2
    assert score_row(("C1", "100n", "device:C", "C_0603")) < 2
    assert score_row(("Qty", "Value", "Device", "Parts")) >= 2


def test_distributor_group_row_is_not_the_header() -> None:
    rows = [
        RawRow(1, ("Global Part Info", "", "", "Arrow", "", "Digi-Key", "", "Mouser")),
        RawRow(2, ("Refs", "Value", "Manf#", "Qty", "Cat#", "Unit$", "Cat#", "Cat#")),
    ]
    choice = find_header(rows)
    assert choice is not None and choice.index == 1 and choice.group_row == 0


def test_partnumber_holding_library_ids_loses_to_partsymbol() -> None:
    headers = ["Manufacturer", "PartNumber", "PartSymbol", "Quantity", "Designator"]
    data = [
        ["Vishay", "R_200k_0402", "CRCW0402200KFKED", "2", "R1, R2"],
        ["Murata", "C_100n_0402", "GRM155R71C104KA88D", "1", "C1"],
        ["TI", "TCA9548A_QFN", "TCA9548ARGER", "1", "U1"],
    ]
    column_map = map_columns(headers, data)
    assert column_map.columns["mpn"] == 2
    assert any("library names" in note for note in column_map.notes)


def test_manufacturer_name_holding_part_numbers() -> None:
    headers = ["ref", "amount", "brand", "Manufacturer name"]
    data = [["C1", "1", "Murata", "GRM1555C1H100JB01D"], ["R1", "1", "Bourns", "CR0603-JW-222ELF"]]
    column_map = map_columns(headers, data)
    assert column_map.columns["mpn"] == 3
    assert column_map.columns["manufacturer"] == 2


def test_generic_field_columns_by_content() -> None:
    headers = ["ref", "value", "Field1", "Field2", "Field3"]
    data = [
        ["C1", "33pF", "Murata", "GRM1555C1H330JZ01D", "CAP CER 33PF 50V 5% NP0 0402"],
        ["C2", "10nF", "Murata", "GRM155R71C103KA01D", "CAP CER 10000PF 16V 10% X7R"],
        ["R1", "10k", "Stackpole", "RMCF0402JT10K0", "RES 10K OHM 5% 1/16W 0402"],
    ]
    column_map = map_columns(headers, data)
    assert column_map.columns["manufacturer"] == 2
    assert column_map.columns["mpn"] == 3
    assert column_map.columns["description"] == 4


@pytest.mark.parametrize(
    "text", ["DNP", "dnp", "y", "X", "yes", "true", "WAHR", "no fit", "NF", "Do not place", "1"]
)
def test_dnp_column_values(text: str) -> None:
    assert dnp_cell(text)


@pytest.mark.parametrize("text", ["", "n", "no", "FALSCH", "false", "0", "-"])
def test_dnp_column_non_values(text: str) -> None:
    assert not dnp_cell(text)


def test_fitted_columns_are_inverted() -> None:
    assert fitted_cell_means_dnp("no")
    assert fitted_cell_means_dnp("DNP")
    assert not fitted_cell_means_dnp("yes")
    assert not fitted_cell_means_dnp("")


@pytest.mark.parametrize("text", ["DNP", "NA(100nF/10V)", "(NA)HN1X4", "NA", "DNP 10k"])
def test_dnp_value_conventions(text: str) -> None:
    assert value_means_dnp(text)


@pytest.mark.parametrize("text", ["100nF", "NAND", "0R(Board_Mounted)", "Nexperia", ""])
def test_values_that_are_not_dnp(text: str) -> None:
    assert not value_means_dnp(text)


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("XC2756CT-ND", "digikey"),
        ("311-22.0KFRCT-ND", "digikey"),
        ("C49678", "lcsc"),
        ("595-TLV3501AID", "mouser"),
        ("926-LMH6550MAX/NOPB", "mouser"),
        ("22-05-3021", None),
        ("17-21/BHC-XL2M2TY/3T", None),
        ("GRM155R71C104KA88D", None),
        ("C0805C104K5RACTU", None),
    ],
)
def test_sku_shapes(text: str, shape: str | None) -> None:
    assert sku_shape(text) == shape


def test_mouser_product_url() -> None:
    url = parse_product_url(
        "https://www.mouser.com/ProductDetail/Murata-Electronics/GRM155R60J475ME87D?qs=sGAEpi%3D"
    )
    assert url is not None
    assert (url.distributor, url.mpn, url.manufacturer) == (
        "mouser",
        "GRM155R60J475ME87D",
        "Murata Electronics",
    )


def test_digikey_and_lcsc_urls() -> None:
    old = parse_product_url(
        "https://www.digikey.com/product-detail/en/murata/GRM155R71C104KA88D/490-3261-1-ND/587"
    )
    assert old is not None and old.sku == "490-3261-1-ND"
    lcsc = parse_product_url("https://lcsc.com/product-detail/Crystals_C9002.html?utm=x")
    assert lcsc is not None and (lcsc.distributor, lcsc.sku) == ("lcsc", "C9002")
    assert parse_product_url("https://mou.sr/3abc") is None
    assert parse_product_url("not a url") is None


def test_mpn_float_repair_and_placeholders() -> None:
    assert cell_text(61300311121.0) == "61300311121"
    assert cell_text(1.5) == "1.5"
    assert cell_text('="0603"') == "0603"
    assert clean_mpn("61300311121.0") == "61300311121"
    assert clean_mpn("ANY") is None
    assert clean_mpn(" ~ ") is None
    assert clean_mpn("LPC4320FBD144,551") == "LPC4320FBD144,551"


def test_alternates_split_only_when_unambiguous() -> None:
    assert split_alternates("M3X3/D7985, M3X8/D7985B") == ("M3X3/D7985", ("M3X8/D7985B",))
    assert split_alternates("BAT46WJ,115") == ("BAT46WJ,115", ())
    assert split_alternates("PTS526 SM15 SMTR2 LFS") == ("PTS526 SM15 SMTR2 LFS", ())


def _write(tmp_path: Path, text: str, name: str = "bom.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_map_override(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "Ref,Qty,Part,Internal\nR1,1,RC0402FR-0710KL,X-1\nR2,1,RC0402FR-0710KL,X-1\n",
    )
    auto = read_bom(path)
    assert auto.lines[0].mpn is None
    mapped = read_bom(path, mapping={"mpn": "Internal"})
    assert mapped.columns["mpn"] == "Internal"
    assert [line.mpn for line in mapped.lines] == ["X-1"]
    by_number = read_bom(path, mapping={"mpn": "3"})
    assert by_number.lines[0].mpn == "RC0402FR-0710KL"


def test_map_unknown_column_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, "Ref,Qty,MPN\nR1,1,ABC123\n")
    with pytest.raises(InputError, match="no column named 'Nope'"):
        read_bom(path, mapping={"mpn": "Nope"})
    with pytest.raises(UsageError):
        read_bom(path, mapping={"colour": "Ref"})


def test_quantity_mismatch_warns_with_row(tmp_path: Path) -> None:
    path = _write(tmp_path, 'References,Qty,MPN\n"C11, C16",1,GRM1\nR1,1,RC1\n')
    result = read_bom(path)
    assert (2, "quantity 1 but 2 reference(s); the quantity column is used") in result.warnings


def test_build_quantity_column_is_not_per_board(tmp_path: Path) -> None:
    rows = "\n".join(f"R{n} R{n + 100},200,PART{n}" for n in range(1, 6))
    path = _write(tmp_path, "Refs,Qty,Manf#\n" + rows + "\n")
    result = read_bom(path)
    assert [line.quantity for line in result.lines] == [2] * 5


def test_ungrouped_rows_merge_and_keep_rows(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "Part,Value,Package,Manufacturer,MPN\n"
        "R1,10k,0603,Yageo,RC0603FR-0710KL\n"
        "C1,100n,0603,,\n"
        "R2,10k,0603,YAGEO,RC0603FR-0710KL\n"
        "C2,100n,0603,,\n"
        "X1,,,,\n",
    )
    result = read_bom(path)
    assert [(line.references, line.quantity, line.rows) for line in result.lines] == [
        (("R1", "R2"), 2, (2, 4)),
        (("C1", "C2"), 2, (3, 5)),
        (("X1",), 1, (6,)),
    ]


def test_dnp_lines_excluded_unless_asked(tmp_path: Path) -> None:
    path = _write(tmp_path, "Reference,Qty,MPN,DNP\nR1,1,RC1,\nR2,1,RC2,DNP\n")
    result = read_bom(path)
    assert [line.mpn for line in result.lines] == ["RC1"]
    assert [line.mpn for line in result.dnp_lines] == ["RC2"]
    everything = read_bom(path, include_dnp=True)
    assert [(line.mpn, line.dnp) for line in everything.lines] == [("RC1", False), ("RC2", True)]


def test_kicad_xml_dnp_and_exclude_from_bom(tmp_path: Path) -> None:
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<export version="E">
  <components>
    <comp ref="R1">
      <value>10k</value>
      <footprint>R_0603</footprint>
      <fields><field name="MPN">RC0603FR-0710KL</field></fields>
    </comp>
    <comp ref="R2">
      <value>10k</value>
      <footprint>R_0603</footprint>
      <fields><field name="MPN">RC0603FR-0710KL</field></fields>
      <property name="dnp"/>
    </comp>
    <comp ref="TP1">
      <value>TP</value>
      <property name="exclude_from_bom"/>
    </comp>
  </components>
  <libparts><libpart lib="x" part="y"/></libparts>
  <nets><net code="1" name="GND"/></nets>
</export>
"""
    path = _write(tmp_path, xml, "board.xml")
    result = read_bom(path, include_dnp=True)
    assert [(line.references, line.dnp, line.row) for line in result.lines] == [
        (("R1",), False, 4),
        (("R2",), True, 9),
    ]
    assert any("exclude_from_bom" in message for _, message in result.warnings)


def test_not_fitted_list_splits_a_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "Designator,Quantity,Manufacturer Part Number 1,Assembly Info\n"
        '"C3, C5, C12, C19",4,CC0402JRNPO9BN101,NF(C12 C19)\n'
        "FAN1,1,MC30060V2,NF(FAN1)\n",
    )
    result = read_bom(path, include_dnp=True)
    assert [(line.references, line.quantity, line.dnp) for line in result.lines] == [
        (("C3", "C5"), 2, False),
        (("C12", "C19"), 2, True),
        (("FAN1",), 1, True),
    ]


def test_combined_manufacturer_and_mpn_and_manufacturer_lists(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "Ref,Qty,MPN,Manufacturer\n"
        "C1,1,Murata GRM155R71C104KA88D,\n"
        "D1,1,LY L29K-H1K2-26-Z,\n"
        'R1,1,CPF0402B53K6E1,"TE Connectivity, TE CONECTIVITY"\n'
        'C2,1,CL05A,"Samsung Electro-Mechanics America, Inc."\n',
    )
    lines = read_bom(path).lines
    assert [(line.manufacturer, line.mpn) for line in lines] == [
        ("Murata", "GRM155R71C104KA88D"),
        (None, "LY L29K-H1K2-26-Z"),
        ("TE Connectivity", "CPF0402B53K6E1"),
        ("Samsung Electro-Mechanics America, Inc.", "CL05A"),
    ]


def test_generic_vendor_pairs_and_skus_in_urls(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "Designator,Vendor,Vendor Part #,Quantity,MFG Part Number,Link\n"
        "C1,Digi-Key,490-1-ND,1,GRM1,https://lcsc.com/product-detail/x_C1525.html\n"
        "C2,Mouser,81-GRM2,1,GRM2,\n"
        "C3,,587-1-ND,1,GRM3,\n",
    )
    lines = read_bom(path).lines
    assert [dict(line.skus) for line in lines] == [
        {"digikey": "490-1-ND", "lcsc": "C1525"},
        {"mouser": "81-GRM2"},
        {"digikey": "587-1-ND"},
    ]


def test_two_row_header_with_distributors_on_the_second_row(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "Schematic Reference,Qty,MPN,SKU,SKU,SKU\n"
        ",,,Digi-Key,Mouser,Farnell\n"
        "R1,1,RC0402FR-0710KL,311-10.0KLRCT-ND,603-RC0402FR-0710KL,9238603\n",
    )
    result = read_bom(path)
    assert len(result.lines) == 1
    assert dict(result.lines[0].skus) == {
        "digikey": "311-10.0KLRCT-ND",
        "mouser": "603-RC0402FR-0710KL",
        "farnell": "9238603",
    }


def test_preamble_blank_line_after_header_footer_and_totals(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '"Source:","C:\\\\x.sch"\n"Date:","05.03.2021"\n\n'
        "Reference,Quantity,Value,Footprint\n\n"
        "R1 R2,2,10k,0402\nC1,1,100n,0402\n"
        ",3,,\nTotal:,3\n\n\nStatistics:\nComponent Count:,3\n",
    )
    result = read_bom(path)
    assert result.header_row == 4
    assert [(line.references, line.quantity) for line in result.lines] == [
        (("R1", "R2"), 2),
        (("C1",), 1),
    ]


def test_xlsx_best_sheet_title_rows_and_float_mpns(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["This BOM lists the parts of the board."])
    parts = workbook.create_sheet("Parts")
    parts.append(["Board BOM"])
    parts.merge_cells("A1:D1")
    parts.append([])
    parts.append(["*Ref Des", "*Qty", "Manufacturer", "*Mfg Part #"])
    parts.append(["J1", 1.0, "Wurth", 61300311121.0])
    parts.append(["C1,C2", "2", "Murata", "GRM155R71C104KA88D"])
    path = tmp_path / "bom.xlsx"
    workbook.save(path)
    result = read_bom(path)
    assert (result.sheet, result.header_row) == ("Parts", 3)
    assert [(line.row, line.mpn, line.quantity) for line in result.lines] == [
        (4, "61300311121", 1),
        (5, "GRM155R71C104KA88D", 2),
    ]
    assert read_bom(path, sheet="Parts").sheet == "Parts"


def test_xlsx_formulas_without_cached_values(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()  # openpyxl writes formulas without cached results
    sheet = workbook.active
    sheet.append(["Ref", "Qty", "MPN", "Package"])
    sheet.append(["R1", "=1+1", "RC0402FR-0710KL", '="0603"'])
    path = tmp_path / "formulas.xlsx"
    workbook.save(path)
    result = read_bom(path)
    assert result.lines[0].footprint == "0603"
    assert result.lines[0].quantity == 1  # an uncomputed formula: the designators count
    assert any("'=1+1' is not a number" in message for _, message in result.warnings)


def test_single_column_list_of_part_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path, "MPN\nGRM155R71C104KA88D\nRC0402FR-0710KL\n")
    result = read_bom(path)
    assert result.header_row == 1
    assert [(line.mpn, line.quantity) for line in result.lines] == [
        ("GRM155R71C104KA88D", 1),
        ("RC0402FR-0710KL", 1),
    ]


def test_headerless_pipe_file_by_content(tmp_path: Path) -> None:
    path = _write(tmp_path, "LMK107BJ475KAHT|2|C1 C14\nRC0603FR-07100RL|1|R30\n", "mouser.txt")
    result = read_bom(path)
    assert result.header_row is None
    assert [(line.mpn, line.quantity, line.references) for line in result.lines] == [
        ("LMK107BJ475KAHT", 2, ("C1", "C14")),
        ("RC0603FR-07100RL", 1, ("R30",)),
    ]
