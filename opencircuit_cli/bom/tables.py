"""Rows of cells from each file format, with their 1-based physical row numbers.

Every cell is a string (stripped of surrounding whitespace); the meaning of the columns is
decided later (`header`, `fields`). Spreadsheet numbers become text here: integral floats lose
their `.0` (an MPN `61300311121.0` is `61300311121`), text formulas `="0603"` their wrapper.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from opencircuit_cli.errors import InputError

EMPTY_RUN_LIMIT = 500  # consecutive empty spreadsheet rows that end a sheet (formatted filler)
MAX_COLUMNS = 256  # cells beyond this are ignored (used ranges of 1024 empty columns)


@dataclass(frozen=True)
class RawRow:
    row: int  # 1-based physical row (spreadsheet row, or text line where the record starts)
    cells: tuple[str, ...]

    @property
    def blank(self) -> bool:
        return not any(self.cells)


@dataclass(frozen=True)
class RawTable:
    sheet: str | None
    rows: tuple[RawRow, ...]
    synthetic_header: bool = False  # the first row is a header made up by the reader (XML)


def _trim(cells: Iterable[str]) -> tuple[str, ...]:
    out = list(cells)[:MAX_COLUMNS]
    while out and not out[-1]:
        out.pop()
    return tuple(out)


def cell_text(value: Any) -> str:
    """A spreadsheet cell value as the text a person sees (numbers without a spurious `.0`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    text = str(value)
    formula = re.fullmatch(r'\s*=\s*"(.*)"\s*', text, flags=re.DOTALL)
    if formula:
        return formula.group(1).replace('""', '"').strip()
    return text.strip()


# --------------------------------------------------------------------------- delimited text


def text_rows(text: str, delimiter: str) -> RawTable:
    """Delimited text -> rows. A record spanning lines (quoted newline) gets its first line.

    `#` comment lines become blank rows (Digi-Key paste lists comment out excluded items).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[RawRow] = []
    line = 0
    try:
        for record in reader:
            start = line + 1
            line = reader.line_num
            cells = _trim(c.strip() for c in record)
            if cells and cells[0].startswith("#") and cells[0].rstrip("#").strip():
                cells = ()
            rows.append(RawRow(start, cells))
    except csv.Error as exc:
        raise InputError(
            f"cannot split the text into columns near line {line + 1}: {exc}",
            hint="check that the file is a CSV/TSV export, or save it as CSV/XLSX again",
        ) from None
    return RawTable(None, tuple(rows))


def fixed_width_rows(text: str, header_index: int) -> RawTable:
    """A space-aligned report: columns start where the header words start.

    Header words separated by one space stay separate columns (`Qty Value`); data cells are
    sliced at those positions, so designator lists with spaces (`C1, C34`) survive.
    """
    lines = text.splitlines()
    header = lines[header_index]
    starts = [m.start() for m in re.finditer(r"\S+", header)]
    rows: list[RawRow] = []
    for number, line in enumerate(lines, 1):
        if number - 1 < header_index:
            rows.append(RawRow(number, _trim([line.strip()])))
            continue
        cells = []
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else None
            if i == 0:
                start = 0
            cells.append(line[start:end].strip() if end is not None else line[start:].strip())
        rows.append(RawRow(number, _trim(cells)))
    return RawTable(None, tuple(rows))


# --------------------------------------------------------------------------- spreadsheets


def _sheet_rows(values: Iterator[tuple[Any, ...]]) -> tuple[RawRow, ...]:
    rows: list[RawRow] = []
    empty_run = 0
    for number, raw in enumerate(values, 1):
        cells = _trim(cell_text(v) for v in raw[:MAX_COLUMNS])
        if not cells:
            empty_run += 1
            if empty_run >= EMPTY_RUN_LIMIT:
                break
            continue
        empty_run = 0
        rows.append(RawRow(number, cells))
    return tuple(rows)


def xlsx_tables(data: bytes) -> list[RawTable]:
    """Every worksheet of an XLSX, read-only. Formula cells give their cached value; a formula
    saved without one (workbooks written by scripts) gives its text, so `="0603"` still reads
    as `0603` and anything else shows the formula instead of a silent blank."""
    import zipfile

    from openpyxl import load_workbook

    try:
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise InputError(
            f"the file looks like XLSX but cannot be opened ({type(exc).__name__}: {exc})",
            hint="open it in a spreadsheet program and save it again as XLSX or CSV",
        ) from None
    try:
        tables = []
        for sheet, source in zip(values.worksheets, formulas.worksheets, strict=True):
            rows = _with_formulas(
                sheet.iter_rows(values_only=True), source.iter_rows(values_only=True)
            )
            tables.append(RawTable(sheet.title, _sheet_rows(rows)))
        return tables
    finally:
        values.close()
        formulas.close()


def _with_formulas(
    values: Iterator[tuple[Any, ...]], formulas: Iterator[tuple[Any, ...]]
) -> Iterator[tuple[Any, ...]]:
    for cached, written in zip(values, formulas, strict=False):
        if any(v is None for v in cached[: len(written)]):
            yield tuple(
                w if v is None and isinstance(w, str) and w.startswith("=") else v
                for v, w in zip(cached, written, strict=False)
            ) + tuple(cached[len(written) :])
        else:
            yield cached


def xls_tables(data: bytes) -> list[RawTable]:
    """Every sheet of a legacy Excel 97-2003 `.xls` (xlrd)."""
    try:
        import xlrd
    except ImportError:  # pragma: no cover - xlrd is a dependency
        raise InputError(
            "legacy .xls files need the xlrd package, which is not installed",
            hint="pip install xlrd, or open the file and save it as XLSX",
        ) from None
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:  # xlrd raises a zoo of exception types on damaged files
        raise InputError(
            f"cannot read the legacy Excel file ({type(exc).__name__}: {exc})",
            hint="open it in a spreadsheet program and save it as XLSX",
        ) from None
    tables = []
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            tables.append(RawTable(sheet.name, _sheet_rows(_xls_values(xlrd, book, sheet))))
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return tables


def _xls_values(xlrd: Any, book: Any, sheet: Any) -> Iterator[tuple[Any, ...]]:
    for r in range(sheet.nrows):
        values = []
        for cell in sheet.row(r):
            if cell.ctype == xlrd.XL_CELL_DATE:
                try:
                    values.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                except Exception:
                    values.append(cell.value)
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                values.append(bool(cell.value))
            elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                values.append(None)
            else:
                values.append(cell.value)
        yield tuple(values)
