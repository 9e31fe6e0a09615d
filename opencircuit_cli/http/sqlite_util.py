"""SQLite set-up shared by the cache and the quota ledger: several processes, one file."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def retry_locked(action: Callable[[], T], *, timeout: float = 30.0) -> T:
    """Run `action`, retrying while SQLite reports the database locked, up to `timeout` s.

    Needed on top of the busy timeout: when two connections try to upgrade their locks at the
    same moment (e.g. both switching a new file to WAL), SQLite reports SQLITE_BUSY to one of
    them at once instead of calling its busy handler, to avoid a deadlock.
    """
    import sqlite3

    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if not is_lock_error(exc) or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def enable_wal(path: Path, *, timeout: float = 30.0) -> None:
    """Switch the database file to WAL (persistent in the file), waiting out other processes.

    WAL lets readers and a writer work at once. A file system without WAL support keeps its
    old journal mode; that is not an error (writers then just wait for each other).
    """
    import sqlite3

    def switch() -> None:
        connection = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            connection.execute("PRAGMA journal_mode = WAL").fetchone()
        finally:
            connection.close()

    retry_locked(switch, timeout=timeout)
