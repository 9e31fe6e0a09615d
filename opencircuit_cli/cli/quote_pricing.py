"""The pricing half of `bom-quote`: providers -> Quote -> files and a summary.

Kept apart from `cli/quote.py` (flags and the BOM reading) so each stays small.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from opencircuit_cli.cli.common import raise_if_nobody_answered, report_provider_problems

if TYPE_CHECKING:
    from opencircuit_cli.context import AppContext
    from opencircuit_cli.models import BomLine
    from opencircuit_cli.pricing.quote import Quote


@dataclass(frozen=True)
class QuoteFlags:
    boards: int | None = None
    spares: str | None = None  # "5%" or "5"
    spares_min: int | None = None
    output: Path | None = None
    csv: Path | None = None
    orders_dir: Path | None = None
    force: bool = False
    allow_split: bool | None = None
    max_lead_days: int | None = None
    authorized_only: bool | None = None
    prefer: str | None = None
    max_distributors: int | None = None
    allow_incomplete: bool = False
    project: str | None = None
    json: bool = False


def parse_spares(text: str) -> Decimal:
    from decimal import InvalidOperation

    from opencircuit_cli.errors import UsageError

    cleaned = text.strip().removesuffix("%").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise UsageError(
            f"--spares {text!r} is not a percentage", hint="e.g. --spares 5%"
        ) from None
    if value < 0 or value > 1000:
        raise UsageError(f"--spares {text!r} is out of range", hint="e.g. --spares 5%")
    return value


def _check_targets(flags: QuoteFlags) -> None:
    """Refuse before any network call: an existing output is never overwritten without --force."""
    from opencircuit_cli.errors import UsageError

    for path in (flags.output, flags.csv):
        if path is not None and path.exists() and not flags.force:
            raise UsageError(
                f"{path} already exists; nothing was written",
                hint="use --force to replace it, or choose another -o / --csv",
            )


def price_bom(app_ctx: AppContext, file: str, lines: list[BomLine], flags: QuoteFlags) -> None:
    from opencircuit_cli.errors import IncompleteError
    from opencircuit_cli.pricing.choice import Rules
    from opencircuit_cli.pricing.currency import Converter
    from opencircuit_cli.pricing.order import DistributorCosts
    from opencircuit_cli.providers.selection import select_providers
    from opencircuit_cli.quoting import QuoteOptions, build_quote

    _check_targets(flags)
    config = app_ctx.config
    defaults = config.quote
    prefer = (
        tuple(p.strip().lower() for p in flags.prefer.split(",") if p.strip())
        if flags.prefer is not None
        else tuple(p.lower() for p in defaults.prefer)
    )
    max_lead = flags.max_lead_days if flags.max_lead_days is not None else defaults.max_lead_days
    max_dist = (
        flags.max_distributors if flags.max_distributors is not None else defaults.max_distributors
    )
    rules = Rules(
        allow_split=defaults.allow_split if flags.allow_split is None else flags.allow_split,
        max_lead_days=max_lead or None,
        authorized_only=(
            defaults.authorized_only if flags.authorized_only is None else flags.authorized_only
        ),
        prefer=prefer,
    )
    options = QuoteOptions(
        boards=flags.boards or defaults.boards,
        spares_percent=(
            parse_spares(flags.spares)
            if flags.spares is not None
            else Decimal(str(defaults.spares_percent))
        ),
        spares_min=flags.spares_min if flags.spares_min is not None else defaults.spares_min,
        rules=rules,
        max_distributors=max_dist or None,
        source_priority=tuple(config.defaults.source_priority),
    )
    converter = Converter(
        app_ctx.currency,
        {code: Decimal(str(rate)) for code, rate in config.currency.rates.items()},
        source=f"rates from config [currency] (to {app_ctx.currency})"
        if config.currency.rates
        else f"no conversion: only {app_ctx.currency} offers are priced",
    )
    costs = {
        name: DistributorCosts(
            Decimal(str(s.shipping)),
            Decimal(str(s.free_shipping_over)) if s.free_shipping_over else None,
        )
        for name, s in config.distributors.items()
    }
    selection = select_providers(app_ctx)
    quote = _with_progress(
        app_ctx,
        [p.name for p in selection.providers],
        lambda: build_quote(file, lines, selection.providers, options, converter, costs),
    )
    report_provider_problems(app_ctx, quote.errors, selection.skipped)
    raise_if_nobody_answered(quote.errors, _answered(quote, selection))
    written = _write_outputs(app_ctx, quote, flags)
    if flags.json or app_ctx.options.json:
        from opencircuit_cli.output.quote_doc import quote_doc

        app_ctx.console.json(quote_doc(quote))
    else:
        _render_summary(app_ctx, quote, written)
    if not quote.complete and not flags.allow_incomplete:
        raise IncompleteError(
            f"the quote is incomplete: {quote.count('unpriced')} line(s) unpriced, "
            f"{quote.count('short')} short of stock"
            + (f" (written to {', '.join(map(str, written))})" if written else ""),
            hint="see the warnings per line; --allow-incomplete exits 0 anyway",
        )


def _with_progress(app_ctx: AppContext, names: list[str], work: Callable[[], Quote]) -> Quote:
    """Run `work`, showing per-provider request and cache-hit counts on a terminal's stderr."""
    env, options = app_ctx.env, app_ctx.options
    if options.quiet or env.in_ci or not env.stderr_is_terminal:
        return work()
    import threading

    from rich.progress import Progress, SpinnerColumn, TextColumn

    result: list[Quote] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as exc:
            failure.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    stats = app_ctx.run_stats
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        console=app_ctx.console.err,
        transient=True,
    ) as progress:
        tasks = {name: progress.add_task(name) for name in names}
        worker.start()
        while worker.is_alive():
            worker.join(0.1)
            snapshot = stats.snapshot()
            for name, task in tasks.items():
                counts = snapshot.get(name)
                if counts is not None:
                    progress.update(
                        task,
                        description=f"{name}: {counts.network_calls} requests, "
                        f"{counts.hits} cache hits",
                    )
    if failure:
        raise failure[0]
    return result[0]


