"""Circuit breaker and run counters."""

from __future__ import annotations

import threading

import pytest

from opencircuit_cli.http.breaker import CircuitBreaker
from opencircuit_cli.http.stats import RunStats


def test_breaker_opens_after_threshold_consecutive_failures() -> None:
    breaker = CircuitBreaker(3)
    assert not breaker.record_failure()
    assert not breaker.record_failure()
    assert not breaker.is_open
    assert breaker.record_failure()  # this one opened it
    assert breaker.is_open


def test_success_resets_the_count() -> None:
    breaker = CircuitBreaker(3)
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    assert breaker.consecutive_failures == 0
    breaker.record_failure()
    breaker.record_failure()
    assert not breaker.is_open


def test_open_breaker_stays_open_for_the_run() -> None:
    breaker = CircuitBreaker(1)
    breaker.record_failure()
    breaker.record_success()  # a late answer from an in-flight request
    assert breaker.is_open


def test_breaker_counts_failures_from_many_threads_exactly() -> None:
    breaker = CircuitBreaker(400)
    opened: list[bool] = []

    def fail() -> None:
        for _ in range(100):
            opened.append(breaker.record_failure())

    threads = [threading.Thread(target=fail) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert breaker.is_open and opened.count(True) == 1


def test_breaker_threshold_must_be_positive() -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(0)


def test_stats_count_per_provider_from_threads() -> None:
    stats = RunStats()

    def work() -> None:
        for _ in range(250):
            stats.record_hit("mouser")
            stats.record_miss("digikey")
            stats.record_network_call("digikey")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats.record_error("digikey")
    snapshot = stats.snapshot()
    assert snapshot["mouser"].hits == 1000 and snapshot["mouser"].hit_rate == 1.0
    assert snapshot["digikey"].misses == 1000 and snapshot["digikey"].network_calls == 1000
    assert snapshot["digikey"].errors == 1 and snapshot["digikey"].hit_rate == 0.0
    assert stats.hits() == {"mouser": 1000, "digikey": 0}
    assert stats.misses() == {"mouser": 0, "digikey": 1000}
