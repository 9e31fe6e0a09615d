"""`opencircuit catalog import / list / remove`: local catalogs for the offline provider."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from opencircuit_cli.cli.common import app_context, wants_json

if TYPE_CHECKING:
    from opencircuit_cli.catalog.importer import ImportSummary
    from opencircuit_cli.catalog.store import CatalogInfo, CatalogStore
    from opencircuit_cli.context import AppContext

app = typer.Typer(
    help="Local catalogs: price lists, stock lists and the JLC/LCSC library (offline provider).",
    no_args_is_help=True,
)

SKIPS_SHOWN = 20


def _store(app_ctx: AppContext) -> CatalogStore:
    from opencircuit_cli.catalog.configured import store_path
    from opencircuit_cli.catalog.store import CatalogStore

    settings = app_ctx.config.provider("catalog")
    return CatalogStore(store_path(getattr(settings, "path", ""), app_ctx.cache_dir()))


def _show_progress(app_ctx: AppContext) -> bool:
    env = app_ctx.env
    return env.stderr_is_terminal and not app_ctx.console.quiet and not env.in_ci


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV, XLSX or jlcparts SQLite file.", show_default=False)
    ],
    name: Annotated[str, typer.Option("--name", help="Catalog name (re-import replaces it).")],
    fmt: Annotated[
        str,
        typer.Option("--format", help="auto, jlc, jlcparts-db, generic, inventree or lcsc-order."),
    ] = "auto",
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="field=Column for a column not recognised (repeatable)."),
    ] = None,
    currency: Annotated[
        str | None, typer.Option("--currency", help="Currency of the prices (default USD).")
    ] = None,
    distributor: Annotated[
        str | None,
        typer.Option("--distributor", help="Who sells these parts (default LCSC / Stockroom)."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Import (or re-import, atomically replacing) a catalog file."""
    from opencircuit_cli.catalog.columns import parse_map
    from opencircuit_cli.catalog.importer import ImportRequest, import_catalog
    from opencircuit_cli.errors import UsageError

    app_ctx = app_context(ctx)
    if currency is not None and not (len(currency) == 3 and currency.isalpha()):
        raise UsageError(f"--currency expects an ISO 4217 code, got {currency!r}")
    request = ImportRequest(
        path=file,
        name=name.strip(),
        format=fmt.strip().lower(),
        mapping=parse_map(mapping or []),
        currency=currency.upper() if currency else None,
        distributor=distributor.strip() if distributor else None,
    )
    store = _store(app_ctx)
    try:
        if _show_progress(app_ctx):
            summary = _with_progress(app_ctx, lambda p: import_catalog(store, request, p))
        else:
            summary = import_catalog(store, request)
    finally:
        store.close()
    if wants_json(app_ctx, json_output):
        app_ctx.console.json(
            {
                "schema": "opencircuit.catalog-import/1",
                "catalog": _info_doc(summary.catalog),
                "skipped": [{"row": s.row, "reason": s.reason} for s in summary.skipped],
                "notes": list(summary.notes),
            }
        )
    else:
        _render_summary(app_ctx, summary)


def _with_progress(app_ctx: AppContext, run: Any) -> ImportSummary:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("importing: {task.completed:,} rows"),
        TimeElapsedColumn(),
        console=app_ctx.console.err,
        transient=True,
    ) as progress:
        task = progress.add_task("import", total=None)
        return run(lambda rows: progress.update(task, completed=rows))


def _render_summary(app_ctx: AppContext, summary: ImportSummary) -> None:
    info = summary.catalog
    console = app_ctx.console
    console.result_text(
        f"imported catalog '{info.name}' ({info.format}, {info.distributor}, {info.currency}) "
        f"from {info.source}: {info.rows:,} rows, {info.price_breaks:,} price breaks, "
        f"{len(summary.skipped)} skipped"
    )
    for skip in summary.skipped[:SKIPS_SHOWN]:
        console.result_text(f"  skipped row {skip.row}: {skip.reason}")
    if len(summary.skipped) > SKIPS_SHOWN:
        console.result_text(f"  ... and {len(summary.skipped) - SKIPS_SHOWN} more skipped rows")
    for note in summary.notes:
        console.info(f"note: {note}")


def _info_doc(info: CatalogInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "source": info.source,
        "format": info.format,
        "distributor": info.distributor,
        "currency": info.currency,
        "rows": info.rows,
        "skipped": info.skipped,
        "price_breaks": info.price_breaks,
        "imported_at": info.imported_at,
        "origin": info.origin,
    }


@app.command("list")
def list_command(
    ctx: typer.Context,
    json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """The imported catalogs: name, source file, format, rows, imported at."""
    app_ctx = app_context(ctx)
    store = _store(app_ctx)
    try:
        catalogs = store.catalogs()
    finally:
        store.close()
    if wants_json(app_ctx, json_output):
        app_ctx.console.json(
            {"schema": "opencircuit.catalogs/1", "catalogs": [_info_doc(c) for c in catalogs]}
        )
        return
    if not catalogs:
        app_ctx.console.result_text(
            "no catalog imported (opencircuit catalog import FILE --name NAME)"
        )
        return
    from rich.table import Table

    table = Table(title=f"{len(catalogs)} catalog{'s' if len(catalogs) != 1 else ''}")
    for column in ("name", "source", "format", "rows", "imported at"):
        table.add_column(column, overflow="fold", justify="right" if column == "rows" else "left")
    for info in catalogs:
        table.add_row(info.name, info.source, info.format, f"{info.rows:,}", info.imported_at)
    app_ctx.console.result(table)


@app.command("remove")
def remove_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Catalog name.", show_default=False)],
) -> None:
    """Remove a catalog from the catalog database (the source file is not touched)."""
    from opencircuit_cli.errors import UsageError

    app_ctx = app_context(ctx)
    store = _store(app_ctx)
    try:
        info = store.get(name)
        if info is None:
            known = ", ".join(c.name for c in store.catalogs()) or "none"
            raise UsageError(f"no catalog named {name!r}", hint=f"imported catalogs: {known}")
        store.remove(name)
    finally:
        store.close()
    app_ctx.console.result_text(f"removed catalog '{name}'")
    if info.origin == "config":
        app_ctx.console.warn(
            f"'{name}' is declared in [providers.catalog] files and will be imported again on "
            "next use; remove it from the config to keep it out"
        )
