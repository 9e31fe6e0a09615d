"""Daily call ledger per provider and the history of runs, in one small SQLite file.

Lives next to the cache (`ledger.sqlite`) and is shared by every process of the user: CI jobs
and shell loops run the tool in parallel, and all of them spend the same daily quota. Writes use
`BEGIN IMMEDIATE` (take the write lock up front, so read-then-increment cannot interleave) and a
busy timeout, so concurrent processes queue instead of failing with "database is locked".
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from .paths import ensure_private_file
from .policy import ProviderLimits
from .sqlite_util import enable_wal, retry_locked

if TYPE_CHECKING:
    import sqlite3

WARN_FRACTION = 0.8
KEEP_RUNS = 1000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    provider TEXT NOT NULL,
    day TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (provider, day)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    finished_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS run_counts (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    hits INTEGER NOT NULL,
    misses INTEGER NOT NULL,
    PRIMARY KEY (run_id, provider)
);
"""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class QuotaLevel(Enum):
    OK = "ok"
    WARN = "warn"  # at or above 80 % of the daily quota
    REFUSE = "refuse"  # quota spent: no more calls today


@dataclass(frozen=True)
class QuotaState:
    provider: str
    used: int
    limit: int | None  # None: unlimited
    level: QuotaLevel
    resets_at: datetime  # next UTC midnight

    @property
    def fraction(self) -> float | None:
        return self.used / self.limit if self.limit else None


@dataclass(frozen=True)
class Reservation:
    """Result of `reserve_call`: whether the call may go out, and the quota after it."""

    granted: bool
    state: QuotaState


@dataclass(frozen=True)
class RunRecord:
    run_id: int
    finished_at: datetime
    hits: Mapping[str, int]
    misses: Mapping[str, int]

    @property
    def total_hits(self) -> int:
        return sum(self.hits.values())

    @property
    def total_misses(self) -> int:
        return sum(self.misses.values())

    @property
    def hit_rate(self) -> float | None:
        total = self.total_hits + self.total_misses
        return self.total_hits / total if total else None


@dataclass(frozen=True)
class RunTotals:
    runs: int
    hits: int
    misses: int

    @property
    def hit_rate(self) -> float | None:
        total = self.hits + self.misses
        return self.hits / total if total else None


def classify(provider: str, used: int, limit: int | None, resets_at: datetime) -> QuotaState:
    """The quota level for `used` calls out of `limit` (None or 0: unlimited)."""
    limit = limit or None
    if limit is None:
        level = QuotaLevel.OK
    elif used >= limit:
        level = QuotaLevel.REFUSE
    elif used >= WARN_FRACTION * limit:
        level = QuotaLevel.WARN
    else:
        level = QuotaLevel.OK
    return QuotaState(provider, used, limit, level, resets_at)


