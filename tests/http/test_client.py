"""The whole request path against a real local server: cache, retries, limits, breaker, quota."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest

from opencircuit_cli.errors import (
    CircuitOpenError,
    HttpStatusError,
    NetworkError,
    OfflineMissError,
    ProviderTimeoutError,
    QuotaExceededError,
    RateLimitedError,
)
from opencircuit_cli.http.policy import CacheMode, HttpPolicy
from opencircuit_cli.http.redact import Redactor
from tests.http.conftest import FAST_POLICY, FakeClock, Harness, limits, utc
from tests.support.server import LocalServer, Reply, unused_port

MakeClient = Callable[..., Harness]


# -- caching --------------------------------------------------------------------------------------


def test_post_is_cached_by_body(local_server: LocalServer, make_client: MakeClient) -> None:
    harness = make_client()
    provider = harness.client.for_provider(limits())
    url = local_server.url("/search")
    first = provider.request("POST", url, json={"mpn": "LM358"})
    second = provider.request("POST", url, json={"mpn": "LM358"})
    assert not first.from_cache and second.from_cache
    assert second.json() == first.json()
    assert len(local_server.requests) == 1
    other = provider.request("POST", url, json={"mpn": "NE555"})
    assert not other.from_cache and other.json()["seq"] == 2
    assert len(local_server.requests) == 2
    counts = harness.stats.snapshot()["mouser"]
    assert (counts.hits, counts.misses, counts.network_calls) == (1, 2, 2)


def test_get_is_cached_with_query_params(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    provider = make_client().client.for_provider(limits())
    url = local_server.url("/p")
    provider.request("GET", url, params={"a": "1", "b": "2"})
    assert provider.request("GET", url, params={"b": "2", "a": "1"}).from_cache
    assert not provider.request("GET", url, params={"a": "1", "b": "3"}).from_cache
    assert len(local_server.requests) == 2


def test_locale_and_currency_headers_are_part_of_the_key(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    provider = make_client().client.for_provider(limits("digikey"))
    url = local_server.url("/product")
    usd = {"X-DIGIKEY-Locale-Currency": "USD", "X-Trace": "1"}
    provider.request("GET", url, headers=usd)
    assert provider.request("GET", url, headers={**usd, "X-Trace": "2"}).from_cache
    eur = provider.request("GET", url, headers={"X-DIGIKEY-Locale-Currency": "EUR"})
    assert not eur.from_cache
    assert not provider.request("GET", url, headers={**usd, "Accept-Language": "de"}).from_cache
    assert len(local_server.requests) == 3


def test_only_200_is_cached(local_server: LocalServer, make_client: MakeClient) -> None:
    local_server.set_fallback("/missing", Reply(404, body={"error": "not found"}))
    provider = make_client().client.for_provider(limits())
    for _ in range(2):
        response = provider.request("GET", local_server.url("/missing"))
        assert response.status_code == 404 and not response.from_cache
    assert len(local_server.requests) == 2


def test_user_agent_is_sent_and_cache_directives_stay_off_the_wire(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    provider = make_client(CacheMode.REFRESH).client.for_provider(limits())
    provider.request("GET", local_server.url("/ua"))
    received = local_server.requests[0]
    assert received.header("User-Agent") == FAST_POLICY.user_agent
    assert received.header("User-Agent").startswith("opencircuit/")
    assert received.header("Cache-Control") is None


def test_offline_miss_raises_and_sends_nothing(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    harness = make_client(CacheMode.OFFLINE)
    provider = harness.client.for_provider(limits())
    with pytest.raises(OfflineMissError) as error:
        provider.request("GET", local_server.url("/x"), params={"apiKey": "abcdef", "q": "1"})
    assert str(error.value).startswith("mouser: ")
    assert "apiKey=***" in str(error.value) and "abcdef" not in str(error.value)
    assert "--offline" in (error.value.hint or "")
    assert local_server.requests == []
    assert harness.stats.snapshot()["mouser"].misses == 1


def test_offline_hit_is_served_even_when_expired(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    online = make_client().client.for_provider(limits(ttl=1))
    fetched = online.request("POST", local_server.url("/s"), json={"q": 1})
    time.sleep(1.1)  # the entry is now expired
    assert not online.request("POST", local_server.url("/s"), json={"q": 1}).from_cache
    offline = make_client(CacheMode.OFFLINE).client.for_provider(limits(ttl=1))
    served = offline.request("POST", local_server.url("/s"), json={"q": 1})
    assert served.from_cache and served.json()["method"] == fetched.json()["method"]
    assert len(local_server.requests) == 2


def test_normal_mode_applies_the_current_ttl_to_old_entries(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    make_client().client.for_provider(limits(ttl=86400)).request("GET", local_server.url("/t"))
    two_hours_later = utc(2099, 1, 1)  # far beyond a TTL lowered to one hour

    later = make_client(now=lambda: two_hours_later).client.for_provider(limits(ttl=3600))
    assert not later.request("GET", local_server.url("/t")).from_cache
    assert len(local_server.requests) == 2


def test_refresh_refetches_and_overwrites(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    url = local_server.url("/r")
    normal = make_client().client.for_provider(limits())
    assert normal.request("GET", url).json()["seq"] == 1
    assert normal.request("GET", url).from_cache
    refreshed = make_client(CacheMode.REFRESH).client.for_provider(limits())
    response = refreshed.request("GET", url)
    assert not response.from_cache and response.json()["seq"] == 2
    again = make_client().client.for_provider(limits()).request("GET", url)
    assert again.from_cache and again.json()["seq"] == 2
    assert len(local_server.requests) == 2


def test_disabled_mode_always_goes_to_the_network(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    provider = make_client(CacheMode.DISABLED).client.for_provider(limits())
    for _ in range(3):
        response = provider.request("GET", local_server.url("/d"))
        assert response.status_code == 200 and not getattr(response, "from_cache", False)
    assert len(local_server.requests) == 3
    assert provider.evict(response) is False


def test_evict_removes_a_cached_answer(local_server: LocalServer, make_client: MakeClient) -> None:
    local_server.set_fallback("/mouser", Reply(200, body={"Errors": [{"Message": "bad key"}]}))
    provider = make_client().client.for_provider(limits())
    url = local_server.url("/mouser")
    response = provider.request("POST", url, json={"q": 1})
    assert response.json()["Errors"]
    assert provider.evict(response) is True
    assert not provider.request("POST", url, json={"q": 1}).from_cache
    hit = provider.request("POST", url, json={"q": 1})
    assert hit.from_cache and provider.evict(hit) is True
    assert provider.evict(hit) is False  # already gone
    assert len(local_server.requests) == 2


# -- retries --------------------------------------------------------------------------------------


def test_retry_after_is_honoured_in_real_time(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    local_server.script("/busy", Reply(429, headers={"Retry-After": "2"}), Reply(200, body="ok"))
    provider = make_client().client.for_provider(limits())
    response = provider.request("GET", local_server.url("/busy"))
    assert response.status_code == 200 and response.text == "ok"
    first, second = local_server.requests
    assert second.at - first.at >= 2.0
    assert second.at - first.at < 4.0


def test_503_is_retried_with_backoff_then_succeeds(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    local_server.script("/flaky", Reply(503), Reply(503), Reply(200, body={"ok": True}))
    clock = FakeClock()
    harness = make_client(clock=clock, rng=lambda: 0.5)
    provider = harness.client.for_provider(limits())
    response = provider.request("GET", local_server.url("/flaky"))
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert len(local_server.requests) == 3
    base = FAST_POLICY.backoff_base
    assert clock.sleeps == pytest.approx([0.5 * base, 0.5 * base * 2])
    assert harness.stats.snapshot()["mouser"].network_calls == 3
    assert provider.breaker.consecutive_failures == 0


def test_retry_after_on_503_is_used_instead_of_backoff(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    local_server.script("/maint", Reply(503, headers={"Retry-After": "7"}), Reply(200))
    clock = FakeClock()
    provider = make_client(clock=clock).client.for_provider(limits())
    assert provider.request("GET", local_server.url("/maint")).status_code == 200
    assert clock.sleeps == [7.0]


def test_exhausted_503_raises_http_status_error(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    local_server.set_fallback("/down", Reply(503))
    provider = make_client(clock=FakeClock()).client.for_provider(limits())
    with pytest.raises(HttpStatusError) as error:
        provider.request("GET", local_server.url("/down"))
    assert error.value.status == 503 and str(error.value).startswith("mouser: HTTP 503")
    assert "3 attempts" in str(error.value) and error.value.hint
    assert len(local_server.requests) == FAST_POLICY.max_retries + 1


def test_429_pauses_the_provider_and_exhaustion_raises_rate_limited(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    local_server.set_fallback("/limited", Reply(429, headers={"Retry-After": "30"}))
    clock = FakeClock()
    provider = make_client(clock=clock).client.for_provider(limits())
    with pytest.raises(RateLimitedError) as error:
        provider.request("GET", local_server.url("/limited"))
    assert "mouser" in str(error.value) and "rate_limit" in (error.value.hint or "")
    assert len(local_server.requests) == 3
    # Two retries, each after the 30 s pause the limiter imposed on every thread.
    assert clock.now - 1000.0 == pytest.approx(60.0, abs=0.1)
    assert provider.limiter.paused_until == pytest.approx(1060.0, abs=0.1)


def test_retry_after_beyond_the_maximum_fails_at_once(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    local_server.set_fallback("/quota", Reply(429, headers={"Retry-After": "3600"}))
    clock = FakeClock()
    provider = make_client(clock=clock).client.for_provider(limits())
    with pytest.raises(RateLimitedError) as error:
        provider.request("GET", local_server.url("/quota"))
    assert "3600 s" in str(error.value)
    assert len(local_server.requests) == 1 and clock.sleeps == []


def test_400_is_returned_and_not_retried(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    local_server.set_fallback("/bad", Reply(400, body={"message": "bad part number"}))
    provider = make_client().client.for_provider(limits())
    response = provider.request("POST", local_server.url("/bad"), json={"q": "?"})
    assert response.status_code == 400 and response.json() == {"message": "bad part number"}
    assert len(local_server.requests) == 1
    assert provider.breaker.consecutive_failures == 0


def test_500_is_returned_not_retried_and_counts_as_a_failure(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    errors = {"errors": [{"message": "GraphQL error"}]}
    local_server.set_fallback("/graphql", Reply(500, body=errors))
    provider = make_client().client.for_provider(limits("nexar"))
    response = provider.request("POST", local_server.url("/graphql"), json={"query": "{x}"})
    assert response.status_code == 500 and response.json() == errors
    assert len(local_server.requests) == 1
    assert provider.breaker.consecutive_failures == 1


def test_read_timeout_raises_provider_timeout_naming_the_provider(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    local_server.set_fallback("/slow", Reply(200, delay=1.0))
    policy = HttpPolicy(read_timeout=0.2, max_retries=1, backoff_base=0.01, backoff_max=0.01)
    provider = make_client(policy=policy).client.for_provider(limits())
    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError) as error:
        provider.request("GET", local_server.url("/slow"))
    assert str(error.value) == "mouser: no answer within 0.2 s (2 attempts)"
    assert "--offline" in (error.value.hint or "")
    assert len(local_server.requests) == 2
    assert time.monotonic() - started < 1.5


def test_connection_refused_raises_network_error(make_client: MakeClient) -> None:
    clock = FakeClock()
    harness = make_client(clock=clock)
    provider = harness.client.for_provider(limits())
    url = f"http://127.0.0.1:{unused_port()}/api?apiKey=topsecretvalue"
    with pytest.raises(NetworkError) as error:
        provider.request("GET", url)
    assert not isinstance(error.value, ProviderTimeoutError)
    message = str(error.value)
    assert message.startswith("mouser: could not reach 127.0.0.1:")
    assert "connection refused" in message and "3 attempts" in message
    assert "topsecretvalue" not in message and error.value.__cause__ is None
    assert len(clock.sleeps) == 2  # backoff between the three attempts
    assert harness.stats.snapshot()["mouser"].errors == 1


def test_dropped_connection_is_retried(local_server: LocalServer, make_client: MakeClient) -> None:
    local_server.script("/drop", Reply(drop=True), Reply(200, body="fine"))
    provider = make_client(clock=FakeClock()).client.for_provider(limits())
    assert provider.request("GET", local_server.url("/drop")).text == "fine"
    assert len(local_server.requests) == 2


def test_rate_limit_headers_pause_the_provider(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    local_server.script(
        "/rl", Reply(200, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "5"})
    )
    clock = FakeClock()
    provider = make_client(clock=clock).client.for_provider(limits())
    provider.request("GET", local_server.url("/rl"))
    provider.request("GET", local_server.url("/next"))
    assert clock.sleeps and sum(clock.sleeps) == pytest.approx(5.0)


# -- rate limiter and breaker ---------------------------------------------------------------------


def test_cache_hits_bypass_the_rate_limiter(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    clock = FakeClock()
    provider = make_client(clock=clock).client.for_provider(limits(rpm=1))
    url = local_server.url("/slowlimit")
    provider.request("GET", url)  # the bucket's one token
    started = time.monotonic()
    for _ in range(50):
        assert provider.request("GET", url).from_cache
    assert time.monotonic() - started < 2.0
    assert clock.sleeps == []  # no hit ever waited
    provider.request("GET", local_server.url("/other"))  # a miss must wait a full minute
    assert sum(clock.sleeps) == pytest.approx(60 / 0.95)


def test_breaker_opens_after_consecutive_failures_and_then_sends_nothing(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    local_server.set_fallback("/fail", Reply(500))
    policy = HttpPolicy(breaker_threshold=3, backoff_base=0.01, backoff_max=0.01)
    provider = make_client(policy=policy).client.for_provider(limits())
    provider.request("GET", local_server.url("/warm"))  # cached while healthy
    for _ in range(3):
        assert provider.request("GET", local_server.url("/fail")).status_code == 500
    assert provider.breaker.is_open
    with pytest.raises(CircuitOpenError) as error:
        provider.request("GET", local_server.url("/fail"))
    assert str(error.value).startswith("mouser: switched off")
    assert "3 times in a row" in (error.value.hint or "")
    assert len(local_server.requests) == 4
    assert provider.request("GET", local_server.url("/warm")).from_cache  # cache still answers


def test_breaker_is_shared_per_provider_and_reset_by_success(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    local_server.script("/f", Reply(500), Reply(500), Reply(200), Reply(500), Reply(500))
    client = make_client(policy=HttpPolicy(breaker_threshold=3)).client
    for _ in range(5):
        client.for_provider(limits()).request("POST", local_server.url("/f"), json={})
    assert not client.for_provider(limits()).breaker.is_open
    assert client.for_provider(limits()).breaker is client.for_provider(limits()).breaker
    assert client.for_provider(limits("nexar")).breaker is not client.for_provider(limits()).breaker


def test_network_failures_open_the_breaker(make_client: MakeClient) -> None:
    policy = HttpPolicy(max_retries=0, breaker_threshold=2)
    provider = make_client(policy=policy).client.for_provider(limits())
    url = f"http://127.0.0.1:{unused_port()}/x"
    for _ in range(2):
        with pytest.raises(NetworkError):
            provider.request("GET", url)
    with pytest.raises(CircuitOpenError):
        provider.request("GET", url)


# -- quota ----------------------------------------------------------------------------------------


def test_quota_warns_once_at_80_percent_and_stops_at_the_limit(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    now = utc(2025, 3, 1, 21, 30)
    harness = make_client(now=lambda: now)
    provider = harness.client.for_provider(limits(quota=10))
    for i in range(7):
        provider.request("GET", local_server.url(f"/q{i}"))
    assert harness.warnings == []
    provider.request("GET", local_server.url("/q7"))
    assert harness.warnings == [
        "mouser: 8 of 10 daily calls used (80 %); at 10 it is skipped until the quota resets "
        "at 00:00 UTC"
    ]
    provider.request("GET", local_server.url("/q8"))
    provider.request("GET", local_server.url("/q9"))
    assert len(harness.warnings) == 1
    with pytest.raises(QuotaExceededError) as error:
        provider.request("GET", local_server.url("/q10"))
    assert str(error.value) == (
        "mouser: daily quota used up (10 of 10 calls today); it resets at 2025-03-02 00:00 UTC "
        "(in 2 h 30 min)"
    )
    assert "providers.mouser.daily_quota" in (error.value.hint or "")
    assert len(local_server.requests) == 10
    assert provider.request("GET", local_server.url("/q3")).from_cache  # cache still answers
    assert not provider.breaker.consecutive_failures  # quota is not a provider failure
    assert harness.ledger.used_today("mouser") == 10


def test_retries_count_against_the_quota(
    local_server: LocalServer, make_client: MakeClient
) -> None:
    local_server.script("/x", Reply(503), Reply(200))
    harness = make_client(clock=FakeClock())
    harness.client.for_provider(limits(quota=100)).request("GET", local_server.url("/x"))
    assert harness.ledger.used_today("mouser") == 2


# -- logging --------------------------------------------------------------------------------------


def test_verbose_log_has_one_line_per_request_and_no_secrets(
    local_server: LocalServer,
    make_client: MakeClient,
    redactor: Redactor,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "SENTINEL" + uuid.uuid4().hex
    redactor.add_secret(secret)
    local_server.set_fallback("/e", Reply(200, headers={"X-Echo": secret}, body={"e": secret}))
    provider = make_client(clock=FakeClock()).client.for_provider(limits())
    url = local_server.url("/e")
    refused = f"http://127.0.0.1:{unused_port()}/down"
    with caplog.at_level(logging.DEBUG, logger="opencircuit.http"):
        provider.request("GET", url, params={"apiKey": secret, "q": "LM358"})
        provider.request("GET", url, params={"apiKey": secret, "q": "LM358"})
        provider.request(
            "POST", url, json={"token": secret}, headers={"Authorization": f"Bearer {secret}"}
        )
        with pytest.raises(NetworkError):
            provider.request("GET", refused, params={"apiKey": secret})
    lines = [r.getMessage() for r in caplog.records if r.name == "opencircuit.http"]
    assert len(lines) == 6  # network, cache, network, three failed attempts
    assert all(secret not in line for line in lines)
    assert "mouser GET" in lines[0] and "apiKey=***&q=LM358" in lines[0]
    assert "-> 200" in lines[0] and "(network, attempt 1)" in lines[0]
    assert "(cache)" in lines[1]
    assert "error ConnectionError" in lines[3] and "attempt 3" in lines[5]
    assert all("Bearer" not in line and "token" not in line for line in lines)


def test_for_provider_is_thread_safe(local_server: LocalServer, make_client: MakeClient) -> None:
    import threading

    client = make_client().client
    limiters = []
    lock = threading.Lock()

    def grab() -> None:
        handle = client.for_provider(limits("digikey"))
        with lock:
            limiters.append(handle.limiter)

    threads = [threading.Thread(target=grab) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(limiter) for limiter in limiters}) == 1


def test_expired_quota_day_resets(local_server: LocalServer, make_client: MakeClient) -> None:
    moment = [utc(2025, 3, 1, 23, 59)]
    harness = make_client(now=lambda: moment[0])
    provider = harness.client.for_provider(limits(quota=1))
    provider.request("GET", local_server.url("/a"))
    with pytest.raises(QuotaExceededError):
        provider.request("GET", local_server.url("/b"))
    moment[0] += timedelta(minutes=2)
    assert provider.request("GET", local_server.url("/b")).status_code == 200


def test_provider_quota_headers_feed_the_ledger(make_client, local_server):
    from tests.support.server import Reply

    local_server.script(
        "/dk", Reply(200, headers={"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "380"})
    )
    harness = make_client()
    http = harness.client.for_provider(limits("digikey"))
    http.request("GET", local_server.url("/dk"))
    assert harness.ledger.used_today("digikey") == 620  # the provider's count, not our 1
