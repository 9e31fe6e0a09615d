"""`opencircuit price MPN [MPN ...]`: offers for parts at a quantity, cheapest total first."""

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


def price_command(
    ctx: typer.Context,
    mpns: Annotated[
        list[str], typer.Argument(help="Manufacturer part numbers.", show_default=False)
    ],
    qty: Annotated[int, typer.Option("--qty", min=1, help="Quantity to price.")] = 1,
    manufacturer: Annotated[
        str | None, typer.Option("--manufacturer", help="Only this manufacturer's parts.")
    ] = None,
    distributor: Annotated[
        str | None, typer.Option("--distributor", help="Only offers from this distributor.")
    ] = None,
    allow_incomplete: Annotated[
        bool, typer.Option("--allow-incomplete", help="Exit 0 even when a part has no offer.")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Offers for parts at --qty: order quantity, unit and extended price, cheapest total first."""
    from opencircuit_cli.errors import IncompleteError
    from opencircuit_cli.models import PartQuery
    from opencircuit_cli.providers.selection import select_providers
    from opencircuit_cli.sourcing import run_lookup

    app_ctx = app_context(ctx)
    queries = [PartQuery(m.strip(), manufacturer) for m in mpns if m.strip()]
    if not queries:
        from opencircuit_cli.errors import UsageError

        raise UsageError("no part number given", hint="e.g. opencircuit price LM358DR --qty 10")
    selection = select_providers(app_ctx)
    outcome = run_lookup(selection.providers, queries, app_ctx.config.defaults.source_priority)
    results = [_result(app_ctx, q, outcome.results[q], qty, distributor) for q in queries]
    report_provider_problems(app_ctx, outcome.errors, selection.skipped)
    if wants_json(app_ctx, json_output):
        from opencircuit_cli.output.documents import price_doc

        app_ctx.console.json(
            price_doc([r["doc"] for r in results], app_ctx.currency, qty, outcome.errors)
        )
    else:
        _render(app_ctx, results, qty)
    raise_if_nobody_answered(outcome.errors, outcome.answered)
    missing = [r["query"].mpn for r in results if not r["offers"]]
    if missing and not allow_incomplete:
        raise IncompleteError(
            f"no offer found for {', '.join(missing)}",
            hint="check the part numbers, or pass --allow-incomplete to exit 0 anyway",
        )


def _result(app_ctx: AppContext, query: Any, parts: list[Any], qty: int, distributor: str | None):
    from dataclasses import replace

    from opencircuit_cli.matching import match_parts, merge_parts, normalize_mpn
    from opencircuit_cli.output.documents import price_result_doc
    from opencircuit_cli.output.offers import rank_offers

    merged = merge_parts(parts)
    match = match_parts(query, merged)
    wanted = normalize_mpn(query.mpn)
    sku_hits = [p for p in merged if any(normalize_mpn(o.sku) == wanted for o in p.offers)]
    if sku_hits and not match.exact:  # the user typed a distributor part number (C17902)
        match = replace(match, parts=tuple(sku_hits), exact=True)
    ranked_parts = list(match.parts)
    if distributor:
        wanted = distributor.strip().lower()
        ranked_parts = [
            replace(p, offers=tuple(o for o in p.offers if o.distributor.lower() == wanted))
            for p in ranked_parts
        ]
        ranked_parts = [p for p in ranked_parts if p.offers]
    offers = rank_offers(ranked_parts, qty, app_ctx.currency)
    return {
        "query": query,
        "match": match,
        "offers": offers,
        "doc": price_result_doc(
            query, ranked_parts, qty, app_ctx.currency, match.ambiguous_manufacturers
        ),
    }


def _render(app_ctx: AppContext, results: list[dict[str, Any]], qty: int) -> None:
    from opencircuit_cli.output.tables import offers_table

    width = app_ctx.console.out.width
    for result in results:
        query, match, offers = result["query"], result["match"], result["offers"]
        title = f"{query.mpn} × {qty}" + (f" ({query.manufacturer})" if query.manufacturer else "")
        if not offers:
            app_ctx.console.result_text(f"{title}: no offers found")
            continue
        caption = ""
        if match.ambiguous_manufacturers:
            caption = (
                f"{len(match.ambiguous_manufacturers)} manufacturers make {query.mpn}: "
                f"{', '.join(match.ambiguous_manufacturers)}; all are shown "
                "(--manufacturer picks one)"
            )
        elif not match.exact:
            caption = f"no exact match for {query.mpn}; showing similar part numbers"
        app_ctx.console.result(offers_table(title, offers, width, caption))
