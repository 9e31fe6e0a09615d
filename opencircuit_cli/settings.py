"""The configuration schema: one frozen dataclass per TOML table.

Each field's metadata carries its documentation (rendered into `config.example.toml` and
`config init`), whether it holds a secret, and its allowed values. `config.py` validates raw TOML
against these classes, so adding a setting is adding a field here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def setting(
    default: Any,
    doc: str,
    *,
    secret: bool = False,
    choices: tuple[str, ...] | None = None,
    minimum: float | None = None,
    pattern: str | None = None,
) -> Any:
    meta = {
        "doc": doc,
        "secret": secret,
        "choices": choices,
        "minimum": minimum,
        "pattern": pattern,
    }
    if isinstance(default, list | dict):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class DefaultsSettings:
    """[defaults]: what every command uses unless a flag says otherwise."""

    currency: str = setting(
        "USD", "ISO 4217 currency for prices (--currency overrides).", pattern=r"[A-Z]{3}"
    )
    country: str = setting(
        "US", "ISO 3166 country code sent to providers that price by country.", pattern=r"[A-Z]{2}"
    )
    providers: list[str] = setting(
        ["catalog", "mouser", "digikey", "nexar"],
        "Providers queried (--providers overrides); local catalogs first, skipped while empty.",
    )
    source_priority: list[str] = setting(
        ["mouser", "digikey", "catalog", "nexar"],
        "When two sources offer the same distributor SKU, the one listed first is kept and the "
        "other dropped: direct distributor APIs before aggregators (Nexar). Unlisted sources "
        "come last.",
    )


@dataclass(frozen=True)
class CacheSettings:
    """[cache]: every provider answer is cached so repeated runs cost no API calls."""

    path: str = setting(
        "", "Cache database file. Empty: the user cache directory / http_cache.sqlite."
    )
    ttl: int = setting(86400, "Seconds an answer stays fresh (providers may override).", minimum=0)
    backend: str = setting(
        "sqlite",
        "'sqlite' (default) or 'redis' for a cache shared by a team or CI fleet.",
        choices=("sqlite", "redis"),
    )
    url: str = setting("", "redis://host:6379/0 when backend = 'redis'.")


@dataclass(frozen=True)
class HttpSettings:
    """[http]: network behaviour shared by every provider."""

    connect_timeout: float = setting(5.0, "Seconds to wait for a connection.", minimum=0.1)
    read_timeout: float = setting(30.0, "Seconds to wait for an answer.", minimum=0.1)
    max_retries: int = setting(
        4, "Retries for 429/502/503/504 and connection errors (with backoff).", minimum=0
    )
    breaker_threshold: int = setting(
        5, "Consecutive failures after which a provider is switched off for the run.", minimum=1
    )


@dataclass(frozen=True)
class QuoteSettings:
    """[quote]: defaults of `bom-quote` (each has a flag of the same name)."""

    boards: int = setting(1, "Boards to build (--boards).", minimum=1)
    spares_percent: float = setting(
        0.0, "Extra parts per line, percent of the build quantity (--spares 5%).", minimum=0
    )
    spares_min: int = setting(
        0, "At least this many extra parts per line (--spares-min).", minimum=0
    )
    allow_split: bool = setting(True, "Split a line across distributors when nobody has enough.")
    max_lead_days: int = setting(
        0, "Ignore backorders with a longer lead time. 0 = any.", minimum=0
    )
    authorized_only: bool = setting(False, "Only offers from authorized distributors.")
    prefer: list[str] = setting([], "Preferred distributors, most preferred first (--prefer).")
    max_distributors: int = setting(
        0, "Order from at most this many distributors. 0 = any.", minimum=0
    )


@dataclass(frozen=True)
class CurrencySettings:
    """[currency]: conversion rates for offers not priced in the quote currency."""

    rates: dict[str, float] = setting(
        {},
        "1 unit of each currency in units of [defaults] currency, e.g. { EUR = 1.08 }. Offers "
        "in a currency without a rate are reported, never mixed into a total.",
    )


@dataclass(frozen=True)
class DistributorSettings:
    """[distributors.<name>]: per-order costs of one distributor (name as in the offers)."""

    shipping: float = setting(0.0, "Shipping and handling per order.", minimum=0)
    free_shipping_over: float = setting(
        0.0, "No shipping from this order subtotal up. 0 = never free.", minimum=0
    )


@dataclass(frozen=True)
class ProviderSettings:
    """Settings every provider has."""

    enabled: bool = setting(True, "Query this provider.")


@dataclass(frozen=True)
class HttpProviderSettings(ProviderSettings):
    """Settings of a provider that answers over HTTP: limits, quota, freshness, endpoint."""

    rate_limit: float = setting(
        30, "Requests per minute (the limiter keeps a little under it).", minimum=0.1
    )
    daily_quota: int = setting(
        1000, "Calls per UTC day: warn at 80 %, stop at 100 %. 0 = unlimited.", minimum=0
    )
    cache_ttl: int = setting(86400, "Seconds this provider's answers stay fresh.", minimum=0)
    base_url: str = setting("", "API root; overridable for development endpoints and tests.")


@dataclass(frozen=True)
class MouserSettings(HttpProviderSettings):
    """[providers.mouser]: Mouser Search API (API key)."""

    api_key: str = setting(
        "${MOUSER_API_KEY:-}",
        "Mouser Search API key. Empty: looked up in the OS keyring (auth login mouser).",
        secret=True,
    )
    cache_ttl: int = setting(3600, "Seconds Mouser's answers stay fresh.", minimum=0)
    base_url: str = setting("https://api.mouser.com/api/v1", "API root.")


@dataclass(frozen=True)
class DigikeySettings(HttpProviderSettings):
    """[providers.digikey]: DigiKey Product Information API v4 (OAuth client)."""

    client_id: str = setting(
        "${DIGIKEY_CLIENT_ID:-}",
        "DigiKey API client id. Empty: looked up in the OS keyring.",
        secret=True,
    )
    client_secret: str = setting(
        "${DIGIKEY_CLIENT_SECRET:-}",
        "DigiKey API client secret. Empty: looked up in the OS keyring.",
        secret=True,
    )
    sandbox: bool = setting(False, "Use DigiKey's sandbox host.")
    flow: str = setting(
        "client_credentials",
        "'client_credentials' (no browser) or 'authorization_code'. A login stored by `auth "
        "login digikey --flow authorization_code` is used either way; 'authorization_code' "
        "makes a missing login an error instead of falling back to client credentials.",
        choices=("client_credentials", "authorization_code"),
    )
    base_url: str = setting(
        "https://api.digikey.com", "API root (sandbox = true uses sandbox-api.digikey.com)."
    )
    rate_limit: float = setting(
        120, "Requests per minute (the limiter keeps a little under it).", minimum=0.1
    )
    locale_site: str = setting("US", "X-DIGIKEY-Locale-Site: the DigiKey site (US, DE, UK, ...).")
    locale_language: str = setting("en", "X-DIGIKEY-Locale-Language (en, de, fr, ...).")
    locale_currency: str = setting(
        "", "X-DIGIKEY-Locale-Currency (USD, EUR, ...). Empty: [defaults] currency."
    )
    customer_id: str = setting(
        "", "X-DIGIKEY-Customer-Id: your customer number, for MyPricing. Empty: not sent."
    )
    redirect_uri: str = setting(
        "https://localhost",
        "The OAuth callback registered for your DigiKey app. http://127.0.0.1:PORT/... lets "
        "`auth login digikey --flow authorization_code` listen for it; anything else: paste it.",
    )
    token_url: str = setting("", "OAuth token endpoint. Empty: <base_url>/v1/oauth2/token.")
    authorize_url: str = setting(
        "", "OAuth authorize endpoint. Empty: <base_url>/v1/oauth2/authorize."
    )


@dataclass(frozen=True)
class NexarSettings(HttpProviderSettings):
    """[providers.nexar]: Nexar (Octopart) GraphQL supply API (OAuth client credentials)."""

    client_id: str = setting(
        "${NEXAR_CLIENT_ID:-}", "Nexar client id. Empty: looked up in the OS keyring.", secret=True
    )
    client_secret: str = setting(
        "${NEXAR_CLIENT_SECRET:-}",
        "Nexar client secret. Empty: looked up in the OS keyring.",
        secret=True,
    )
    base_url: str = setting("https://api.nexar.com/graphql", "GraphQL endpoint.")
    token_url: str = setting("https://identity.nexar.com/connect/token", "OAuth token endpoint.")
    authorized_only: bool = setting(True, "Only offers from distributors authorized by the maker.")
    batch_size: int = setting(
        20,
        "Part-number queries per supMultiMatch request (at most 100 parts per request in all).",
        minimum=1,
    )
    parts_per_query: int = setting(
        3,
        "Parts Nexar may return per queried part number (Nexar bills every part returned).",
        minimum=1,
    )


@dataclass(frozen=True)
class CatalogSettings(ProviderSettings):
    """[providers.catalog]: local price lists, stock lists and the JLC/LCSC parts library."""

    files: list[str] = setting(
        [],
        "Catalog files imported automatically (re-imported when changed); each is "
        "'PATH' or 'NAME=PATH'. `opencircuit catalog import` adds more by hand.",
    )
    path: str = setting("", "Catalog database. Empty: catalogs.sqlite next to the HTTP cache.")


PROVIDER_SETTINGS: dict[str, type[ProviderSettings]] = {
    "mouser": MouserSettings,
    "digikey": DigikeySettings,
    "nexar": NexarSettings,
    "catalog": CatalogSettings,
}

SECTIONS: dict[str, type] = {
    "defaults": DefaultsSettings,
    "cache": CacheSettings,
    "http": HttpSettings,
    "quote": QuoteSettings,
    "currency": CurrencySettings,
}
