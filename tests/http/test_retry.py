"""Backoff arithmetic and the parsing of the servers' "come back later" headers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opencircuit_cli.errors import ConfigError
from opencircuit_cli.http.policy import HttpPolicy, ProviderLimits
from opencircuit_cli.http.retry import (
    RETRY_STATUSES,
    backoff_delay,
    parse_rate_limit_reset,
    parse_retry_after,
)
from tests.http.conftest import utc

NOW = utc(2025, 3, 1, 12, 0, 0)


def test_retry_statuses_are_rate_limit_and_gateway_errors_only() -> None:
    assert {429, 502, 503, 504} == RETRY_STATUSES
    assert 500 not in RETRY_STATUSES and 400 not in RETRY_STATUSES


@pytest.mark.parametrize(("attempt", "expected"), [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0)])
def test_backoff_doubles_per_attempt(attempt: int, expected: float) -> None:
    assert backoff_delay(attempt, 0.5, 30.0, rng=lambda: 1.0) == pytest.approx(expected)


def test_backoff_is_capped_and_jittered() -> None:
    assert backoff_delay(10, 0.5, 30.0, rng=lambda: 1.0) == pytest.approx(30.0)
    assert backoff_delay(500, 0.5, 30.0, rng=lambda: 1.0) == pytest.approx(30.0)  # no overflow
    assert backoff_delay(3, 0.5, 30.0, rng=lambda: 0.25) == pytest.approx(1.0)
    assert backoff_delay(3, 0.5, 30.0, rng=lambda: 0.0) == 0.0


def test_backoff_full_jitter_spreads_over_the_whole_range() -> None:
    import random

    rng = random.Random(7)
    delays = [backoff_delay(2, 1.0, 30.0, rng.random) for _ in range(2000)]
    assert min(delays) >= 0.0 and max(delays) < 4.0
    assert min(delays) < 0.2 and max(delays) > 3.8  # full jitter, not +/- a little


def test_backoff_rejects_negative_attempt() -> None:
    with pytest.raises(ValueError):
        backoff_delay(-1, 0.5, 30.0, rng=lambda: 0.5)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2", 2.0), (" 120 ", 120.0), ("0", 0.0), ("1.5", 1.5)],
)
def test_retry_after_delta_seconds(value: str, expected: float) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_retry_after_http_date() -> None:
    assert parse_retry_after("Sat, 01 Mar 2025 12:00:30 GMT", NOW) == pytest.approx(30.0)


def test_retry_after_date_in_the_past_means_now() -> None:
    assert parse_retry_after("Sat, 01 Mar 2025 11:00:00 GMT", NOW) == 0.0


def test_retry_after_naive_now_is_taken_as_utc() -> None:
    naive = NOW.replace(tzinfo=None)
    assert parse_retry_after("Sat, 01 Mar 2025 12:01:00 GMT", naive) == pytest.approx(60.0)


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "nan", "inf", "Mon, 99 Foo 2025"])
def test_retry_after_unusable_values(value: str | None) -> None:
    assert parse_retry_after(value, NOW) is None


def test_rate_limit_reset_only_when_nothing_remains() -> None:
    headers = {"X-RateLimit-Remaining": "3", "X-RateLimit-Reset": "20"}
    assert parse_rate_limit_reset(headers, NOW) is None
    headers["X-RateLimit-Remaining"] = "0"
    assert parse_rate_limit_reset(headers, NOW) == 20.0
    assert parse_rate_limit_reset({"X-RateLimit-Remaining": "0"}, NOW) is None


def test_rate_limit_reset_as_epoch_and_as_date() -> None:
    epoch = str(int((NOW + timedelta(seconds=42)).timestamp()))
    assert parse_rate_limit_reset(
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": epoch}, NOW
    ) == pytest.approx(42.0)
    assert parse_rate_limit_reset(
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "Sat, 01 Mar 2025 12:00:10 GMT"}, NOW
    ) == pytest.approx(10.0)


def test_policy_defaults_and_validation() -> None:
    policy = HttpPolicy()
    assert policy.timeout == (5.0, 30.0)
    assert (policy.max_retries, policy.breaker_threshold) == (4, 5)
    assert policy.user_agent.startswith("opencircuit/")
    with pytest.raises(ConfigError) as error:
        HttpPolicy(read_timeout=0)
    assert error.value.key == "http.read_timeout"


def test_provider_limits_validation_names_the_key() -> None:
    assert ProviderLimits("mouser", 30, 0, 3600).quota is None
    assert ProviderLimits("mouser", 30, 1000, 3600).quota == 1000
    with pytest.raises(ConfigError) as error:
        ProviderLimits("mouser", 0, None, 3600)
    assert error.value.key == "providers.mouser.rate_limit"
