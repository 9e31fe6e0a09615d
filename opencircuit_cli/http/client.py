"""The path of every data call: cache -> circuit breaker -> quota -> rate limit -> network.

`requests` is imported inside the functions that need it, so importing this module for its
types costs nothing at CLI start-up.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from opencircuit_cli.errors import (
    CircuitOpenError,
    ConfigError,
    HttpStatusError,
    NetworkError,
    OfflineMissError,
    ProviderError,
    ProviderTimeoutError,
    QuotaExceededError,
    RateLimitedError,
)

from .breaker import CircuitBreaker
from .policy import CacheMode, HttpPolicy, ProviderLimits
from .quota import QuotaLedger, QuotaLevel, QuotaState
from .ratelimit import TokenBucket
from .redact import Redactor
from .retry import (
    RETRY_STATUSES,
    backoff_delay,
    parse_quota_used,
    parse_rate_limit_reset,
    parse_retry_after,
)
from .stats import RunStats

if TYPE_CHECKING:
    import requests

LOGGER_NAME = "opencircuit.http"
log = logging.getLogger(LOGGER_NAME)

OFFLINE_HINT = "Run without --offline to fetch it."
NETWORK_HINT = "Check your internet connection or proxy, or use --offline to answer from the cache."


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _ProviderState:
    """What one provider shares across threads for the whole run."""

    limiter: TokenBucket
    breaker: CircuitBreaker
    quota_warned: threading.Event = field(default_factory=threading.Event)
    warn_lock: threading.Lock = field(default_factory=threading.Lock)

    def first_quota_warning(self) -> bool:
        """True exactly once per run: the quota warning is shown once per provider."""
        with self.warn_lock:
            if self.quota_warned.is_set():
                return False
            self.quota_warned.set()
            return True


class HttpClient:
    """Factory of per-provider HTTP handles sharing one session, ledger, stats and redactor.

    `warn` receives user-facing warnings (quota at 80 %); the CLI decides how to show them.
    `sleep`, `clock` (monotonic), `rng` and `now` (wall clock, UTC) are injectable for tests.
    `ledger` may be None to run without quota accounting.
    """

    def __init__(
        self,
        session: requests.Session,
        policy: HttpPolicy,
        mode: CacheMode,
        ledger: QuotaLedger | None,
        stats: RunStats,
        redactor: Redactor,
        *,
        warn: Callable[[str], None],
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.session = session
        self.policy = policy
        self.mode = mode
        self.ledger = ledger
        self.stats = stats
        self.redactor = redactor
        self.warn = warn
        self.sleep = sleep
        self.clock = clock
        self.rng = rng
        self.now = now
        self._lock = threading.Lock()
        self._providers: dict[str, _ProviderState] = {}

    @property
    def cached(self) -> bool:
        """True when the session is a requests-cache session (every mode but DISABLED)."""
        return self.mode is not CacheMode.DISABLED and hasattr(self.session, "cache")

    def for_provider(self, limits: ProviderLimits) -> ProviderHttp:
        """The handle for one provider; limiter and breaker are created once per name."""
        with self._lock:
            state = self._providers.get(limits.name)
            if state is None:
                state = _ProviderState(
                    limiter=TokenBucket(
                        limits.rate_limit_per_minute, clock=self.clock, sleep=self.sleep
                    ),
                    breaker=CircuitBreaker(self.policy.breaker_threshold),
                )
                self._providers[limits.name] = state
        return ProviderHttp(self, limits, state)

    def close(self) -> None:
        self.session.close()


class ProviderHttp:
    """HTTP for one provider. Thread-safe; cheap to create (state lives in the client)."""

    def __init__(self, client: HttpClient, limits: ProviderLimits, state: _ProviderState) -> None:
        self._client = client
        self.limits = limits
        self._state = state

    @property
    def name(self) -> str:
        return self.limits.name

    @property
    def limiter(self) -> TokenBucket:
        return self._state.limiter

    def pause_for(self, seconds: float) -> None:
        """Hold every request of this provider for `seconds` (on the client's own clock)."""
        self._state.limiter.pause_until(self._client.clock() + seconds)

    @property
    def breaker(self) -> CircuitBreaker:
        return self._state.breaker

    # -- public ---------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Answer from the cache if possible, else from the network with limits and retries.

        Returns any 2xx/4xx/500 response as is (providers parse their own error bodies);
        raises a `ProviderError` subclass for offline misses, an open breaker, a spent quota,
        network failures and retries that ran out.
        """
        client = self._client
        call = self._call(method, url, params, json, data, headers)

        if self._reads_cache():
            started = client.clock()
            cached = self._from_cache(call, started)
            if cached is not None:
                return cached
            client.stats.record_miss(self.name)
            if client.mode is CacheMode.OFFLINE:
                self._log(call, "miss", started, "cache", None)
                raise OfflineMissError(
                    self.name,
                    f"no cached answer for {call.method} {self._redacted_url(call)} (offline mode)",
                    hint=OFFLINE_HINT,
                )
        else:
            client.stats.record_miss(self.name)

        breaker = self._state.breaker
        if breaker.is_open:
            client.stats.record_error(self.name)
            raise CircuitOpenError(
                self.name,
                "switched off for the rest of this run",
                hint=(
                    f"{self.name} failed {breaker.threshold} times in a row, so it is switched "
                    "off for this run and the other providers carry on. Check your network or "
                    "the provider's status, then run again."
                ),
            )
        try:
            if client.ledger is not None:
                self._check_quota(client.ledger.check(self.limits))
            response = self._send_with_retries(call)
        except QuotaExceededError:
            client.stats.record_error(self.name)
            raise  # our own bookkeeping, not a failure of the provider
        except ProviderError:
            client.stats.record_error(self.name)
            breaker.record_failure()
            raise
        if response.status_code >= 500:
            breaker.record_failure()
        else:
            breaker.record_success()
        return response

    def cached_response(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response | None:
        """The answer `request` would give from the cache (in this mode), or None — never the
        network. Lets a provider skip work only the network needs (fetching an OAuth token,
        batching a part number with others). A hit counts as a cache hit, like `request`'s.
        """
        if not self._reads_cache():
            return None
        call = self._call(method, url, params, json, data, headers)
        return self._from_cache(call, self._client.clock())

    def _reads_cache(self) -> bool:
        client = self._client
        return client.cached and client.mode in (CacheMode.NORMAL, CacheMode.OFFLINE)

    def _call(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        json: Any,
        data: Any,
        headers: Mapping[str, str] | None,
    ) -> _Call:
        request_headers = {"User-Agent": self._client.policy.user_agent, **(headers or {})}
        return _Call(method.upper(), url, params, json, data, request_headers)

    def _from_cache(self, call: _Call, started: float) -> requests.Response | None:
        """The cached answer for `call`, counted and logged as a hit; None on a miss."""
        cached = self._lookup(call)
        if cached is not None:
            self._client.stats.record_hit(self.name)
            self._log(call, cached.status_code, started, "cache", None)
        return cached

    def remember(
        self,
        method: str,
        url: str,
        body: bytes,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> bool:
        """Store `body` as the cached answer to this request, as if the provider had sent it.

        A batched API answers many parts at once; remembering each part's share under its own
        one-part request lets a later run that asks a different mix of parts find it (see the
        Mouser provider). Counts nothing and sends nothing; returns False when not caching.
        """
        import requests
        from requests.structures import CaseInsensitiveDict
        from urllib3 import HTTPResponse

        client = self._client
        cache = getattr(client.session, "cache", None)
        if cache is None or client.mode is CacheMode.DISABLED:
            return False
        call = self._call(method, url, params, json, None, headers)
        session: Any = client.session
        prepared = session.prepare_request(
            requests.Request(
                call.method, call.url, params=call.params, json=call.json, headers=call.headers
            )
        )
        response = requests.Response()
        response.status_code = 200
        response.reason = "OK"
        response._content = body
        response.encoding = "utf-8"
        response.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
        response.url = prepared.url or url
        response.request = prepared
        response.raw = HTTPResponse(
            body=b"",
            headers=dict(response.headers),
            status=200,
            reason="OK",
            preload_content=False,
            request_url=response.url,
        )
        key = cache.create_key(prepared, verify=bool(session.verify))
        expires = client.now() + timedelta(seconds=self.limits.cache_ttl)
        cache.save_response(response, cache_key=key, expires=expires)
        return True

    def evict(self, response: requests.Response) -> bool:
        """Remove a response from the cache, e.g. an HTTP 200 whose body reports an error.

        Returns True if an entry was removed.
        """
        cache = getattr(self._client.session, "cache", None)
        key = getattr(response, "cache_key", None)
        if cache is None or not key or not cache.contains(key=key):
            return False
        cache.delete(key)
        return True

    # -- cache --------------------------------------------------------------------------------

    def _lookup(self, call: _Call) -> requests.Response | None:
        """The cached answer, or None.

        Reads the backend directly instead of sending with `only_if_cached=True`: requests-cache
        goes to the network even with only-if-cached when a stored response's `Vary` header
        does not match, and offline mode must never send anything. NORMAL mode also enforces the
        provider's current `cache_ttl` on the entry's age (the TTL may have been lowered since it
        was stored); OFFLINE mode serves expired entries too, since nothing else could answer.
        """
        import requests

        session: Any = self._client.session
        prepared = session.prepare_request(
            requests.Request(
                call.method,
                call.url,
                params=call.params,
                json=call.json,
                data=call.data,
                headers=call.headers,
            )
        )
        key = session.cache.create_key(prepared, verify=bool(session.verify))
        cached = session.cache.get_response(key)
        if cached is None or cached.status_code != 200:
            return None
        if self._client.mode is CacheMode.NORMAL:
            age = (self._client.now() - cached.created_at).total_seconds()
            if cached.is_expired or age > self.limits.cache_ttl:
                return None
        return cached

    # -- quota --------------------------------------------------------------------------------

    def _check_quota(self, state: QuotaState) -> None:
        if state.level is QuotaLevel.REFUSE:
            raise self._quota_error(state)
        if state.level is QuotaLevel.WARN:
            self._warn_quota(state)

    def _warn_quota(self, state: QuotaState) -> None:
        """Tell the user once per provider per run that the quota is running out."""
        if self._state.first_quota_warning():
            self._client.warn(
                f"{self.name}: {state.used} of {state.limit} daily calls used "
                f"({100 * (state.fraction or 0):.0f} %); at {state.limit} it is skipped until "
                f"the quota resets at {state.resets_at:%H:%M} UTC"
            )

    def _quota_error(self, state: QuotaState) -> QuotaExceededError:
        remaining = max(0, int((state.resets_at - self._client.now()).total_seconds()))
        hours, minutes = divmod(remaining // 60, 60)
        return QuotaExceededError(
            self.name,
            f"daily quota used up ({state.used} of {state.limit} calls today); it resets at "
            f"{state.resets_at:%Y-%m-%d %H:%M} UTC (in {hours} h {minutes:02d} min)",
            hint=(
                "Cached answers still work (try --offline). Wait for the reset, or raise "
                f"providers.{self.name}.daily_quota if your plan allows more calls."
            ),
        )

    # -- network ------------------------------------------------------------------------------

    def _send_with_retries(self, call: _Call) -> requests.Response:
        import requests

        client = self._client
        policy = client.policy
        attempts = policy.max_retries + 1
        limiter = self._state.limiter
        kwargs: dict[str, Any] = {
            "params": call.params,
            "json": call.json,
            "data": call.data,
            "headers": call.headers,
            "timeout": policy.timeout,
        }
        if client.cached:
            # The lookup above already decided this is a miss (or REFRESH wants a new copy):
            # force_refresh makes requests-cache send and overwrite instead of looking again.
            kwargs.update(expire_after=self.limits.cache_ttl, force_refresh=True)

        for attempt in range(1, attempts + 1):
            limiter.acquire()
            if client.ledger is not None:
                reservation = client.ledger.reserve_call(self.limits)
                if not reservation.granted:
                    raise self._quota_error(reservation.state)
                if reservation.state.level is not QuotaLevel.OK:
                    self._warn_quota(reservation.state)
            client.stats.record_network_call(self.name)
            started = client.clock()
            try:
                response = client.session.request(call.method, call.url, **kwargs)
            except (requests.Timeout, requests.ConnectionError) as exc:
                self._log(call, f"error {type(exc).__name__}", started, "network", attempt, exc)
                if attempt < attempts:
                    client.sleep(self._backoff(attempt))
                    continue
                raise self._network_error(call, exc, attempts) from None
            except (
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
            ) as exc:
                self._log(call, f"error {type(exc).__name__}", started, "network", attempt, exc)
                if attempt < attempts:
                    client.sleep(self._backoff(attempt))
                    continue
                raise NetworkError(
                    self.name,
                    f"the answer was cut off or garbled ({type(exc).__name__}) "
                    f"after {attempts} attempts",
                    hint=NETWORK_HINT,
                ) from None
            except (
                requests.exceptions.InvalidURL,
                requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema,
            ) as exc:
                raise ConfigError(
                    f"{self.name}: not a usable URL: {self._redacted_url(call)} "
                    f"({type(exc).__name__})",
                    key=f"providers.{self.name}.base_url",
                    hint="Fix the base_url, or remove it to use the provider's default.",
                ) from None
            except requests.RequestException as exc:
                self._log(call, f"error {type(exc).__name__}", started, "network", attempt, exc)
                raise NetworkError(
                    self.name, f"request failed ({type(exc).__name__})", hint=NETWORK_HINT
                ) from None

            self._log(call, response.status_code, started, "network", attempt)
            self._honour_rate_limit_headers(response)
            if response.status_code not in RETRY_STATUSES:
                return response
            self._retry_or_raise(response, attempt, attempts)
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover

    def _retry_or_raise(self, response: requests.Response, attempt: int, attempts: int) -> None:
        """Wait before the next attempt for a 429/502/503/504, or raise if that is pointless."""
        client = self._client
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("Retry-After"), client.now())
        response.close()
        if retry_after is not None and retry_after > client.policy.max_retry_after:
            if status == 429:
                raise RateLimitedError(
                    self.name,
                    f"rate limited (HTTP 429); the provider asks to wait {retry_after:.0f} s, "
                    f"longer than the {client.policy.max_retry_after:g} s this tool waits",
                    hint=self._rate_limit_hint(),
                )
            raise HttpStatusError(
                self.name,
                status,
                f"HTTP {status} {response.reason or ''}".rstrip()
                + f"; the provider asks to retry in {retry_after:.0f} s",
                hint="The provider's service is unavailable; try again later or use --offline.",
            )
        if attempt >= attempts:
            if status == 429:
                raise RateLimitedError(
                    self.name,
                    f"still rate limited (HTTP 429) after {attempts} attempts",
                    hint=self._rate_limit_hint(),
                )
            raise HttpStatusError(
                self.name,
                status,
                f"HTTP {status} {response.reason or ''}".rstrip() + f" after {attempts} attempts",
                hint="The provider's service is having trouble; try again later or use --offline.",
            )
        delay = retry_after if retry_after is not None else self._backoff(attempt)
        if status == 429:
            # Everyone backs off, not only this thread: the limit is per API key.
            self._state.limiter.pause_until(client.clock() + delay)
        else:
            client.sleep(delay)

    def _honour_rate_limit_headers(self, response: requests.Response) -> None:
        client = self._client
        reset = parse_rate_limit_reset(response.headers, client.now())
        if reset is not None and 0 < reset <= client.policy.max_retry_after:
            self._state.limiter.pause_until(client.clock() + reset)
        used = parse_quota_used(response.headers)
        if used is not None and client.ledger is not None:
            client.ledger.observe_used(self.name, used)

    def _backoff(self, attempt: int) -> float:
        policy = self._client.policy
        return backoff_delay(attempt - 1, policy.backoff_base, policy.backoff_max, self._client.rng)

    def _rate_limit_hint(self) -> str:
        return (
            f"Lower providers.{self.name}.rate_limit, try again later, or use --offline to "
            "answer from the cache."
        )

    def _network_error(self, call: _Call, exc: Exception, attempts: int) -> NetworkError:
        import requests

        policy = self._client.policy
        tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
        timeout_hint = (
            "The provider may be slow or unreachable: try again, raise the timeouts in the "
            "config, or use --offline to answer from the cache."
        )
        if isinstance(exc, requests.ConnectTimeout):
            return ProviderTimeoutError(
                self.name,
                f"could not connect within {policy.connect_timeout:g} s ({tries})",
                hint=timeout_hint,
            )
        if isinstance(exc, requests.Timeout):
            return ProviderTimeoutError(
                self.name,
                f"no answer within {policy.read_timeout:g} s ({tries})",
                hint=timeout_hint,
            )
        host = urlsplit(call.url).netloc.rpartition("@")[2] or call.url
        return NetworkError(
            self.name,
            f"could not reach {host} ({_reason(exc)}; {tries})",
            hint=NETWORK_HINT,
        )

    # -- logging ------------------------------------------------------------------------------

    def _redacted_url(self, call: _Call) -> str:
        redactor = self._client.redactor
        return redactor.redact_text(redactor.redact_url(call.full_url()))

    def _log(
        self,
        call: _Call,
        status: object,
        started: float,
        source: str,
        attempt: int | None,
        exc: BaseException | None = None,
    ) -> None:
        """One DEBUG line per request: never a header value or a body, URLs redacted."""
        if not log.isEnabledFor(logging.DEBUG):
            return
        elapsed_ms = (self._client.clock() - started) * 1000
        where = source if attempt is None else f"{source}, attempt {attempt}"
        detail = ""
        if exc is not None:
            detail = " " + self._client.redactor.redact_text(str(exc))[:300]
        log.debug(
            "%s %s %s -> %s in %.0f ms (%s)%s",
            self.name,
            call.method,
            self._redacted_url(call),
            status,
            elapsed_ms,
            where,
            detail,
        )


@dataclass(frozen=True)
class _Call:
    method: str
    url: str
    params: Mapping[str, Any] | None
    json: Any
    data: Any
    headers: Mapping[str, str]

    def full_url(self) -> str:
        """The URL with the query parameters, as it goes on the wire."""
        if not self.params:
            return self.url
        from requests.models import PreparedRequest

        prepared = PreparedRequest()
        try:
            prepared.prepare_url(self.url, self.params)
        except Exception:
            return self.url
        return prepared.url or self.url


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and everything it wraps (urllib3 keeps the socket error in `.reason` / args)."""
    found: list[BaseException] = []
    stack = [exc]
    while stack:
        current = stack.pop()
        if any(current is seen for seen in found):
            continue
        found.append(current)
        linked = (getattr(current, "reason", None), current.__cause__, current.__context__)
        stack.extend(e for e in (*linked, *current.args) if isinstance(e, BaseException))
    return found


def _reason(exc: BaseException) -> str:
    """A short, secret-free reason for a connection failure (its text may hold the URL)."""
    import http.client
    import socket
    import ssl

    reasons: tuple[tuple[type[BaseException], str], ...] = (
        (ConnectionRefusedError, "connection refused"),
        (socket.gaierror, "host name not found"),
        (ssl.SSLError, "TLS error"),
        (ConnectionResetError, "connection reset"),
        (http.client.RemoteDisconnected, "connection closed by the server"),
    )
    causes = _causes(exc)
    for kind, text in reasons:
        if any(isinstance(cause, kind) for cause in causes):
            return text
    return type(exc).__name__
