"""Inputs that are not BOMs, or are hostile: a clear InputError or a result, never a hang."""

from __future__ import annotations

import io
import random
import time
import zipfile
from pathlib import Path

import pytest

from opencircuit_cli.bom import read_bom
from opencircuit_cli.errors import InputError

BUDGET_S = 5.0  # generous per-file ceiling for these (the real budget is 1 s per 5,000 lines)


def _xlsx_bytes(rows: list[list[object]], title: str = "Sheet1") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="is empty"):
        read_bom(path)


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_bytes(b"\r\n  \n\t\n")
    with pytest.raises(InputError, match="is empty"):
        read_bom(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_bom(tmp_path / "nope.csv")


def test_header_only(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("Reference,Qty,MPN,Manufacturer\n")
    with pytest.raises(InputError, match="no data rows"):
        read_bom(path)


def test_no_usable_columns_names_what_was_found_and_suggests_map(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("Colour,Mood\nred,happy\nblue,sad\n")
    with pytest.raises(InputError) as info:
        read_bom(path)
    assert "no usable BOM columns" in info.value.message
    assert "--map" in (info.value.hint or "")


def test_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "garbage.csv"
    path.write_bytes(random.Random(4).randbytes(64 * 1024))
    with pytest.raises(InputError, match="binary"):
        read_bom(path)


def test_undecodable_bytes_are_replaced_with_a_warning_naming_the_row(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b"Ref,Qty,Value\nC1,1,10 \xb5F\nR1,1,1K\x81\n")
    result = read_bom(path)
    assert [line.value for line in result.lines] == ["10 µF", "1K\x81"]
    assert [row for row, message in result.warnings if "not valid UTF-8" in message] == [2, 3]


def test_utf8_with_replacement_char_warns(tmp_path: Path) -> None:
    path = tmp_path / "fffd.csv"
    path.write_text("Ref,Qty,Manufacturer,MPN\nE1,1,G\ufffdnther,X123\n", encoding="utf-8")
    result = read_bom(path)
    assert (2, "undecodable bytes replaced by U+FFFD") in result.warnings


def test_utf16_with_bom_tab_separated(tmp_path: Path) -> None:
    path = tmp_path / "easyeda.csv"
    text = (
        "ID\tName\tDesignator\tFootprint\tQuantity\tManufacturer Part\n"
        '1\t100nF\t"C1,C2"\t0402\t2\tCL05B104KO5NNNC\n'
    )
    path.write_bytes(text.encode("utf-16"))
    result = read_bom(path)
    assert result.lines[0].references == ("C1", "C2")
    assert result.lines[0].mpn == "CL05B104KO5NNNC"


def test_csv_that_is_really_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(_xlsx_bytes([["Ref", "Qty", "MPN"], ["R1", 1, "RC0402FR-0710KL"]]))
    result = read_bom(path)
    assert result.lines[0].mpn == "RC0402FR-0710KL"
    assert any("XLSX workbook despite its name" in m for _, m in result.warnings)


def test_xlsx_that_is_really_csv(tmp_path: Path) -> None:
    path = tmp_path / "bom.xlsx"
    path.write_text("Ref,Qty,MPN\nR1,1,RC0402FR-0710KL\n")
    result = read_bom(path)
    assert result.lines[0].mpn == "RC0402FR-0710KL"
    assert any("text file despite its name" in m for _, m in result.warnings)


def test_truncated_xlsx(tmp_path: Path) -> None:
    data = _xlsx_bytes([["Ref", "Qty", "MPN"], ["R1", 1, "X1"]])
    path = tmp_path / "broken.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="XLSX"):
        read_bom(path)


def test_fifty_megabyte_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    line = b"R1,1,RC0402FR-0710KL,10k,0402," + b"x" * 60 + b"\n"
    with path.open("wb") as handle:
        handle.write(b"Ref,Qty,MPN,Value,Footprint,Description\n")
        chunk = line * 10_000
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(chunk)
    start = time.perf_counter()
    with pytest.raises(InputError, match="too large"):
        read_bom(path)
    assert time.perf_counter() - start < BUDGET_S


def _xlsx_with_empty_formatted_rows(count: int) -> bytes:
    """A small table followed by `count` empty rows that carry a style (a formatted sheet)."""
    base = _xlsx_bytes([["Ref", "Qty", "MPN"], ["R1", 1, "RC0402FR-0710KL"], ["C1", 1, "GRM1"]])
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                filler = "".join(
                    f'<row r="{n}" s="1" customFormat="1"><c r="A{n}" s="1"/></row>'
                    for n in range(4, count + 4)
                )
                data = data.replace(b"</sheetData>", filler.encode() + b"</sheetData>")
                data = data.replace(
                    b'<dimension ref="A1:C3"/>', f'<dimension ref="A1:C{count + 3}"/>'.encode()
                )
            target.writestr(item, data)
    return out.getvalue()


def test_xlsx_with_a_million_empty_formatted_rows(tmp_path: Path) -> None:
    path = tmp_path / "formatted.xlsx"
    path.write_bytes(_xlsx_with_empty_formatted_rows(1_000_000))
    start = time.perf_counter()
    result = read_bom(path)
    elapsed = time.perf_counter() - start
    assert [line.references for line in result.lines] == [("R1",), ("C1",)]
    assert elapsed < BUDGET_S


def test_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = tmp_path / "bom.xlsx"
    path.write_bytes(_xlsx_bytes([["Ref", "Qty", "MPN"], ["R1", 1, "X1"]], title="Parts"))
    with pytest.raises(InputError) as info:
        read_bom(path, sheet="Nope")
    assert "'Parts'" in (info.value.hint or "")


def test_malformed_xml(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text("<export><components><comp ref='R1'>")
    with pytest.raises(InputError, match="not well-formed"):
        read_bom(path)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        read_bom(tmp_path)
