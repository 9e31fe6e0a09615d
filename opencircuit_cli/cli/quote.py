"""`opencircuit bom-quote FILE`: read a BOM and (later) price it; `--dry-run` shows the reading."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from opencircuit_cli.cli.common import app_context, wants_json

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.table import Table

    from opencircuit_cli.bom.reader import BomReadResult
    from opencircuit_cli.context import AppContext
    from opencircuit_cli.models import BomLine


def _parse_maps(values: list[str] | None) -> dict[str, str | None]:
    from opencircuit_cli.bom.header import FIELDS
    from opencircuit_cli.errors import UsageError

    out: dict[str, str | None] = {}
    for item in values or []:
        name, sep, column = item.partition("=")
        name = name.strip().lower()
        if not sep or not name:
            raise UsageError(
                f"--map {item!r}: expected field=Column",
                hint="e.g. --map mpn='Mfr Part #' (fields: " + ", ".join(FIELDS) + ")",
            )
        if name not in FIELDS:
            raise UsageError(
                f"--map {item!r}: unknown field '{name}'", hint="fields: " + ", ".join(FIELDS)
            )
        out[name] = column.strip() or None
    return out


def bom_quote_command(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="BOM file: CSV/TSV, XLSX, XLS or KiCad XML.", show_default=False)
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show how the BOM was read; price nothing.")
    ] = False,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="Workbook sheet to read (default: best table).")
    ] = None,
    maps: Annotated[
        list[str] | None,
        typer.Option(
            "--map", help="Column for a field, overriding detection: field=Column (repeatable)."
        ),
    ] = None,
    include_dnp: Annotated[
        bool, typer.Option("--include-dnp", help="Keep do-not-place lines.")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Read a BOM and quote it. Pricing is not available yet: use --dry-run."""
    from opencircuit_cli.errors import UsageError

    app_ctx = app_context(ctx)
    mapping = _parse_maps(maps)
    if not dry_run:
        raise UsageError(
            "pricing a BOM is not available yet",
            hint=f"run 'opencircuit bom-quote {file} --dry-run' to check how the BOM is read",
        )
    from opencircuit_cli.bom import bom_document, read_bom

    result = read_bom(file, sheet=sheet, mapping=mapping, include_dnp=include_dnp)
    if wants_json(app_ctx, json_output):
        app_ctx.console.json(bom_document(result))
        return
    _render(app_ctx, result, include_dnp)


def _render(app_ctx: AppContext, result: BomReadResult, include_dnp: bool) -> None:
    console = app_ctx.console
    where = result.file + (f", sheet '{result.sheet}'" if result.sheet else "")
    header = f"header row {result.header_row}" if result.header_row else "no header row"
    encoding = f", {result.encoding}" if result.encoding else ""
    console.info(f"read {where} ({result.format}{encoding}; {header})")
    for name, column in result.columns.items():
        console.info(f"  {name:<22} <- {column}")
    dnp = [line for line in result.lines if line.dnp] + list(result.dnp_lines)
    kept = "kept (--include-dnp)" if include_dnp else "excluded from pricing"
    placements = sum(line.quantity for line in result.lines if not line.dnp)
    console.info(
        f"{len(result.lines) + len(result.dnp_lines)} lines, {placements} placements, "
        f"{len(dnp)} DNP line(s) {kept}"
    )
    for row, message in result.warnings:
        console.warn(f"row {row}: {message}" if row is not None else message)
    width = console.out.width
    console.result(_lines_table(f"{result.file}: lines", result.lines, width))
    if result.dnp_lines:
        console.result(_lines_table("do not place (not priced)", result.dnp_lines, width))


def _lines_table(title: str, lines: Sequence[BomLine], width: int) -> Table:
    """One row per BOM line; narrow terminals drop the least useful columns first."""
    from rich.table import Table

    from opencircuit_cli.bom.designators import format_references
    from opencircuit_cli.output.tables import Column, visible

    columns = visible(
        (
            Column("row", 1, "right"),
            Column("qty", 1, "right"),
            Column("references", 1),
            Column("mpn", 1),
            Column("manufacturer", 2),
            Column("value", 2),
            Column("footprint", 3),
            Column("skus", 3),
            Column("dnp", 2),
        ),
        width,
    )
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column.title, justify=column.justify, overflow="fold")  # type: ignore[arg-type]
    for line in lines:
        refs = format_references(line.references)
        cells = {
            "row": str(line.row),
            "qty": str(line.quantity),
            "references": refs if len(refs) <= 60 else refs[:57] + "...",
            "mpn": line.mpn or "",
            "manufacturer": line.manufacturer or "",
            "value": line.value or "",
            "footprint": line.footprint or "",
            "skus": ", ".join(f"{k}:{v}" for k, v in line.skus.items()),
            "dnp": "DNP" if line.dnp else "",
        }
        table.add_row(*(cells[c.title] for c in columns))
    return table
