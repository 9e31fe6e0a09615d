"""The one HTTP session of a process: requests-cache over SQLite (or Redis), shared by threads.

What is cached and how the cache key is made:

* GET and POST (DigiKey keyword search, Mouser and Nexar GraphQL are POSTs, keyed by body);
  only HTTP 200 is stored, so errors are never replayed.
* The locale/currency headers are part of the key (`MATCH_HEADERS`): the same part priced in
  EUR and in USD are two entries.
* Credentials are not part of the key and are never stored. requests-cache handles this by
  *name* (`ignored_parameters`), but only at the top level of query, headers and JSON body, and
  not in redirect history. Two further defences cover the rest:
  `make_key_fn` removes registered secret *values* before the key is hashed (rotating a key
  keeps the cache), and `scrubbing_serializer` scrubs every stored request/response (history,
  redirect target, nested JSON, body, cookies) right before it is serialized.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import requests
from requests.adapters import HTTPAdapter
from requests.cookies import RequestsCookieJar, create_cookie
from requests.structures import CaseInsensitiveDict
from requests_cache import CachedSession, SQLiteCache
from requests_cache.cache_keys import create_key
from requests_cache.models import CachedRequest, CachedResponse
from requests_cache.serializers import SerializerPipeline, Stage
from requests_cache.serializers.preconf import json_serializer, pickle_serializer

from opencircuit_cli.errors import ConfigError

from .paths import CACHE_FILE_NAME, default_cache_path, ensure_private_file
from .policy import CacheMode
from .redact import MASK, Redactor
from .sqlite_util import enable_wal, retry_locked

#: Request headers that change the answer (language, site, currency, customer-specific prices).
MATCH_HEADERS: tuple[str, ...] = (
    "Accept-Language",
    "X-DIGIKEY-Locale-Site",
    "X-DIGIKEY-Locale-Language",
    "X-DIGIKEY-Locale-Currency",
    "X-DIGIKEY-Customer-Id",
)
CACHED_METHODS: tuple[str, ...] = ("GET", "POST")
CACHED_STATUSES: tuple[int, ...] = (200,)
SQLITE_BUSY_TIMEOUT_MS = 30_000
REDIS_NAMESPACE = "opencircuit"
POOL_SIZE = 32  # connections kept per host; worker threads beyond this would queue

# -- cache key ---------------------------------------------------------------------------------


def _decode(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _without_secret_values(request: Any, redactor: Redactor) -> Any:
    """A copy of a prepared request with the registered secret values masked everywhere."""
    copy = request.copy()
    copy.url = redactor.redact_values(copy.url or "")
    copy.headers = CaseInsensitiveDict(
        {k: redactor.redact_values(_decode(v)) for k, v in (copy.headers or {}).items()}
    )
    body = copy.body
    if isinstance(body, bytes):
        copy.body = redactor.redact_bytes(body)
    elif isinstance(body, str):
        copy.body = redactor.redact_values(body)
    return copy


def make_key_fn(redactor: Redactor) -> Callable[..., str]:
    """requests-cache `key_fn`: the standard key, computed on a request without secret values.

    Only *registered values* are removed here, not names at any depth: masking a nested field
    called `key` or `code` would make different requests share one cache entry.
    """

    def key_fn(request: Any, **kwargs: Any) -> str:
        if redactor.has_secrets and not isinstance(request, requests.Request):
            request = _without_secret_values(request, redactor)
        return create_key(request, **kwargs)

    return key_fn


# -- scrubbing what is stored ---------------------------------------------------------------------


def _scrub_headers(headers: Mapping[str, Any] | None, redactor: Redactor) -> CaseInsensitiveDict:
    scrubbed: dict[str, str] = {}
    for name, raw in (headers or {}).items():
        value = _decode(raw)
        if redactor.is_secret_name(name):
            value = MASK
        elif name.lower() == "vary":
            # A response that varies on a credential header would never match again (the
            # credential is not stored); the cache is deliberately shared across credentials.
            kept = [v.strip() for v in value.split(",") if not redactor.is_secret_name(v.strip())]
            if not kept:
                continue
            value = ", ".join(kept)
        else:
            value = redactor.redact_text(value)
        scrubbed[name] = value
    return CaseInsensitiveDict(scrubbed)


def _scrub_cookies(jar: Any, redactor: Redactor) -> RequestsCookieJar:
    scrubbed = RequestsCookieJar()
    for cookie in jar or []:
        value = MASK if redactor.is_secret_name(cookie.name) else redactor.redact_text(cookie.value)
        scrubbed.set_cookie(
            create_cookie(cookie.name, value or "", domain=cookie.domain, path=cookie.path)
        )
    return scrubbed


def _scrub_url(url: str | None, redactor: Redactor) -> str | None:
    return redactor.redact_text(redactor.redact_url(url)) if url else url


def _scrub_request(request: CachedRequest | None, redactor: Redactor) -> CachedRequest | None:
    if request is None:
        return None
    return attrs.evolve(
        request,
        url=_scrub_url(request.url, redactor),
        headers=_scrub_headers(request.headers, redactor),
        body=redactor.redact_body(request.body or b""),
        cookies=_scrub_cookies(request.cookies, redactor),
    )


def scrub_cached_response(response: CachedResponse, redactor: Redactor) -> CachedResponse:
    """A copy of `response` with every known secret masked, redirect history included."""
    return attrs.evolve(
        response,
        url=_scrub_url(response.url, redactor),
        headers=_scrub_headers(response.headers, redactor),
        request=_scrub_request(response.request, redactor),
        next=_scrub_request(response._next, redactor),
        history=[scrub_cached_response(r, redactor) for r in response.history or []],
        cookies=_scrub_cookies(response.cookies, redactor),
        content=redactor.redact_bytes(response._content or b""),
    )


def scrubbing_serializer(redactor: Redactor, base: str = "pickle") -> SerializerPipeline:
    """`base` serializer (pickle for SQLite, JSON for a shared Redis) with a scrub stage first."""
    pipeline = {"pickle": pickle_serializer, "json": json_serializer}[base].copy()

    def scrub(value: Any) -> Any:
        if isinstance(value, CachedResponse):
            return scrub_cached_response(value, redactor)
        return value

    return SerializerPipeline(
        [Stage(dumps=scrub, loads=lambda value: value), *pipeline.stages],
        name=f"opencircuit-{base}",
        is_binary=pipeline.is_binary,
    )


# -- backends --------------------------------------------------------------------------------------


def resolve_cache_path(cache_path: Path | None) -> Path:
    """`cache.path` from the config, the default location, or a directory to put the file in."""
    path = Path(cache_path).expanduser() if cache_path else default_cache_path()
    return path / CACHE_FILE_NAME if path.is_dir() else path


def open_sqlite_cache(path: Path, redactor: Redactor) -> SQLiteCache:
    """The SQLite backend, set up for several processes writing the same file at once.

    WAL lets readers and one writer work at the same time; the busy timeout makes a second
    writer wait for the lock instead of failing with "database is locked".
    """
    timeout = SQLITE_BUSY_TIMEOUT_MS / 1000
    try:
        ensure_private_file(path)
        enable_wal(path, timeout=timeout)
        return retry_locked(
            lambda: SQLiteCache(
                db_path=path,
                serializer=scrubbing_serializer(redactor, "pickle"),
                wal=True,
                busy_timeout=SQLITE_BUSY_TIMEOUT_MS,
                timeout=timeout,
            ),
            timeout=timeout,
        )
    except (OSError, sqlite3.Error) as exc:
        raise ConfigError(
            f"cannot open the HTTP cache {path} ({type(exc).__name__}: {exc})",
            key="cache.path",
            hint="Point cache.path at a writable file, or run with the cache disabled.",
        ) from exc


def _redis_cache(redis_url: str, redactor: Redactor) -> Any:
    try:
        import redis
    except ImportError:
        raise ConfigError(
            'cache.backend is "redis" but the redis package is not installed',
            key="cache.backend",
            hint="pip install 'opencircuit-cli[redis]' or set cache.backend = \"sqlite\"",
        ) from None
    if not redis_url:
        raise ConfigError(
            'cache.backend is "redis" but cache.url is empty',
            key="cache.url",
            hint='set cache.url = "redis://host:6379/0" or cache.backend = "sqlite"',
        )
    from requests_cache.backends.redis import RedisCache

    try:
        connection = redis.Redis.from_url(redis_url)
    except ValueError as exc:
        raise ConfigError(
            f"cache.url is not a Redis URL ({exc})",
            key="cache.url",
            hint='use the form "redis://host:6379/0"',
        ) from None
    return RedisCache(
        namespace=REDIS_NAMESPACE,
        connection=connection,
        serializer=scrubbing_serializer(redactor, "json"),
    )


class _WireAdapter(HTTPAdapter):
    """Keeps requests-cache's private directives off the wire.

    requests-cache passes per-request options (`expire_after`, `force_refresh`,
    `only_if_cached`) as a `Cache-Control` request header and sends that header to the server
    too. They are instructions to our cache, not to the provider (a `no-cache` can defeat the
    provider's CDN), and the cache decision has been taken by the time a request gets here.
    """

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        request.headers.pop("Cache-Control", None)
        return super().send(request, *args, **kwargs)


def _mount_adapters(session: requests.Session, *, cached: bool) -> None:
    # Retries are ours (client.py); urllib3 must not retry behind our back.
    adapter_class = _WireAdapter if cached else HTTPAdapter
    adapter = adapter_class(pool_connections=8, pool_maxsize=POOL_SIZE, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)


def build_session(
    cache_path: Path | None,
    mode: CacheMode,
    *,
    backend: str = "sqlite",
    redis_url: str = "",
    default_ttl: int = 86400,
    redactor: Redactor,
) -> requests.Session:
    """A plain `requests.Session` for `CacheMode.DISABLED`, else one `CachedSession`."""
    if mode is CacheMode.DISABLED:
        session = requests.Session()
        _mount_adapters(session, cached=False)
        return session
    if backend == "sqlite":
        cache: Any = open_sqlite_cache(resolve_cache_path(cache_path), redactor)
    elif backend == "redis":
        cache = _redis_cache(redis_url, redactor)
    else:
        raise ConfigError(
            f"unknown cache backend {backend!r}",
            key="cache.backend",
            hint='use "sqlite" (default) or "redis"',
        )
    session = CachedSession(
        backend=cache,
        expire_after=default_ttl,
        allowable_methods=CACHED_METHODS,
        allowable_codes=CACHED_STATUSES,
        match_headers=list(MATCH_HEADERS),
        ignored_parameters=sorted(redactor.secret_names),
        key_fn=make_key_fn(redactor),
        stale_if_error=False,
    )
    _mount_adapters(session, cached=True)
    return session
