"""Settings that shape every HTTP call: timeouts, retries, cache mode, per-provider limits."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from opencircuit_cli import __version__
from opencircuit_cli.errors import ConfigError

DEFAULT_USER_AGENT = f"opencircuit/{__version__}"


@dataclass(frozen=True)
class HttpPolicy:
    """Timeouts (seconds), retry budget and circuit-breaker threshold shared by all providers."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_retries: int = 4  # retries after the first attempt: up to max_retries + 1 sends
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    max_retry_after: float = 120.0  # a longer Retry-After fails at once instead of hanging the run
    breaker_threshold: int = 5
    user_agent: str = DEFAULT_USER_AGENT

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "read_timeout"):
            if getattr(self, name) <= 0:
                raise ConfigError(
                    f"{name} must be a positive number of seconds", key=f"http.{name}"
                )
        if self.max_retries < 0:
            raise ConfigError("max_retries must be 0 or more", key="http.max_retries")
        if self.breaker_threshold < 1:
            raise ConfigError("breaker_threshold must be 1 or more", key="http.breaker_threshold")

    @property
    def timeout(self) -> tuple[float, float]:
        """The `(connect, read)` pair `requests` expects."""
        return (self.connect_timeout, self.read_timeout)


class CacheMode(Enum):
    NORMAL = "normal"  # cache first, network on a miss
    OFFLINE = "offline"  # cache only; a miss is an error (--offline)
    REFRESH = "refresh"  # always fetch, overwrite the cached copy (--refresh)
    DISABLED = "disabled"  # no cache at all


@dataclass(frozen=True)
class ProviderLimits:
    """Published limits of one provider. `daily_quota` None or 0 means unlimited."""

    name: str
    rate_limit_per_minute: float
    daily_quota: int | None
    cache_ttl: int

    def __post_init__(self) -> None:
        if self.rate_limit_per_minute <= 0:
            raise ConfigError(
                "rate_limit must be a positive number of requests per minute",
                key=f"providers.{self.name}.rate_limit",
            )
        if self.daily_quota is not None and self.daily_quota < 0:
            raise ConfigError(
                "daily_quota must be 0 (unlimited) or more",
                key=f"providers.{self.name}.daily_quota",
            )
        if self.cache_ttl < 0:
            raise ConfigError(
                "cache_ttl must be 0 or more seconds", key=f"providers.{self.name}.cache_ttl"
            )

    @property
    def quota(self) -> int | None:
        """The daily quota, or None when unlimited."""
        return self.daily_quota or None
