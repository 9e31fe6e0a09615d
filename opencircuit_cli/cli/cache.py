"""`opencircuit cache stats | clear [PROVIDER]`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from opencircuit_cli.cli.common import app_context, known_provider, wants_json

if TYPE_CHECKING:
    from opencircuit_cli.context import AppContext

app = typer.Typer(help="Inspect or clear the HTTP cache.", no_args_is_help=True)


def _admin(app_ctx: AppContext) -> Any:
    from opencircuit_cli.errors import UsageError
    from opencircuit_cli.http.cache_admin import CacheAdmin

    if app_ctx.config.cache.backend != "sqlite":
        raise UsageError(
            f"cache stats and cache clear work on the SQLite cache; this config uses "
            f"{app_ctx.config.cache.backend!r} ({app_ctx.config.cache.url or 'no url'})",
            hint="inspect a shared Redis cache with redis-cli, or run with a SQLite cache config",
        )

    bases = {name: getattr(s, "base_url", "") for name, s in app_ctx.config.providers.items()}
    return CacheAdmin(app_ctx.cache_path(), bases)


def _rate(value: float | None) -> float | None:
    """A fraction 0..1 for JSON, rounded to what a person could tell apart."""
    return None if value is None else round(value, 4)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


@app.command("stats")
def stats_command(
    ctx: typer.Context,
    json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Entries and size of the cache, hit rate of past runs, quota used today per provider."""
    app_ctx = app_context(ctx)
    report = _stats_report(app_ctx)
    if wants_json(app_ctx, json_output):
        app_ctx.console.json(report)
        return
    _render_stats(app_ctx, report)


def _stats_report(app_ctx: AppContext) -> dict[str, Any]:
    stats = _admin(app_ctx).stats()
    ledger = app_ctx.ledger
    used_today = ledger.usage_today()
    history = ledger.run_history(limit=1)
    totals = ledger.run_totals()
    last = history[0] if history else None
    providers = {}
    for name, settings in app_ctx.config.providers.items():
        quota = getattr(settings, "daily_quota", 0) or None
        used = used_today.get(name, 0)
        providers[name] = {
            "entries": stats.per_provider.get(name, 0),
            "calls_today": used,
            "daily_quota": quota,
            "quota_used": _rate(used / quota) if quota else None,  # fraction
            "last_run_hits": last.hits.get(name, 0) if last else None,
            "last_run_misses": last.misses.get(name, 0) if last else None,
        }
    return {
        "schema": "opencircuit.cache-stats/1",
        "path": str(stats.path),
        "exists": stats.exists,
        "size_bytes": stats.size_bytes,
        "entries": stats.entries,
        "expired": stats.expired,
        "other_entries": stats.other,
        "providers": providers,
        "last_run": None
        if last is None
        else {
            "finished_at": last.finished_at.isoformat(),
            "hits": last.total_hits,
            "misses": last.total_misses,
            "hit_rate": _rate(last.hit_rate),
        },
        "all_runs": {
            "runs": totals.runs,
            "hits": totals.hits,
            "misses": totals.misses,
            "hit_rate": _rate(totals.hit_rate),
        },
    }


def _render_stats(app_ctx: AppContext, report: dict[str, Any]) -> None:
    from rich.table import Table

    size_kib = report["size_bytes"] / 1024
    state = "" if report["exists"] else " (not created yet)"
    app_ctx.console.result_text(
        f"cache: {report['path']}{state}\n"
        f"entries: {report['entries']} ({report['expired']} expired), {size_kib:.1f} KiB"
    )
    table = Table(title_justify="left")
    for column in ("provider", "entries", "calls today", "daily quota", "used"):
        table.add_column(column, justify="left" if column == "provider" else "right")
    for name, row in report["providers"].items():
        table.add_row(
            name,
            str(row["entries"]),
            str(row["calls_today"]),
            str(row["daily_quota"] or "unlimited"),
            _percent(row["quota_used"]),
        )
    app_ctx.console.result(table)
    last, totals = report["last_run"], report["all_runs"]
    if last is None:
        app_ctx.console.result_text("hit rate: no runs recorded yet")
    else:
        app_ctx.console.result_text(
            f"hit rate: last run {_percent(last['hit_rate'])} ({last['hits']} hits, "
            f"{last['misses']} misses); last {totals['runs']} runs {_percent(totals['hit_rate'])}"
        )


@app.command("clear")
def clear_command(
    ctx: typer.Context,
    provider: Annotated[
        str | None, typer.Argument(help="Only this provider's answers (default: everything).")
    ] = None,
) -> None:
    """Delete cached answers: all of them, or one provider's."""
    app_ctx = app_context(ctx)
    name = known_provider(provider, app_ctx.config.providers) if provider else None
    deleted = _admin(app_ctx).clear(name)
    what = f"cached answers of {name}" if name else "cached answers"
    app_ctx.console.info(f"deleted {deleted} {what} from {app_ctx.cache_path()}")
