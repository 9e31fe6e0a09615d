"""Ask several providers at once: a thread per provider, one provider's failure never loses the
others' results. Each provider's requests still go through its own rate limiter (HTTP layer)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TypeVar

from opencircuit_cli.dedupe import dedupe_offers
from opencircuit_cli.errors import OpenCircuitError
from opencircuit_cli.models import Part, PartQuery
from opencircuit_cli.providers.base import Provider, SearchOptions
from opencircuit_cli.settings import DefaultsSettings

log = logging.getLogger("opencircuit.sourcing")
T = TypeVar("T")

#: `[defaults] source_priority` as shipped; callers pass the configured one.
DEFAULT_SOURCE_PRIORITY: tuple[str, ...] = tuple(DefaultsSettings().source_priority)


@dataclass(frozen=True)
class ProviderFailure:
    provider: str
    kind: str
    message: str
    hint: str | None
    error: OpenCircuitError | None  # None: an unexpected exception (a bug), logged with --verbose


@dataclass(frozen=True)
class LookupOutcome:
    results: dict[PartQuery, list[Part]]  # every query present; parts in provider order
    errors: tuple[ProviderFailure, ...]
    answered: tuple[str, ...]  # providers that answered (possibly with no hits)


@dataclass(frozen=True)
class SearchOutcome:
    parts: list[Part]
    errors: tuple[ProviderFailure, ...]
    answered: tuple[str, ...]


def _fan_out(
    providers: Sequence[Provider], call: Callable[[Provider], T]
) -> tuple[list[tuple[str, T]], list[ProviderFailure]]:
    """One daemon thread per provider. Daemon threads, not a ThreadPoolExecutor: on Ctrl-C the
    main thread must be able to leave at once, not wait for a provider stuck in a 30 s read."""
    futures: list[tuple[str, Future[T]]] = []
    for provider in providers:
        future: Future[T] = Future()
        worker = threading.Thread(
            target=_run_into, args=(future, call, provider), name=provider.name, daemon=True
        )
        worker.start()
        futures.append((provider.name, future))
    answers: list[tuple[str, T]] = []
    failures: list[ProviderFailure] = []
    for name, future in futures:  # provider order, not completion order: stable output
        try:
            answers.append((name, future.result()))
        except OpenCircuitError as exc:
            failures.append(ProviderFailure(name, exc.kind, exc.message, exc.hint, exc))
        except Exception as exc:
            log.debug("%s failed unexpectedly", name, exc_info=exc)
            failures.append(
                ProviderFailure(
                    name,
                    "internal",
                    f"{name}: unexpected {type(exc).__name__} (a bug; --verbose shows it)",
                    None,
                    None,
                )
            )
    return answers, failures


def _run_into(future: Future[T], call: Callable[[Provider], T], provider: Provider) -> None:
    try:
        future.set_result(call(provider))
    except BaseException as exc:
        future.set_exception(exc)


def run_lookup(
    providers: Sequence[Provider],
    queries: Sequence[PartQuery],
    source_priority: Sequence[str] = DEFAULT_SOURCE_PRIORITY,
) -> LookupOutcome:
    """Every provider's parts per query; an offer two sources share is kept once (dedupe.py)."""
    unique = list(dict.fromkeys(queries))
    answers, failures = _fan_out(providers, lambda p: p.lookup(unique))
    results: dict[PartQuery, list[Part]] = {q: [] for q in unique}
    for _name, found in answers:
        for query in unique:
            results[query].extend(found.get(query, []))
    results = {q: dedupe_offers(parts, source_priority) for q, parts in results.items()}
    return LookupOutcome(results, tuple(failures), tuple(n for n, _ in answers))


def run_search(
    providers: Sequence[Provider],
    query: str,
    options: SearchOptions,
    source_priority: Sequence[str] = DEFAULT_SOURCE_PRIORITY,
) -> SearchOutcome:
    answers, failures = _fan_out(providers, lambda p: p.search(query, options))
    parts = dedupe_offers([part for _name, found in answers for part in found], source_priority)
    return SearchOutcome(parts, tuple(failures), tuple(n for n, _ in answers))
