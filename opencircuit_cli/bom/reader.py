"""Read a BOM file of any supported format into grouped lines: the orchestration.

    read_bom(path, sheet=None, mapping=None, include_dnp=False) -> BomReadResult

Steps: sniff the format -> rows of text cells per sheet -> find the header row by scoring ->
map columns to fields (header synonyms, checked against the cells) -> interpret each data row
(designators, quantity, DNP, SKUs) skipping preamble/footer/filler rows -> group into lines.
Nothing here touches the network or prints; problems become warnings or `InputError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from opencircuit_cli.bom.fields import (
    ColumnMap,
    apply_overrides,
    map_columns,
)
from opencircuit_cli.bom.grouping import group_rows
from opencircuit_cli.bom.header import (
    FIELDS,
    MIN_SCORE,
    compact,
    find_header,
    group_labels,
    score_row,
)
from opencircuit_cli.bom.rows import check_quantity_column, interpret_rows
from opencircuit_cli.bom.tables import RawRow, RawTable
from opencircuit_cli.errors import InputError, UsageError
from opencircuit_cli.models import BomLine

Warning_ = tuple[int | None, str]
MAX_BYTES = 25 * 1024 * 1024  # far beyond any real BOM (the corpus tops out under 1 MB)
MAP_HINT = "name the columns yourself with --map, e.g. --map mpn='Part Number' --map quantity=Qty"


@dataclass(frozen=True)
class BomReadResult:
    """How a file was read and what it holds. `warnings` are `(row, message)`, row None when
    the note is about the whole file. Without `include_dnp` the do-not-place lines sit in
    `dnp_lines` instead of `lines`."""

    file: str
    sheet: str | None
    header_row: int | None  # 1-based physical row; None for headerless files and XML
    columns: Mapping[str, str]  # field -> header text as found
    lines: tuple[BomLine, ...]
    warnings: tuple[Warning_, ...] = ()
    format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    dnp_lines: tuple[BomLine, ...] = field(default_factory=tuple)

    @property
    def priced_lines(self) -> tuple[BomLine, ...]:
        return tuple(line for line in self.lines if not line.dnp)


# --------------------------------------------------------------------------- entry point


def read_bom(
    path: Path | str,
    *,
    sheet: str | None = None,
    mapping: Mapping[str, str | None] | None = None,
    include_dnp: bool = False,
) -> BomReadResult:
    """Read `path`. `mapping` is `--map` ({field: column header}); with `include_dnp` the
    DNP lines stay in `lines` (marked), otherwise they are moved to `dnp_lines`."""
    path = Path(path)
    for name in mapping or {}:
        if name not in FIELDS:
            raise UsageError(
                f"--map: unknown field '{name}'",
                hint=f"fields: {', '.join(FIELDS)}",
            )
    data = _read_bytes(path)
    tables, meta, warnings = _load_tables(path, data)
    table, choice_warnings = _choose_table(tables, sheet, path)
    warnings.extend(choice_warnings)
    result = _read_table(path, table, mapping or {}, warnings, meta)
    if include_dnp:
        return result
    kept = tuple(line for line in result.lines if not line.dnp)
    dropped = tuple(line for line in result.lines if line.dnp)
    return replace(result, lines=kept, dnp_lines=dropped)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                f"{path} is {size / 1e6:.1f} MB, too large for a BOM "
                f"(limit {MAX_BYTES // (1024 * 1024)} MB)",
                hint="check that this is the BOM file; split or trim it if it really is one",
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", hint="check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a BOM file", hint="name a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not data.strip():
        raise InputError(
            f"{path} is empty",
            hint="export the BOM again (CSV, XLSX or KiCad XML)",
        )
    return data


def _load_tables(path: Path, data: bytes) -> tuple[list[RawTable], dict, list[Warning_]]:
    from opencircuit_cli.bom.sniff import looks_fixed_width, sniff_delimiter, sniff_kind

    kind = sniff_kind(path, data[:64])
    warnings: list[Warning_] = []
    meta: dict = {"format": kind}
    if kind == "xlsx":
        from opencircuit_cli.bom.tables import xlsx_tables

        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            warnings.append((None, f"{path.name} is an XLSX workbook despite its name"))
        return xlsx_tables(data), meta, warnings
    if kind == "xls":
        from opencircuit_cli.bom.tables import xls_tables

        return xls_tables(data), meta, warnings
    if kind == "xml":
        from opencircuit_cli.bom.kicad import xml_table

        table, xml_warnings = xml_table(data)
        return [table], meta, xml_warnings
    from opencircuit_cli.bom.decode import decode_bytes, is_binary
    from opencircuit_cli.bom.tables import fixed_width_rows, text_rows

    decoded = decode_bytes(data)
    if is_binary(decoded.text):
        raise InputError(
            f"{path} is not a text table, an XLSX/XLS workbook or KiCad XML (binary data)",
            hint="export the BOM as CSV or XLSX",
        )
    meta["encoding"] = decoded.encoding
    message = (
        "not valid UTF-8: bytes read as cp1252/Latin-1"
        if decoded.encoding == "cp1252"
        else "undecodable bytes replaced by U+FFFD"
    )
    warnings.extend((line, message) for line in decoded.bad_lines[:20])
    delimiter = sniff_delimiter(decoded.text)
    header_index = _fixed_width_header(decoded.text)
    if header_index is not None and looks_fixed_width(decoded.text):
        if header_index is None:
            raise InputError(
                f"{path} looks like a fixed-width text report, and no header line was found",
                hint="export the BOM as CSV or XLSX from the design tool",
            )
        meta["format"] = "fixed-width"
        warnings.append((header_index + 1, "fixed-width text report: columns cut at header words"))
        return [fixed_width_rows(decoded.text, header_index)], meta, warnings
    meta["format"] = "csv"
    meta["delimiter"] = delimiter or ","
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        warnings.append((None, f"{path.name} is a text file despite its name: read as text"))
    return [text_rows(decoded.text, delimiter or ",")], meta, warnings


def _fixed_width_header(text: str) -> int | None:
    """The header line of a space-aligned report: it names fields, holds no delimiter and
    has runs of spaces between its words."""
    best: tuple[float, int] | None = None
    for index, line in enumerate(text.splitlines()[:40]):
        if any(d in line for d in ",;\t|") or not re.search(r"\S {2,}\S", line):
            continue
        score = score_row(line.split())
        if score >= MIN_SCORE and (best is None or score > best[0]):
            best = (score, index)
    return best[1] if best else None


# --------------------------------------------------------------------------- sheet choice


def _choose_table(
    tables: Sequence[RawTable], sheet: str | None, path: Path
) -> tuple[RawTable, list[Warning_]]:
    if sheet is not None:
        names = [t.sheet for t in tables if t.sheet is not None]
        for table in tables:
            if table.sheet == sheet:
                return table, []
        for table in tables:
            if table.sheet and table.sheet.strip().lower() == sheet.strip().lower():
                return table, []
        if not names:
            raise InputError(f"--sheet {sheet}: {path.name} is not a workbook (no sheets)")
        raise InputError(
            f"{path.name} has no sheet named '{sheet}'",
            hint="sheets: " + ", ".join(repr(n) for n in names),
        )
    if len(tables) == 1:
        return tables[0], []
    scored = []
    for position, table in enumerate(tables):
        choice = find_header(table.rows)
        score = 0.0
        if choice is not None:
            rows_after = sum(1 for r in table.rows[choice.index + 1 :] if not r.blank)
            score = choice.score * 2 + math.log1p(rows_after)
        scored.append((score, -position, table))
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    best = scored[0][2]
    warnings: list[Warning_] = []
    others = [t.sheet for s, _, t in scored[1:] if s > 0]
    if others:
        warnings.append(
            (
                None,
                f"sheet '{best.sheet}' read; other sheets with tables: "
                + ", ".join(repr(o) for o in others)
                + " (choose with --sheet)",
            )
        )
    return best, warnings


# --------------------------------------------------------------------------- table reading


def _read_table(
    path: Path,
    table: RawTable,
    mapping: Mapping[str, str | None],
    warnings: list[Warning_],
    meta: dict,
) -> BomReadResult:
    rows = table.rows
    if not any(not r.blank for r in rows):
        where = f"sheet '{table.sheet}' of {path.name}" if table.sheet else path.name
        raise InputError(f"{where} holds no data", hint="check the file or choose --sheet")
    if table.synthetic_header:
        choice_index, group_index, header_row = 0, None, None
    else:
        choice = find_header(rows)
        if choice is None:
            choice_index, group_index, header_row = None, None, None
        else:
            choice_index, group_index = choice.index, choice.group_row
            header_row = rows[choice_index].row
    if choice_index is None:
        width = max(len(r.cells) for r in rows)
        headers: tuple[str, ...] = tuple("" for _ in range(width))
        data_rows = [r for r in rows if not r.blank]
        warnings.append((None, "no header row found: columns recognised by their contents"))
    else:
        header_cells = rows[choice_index].cells
        data_rows = [
            r for i, r in enumerate(rows) if i > choice_index and i != group_index and not r.blank
        ]
        width = max([len(header_cells)] + [len(r.cells) for r in data_rows[:500]])
        headers = tuple(header_cells) + ("",) * (width - len(header_cells))
    groups = None
    if group_index is not None:
        groups = group_labels(rows[group_index], len(headers))
    data_rows = _cut_repeated_header(data_rows, headers, warnings)
    sample = [r.cells for r in data_rows[:300]]
    column_map = map_columns(headers, sample, groups=groups)
    column_map = _fix_shifted_data(column_map, headers, sample, warnings, groups)
    if mapping:
        column_map = apply_overrides(column_map, mapping, column_map.headers)
    warnings.extend((None, note) for note in column_map.notes)
    _require_usable(path, table, column_map, headers, header_row)
    _note_order_quantities(column_map, warnings)
    source_rows = interpret_rows(data_rows, column_map, warnings)
    source_rows = check_quantity_column(source_rows, data_rows, column_map, warnings)
    if not source_rows:
        raise InputError(
            f"{path.name}: found the columns ({_found(column_map)}) but no data rows under them",
            hint=MAP_HINT,
        )
    cols = column_map.columns
    by_description = "value" not in cols and "footprint" not in cols and "description" in cols
    lines = tuple(group_rows(source_rows, description_as_value=by_description))
    return BomReadResult(
        file=path.name,
        sheet=table.sheet,
        header_row=header_row,
        columns=MappingProxyType(column_map.describe()),
        lines=lines,
        warnings=tuple(warnings),
        format=meta.get("format", "csv"),
        encoding=meta.get("encoding"),
        delimiter=meta.get("delimiter"),
    )


def _note_order_quantities(column_map: ColumnMap, warnings: list[Warning_]) -> None:
    """A distributor cart export (LCSC: MOQ, Multiple, no designators) has order quantities,
    rounded up to packaging, not per-board ones. They are the only quantities there are, so
    they are used, with a note."""
    keys = {compact(h) for h in column_map.headers}
    if "references" in column_map.columns or "quantity" not in column_map.columns:
        return
    if keys & {"moq", "multiple", "minimumorderquantity", "orderqty"}:
        header = column_map.header_of(column_map.columns["quantity"])
        warnings.append(
            (
                None,
                f"'{header}' looks like an order quantity (a cart export: MOQ/multiple "
                "columns, no designators); used as the quantity per board",
            )
        )


def _found(column_map: ColumnMap) -> str:
    described = column_map.describe()
    return ", ".join(f"{k}='{v}'" for k, v in described.items()) or "none"


def _require_usable(
    path: Path,
    table: RawTable,
    column_map: ColumnMap,
    headers: Sequence[str],
    header_row: int | None,
) -> None:
    columns = column_map.columns
    identifies = (
        "mpn" in columns
        or column_map.skus
        or column_map.supplier_pairs
        or "value" in columns
        or "description" in columns
        or "references" in columns
    )
    counts = "quantity" in columns or "references" in columns
    if identifies and (counts or "mpn" in columns or column_map.skus):
        return
    where = f"sheet '{table.sheet}' of {path.name}" if table.sheet else path.name
    shown = ", ".join(repr(" ".join(h.split())) for h in headers if h.strip())[:300]
    found = f"header row {header_row} with columns {shown}" if header_row else "no header row"
    raise InputError(
        f"{where}: no usable BOM columns ({found}; recognised: {_found(column_map)})",
        hint=MAP_HINT,
    )


def _cut_repeated_header(
    rows: list[RawRow], headers: Sequence[str], warnings: list[Warning_]
) -> list[RawRow]:
    """A second copy of the header starts a second table of the same parts (KiCad scripts
    write "Individual Components" then "Collated Components"): keep the last one, which is the
    grouped purchasing view."""
    key = tuple(compact(h) for h in headers)
    cuts = [
        i
        for i, r in enumerate(rows)
        if len(r.cells) >= 2
        and compact(r.cells[0]) == key[0]
        and tuple(compact(c) for c in r.cells) == key[: len(r.cells)]
        and sum(1 for c in r.cells if c) >= 2
    ]
    if not cuts:
        return rows
    last = cuts[-1]
    warnings.append(
        (
            rows[last].row,
            "the header repeats here: the table below it is read, the one above "
            "it (the same parts listed another way) is skipped",
        )
    )
    return rows[last + 1 :]


def _fix_shifted_data(
    column_map: ColumnMap,
    headers: Sequence[str],
    sample: Sequence[Sequence[str]],
    warnings: list[Warning_],
    groups: Sequence[str | None] | None,
) -> ColumnMap:
    """Data written one column right of its header from some column on (hackrf KiBoM file):
    the header ends with an empty cell that the data fills, and a named column is empty."""
    if not headers or headers[-1].strip() or not sample:
        return column_map

    def filled(index: int) -> float:
        values = [r[index] for r in sample if index < len(r)]
        return sum(1 for v in values if v.strip()) / max(len(sample), 1)

    if filled(len(headers) - 1) < 0.5:
        return column_map
    named = [i for i in column_map.columns.values()] + list(column_map.mpn_columns)
    empty_named = sorted(i for i in set(named) if filled(i) < 0.1)
    if not empty_named:
        return column_map
    start = empty_named[0]
    shifted = [*headers[:start], "", *headers[start:-1]]
    remapped = map_columns(shifted, sample, groups=groups)
    before = sum(filled(i) for i in set(column_map.columns.values()))
    after = sum(filled(i) for i in set(remapped.columns.values()))
    if after <= before + 0.5:
        return column_map
    warnings.append(
        (
            None,
            f"the data sits one column right of the header from '{headers[start]}' on; "
            "read shifted",
        )
    )
    return ColumnMap(
        headers=tuple(shifted),
        columns=remapped.columns,
        mpn_columns=remapped.mpn_columns,
        manufacturer_columns=remapped.manufacturer_columns,
        skus=remapped.skus,
        supplier_pairs=remapped.supplier_pairs,
        url_columns=remapped.url_columns,
        fitted_column=remapped.fitted_column,
        notes=remapped.notes,
    )


# --------------------------------------------------------------------------- rows
