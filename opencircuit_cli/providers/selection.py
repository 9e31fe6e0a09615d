"""Which providers take part in a run, and building them from the AppContext.

Explicitly named providers (`--providers`) must exist; the configured default list quietly skips
providers this version does not implement yet, and skips (with a note) enabled providers that
have no credentials, so a user with only a Mouser key gets Mouser results, not DigiKey errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from opencircuit_cli.errors import AuthError, UsageError
from opencircuit_cli.providers.base import (
    Provider,
    ProviderDeps,
    provider_limits,
    unavailable_reason,
)
from opencircuit_cli.settings import HttpProviderSettings

if TYPE_CHECKING:
    from opencircuit_cli.context import AppContext


@dataclass(frozen=True)
class Skipped:
    provider: str
    reason: str
    kind: str  # "disabled", "unavailable", "no_credentials", "empty"
    hint: str | None = None


@dataclass(frozen=True)
class Selection:
    providers: tuple[Provider, ...]
    skipped: tuple[Skipped, ...]


def select_providers(ctx: AppContext) -> Selection:
    from opencircuit_cli.cli.common import known_provider

    explicit = ctx.options.providers is not None
    names = ctx.options.providers if explicit else tuple(ctx.config.defaults.providers)
    config, registry, store = ctx.config, ctx.registry, ctx.secrets
    chosen: list[Provider] = []
    skipped: list[Skipped] = []
    for raw_name in dict.fromkeys(names):
        name = known_provider(raw_name, config.providers) if explicit else raw_name
        spec = registry.get(name)
        if spec is None:
            if explicit:
                raise UsageError(
                    f"provider '{name}' is not available in this version of opencircuit",
                    hint=f"available: {', '.join(registry.names())}",
                )
            skipped.append(Skipped(name, "not available in this version", "unavailable"))
            continue
        settings = config.provider(name)
        if not settings.enabled and not explicit:
            skipped.append(Skipped(name, f"disabled (providers.{name}.enabled)", "disabled"))
            continue
        missing = [f for f in store.fields(name) if not store.get(name, f).value]
        if missing:
            variables = " and ".join(store.env_vars(name)) or "its credentials"
            skipped.append(
                Skipped(
                    name,
                    f"no credentials ({', '.join(missing)} not set)",
                    "no_credentials",
                    hint=f"set {variables}, or run `opencircuit auth login {name}`",
                )
            )
            continue
        provider = build_provider(ctx, name)
        reason = unavailable_reason(provider)
        if reason is not None:
            skipped.append(Skipped(name, reason, "empty"))
            continue
        chosen.append(provider)
    if not chosen:
        raise _nothing_usable(skipped)
    return Selection(tuple(chosen), tuple(skipped))


def build_provider(ctx: AppContext, name: str) -> Provider:
    """An instance of a registered provider, wired to this run's settings, secrets and HTTP."""
    spec = ctx.registry.get(name)
    if spec is None:
        raise UsageError(f"provider '{name}' is not available in this version of opencircuit")
    settings = ctx.config.provider(name)
    store = ctx.secrets
    http = None
    if isinstance(settings, HttpProviderSettings):
        http = ctx.http.for_provider(provider_limits(name, settings))
    deps = ProviderDeps(
        settings=settings,
        secret=lambda field: store.get(name, field),
        http=http,
        currency=ctx.currency,
        country=ctx.config.defaults.country,
        data_dir=ctx.cache_dir(),
        config_dir=ctx.config.source.parent if ctx.config.source else None,
        tokens=ctx.tokens,
        verbose=ctx.options.verbose,
    )
    return spec.factory(deps)


def _nothing_usable(skipped: list[Skipped]) -> Exception:
    no_credentials = [s for s in skipped if s.kind == "no_credentials"]
    if no_credentials:
        first = no_credentials[0]
        told = [s for s in skipped if s.kind in ("no_credentials", "empty")]
        hint = first.hint
        if len(told) > 1:
            hint = (
                f"{first.hint}; or set up another provider (`opencircuit auth status` lists "
                "them), or import a price list with `opencircuit catalog import FILE --name NAME`"
            )
        return AuthError(
            "no provider can answer: " + "; ".join(f"{s.provider}: {s.reason}" for s in told),
            provider=first.provider,
            hint=hint,
        )
    reasons = "; ".join(f"{s.provider}: {s.reason}" for s in skipped) or "none configured"
    return UsageError(
        f"no provider to ask ({reasons})",
        hint="enable one in [defaults] providers / [providers.<name>] enabled, or use --providers",
    )
