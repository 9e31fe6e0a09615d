"""A MouserProvider wired to a real HttpClient (requests-cache on a tmp SQLite file).

`local_server` (tests.support.server) is registered for every test in tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from opencircuit_cli.http.client import HttpClient, ProviderHttp
from opencircuit_cli.http.policy import CacheMode, HttpPolicy
from opencircuit_cli.http.quota import QuotaLedger
from opencircuit_cli.http.redact import Redactor
from opencircuit_cli.http.session import build_session
from opencircuit_cli.http.stats import RunStats
from opencircuit_cli.providers.base import ProviderDeps, provider_limits
from opencircuit_cli.providers.mouser import MouserProvider
from opencircuit_cli.secrets import SecretValue
from opencircuit_cli.settings import MouserSettings

#: Looks like nothing real; grepped for in cache files, messages and cassettes.
SENTINEL_KEY = "SENTINEL-7d41c9e2-mouser-api-key"

#: Small waits so retry tests take milliseconds.
FAST_POLICY = HttpPolicy(
    connect_timeout=2.0,
    read_timeout=5.0,
    max_retries=2,
    backoff_base=0.01,
    backoff_max=0.05,
    breaker_threshold=50,
)
FAST_PAUSES = (0.01, 0.01, 0.01)


@dataclass
class MouserRig:
    provider: MouserProvider
    http: ProviderHttp
    client: HttpClient
    redactor: Redactor
    cache_dir: Path
    secret_lookups: list[str]


@pytest.fixture
def make_mouser(tmp_path: Path) -> Iterator[Callable[..., MouserRig]]:
    """Build MouserProviders; every rig of one test shares one cache file (like one machine)."""
    cache_dir = tmp_path / "cache"
    opened: list[tuple[HttpClient, QuotaLedger]] = []

    def factory(
        base_url: str,
        *,
        key: str | None = SENTINEL_KEY,
        mode: CacheMode = CacheMode.NORMAL,
        register_secret: bool = True,
        rate_limit: float = 60_000,
        pauses: tuple[float, ...] = FAST_PAUSES,
    ) -> MouserRig:
        redactor = Redactor()
        session = build_session(cache_dir / "http_cache.sqlite", mode, redactor=redactor)
        ledger = QuotaLedger(cache_dir / "ledger.sqlite")
        client = HttpClient(
            session, FAST_POLICY, mode, ledger, RunStats(), redactor, warn=lambda _: None
        )
        opened.append((client, ledger))
        settings = MouserSettings(base_url=base_url, rate_limit=rate_limit, daily_quota=0)
        http = client.for_provider(provider_limits("mouser", settings))
        lookups: list[str] = []

        def secret(field: str) -> SecretValue:
            # What SecretStore.get does: the value found is registered for redaction.
            lookups.append(field)
            if key and register_secret:
                redactor.add_secret(key)
            kind, where = ("env", "environment variable MOUSER_API_KEY") if key else ("none", "")
            return SecretValue("mouser", field, key, kind, where or "not set")

        deps = ProviderDeps(
            settings, secret, http, currency="USD", country="US", data_dir=cache_dir
        )
        provider = MouserProvider(deps, too_many_requests_pauses=pauses)
        return MouserRig(provider, http, client, redactor, cache_dir, lookups)

    yield factory
    for client, ledger in opened:
        client.close()
        ledger.close()
