"""Per-provider token bucket shared by all worker threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: Fraction of the published limit we actually use.
SAFETY_FACTOR = 0.95
#: Refill arithmetic in floating point can leave 0.99999999 of a token; that counts as one
#: (otherwise a fake clock at t=1000 could never advance by the remaining 1e-14 s).
_EPSILON = 1e-9


class TokenBucket:
    """Blocks callers so that one provider sees no more requests than it allows.

    Tokens refill at `rate_limit_per_minute * 0.95` per minute into a bucket of capacity 1 (the
    bucket starts full). Why that stays under the published limit L: in any window of 60 s at
    most `capacity + 0.95 * L` tokens can be taken, i.e. `1 + floor(0.95 * L)` requests, and
    `1 + floor(0.95 * L) <= L` for every L >= 1 (a capacity c keeps it true while c < 0.05 * L + 1).
    The 5 % margin also absorbs clock skew between us and the provider's window.

    `pause_until` stops every caller until a monotonic time (429 Retry-After, X-RateLimit-Reset).
    `clock` and `sleep` are injectable so tests run on a fake clock.
    """

    def __init__(
        self,
        rate_limit_per_minute: float,
        *,
        capacity: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate_limit_per_minute <= 0:
            raise ValueError("rate_limit_per_minute must be positive")
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.rate_per_second = rate_limit_per_minute * SAFETY_FACTOR / 60.0
        self.capacity = capacity
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = capacity
        self._updated = clock()
        self._paused_until = float("-inf")

    def acquire(self) -> float:
        """Take one token, sleeping as long as needed. Returns the seconds spent waiting."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                self._refill(now)
                if now < self._paused_until:
                    wait = self._paused_until - now
                elif self._tokens >= 1.0 - _EPSILON:
                    self._tokens = max(0.0, self._tokens - 1.0)
                    return waited
                else:
                    wait = (1.0 - self._tokens) / self.rate_per_second
            self._sleep(wait)
            waited += wait

    def pause_until(self, monotonic_time: float) -> None:
        """Make every caller wait until `monotonic_time`; an earlier pause never shortens one."""
        with self._lock:
            if monotonic_time > self._paused_until:
                self._refill(self._clock())
                self._paused_until = monotonic_time
                # The provider just said "stop": no burst of saved-up tokens when it ends
                # (one request may go at once, as Retry-After means).
                self._tokens = min(self._tokens, 1.0)

    @property
    def paused_until(self) -> float:
        return self._paused_until

    def _refill(self, now: float) -> None:
        if now > self._updated:
            # Tokens saved up across a pause are capped at one, whatever the capacity.
            ceiling = 1.0 if self._updated < self._paused_until else self.capacity
            elapsed = now - self._updated
            self._tokens = min(ceiling, self._tokens + elapsed * self.rate_per_second)
            self._updated = now
