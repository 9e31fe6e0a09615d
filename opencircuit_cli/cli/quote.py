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
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the priced quote as XLSX.")
    ] = None,
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Also write it as CSV.")] = None,
    orders_dir: Annotated[
        Path | None, typer.Option("--orders-dir", help="Write one order CSV per distributor.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing output files.")] = False,
    boards: Annotated[
        int | None, typer.Option("--boards", min=1, help="Boards to build (config: quote.boards).")
    ] = None,
    spares: Annotated[
        str | None, typer.Option("--spares", help="Extra parts per line, e.g. 5% (of the build).")
    ] = None,
    spares_min: Annotated[
        int | None, typer.Option("--spares-min", min=0, help="At least this many extra per line.")
    ] = None,
    allow_split: Annotated[
        bool | None,
        typer.Option("--allow-split/--no-split", help="Split a line across distributors."),
    ] = None,
    max_lead_days: Annotated[
        int | None, typer.Option("--max-lead-days", min=0, help="Ignore longer backorders.")
    ] = None,
    authorized_only: Annotated[
        bool | None,
        typer.Option("--authorized-only/--any-seller", help="Only authorized distributors."),
    ] = None,
    prefer: Annotated[
        str | None, typer.Option("--prefer", help="Preferred distributors: mouser,digikey.")
    ] = None,
    max_distributors: Annotated[
        int | None, typer.Option("--max-distributors", min=1, help="Order from at most N.")
    ] = None,
    allow_incomplete: Annotated[
        bool, typer.Option("--allow-incomplete", help="Exit 0 even if lines are unpriced.")
    ] = False,
    project: Annotated[
        str | None, typer.Option("--project", help="Project name in the quote header.")
    ] = None,
) -> None:
    """Read a BOM and price it with every enabled provider; --dry-run only shows the reading."""
    app_ctx = app_context(ctx)
    mapping = _parse_maps(maps)
    from opencircuit_cli.bom import bom_document, read_bom

    result = read_bom(file, sheet=sheet, mapping=mapping, include_dnp=include_dnp)
    if dry_run:
        if wants_json(app_ctx, json_output):
            app_ctx.console.json(bom_document(result))
            return
        _render(app_ctx, result, include_dnp)
        return
    from opencircuit_cli.cli.quote_pricing import QuoteFlags, price_bom

    flags = QuoteFlags(
        boards=boards,
        spares=spares,
        spares_min=spares_min,
        output=output,
        csv=csv_file,
        orders_dir=orders_dir,
        force=force,
        allow_split=allow_split,
        max_lead_days=max_lead_days,
        authorized_only=authorized_only,
        prefer=prefer,
        max_distributors=max_distributors,
        allow_incomplete=allow_incomplete,
        project=project or file.stem,
        json=wants_json(app_ctx, json_output),
    )
    lines = list(result.lines) + list(result.dnp_lines)
    if include_dnp:
        from dataclasses import replace

        lines = [replace(line, dnp=False) for line in lines]
    price_bom(app_ctx, result.file, lines, flags)


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
