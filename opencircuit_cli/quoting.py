"""From BOM lines to a Quote: look every line up with every provider at once, choose offers,
plan the order. The CLI feeds it; it prints nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal

from opencircuit_cli.matching import match_parts, merge_parts, normalize_mpn
from opencircuit_cli.models import BomLine, Part, PartQuery
from opencircuit_cli.pricing.choice import LineChoice, Rules, choose_line
from opencircuit_cli.pricing.currency import Converter
from opencircuit_cli.pricing.order import DistributorCosts, plan_order
from opencircuit_cli.pricing.quote import Quote, QuoteLine, build_quantity
from opencircuit_cli.providers.base import Provider
from opencircuit_cli.sourcing import DEFAULT_SOURCE_PRIORITY, run_lookup


@dataclass(frozen=True)
class QuoteOptions:
    boards: int = 1
    spares_percent: Decimal = Decimal(0)
    spares_min: int = 0
    rules: Rules = field(default_factory=Rules)
    max_distributors: int | None = None
    source_priority: tuple[str, ...] = DEFAULT_SOURCE_PRIORITY


def query_for(line: BomLine) -> PartQuery | None:
    """The MPN (with the BOM's maker) when there is one, else a distributor SKU from the BOM."""
    sku_distributor, sku = next(iter(line.skus.items()), (None, None))
    if line.mpn:
        return PartQuery(line.mpn, line.manufacturer, sku=sku, distributor=sku_distributor)
    if sku:
        return PartQuery(sku, None, sku=sku, distributor=sku_distributor)
    return None


def parts_for(query: PartQuery, found: Sequence[Part]) -> tuple[list[Part], list[str]]:
    """The parts that really are the line's part: exact MPN (and maker), or the named SKU.

    Near misses are never bought. Several makers for one MPN with none named: all are
    candidates, and the line says so."""
    notes: list[str] = []
    merged = merge_parts(found)
    match = match_parts(query, merged, exact_only=True)
    parts = list(match.parts)
    if query.sku:
        wanted = normalize_mpn(query.sku)
        by_sku = [p for p in merged if any(normalize_mpn(o.sku) == wanted for o in p.offers)]
        parts += [p for p in by_sku if p not in parts]
    if match.ambiguous_manufacturers:
        notes.append(
            f"{len(match.ambiguous_manufacturers)} manufacturers make {query.mpn} "
            f"({', '.join(match.ambiguous_manufacturers)}); the BOM names none"
        )
    if not parts and merged:
        notes.append(f"no exact match for {query.mpn}; similar part numbers were not bought")
    return parts, notes


def build_quote(
    file: str,
    lines: Sequence[BomLine],
    providers: Sequence[Provider],
    options: QuoteOptions,
    converter: Converter,
    costs: Mapping[str, DistributorCosts],
) -> Quote:
    fitted = [line for line in lines if not line.dnp]
    dnp = tuple(line for line in lines if line.dnp)
    queries = {id(line): query_for(line) for line in fitted}
    outcome = run_lookup(
        providers, [q for q in queries.values() if q is not None], options.source_priority
    )
    failed = ", ".join(f.provider for f in outcome.errors)
    quote_lines: list[QuoteLine] = []
    for line in fitted:
        needed = build_quantity(
            line.quantity, options.boards, options.spares_percent, options.spares_min
        )
        query = queries[id(line)]
        if query is None:
            choice = LineChoice(needed, None, "unpriced", "no part number in the BOM", (), ())
            quote_lines.append(QuoteLine(line, needed, None, choice))
            continue
        parts, notes = parts_for(query, outcome.results.get(query, []))
        honoured = (query.distributor or "", query.sku) if query.sku else None
        choice = choose_line(parts, needed, converter, options.rules, honoured)
        if choice.status == "unpriced" and failed:
            notes.append(f"not answered by {failed} (see errors)")
        quote_lines.append(QuoteLine(line, needed, query, choice, tuple(notes), tuple(parts)))
    plan = plan_order([q.choice for q in quote_lines], costs, options.max_distributors)
    quote_lines = [replace(q, choice=c) for q, c in zip(quote_lines, plan.lines, strict=True)]
    return Quote(
        file=file,
        boards=options.boards,
        spares_percent=options.spares_percent,
        spares_min=options.spares_min,
        currency=converter.target,
        rate_source=converter.source,
        lines=tuple(quote_lines),
        dnp=dnp,
        plan=plan,
        errors=outcome.errors,
        created_at=datetime.now(UTC),
    )
