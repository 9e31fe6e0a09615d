"""Per-provider circuit breaker: a provider that keeps failing is switched off for the run."""

from __future__ import annotations

import threading


class CircuitBreaker:
    """Opens after `threshold` consecutive failures and stays open for the rest of the run.

    There is no half-open state: a BOM run is minutes long, and probing a provider that just
    failed N times in a row would only slow the other providers' results down.
    """

    def __init__(self, threshold: int) -> None:
        if threshold < 1:
            raise ValueError("threshold must be at least 1")
        self.threshold = threshold
        self._lock = threading.Lock()
        self._consecutive = 0
        self._open = False

    @property
    def is_open(self) -> bool:
        return self._open

    @property
    def consecutive_failures(self) -> int:
        return self._consecutive

    def record_success(self) -> None:
        with self._lock:
            if not self._open:
                self._consecutive = 0

    def record_failure(self) -> bool:
        """Count one failure; returns True if this failure opened the breaker."""
        with self._lock:
            self._consecutive += 1
            if not self._open and self._consecutive >= self.threshold:
                self._open = True
                return True
            return False
