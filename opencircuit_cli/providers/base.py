"""The provider protocol and what a provider is given to work with.

A provider builds requests, sends them through the `ProviderHttp` it is handed (cache, limits,
retries), parses answers with pure functions, and raises typed errors. It never prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from opencircuit_cli.models import Part, PartQuery
from opencircuit_cli.settings import HttpProviderSettings, ProviderSettings

if TYPE_CHECKING:
    from opencircuit_cli.http.client import ProviderHttp
    from opencircuit_cli.http.policy import ProviderLimits
    from opencircuit_cli.oauth import TokenCache
    from opencircuit_cli.secrets import SecretValue


@dataclass(frozen=True)
class SearchOptions:
    limit: int = 20
    in_stock: bool = False
    rohs: bool = False
    exact: bool = False
    manufacturer: str | None = None
    filters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckResult:
    """Outcome of a cheap live credential check, for `auth status`."""

    ok: bool
    message: str


@dataclass(frozen=True)
class ProviderDeps:
    """Everything a provider instance needs; built by the registry from the AppContext."""

    settings: ProviderSettings
    secret: Callable[[str], SecretValue]  # field name -> value with its source
    http: ProviderHttp | None  # None for providers that do not use HTTP (local catalogs)
    currency: str
    country: str
    data_dir: Path  # where a provider may keep local data (next to the HTTP cache)
    config_dir: Path | None = None  # the config file's folder: relative paths in it start here
    tokens: TokenCache | None = None  # OAuth tokens kept between runs (DigiKey, Nexar)
    verbose: bool = False


class Provider(Protocol):
    name: str

    def search(self, query: str, options: SearchOptions) -> list[Part]:
        """Keyword / part-number search; the best matches first."""
        ...

    def lookup(self, queries: Sequence[PartQuery]) -> dict[PartQuery, list[Part]]:
        """Batched exact lookups; every query is a key of the result (an empty list: no hit)."""
        ...

    def check(self) -> CheckResult:
        """One cheap request that proves the credentials work."""
        ...


def unavailable_reason(provider: Provider) -> str | None:
    """Optional hook: a provider with nothing to offer says why (e.g. no catalog imported), and
    is skipped with that note instead of answering every query with nothing."""
    hook = getattr(provider, "unavailable", None)
    return hook() if callable(hook) else None


ProviderFactory = Callable[[ProviderDeps], Provider]


@dataclass(frozen=True)
class ProviderSpec:
    """What the registry knows about a provider before creating it (no heavy imports)."""

    name: str
    settings_class: type[ProviderSettings]
    factory: ProviderFactory
    description: str = ""


def provider_limits(name: str, settings: HttpProviderSettings) -> ProviderLimits:
    """The HTTP layer's view of a provider's settings."""
    from opencircuit_cli.http.policy import ProviderLimits

    return ProviderLimits(
        name=name,
        rate_limit_per_minute=settings.rate_limit,
        daily_quota=settings.daily_quota or None,
        cache_ttl=settings.cache_ttl,
    )
