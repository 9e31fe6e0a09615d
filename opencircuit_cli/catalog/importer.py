"""File -> records -> store: `catalog import` and the auto-import of configured files.

Nothing is written unless the whole file reads cleanly: the records stream into one SQLite
transaction that a malformed price, a missing column, an undecodable file or a result without
usable rows rolls back, leaving the previous catalog of that name as it was.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from opencircuit_cli.catalog.columns import Columns, match_columns, missing_mapped, norm_header
from opencircuit_cli.catalog.formats import (
    HEADERS,
    ROW_PARSERS,
    detect_format,
    missing_required,
)
from opencircuit_cli.catalog.jlcparts_db import is_sqlite, read_jlcparts
from opencircuit_cli.catalog.record import (
    DEFAULT_DISTRIBUTOR,
    FORMATS,
    CatalogRecord,
    RowError,
    Skip,
)
from opencircuit_cli.catalog.store import CatalogInfo, CatalogStore
from opencircuit_cli.catalog.tables import Table, open_tables
from opencircuit_cli.errors import InputError, UsageError

HEADER_SCAN_ROWS = 20
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class ImportRequest:
    path: Path
    name: str
    format: str = "auto"
    mapping: Mapping[str, str] = field(default_factory=dict)
    currency: str | None = None
    distributor: str | None = None
    origin: str = "cli"


@dataclass(frozen=True)
class Fingerprint:
    size: int
    mtime_ns: int
    sha256: str


@dataclass(frozen=True)
class ImportSummary:
    catalog: CatalogInfo
    skipped: tuple[Skip, ...]
    notes: tuple[str, ...] = ()


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise UsageError(
            f"catalog name {name!r} is not usable",
            hint="letters, digits, '.', '_' and '-' (up to 64), starting with a letter or digit",
        )
    return name


def fingerprint(path: Path, *, with_hash: bool = True) -> Fingerprint:
    stat = path.stat()
    digest = ""
    if with_hash:
        sha = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                sha.update(chunk)
        digest = sha.hexdigest()
    return Fingerprint(stat.st_size, stat.st_mtime_ns, digest)


def import_catalog(
    store: CatalogStore,
    request: ImportRequest,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import `request.path` as catalog `request.name` (replacing it) and summarise."""
    check_name(request.name)
    if request.format not in ("auto", *FORMATS):
        raise UsageError(
            f"unknown catalog format {request.format!r}",
            hint=f"one of: auto, {', '.join(FORMATS)}",
        )
    path = request.path
    if not path.is_file():
        raise InputError(f"{path}: no such file", hint="check the path")
    try:
        print_ = fingerprint(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file: {exc.strerror}") from None
    currency = (request.currency or "USD").upper()
    skipped: list[Skip] = []
    notes: list[str] = []
    if request.format == "jlcparts-db" or (request.format == "auto" and is_sqlite(path)):
        layout, records = read_jlcparts(path, currency)
        fmt = "jlcparts-db"
        notes.append(f"jlcparts layout: {layout}")
        stream = _guarded(path, None, records)
    else:
        fmt, stream = _table_records(path, request, currency, skipped, notes)
    info = CatalogInfo(
        name=request.name,
        source=str(path.resolve()),
        format=fmt,
        distributor=request.distributor or DEFAULT_DISTRIBUTOR[fmt],
        currency=currency,
        rows=0,
        skipped=0,
        price_breaks=0,
        imported_at=datetime.now(UTC).isoformat(timespec="seconds"),
        file_size=print_.size,
        file_mtime_ns=print_.mtime_ns,
        file_sha256=print_.sha256,
        origin=request.origin,
    )

    def counted() -> Iterator[CatalogRecord]:
        for count, record in enumerate(stream, start=1):
            if progress is not None and count % 2000 == 0:
                progress(count)
            yield record

    def check(rows: int, breaks: int) -> None:
        if rows == 0:
            reasons = "; ".join(f"row {s.row}: {s.reason}" for s in skipped[:5])
            raise InputError(
                f"{path}: no usable rows"
                + (f" ({len(skipped)} skipped: {reasons})" if skipped else ""),
                hint="check --format and --map field=Column",
            )
        if breaks == 0 and fmt in ("jlc", "jlcparts-db"):
            raise InputError(
                f"{path}: none of the {rows} rows has a price; the file's layout may have "
                "changed (nothing was imported)",
                hint="report the file's layout to opencircuit",
            )

    catalog = store.replace(info, counted(), check=check)
    catalog = CatalogInfo(**{**catalog.__dict__, "skipped": len(skipped)})
    if skipped:
        store.set_skipped(request.name, len(skipped))
    return ImportSummary(catalog, tuple(skipped), tuple(notes))


def _guarded(path: Path, sheet: str | None, records: Iterator[Any]) -> Iterator[CatalogRecord]:
    """Row errors become InputErrors naming the file, sheet and row."""
    where = f"{path}" + (f" [sheet {sheet}]" if sheet else "")
    try:
        yield from records
    except RowError as exc:
        raise InputError(
            f"{where}: row {exc.row}: {exc.message}",
            hint="fix the row (or remove it) and import again; nothing was imported",
        ) from None


def _find_header(
    table: Table, request: ImportRequest
) -> tuple[str | None, Columns | None, int, list[str], list[str]]:
    """(format, columns, header row, header cells, first cells seen) within the first rows."""
    first: list[str] = []
    for number, cells in table.rows:
        if not any(c.strip() for c in cells):
            continue
        first = first or cells
        fmt = request.format if request.format != "auto" else detect_format(cells)
        if fmt is None and request.mapping:
            fmt = "generic" if not missing_mapped(cells, request.mapping) else None
        if fmt is not None:
            columns = match_columns(cells, HEADERS[fmt], request.mapping)
            if not missing_required(fmt, columns) and not missing_mapped(cells, request.mapping):
                return fmt, columns, number, cells, first
        if number >= HEADER_SCAN_ROWS:
            break
    return None, None, 0, [], first


def _table_records(
    path: Path,
    request: ImportRequest,
    currency: str,
    skipped: list[Skip],
    notes: list[str],
) -> tuple[str, Iterator[CatalogRecord]]:
    tables, close = open_tables(path)
    found: list[tuple[Table, str, Columns, int, list[str]]] = []
    problems: list[str] = []
    try:
        for table in tables:
            fmt, columns, header_row, header, first = _find_header(table, request)
            label = f"sheet {table.name!r}" if table.name else "the file"
            if fmt is None or columns is None:
                problems.append(_header_problem(label, request, first))
                continue
            found.append((table, fmt, columns, header_row, header))
    except BaseException:
        close()
        raise
    if not found:
        close()
        raise InputError(
            f"{path}: no header row with the needed columns in {'; '.join(problems)}",
            hint="name the columns with --map field=Column, or choose --format",
        )
    fmt = found[0][1]
    for table, other, *_ in found[1:]:
        if other != fmt:
            notes.append(f"sheet {table.name!r} looks like {other}, read as {other}")
    if len(tables) > len(found):
        notes.extend(problems)

    def records() -> Iterator[CatalogRecord]:
        try:
            yield from _sheets()
        finally:
            close()

    def _sheets() -> Iterator[CatalogRecord]:
        for table, table_fmt, columns, _header_row, header in found:
            parse = ROW_PARSERS[table_fmt]
            header_key = [norm_header(h) for h in header]

            def rows(
                table: Table = table,
                columns: Columns = columns,
                parse: Any = parse,
                header_key: list[str] = header_key,
            ) -> Iterator[CatalogRecord]:
                for number, cells in table.rows:
                    if not any(c.strip() for c in cells):
                        continue
                    if [norm_header(c) for c in cells[: len(header_key)]] == header_key:
                        skipped.append(Skip(number, "repeated header row"))
                        continue
                    result = parse(number, cells, columns, currency)
                    if isinstance(result, Skip):
                        skipped.append(result)
                    else:
                        yield result

            yield from _guarded(path, table.name if len(tables) > 1 else None, rows())

    return fmt, records()


def _header_problem(label: str, request: ImportRequest, first: list[str]) -> str:
    seen = ", ".join(repr(c) for c in first if c.strip())[:200] or "nothing"
    if request.format != "auto":
        columns = match_columns(first, HEADERS[request.format], request.mapping)
        missing = missing_required(request.format, columns)
        mapped = missing_mapped(first, request.mapping)
        lacking = ", ".join([*missing, *(f"--map {m}" for m in mapped)])
        return f"{label} (missing {lacking}; first row: {seen})"
    return f"{label} (format not recognised; first row: {seen})"
