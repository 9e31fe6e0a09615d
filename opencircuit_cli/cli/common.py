"""Helpers shared by the command modules."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from opencircuit_cli.errors import UsageError

if TYPE_CHECKING:
    from opencircuit_cli.context import AppContext


def app_context(ctx: Any) -> AppContext:
    return ctx.find_root().obj


def wants_json(app_ctx: AppContext, local_flag: bool) -> bool:
    """`--json` works both before the command (global) and after it (on the command)."""
    return app_ctx.options.json or local_flag


def known_provider(name: str, known: Iterable[str]) -> str:
    """`name` normalised, or a usage error with a "did you mean" hint."""
    names = list(known)
    key = name.strip().lower()
    if key in names:
        return key
    close = difflib.get_close_matches(key, names, n=1)
    raise UsageError(
        f"unknown provider '{name}'",
        hint=f"did you mean '{close[0]}'?" if close else f"known: {', '.join(names)}",
    )


def report_provider_problems(
    app_ctx: AppContext, failures: Sequence[Any], skipped: Sequence[Any]
) -> None:
    """Failures and skipped providers go to stderr; results (if any) still go to stdout."""
    for item in skipped:
        if item.kind in ("no_credentials", "empty"):
            hint = f"; {item.hint}" if item.hint else ""
            app_ctx.console.info(f"note: {item.provider} skipped: {item.reason}{hint}")
        elif app_ctx.options.verbose:
            app_ctx.console.info(f"note: {item.provider} skipped: {item.reason}")
    for failure in failures:
        app_ctx.console.error(failure.message, failure.hint)


def raise_if_nobody_answered(failures: Sequence[Any], answered: Sequence[str]) -> None:
    """Every asked provider failed: exit 4 if all failures were authentication, else 5."""
    from opencircuit_cli.errors import AuthError, ProviderError

    if answered or not failures:
        return
    names = ", ".join(f.provider for f in failures)
    if all(f.kind == "auth" for f in failures):
        raise AuthError(f"no provider accepted its credentials ({names})", hint=failures[0].hint)
    raise ProviderError(names, "no provider could answer", hint=failures[0].hint)
