"""In-memory counters for this run, per provider (shown by `cache stats`, saved to the ledger)."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class ProviderCounts:
    hits: int = 0  # requests answered from the cache
    misses: int = 0  # requests the cache could not answer
    network_calls: int = 0  # HTTP sends, retries included
    errors: int = 0  # requests that ended in a raised provider error

    @property
    def hit_rate(self) -> float | None:
        total = self.hits + self.misses
        return self.hits / total if total else None


class RunStats:
    """Thread-safe counters; `snapshot()` returns an immutable copy."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, dict[str, int]] = {}

    def _bump(self, provider: str, field: str) -> None:
        with self._lock:
            counts = self._counts.setdefault(
                provider, {"hits": 0, "misses": 0, "network_calls": 0, "errors": 0}
            )
            counts[field] += 1

    def record_hit(self, provider: str) -> None:
        self._bump(provider, "hits")

    def record_miss(self, provider: str) -> None:
        self._bump(provider, "misses")

    def record_network_call(self, provider: str) -> None:
        self._bump(provider, "network_calls")

    def record_error(self, provider: str) -> None:
        self._bump(provider, "errors")

    def snapshot(self) -> dict[str, ProviderCounts]:
        with self._lock:
            return {name: ProviderCounts(**counts) for name, counts in self._counts.items()}

    def hits(self) -> dict[str, int]:
        return {name: c.hits for name, c in self.snapshot().items()}

    def misses(self) -> dict[str, int]:
        return {name: c.misses for name, c in self.snapshot().items()}
