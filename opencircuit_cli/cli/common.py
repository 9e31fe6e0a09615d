"""Helpers shared by the command modules."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from opencircuit_cli.errors import UsageError

if TYPE_CHECKING:
    from opencircuit_cli.context import AppContext


def app_context(ctx: Any) -> AppContext:
    return ctx.find_root().obj


def wants_json(app_ctx: AppContext, local_flag: bool) -> bool:
    """`--json` works both before the command (global) and after it (on the command)."""
    return app_ctx.options.json or local_flag


def known_provider(name: str) -> str:
    from opencircuit_cli.settings import PROVIDER_SETTINGS

    key = name.strip().lower()
    if key in PROVIDER_SETTINGS:
        return key
    close = difflib.get_close_matches(key, list(PROVIDER_SETTINGS), n=1)
    raise UsageError(
        f"unknown provider '{name}'",
        hint=f"did you mean '{close[0]}'?" if close else f"known: {', '.join(PROVIDER_SETTINGS)}",
    )