def _answered(quote: Quote, selection: object) -> tuple[str, ...]:
    failed = {f.provider for f in quote.errors}
    names = [p.name for p in getattr(selection, "providers", ())]
    return tuple(n for n in names if n not in failed)


def _write_outputs(app_ctx: AppContext, quote: Quote, flags: QuoteFlags) -> list[Path]:
    written: list[Path] = []
    if flags.output is not None:
        from opencircuit_cli.output.quote_xlsx import write_quote_xlsx

        write_quote_xlsx(quote, flags.output, project=flags.project, overwrite=flags.force)
        written.append(flags.output)
    if flags.csv is not None:
        from opencircuit_cli.output.quote_csv import write_quote_csv

        write_quote_csv(quote, flags.csv)
        written.append(flags.csv)
    if flags.orders_dir is not None:
        from opencircuit_cli.output.orders import write_orders_dir

        written += write_orders_dir(quote, flags.orders_dir)
    for path in written:
        app_ctx.console.info(f"wrote {path}")
    return written


MAX_LISTED = 10


def flags_output(written: list[Path]) -> bool:
    return any(path.suffix.lower() == ".xlsx" for path in written)


def _render_summary(app_ctx: AppContext, quote: Quote, written: list[Path]) -> None:
    from rich.table import Table

    from opencircuit_cli.output.tables import display_money

    def cents(value: Decimal) -> str:
        return display_money(value.quantize(Decimal("0.01")))

    plan = quote.plan
    table = Table(title=f"{quote.file}: {quote.boards} board(s)", title_justify="left")
    for column in ("distributor", "lines", "parts", "shipping", "subtotal"):
        table.add_column(column, justify="left" if column == "distributor" else "right")
    line_counts: dict[str, int] = {}
    for line in quote.lines:
        if line.choice.option is not None:
            for name in line.choice.option.distributors:
                line_counts[name] = line_counts.get(name, 0) + 1
    for name, parts in sorted(plan.subtotals.items()):
        ship = plan.shipping.get(name, Decimal(0))
        table.add_row(
            name,
            str(line_counts.get(name, 0)),
            f"{cents(parts)} {quote.currency}",
            f"{cents(ship)} {quote.currency}",
            f"{cents(parts + ship)} {quote.currency}",
        )
    table.add_row("total", "", "", "", f"{cents(plan.total)} {quote.currency}", style="bold")
    app_ctx.console.result(table)
    app_ctx.console.result_text(
        f"lines: {quote.count('ok')} priced, {quote.count('unpriced')} unpriced, "
        f"{quote.count('short')} short; {len(quote.dnp)} DNP not priced"
    )
    problems = [line for line in quote.lines if line.status != "ok"]
    shown = problems if app_ctx.options.verbose else problems[:MAX_LISTED]
    for line in shown:
        refs = ", ".join(line.line.references[:6])
        reasons = "; ".join((line.choice.why, *line.choice.warnings, *line.notes))
        app_ctx.console.warn(f"row {line.line.row} ({refs}): {line.status}: {reasons}")
    if len(problems) > len(shown):
        where = " (every line is in the Quote sheet)" if flags_output(written) else ""
        app_ctx.console.warn(
            f"… and {len(problems) - len(shown)} more unpriced/short lines; --verbose lists "
            f"them all{where}"
        )
    for note in plan.notes:
        app_ctx.console.info(f"note: {note}")
    if not written:
        app_ctx.console.info("nothing written: add -o quote.xlsx, --csv FILE or --orders-dir DIR")
