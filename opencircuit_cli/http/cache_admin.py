"""`cache stats` and `cache clear [PROVIDER]` on the SQLite cache file, without the network.

Entries are attributed to a provider by URL prefix (the provider's configured base URL), since
the cache key is a hash and says nothing about who answered.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from opencircuit_cli.errors import UsageError


@dataclass(frozen=True)
class CacheStats:
    path: Path
    exists: bool
    entries: int
    per_provider: Mapping[str, int]  # every configured provider, 0 included
    other: int  # entries no configured provider claims (or unreadable ones)
    expired: int
    size_bytes: int  # database file plus its -wal file


def _normalise(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}".rstrip("/")


class CacheAdmin:
    """Counts and deletes cache entries per provider. `providers` maps name -> base URL."""

    def __init__(self, cache_path: Path | None, providers: Mapping[str, str]) -> None:
        from .session import resolve_cache_path

        self.path = resolve_cache_path(cache_path)
        # Longest base first, so a more specific base URL wins over a shorter one.
        self._bases = sorted(
            ((name, _normalise(base)) for name, base in providers.items() if base),
            key=lambda item: len(item[1]),
            reverse=True,
        )
        self._names = tuple(providers)

    def size_bytes(self) -> int:
        total = 0
        for candidate in (self.path, self.path.with_name(self.path.name + "-wal")):
            with suppress(FileNotFoundError):
                total += candidate.stat().st_size
        return total

    def provider_of(self, url: str | None) -> str | None:
        if not url:
            return None
        target = _normalise(url)
        for name, base in self._bases:
            if target == base or target.startswith(base + "/"):
                return name
        return None

    def stats(self) -> CacheStats:
        size = self.size_bytes()
        per_provider = dict.fromkeys(self._names, 0)
        if not self.path.exists():
            return CacheStats(self.path, False, 0, per_provider, 0, 0, 0)
        entries = other = expired = 0
        with self._open() as cache:
            for _key, response in self._responses(cache):
                entries += 1
                name = self._owner(response)
                if name is None:
                    other += 1
                else:
                    per_provider[name] += 1
                if response is not None and response.is_expired:
                    expired += 1
        return CacheStats(self.path, True, entries, per_provider, other, expired, size)

    def clear(self, provider: str | None = None) -> int:
        """Delete every entry, or only `provider`'s; returns the number deleted."""
        if provider is not None and provider not in self._names:
            known = ", ".join(self._names) or "none configured"
            raise UsageError(
                f"unknown provider {provider!r} for cache clear",
                hint=f"Known providers: {known}. Omit the name to clear the whole cache.",
            )
        if not self.path.exists():
            return 0
        with self._open() as cache:
            if provider is None:
                count = int(cache.responses.count())
                cache.clear()
                return count
            keys = [
                key for key, response in self._responses(cache) if self._owner(response) == provider
            ]
            if keys:
                cache.delete(*keys, vacuum=True)
                if len(keys) == 1:
                    cache.responses.vacuum()
            return len(keys)

    # -- internals ------------------------------------------------------------------------------

    @contextmanager
    def _open(self) -> Iterator[Any]:
        from .redact import Redactor
        from .session import open_sqlite_cache

        # Reading only needs the serializer's load side; the redactor is for writes.
        cache = open_sqlite_cache(self.path, Redactor())
        try:
            yield cache
        finally:
            cache.close()

    @staticmethod
    def _responses(cache: Any) -> Iterator[tuple[str, Any]]:
        for key in list(cache.responses.keys()):
            try:
                response = cache.responses[key]
            except KeyError:
                continue  # deleted meanwhile by another process
            yield key, response

    def _owner(self, response: Any) -> str | None:
        if response is None:
            return None
        request = getattr(response, "request", None)
        return self.provider_of(response.url) or self.provider_of(getattr(request, "url", None))
