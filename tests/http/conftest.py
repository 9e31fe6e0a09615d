"""Fixtures for the HTTP layer tests: a fake clock and a client factory.

`local_server` comes from `tests.support.server`, registered in tests/conftest.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from opencircuit_cli.http.client import HttpClient
from opencircuit_cli.http.policy import CacheMode, HttpPolicy, ProviderLimits
from opencircuit_cli.http.quota import QuotaLedger
from opencircuit_cli.http.redact import Redactor
from opencircuit_cli.http.session import build_session
from opencircuit_cli.http.stats import RunStats

#: Small waits so retry tests take milliseconds.
FAST_POLICY = HttpPolicy(
    connect_timeout=2.0,
    read_timeout=5.0,
    max_retries=2,
    backoff_base=0.01,
    backoff_max=0.05,
    breaker_threshold=5,
)


def limits(
    name: str = "mouser",
    *,
    rpm: float = 60_000,
    quota: int | None = None,
    ttl: int = 3600,
) -> ProviderLimits:
    return ProviderLimits(name=name, rate_limit_per_minute=rpm, daily_quota=quota, cache_ttl=ttl)


@dataclass
class FakeClock:
    """A monotonic clock that only moves when something sleeps on it."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)


@dataclass
class Harness:
    client: HttpClient
    warnings: list[str]
    ledger: QuotaLedger
    stats: RunStats
    cache_path: Path


@pytest.fixture
def redactor() -> Redactor:
    return Redactor()


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def make_client(cache_dir: Path, redactor: Redactor) -> Iterator[Callable[..., Harness]]:
    """Build an HttpClient on a cache file under tmp_path (shared by every client of a test)."""
    made: list[Harness] = []

    def factory(
        mode: CacheMode = CacheMode.NORMAL,
        *,
        policy: HttpPolicy = FAST_POLICY,
        clock: FakeClock | None = None,
        rng: Callable[[], float] = lambda: 0.5,
        now: Callable[[], datetime] | None = None,
        **kwargs: Any,
    ) -> Harness:
        cache_path = cache_dir / "http_cache.sqlite"
        session = build_session(cache_path, mode, redactor=redactor)
        ledger = QuotaLedger(cache_dir / "ledger.sqlite", **({"now": now} if now else {}))
        stats = RunStats()
        warnings: list[str] = []
        client = HttpClient(
            session,
            policy,
            mode,
            ledger,
            stats,
            redactor,
            warn=warnings.append,
            sleep=clock.sleep if clock else time.sleep,
            clock=clock if clock else time.monotonic,
            rng=rng,
            **({"now": now} if now else {}),
            **kwargs,
        )
        harness = Harness(client, warnings, ledger, stats, cache_path)
        made.append(harness)
        return harness

    yield factory
    for harness in made:
        harness.client.close()
        harness.ledger.close()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