class QuotaLedger:
    """Calls per provider per UTC day, and per-run cache hit/miss counts. Thread- and process-safe.

    `now` is injectable (tests cross midnight without waiting for it).
    """

    def __init__(
        self, path: Path, *, now: Callable[[], datetime] = _utcnow, timeout: float = 30.0
    ) -> None:
        self.path = Path(path)
        self._now = now
        self._timeout = timeout
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    # -- connection -------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            import sqlite3

            ensure_private_file(self.path)
            enable_wal(self.path, timeout=self._timeout)
            connection = sqlite3.connect(
                self.path, timeout=self._timeout, isolation_level=None, check_same_thread=False
            )
            try:
                connection.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
                connection.execute("PRAGMA foreign_keys = ON")
                retry_locked(lambda: connection.execute("BEGIN IMMEDIATE"), timeout=self._timeout)
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        connection.execute(statement)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                connection.close()
                raise
            self._connection = connection
        return self._connection

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            connection = self._connect()
            retry_locked(lambda: connection.execute("BEGIN IMMEDIATE"), timeout=self._timeout)
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._connect()

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __enter__(self) -> QuotaLedger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- daily calls ------------------------------------------------------------------------

    def _today(self) -> tuple[str, datetime]:
        now = self._now().astimezone(UTC)
        midnight = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
        return now.date().isoformat(), midnight

    @staticmethod
    def _used(connection: sqlite3.Connection, provider: str, day: str) -> int:
        row = connection.execute(
            "SELECT count FROM calls WHERE provider = ? AND day = ?", (provider, day)
        ).fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def _increment(connection: sqlite3.Connection, provider: str, day: str) -> None:
        connection.execute(
            "INSERT INTO calls (provider, day, count) VALUES (?, ?, 1) "
            "ON CONFLICT (provider, day) DO UPDATE SET count = count + 1",
            (provider, day),
        )

    def record_call(self, provider: str) -> int:
        """Count one call to `provider` today; returns today's count including it."""
        day, _ = self._today()
        with self._write() as connection:
            self._increment(connection, provider, day)
            return self._used(connection, provider, day)

    def observe_used(self, provider: str, used: int) -> int:
        """The provider itself says `used` calls are spent today (X-RateLimit headers): never
        count fewer than that, so runs from other machines on the same key are seen too."""
        day, _ = self._today()
        with self._write() as connection:
            connection.execute(
                "INSERT INTO calls (provider, day, count) VALUES (?, ?, ?) "
                "ON CONFLICT (provider, day) DO UPDATE SET count = MAX(count, excluded.count)",
                (provider, day, max(0, int(used))),
            )
            return self._used(connection, provider, day)

    def reserve_call(self, limits: ProviderLimits) -> Reservation:
        """Atomically: refuse if today's quota is spent, else count the call.

        Check and count in one write transaction, so parallel threads and processes cannot
        overshoot the quota together. A granted reservation's state includes this call.
        """
        day, resets_at = self._today()
        with self._write() as connection:
            used = self._used(connection, limits.name, day)
            state = classify(limits.name, used, limits.quota, resets_at)
            if state.level is QuotaLevel.REFUSE:
                return Reservation(False, state)
            self._increment(connection, limits.name, day)
        return Reservation(True, classify(limits.name, used + 1, limits.quota, resets_at))

    def used_today(self, provider: str) -> int:
        day, _ = self._today()
        with self._read() as connection:
            return self._used(connection, provider, day)

    def usage_today(self) -> dict[str, int]:
        """Calls today for every provider that made any."""
        day, _ = self._today()
        with self._read() as connection:
            rows = connection.execute(
                "SELECT provider, count FROM calls WHERE day = ? ORDER BY provider", (day,)
            ).fetchall()
        return {str(provider): int(count) for provider, count in rows}

    def check(self, limits: ProviderLimits) -> QuotaState:
        day, resets_at = self._today()
        with self._read() as connection:
            used = self._used(connection, limits.name, day)
        return classify(limits.name, used, limits.quota, resets_at)

    # -- run history ------------------------------------------------------------------------

    def record_run(self, hits: Mapping[str, int], misses: Mapping[str, int]) -> int:
        """Store this run's cache hits and misses per provider; returns the run id."""
        finished_at = self._now().astimezone(UTC).isoformat()
        with self._write() as connection:
            cursor = connection.execute("INSERT INTO runs (finished_at) VALUES (?)", (finished_at,))
            run_id = int(cursor.lastrowid or 0)
            for provider in sorted(set(hits) | set(misses)):
                connection.execute(
                    "INSERT INTO run_counts (run_id, provider, hits, misses) VALUES (?, ?, ?, ?)",
                    (run_id, provider, int(hits.get(provider, 0)), int(misses.get(provider, 0))),
                )
            connection.execute(
                "DELETE FROM runs WHERE id <= (SELECT MAX(id) FROM runs) - ?", (KEEP_RUNS,)
            )
        return run_id

    def run_history(self, limit: int = 10) -> list[RunRecord]:
        """The most recent runs, newest first."""
        with self._read() as connection:
            runs = connection.execute(
                "SELECT id, finished_at FROM runs ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
            records = []
            for run_id, finished_at in runs:
                rows = connection.execute(
                    "SELECT provider, hits, misses FROM run_counts WHERE run_id = ?", (run_id,)
                ).fetchall()
                records.append(
                    RunRecord(
                        run_id=int(run_id),
                        finished_at=datetime.fromisoformat(finished_at),
                        hits={str(p): int(h) for p, h, _ in rows},
                        misses={str(p): int(m) for p, _, m in rows},
                    )
                )
        return records

    def run_totals(self) -> RunTotals:
        """Hits and misses summed over every stored run."""
        with self._read() as connection:
            runs = connection.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
            hits, misses = connection.execute(
                "SELECT COALESCE(SUM(hits), 0), COALESCE(SUM(misses), 0) FROM run_counts"
            ).fetchone()
        return RunTotals(runs=int(runs), hits=int(hits), misses=int(misses))
