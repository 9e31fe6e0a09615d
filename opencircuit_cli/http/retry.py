"""Pure retry arithmetic: backoff with jitter and the server's own "come back later" headers."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

#: Statuses worth another try: rate limited, or a gateway/backend that is briefly unavailable.
#: 500 is not here: Nexar reports GraphQL errors with 500 and retrying will not change them.
RETRY_STATUSES: frozenset[int] = frozenset({429, 502, 503, 504})

#: X-RateLimit-Reset values above this are Unix timestamps, below it delta-seconds.
_EPOCH_THRESHOLD = 1_000_000_000


def backoff_delay(attempt: int, base: float, cap: float, rng: Callable[[], float]) -> float:
    """Seconds to wait before retry number `attempt` (0 for the first retry).

    Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**attempt)). Full
    jitter spreads the retries of many threads (or many CI jobs) that failed at the same moment.
    """
    if attempt < 0:
        raise ValueError("attempt must be 0 or more")
    ceiling = cap if attempt >= 64 else min(cap, base * (2**attempt))
    return max(0.0, ceiling * rng())


def parse_retry_after(header_value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a `Retry-After` value: delta-seconds or an HTTP-date.

    Returns None when the header is absent or unusable; a date in the past gives 0.
    """
    if header_value is None:
        return None
    value = header_value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if math.isfinite(seconds) and seconds >= 0:
            return seconds
        return None
    return _seconds_until_http_date(value, now)


def parse_quota_used(headers: Mapping[str, str]) -> int | None:
    """Calls spent in the provider's quota window: `X-RateLimit-Limit` minus `-Remaining`
    (DigiKey's daily allowance). None when either is missing or not a number."""
    try:
        limit = int(float(headers["X-RateLimit-Limit"]))
        remaining = int(float(headers["X-RateLimit-Remaining"]))
    except (KeyError, ValueError):
        return None
    return max(0, limit - remaining) if limit > 0 else None


def parse_rate_limit_reset(headers: Mapping[str, str], now: datetime) -> float | None:
    """Seconds until the window resets when `X-RateLimit-Remaining` says nothing is left.

    `X-RateLimit-Reset` comes as delta-seconds, a Unix timestamp or an HTTP-date depending on the
    provider; all three are accepted. Returns None while requests remain or the headers are absent.
    """
    remaining = headers.get("X-RateLimit-Remaining")
    reset = headers.get("X-RateLimit-Reset")
    if remaining is None or reset is None:
        return None
    try:
        if float(remaining) > 0:
            return None
    except ValueError:
        return None
    try:
        value = float(reset)
    except ValueError:
        return _seconds_until_http_date(reset.strip(), now)
    if not math.isfinite(value) or value < 0:
        return None
    if value > _EPOCH_THRESHOLD:
        return max(0.0, value - _as_utc(now).timestamp())
    return value


def _seconds_until_http_date(value: str, now: datetime) -> float | None:
    from email.utils import parsedate_to_datetime  # imports socket: only when a date shows up

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, (_as_utc(when) - _as_utc(now)).total_seconds())


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
