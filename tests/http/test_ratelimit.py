"""Token bucket on a fake clock, plus one real-time check that threads share the bucket."""

from __future__ import annotations

import threading
import time

import pytest

from opencircuit_cli.http.ratelimit import TokenBucket
from tests.http.conftest import FakeClock


def bucket(rpm: float, clock: FakeClock) -> TokenBucket:
    return TokenBucket(rpm, clock=clock, sleep=clock.sleep)


def test_first_token_is_immediate_then_95_percent_of_the_rate() -> None:
    clock = FakeClock()
    limiter = bucket(60, clock)
    assert limiter.acquire() == 0.0
    waited = limiter.acquire()
    assert waited == pytest.approx(60 / (60 * 0.95))
    assert clock.now - 1000.0 == pytest.approx(1 / 0.95)


@pytest.mark.parametrize("rpm", [1, 10, 30, 120, 1000])
def test_never_more_than_the_published_limit_in_any_minute(rpm: int) -> None:
    clock = FakeClock()
    limiter = bucket(rpm, clock)
    stamps = []
    for _ in range(3 * rpm + 5):
        limiter.acquire()
        stamps.append(clock.now)
    # Sliding window: for every request, count the requests in the 60 s starting at it.
    worst = max(sum(1 for t in stamps if start <= t <= start + 60) for start in stamps)
    assert worst <= rpm
    assert worst >= int(0.95 * rpm)  # and not needlessly slower


def test_idle_time_does_not_build_a_burst() -> None:
    clock = FakeClock()
    limiter = bucket(60, clock)
    limiter.acquire()
    clock.now += 3600  # an hour idle
    assert limiter.acquire() == 0.0
    assert limiter.acquire() > 1.0  # capacity 1: the second one waits again


def test_pause_until_blocks_then_one_request_goes_and_the_steady_rate_resumes() -> None:
    clock = FakeClock()
    limiter = bucket(60, clock)
    limiter.acquire()
    limiter.pause_until(clock.now + 10)
    assert limiter.acquire() == pytest.approx(10.0)  # Retry-After: one request at the end
    assert limiter.acquire() == pytest.approx(1 / 0.95)  # then the rate, no burst


def test_a_long_pause_saves_up_at_most_one_token_even_with_a_larger_bucket() -> None:
    clock = FakeClock()
    limiter = TokenBucket(60, capacity=5, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        limiter.acquire()
    limiter.pause_until(clock.now + 600)
    assert limiter.acquire() == pytest.approx(600.0)
    assert limiter.acquire() == pytest.approx(1 / 0.95)


def test_an_earlier_pause_does_not_shorten_a_later_one() -> None:
    clock = FakeClock()
    limiter = bucket(6000, clock)
    limiter.pause_until(clock.now + 20)
    limiter.pause_until(clock.now + 5)
    assert limiter.paused_until == pytest.approx(1020.0)
    assert limiter.acquire() == pytest.approx(20.0)


def test_invalid_rates_are_rejected() -> None:
    with pytest.raises(ValueError):
        TokenBucket(0)
    with pytest.raises(ValueError):
        TokenBucket(10, capacity=0.5)


def test_threads_share_one_bucket_in_real_time() -> None:
    limiter = TokenBucket(1200)  # 19 tokens per second
    stamps: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(2):
            limiter.acquire()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(6)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(stamps) == 12
    interval = 60 / (1200 * 0.95)
    # 12 tokens from one bucket: the last cannot be granted before 11 intervals have passed
    # (12 separate buckets would have let all of them through at once).
    assert max(stamps) - start >= 11 * interval - 0.01
    assert max(stamps) - start < 11 * interval + 1.0
