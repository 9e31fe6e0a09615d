"""What batched providers share: each part number fetched once per run, even across threads,
and worker threads that never hold up Ctrl-C."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")
R = TypeVar("R")


class InFlight(Generic[K, V]):
    """A per-provider-instance memo of answers, finished or still being fetched.

    `claim` hands every key a Future: keys nobody asked for yet are returned as "yours to
    fetch"; keys another thread is fetching wait on that thread's Future. A failure is not
    remembered (`fail`): waiting threads get the error, a later call tries again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: dict[K, Future[V]] = {}

    def claim(self, keys: Iterable[K]) -> tuple[dict[K, Future[V]], list[K]]:
        futures: dict[K, Future[V]] = {}
        mine: list[K] = []
        with self._lock:
            for key in keys:
                future = self._futures.get(key)
                if future is None:
                    future = self._futures[key] = Future()
                    mine.append(key)
                futures[key] = future
        return futures, mine

    def fail(self, keys: Iterable[K], error: BaseException) -> None:
        with self._lock:
            for key in keys:
                future = self._futures.get(key)
                if future is not None and not future.done():
                    del self._futures[key]
                    future.set_exception(error)


def map_in_daemon_threads(
    function: Callable[[T], R], items: Sequence[T], workers: int
) -> list[R | BaseException]:
    """`function` over `items` in up to `workers` daemon threads, results in order (an exception
    is returned in its item's place). Daemon threads, unlike a ThreadPoolExecutor's, do not make
    the interpreter wait at exit, so Ctrl-C is not held up by a request stuck in a long read."""
    results: list[R | BaseException | None] = [None] * len(items)
    cursor = iter(range(len(items)))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                return
            try:
                results[index] = function(items[index])
            except BaseException as exc:
                results[index] = exc

    threads = [
        threading.Thread(target=work, daemon=True) for _ in range(max(1, min(workers, len(items))))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results  # type: ignore[return-value]
