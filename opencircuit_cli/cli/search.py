"""`opencircuit search QUERY`: keyword or part-number search across the enabled providers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from opencircuit_cli.cli.common import (
    app_context,
    raise_if_nobody_answered,
    report_provider_problems,
    wants_json,
)

if TYPE_CHECKING:
    from opencircuit_cli.context import AppContext
    from opencircuit_cli.models import Part


def search_command(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Keywords or a part number.", show_default=False)],
    exact: Annotated[bool, typer.Option("--exact", help="Only this exact part number.")] = False,
    manufacturer: Annotated[
        str | None, typer.Option("--manufacturer", help="Only this manufacturer's parts.")
    ] = None,
    in_stock: Annotated[bool, typer.Option("--in-stock", help="Only parts in stock.")] = False,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=1000, help="At most this many parts per provider.")
    ] = 20,
    filters: Annotated[
        list[str] | None,
        typer.Option("--filter", help="Parametric filter name=value (where supported)."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Search parts by keyword or part number; no hits is still a success (exit 0)."""
    from opencircuit_cli.matching import merge_parts, normalize_mpn
    from opencircuit_cli.providers.base import SearchOptions
    from opencircuit_cli.providers.selection import select_providers
    from opencircuit_cli.sourcing import run_search

    app_ctx = app_context(ctx)
    if not query.strip():
        from opencircuit_cli.errors import UsageError

        raise UsageError("the search query is empty", hint='e.g. opencircuit search "LM358"')
    options = SearchOptions(
        limit=limit,
        in_stock=in_stock,
        exact=exact,
        manufacturer=manufacturer,
        filters=_parse_filters(filters or []),
    )
    selection = select_providers(app_ctx)
    outcome = run_search(
        selection.providers, query.strip(), options, app_ctx.config.defaults.source_priority
    )
    parts = merge_parts(outcome.parts)
    if exact:
        parts = [p for p in parts if normalize_mpn(p.mpn) == normalize_mpn(query)]
    if in_stock:
        parts = [p for p in parts if any((o.stock or 0) > 0 for o in p.offers)]
    wanted = normalize_mpn(query)
    parts.sort(key=lambda p: normalize_mpn(p.mpn) != wanted)  # exact part number first
    report_provider_problems(app_ctx, outcome.errors, selection.skipped)
    if wants_json(app_ctx, json_output):
        from opencircuit_cli.output.documents import search_doc

        app_ctx.console.json(search_doc(query, parts, app_ctx.currency, outcome.errors))
    else:
        _render(app_ctx, query, parts)
    raise_if_nobody_answered(outcome.errors, outcome.answered)


def _parse_filters(items: list[str]) -> dict[str, str]:
    from opencircuit_cli.errors import UsageError

    parsed: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise UsageError(
                f"--filter expects name=value, got {item!r}", hint="e.g. --filter capacitance=100nF"
            )
        parsed[name.strip()] = value.strip()
    return parsed


def _render(app_ctx: AppContext, query: str, parts: list[Part]) -> None:
    from opencircuit_cli.output.offers import rank_offers
    from opencircuit_cli.output.tables import offer_cells, parts_table

    if not parts:
        app_ctx.console.result_text(f"no parts found for {query!r}")
        return
    rows: list[dict[str, Any]] = []
    for part in parts:
        ranked = rank_offers([part], 1, app_ctx.currency)
        best = offer_cells(ranked[0]) if ranked else None
        flag = f" ({part.lifecycle})" if part.lifecycle not in ("active", "unknown") else ""
        rows.append(
            {
                "MPN": part.mpn + flag,
                "manufacturer": part.manufacturer or "?",
                "description": part.description or "",
                "part": f"{part.mpn}{flag}\n{part.manufacturer or '?'}",
                "best offer": f"{best['distributor']}\n{best['SKU']}" if best else "-",
                "stock": best["stock"] if best else "-",
                "unit @1": best["unit"] if best else "-",
            }
        )
    title = f"{len(parts)} part{'s' if len(parts) != 1 else ''} for {query!r}"
    app_ctx.console.result(parts_table(title, rows, app_ctx.console.out.width))
