"""Reading CSV and XLSX files into rows of text. I/O lives here; nothing is interpreted yet.

CSV: UTF-8 (with or without BOM) or GB18030 (what JLC's Chinese tooling writes); the encoding
is checked over the whole file before the first row is used, streaming, so a 300,000-row file is
never held in memory. The delimiter (`,` `;` or tab) is taken from the first line.
XLSX: every sheet, values only (formulas' cached results).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opencircuit_cli.errors import InputError

ENCODINGS = ("utf-8-sig", "gb18030")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Table:
    """One sheet (or the CSV file): rows as (1-based row number, cells)."""

    name: str | None
    rows: Iterator[tuple[int, list[str]]]


def open_tables(path: Path) -> tuple[list[Table], Callable[[], None]]:
    """The tables of `path` and a function that releases the file once they are read."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_tables(path)
    return [_csv_table(path)], lambda: None


def detect_encoding(path: Path) -> str:
    """The first of UTF-8 / GB18030 that decodes the whole file, else an InputError."""
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    if b"\x00" in chunk:
                        raise UnicodeDecodeError(encoding, chunk, 0, 1, "NUL byte")
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        except OSError as exc:
            raise InputError(f"{path}: cannot read the file: {exc.strerror}") from None
        return encoding
    raise InputError(
        f"{path}: the file is neither UTF-8 nor GB18030 text (UTF-16 or a binary file?)",
        hint="save it as CSV UTF-8 (or as .xlsx) and import it again",
    )


def _csv_table(path: Path) -> Table:
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        first = handle.readline()
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    delimiter = max(counts, key=lambda sep: counts[sep])

    def rows() -> Iterator[tuple[int, list[str]]]:
        with path.open(encoding=encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            start = 1
            try:
                for cells in reader:
                    yield start, cells
                    start = reader.line_num + 1
            except csv.Error as exc:
                raise InputError(f"{path}: line {reader.line_num}: not valid CSV ({exc})") from None

    return Table(None, rows())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value)


def _xlsx_tables(path: Path) -> tuple[list[Table], Callable[[], None]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputError(f"{path}: not a readable XLSX workbook ({exc})") from None

    def rows(sheet: Any) -> Iterator[tuple[int, list[str]]]:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in values]

    tables = [Table(sheet.title, rows(sheet)) for sheet in workbook.worksheets]
    return tables, workbook.close
