"""Mouser Search API v1 provider: batched part-number lookups and keyword search (API key).

`MouserProvider` builds and sends the requests and turns error answers into exceptions; the pure
parse functions for the answers (`parse_parts`, `parse_part`, `parse_errors`) live in
`mouser_parse`, so they can be tested on recorded answers.

What Mouser does that shapes this module:

* The part-number search takes up to 10 numbers joined by "|" in one request, and answers with
  the parts of all of them mixed in one list; `lookup` splits them back per query.
* Errors usually come as HTTP **200** with an `Errors` array and `SearchResults: null` (invalid or
  missing key, too many requests, bad characters). Such a body must never be served from the
  cache again, so every error answer is evicted before raising or retrying.
* The API key is a query parameter (`apiKey`); the HTTP layer keeps it out of the cache key, the
  stored request and the logs. It never appears in an exception message here.
* Prices are localised text ("$0.25", "0,227 €") in the currency of the key's Mouser site; there is
  no currency parameter in v1, so `deps.currency` is only the fallback for parts without prices.

Packaging (one offer per Mouser SKU, its forms joined by " / "): see `mouser_parse`.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from opencircuit_cli.errors import (
    AuthError,
    HttpStatusError,
    ProviderError,
    RateLimitedError,
)
from opencircuit_cli.matching import match_parts, normalize_mpn, same_manufacturer
from opencircuit_cli.models import Part, PartQuery
from opencircuit_cli.providers.base import CheckResult, ProviderDeps, SearchOptions
from opencircuit_cli.providers.inflight import InFlight
from opencircuit_cli.providers.mouser_parse import (
    PROVIDER_NAME,
    MouserErrorInfo,
    MouserFormatError,
    number_of_results,
    parse_errors,
    parse_part,
    parse_parts,
)
from opencircuit_cli.settings import MouserSettings

if TYPE_CHECKING:
    import requests

    from opencircuit_cli.http.client import ProviderHttp
    from opencircuit_cli.secrets import SecretValue

DEFAULT_BASE_URL = "https://api.mouser.com/api/v1"
PARTNUMBER_PATH = "/search/partnumber"
KEYWORD_PATH = "/search/keyword"

#: Mouser's limit for "|"-joined part numbers in one part-number search.
MAX_PART_NUMBERS_PER_REQUEST = 10
#: Mouser's limit for `records` in one keyword search.
MAX_RECORDS_PER_REQUEST = 50
#: Seconds to pause every Mouser caller before retrying a "too many requests" answer. Mouser
#: counts calls per minute, so together the pauses reach past a full minute before giving up.
#: Its answer for a spent *daily* allowance looks the same (`TooManyRequests`, no message), so
#: that case also costs these pauses once per run; the quota ledger normally stops us earlier.
TOO_MANY_REQUESTS_PAUSES: tuple[float, ...] = (5.0, 20.0, 40.0)
#: A cheap keyword search for `check()`.
CHECK_KEYWORD = "resistor"

AUTH_HINT = (
    "Set MOUSER_API_KEY in the environment, or run `opencircuit auth login mouser` to store "
    "the key in the OS keyring. Keys are issued at mouser.com under My Account > APIs."
)
RATE_LIMIT_HINT = (
    "Mouser allows 30 calls a minute and 1,000 a day per API key: lower "
    "providers.mouser.rate_limit, try again later, or use --offline to answer from the cache."
)

_SEARCH_OPTIONS = {
    (False, False): "None",
    (True, False): "InStock",
    (False, True): "Rohs",
    (True, True): "RohsAndInStock",
}


# -- provider ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Term:
    """One part number to send: `key` dedupes (normalised), `text` is sent as written."""

    key: str
    text: str


def query_term(query: PartQuery) -> _Term | None:
    """What to ask Mouser for a query: its Mouser SKU when it has one, else its MPN."""
    text = query.mpn
    if query.sku and (query.distributor or "").strip().lower() == PROVIDER_NAME:
        text = query.sku
    text = (text or "").strip()
    if not text or "|" in text:  # "|" would split into other part numbers on Mouser's side
        return None
    return _Term(normalize_mpn(text), text)


def part_answers(part: Part, term_key: str) -> bool:
    """A part answers a term when its MPN or its Mouser part number is that term."""
    if normalize_mpn(part.mpn) == term_key:
        return True
    return any(normalize_mpn(offer.sku) == term_key for offer in part.offers)


def _chunks(items: Sequence[_Term], size: int) -> Iterator[Sequence[_Term]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class MouserProvider:
    """The Mouser provider. Thread-safe: worker threads may call `lookup` concurrently."""

    name = PROVIDER_NAME

    def __init__(
        self,
        deps: ProviderDeps,
        *,
        too_many_requests_pauses: Iterable[float] = TOO_MANY_REQUESTS_PAUSES,
    ) -> None:
        if deps.http is None or not isinstance(deps.settings, MouserSettings):
            raise TypeError("MouserProvider needs MouserSettings and an HTTP client")
        self._deps = deps
        self._http: ProviderHttp = deps.http
        self._base_url = (deps.settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        self._pauses = tuple(too_many_requests_pauses)
        self._lock = threading.Lock()
        # Normalised part number -> its parts, each fetched once even across threads.
        self._memo: InFlight[str, tuple[Part, ...]] = InFlight()
        self._key: SecretValue | None = None

    # -- Provider protocol ---------------------------------------------------------------------

    def lookup(self, queries: Sequence[PartQuery]) -> dict[PartQuery, list[Part]]:
        """Exact part-number lookups, up to 10 numbers per request, each number once per run.

        With a manufacturer in the query, other makers' parts are dropped; without one, every
        maker sharing the MPN is kept (see `matching.match_parts`).
        """
        terms = {query: query_term(query) for query in queries}
        unique: dict[str, _Term] = {}
        for term in terms.values():
            if term is not None:
                unique.setdefault(term.key, term)  # the first spelling is the one sent
        found = self._parts_for(list(unique.values()))
        answers: dict[PartQuery, list[Part]] = {}
        for query, term in terms.items():
            parts = found[term.key] if term is not None else ()
            answers[query] = list(match_parts(query, parts).parts)
        return answers

    def search(self, query: str, options: SearchOptions) -> list[Part]:
        """Keyword search in pages of 50 (Mouser's order); `exact` uses the part-number search.

        `options.manufacturer` filters what came back (Mouser's v1 keyword search has no maker
        parameter); `options.filters` (parametric) are not supported by Mouser and ignored.
        """
        text = query.strip()
        if options.limit <= 0 or not text:
            return []
        if options.exact:
            wanted = PartQuery(text, options.manufacturer)
            parts = [p for p in self.lookup([wanted])[wanted] if _passes_filters(p, options)]
            return parts[: options.limit]
        parts = self._keyword_pages(text, options)
        if options.manufacturer:
            parts = [p for p in parts if same_manufacturer(p.manufacturer, options.manufacturer)]
        return parts[: options.limit]

    def check(self) -> CheckResult:
        """One keyword search with records=1, always sent to Mouser (never from the cache)."""
        body = _keyword_body(CHECK_KEYWORD, 1, 0, "None")
        try:
            key = self._api_key()
            document, _ = self._post(KEYWORD_PATH, body, fresh=True)
        except AuthError as exc:
            return CheckResult(False, exc.message)
        except ProviderError as exc:
            return CheckResult(False, str(exc))
        total = number_of_results(document)
        found = f"; a test search found {total} parts" if total is not None else ""
        return CheckResult(True, f"Mouser accepted the API key from {key.where}{found}")

    # -- lookup internals ------------------------------------------------------------------------

    def _parts_for(self, terms: Sequence[_Term]) -> dict[str, tuple[Part, ...]]:
        """Parts per term key: from this instance's memo, another thread's fetch, or Mouser."""
        by_key = {term.key: term for term in terms}
        futures, mine = self._memo.claim(by_key)
        claimed = [by_key[key] for key in mine]
        try:
            to_fetch = []
            for term in claimed:  # parts remembered from earlier batches cost no request
                remembered = self._remembered(term)
                if remembered is None:
                    to_fetch.append(term)
                else:
                    futures[term.key].set_result(remembered)
            for batch in _chunks(to_fetch, MAX_PART_NUMBERS_PER_REQUEST):
                for key, parts in self._fetch_batch(batch).items():
                    futures[key].set_result(parts)
        except BaseException as exc:
            self._memo.fail(mine, exc)
            raise
        return {key: future.result() for key, future in futures.items()}

    def _fetch_batch(self, batch: Sequence[_Term]) -> dict[str, tuple[Part, ...]]:
        document, fetched_at = self._post(PARTNUMBER_PATH, _partnumber_body(batch))
        parts = self._parse(document, fetched_at)
        found = {
            term.key: tuple(part for part in parts if part_answers(part, term.key))
            for term in batch
        }
        if len(batch) > 1:
            self._remember_each(batch, document, fetched_at)
        return found

    def _remembered(self, term: _Term) -> tuple[Part, ...] | None:
        """The term's parts from the cache (its own entry, or its share of an earlier batch)."""
        cached = self._http.cached_response(**self._request_args(_partnumber_body([term])))
        if cached is None:
            return None
        document = self._decode(cached, self._api_key())
        parts = self._parse(document, _fetched_at(cached))
        return tuple(part for part in parts if part_answers(part, term.key))

    def _remember_each(
        self, batch: Sequence[_Term], document: Mapping[str, Any], fetched_at: datetime
    ) -> None:
        """Cache each part number's share of a batch answer under its own one-number request,
        so a BOM that gains or loses a line re-asks only for what is new, and --offline can
        answer any mix of part numbers seen before."""
        raw_parts = list((document.get("SearchResults") or {}).get("Parts") or [])
        for term in batch:
            mine = [raw for raw in raw_parts if part_answers(parse_part(raw, fetched_at), term.key)]
            answer = {"Errors": [], "SearchResults": {"NumberOfResult": len(mine), "Parts": mine}}
            self._http.remember(
                body=json.dumps(answer).encode("utf-8"),
                **self._request_args(_partnumber_body([term])),
            )

    def _request_args(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """How `_send` calls the HTTP layer for a part-number search, for cache probes."""
        return {
            "method": "POST",
            "url": self._base_url + PARTNUMBER_PATH,
            "params": {"apiKey": self._api_key().value},
            "json": body,
            "headers": {"Accept": "application/json"},
        }

    # -- keyword internals -----------------------------------------------------------------------

    def _keyword_pages(self, keyword: str, options: SearchOptions) -> list[Part]:
        """Pages of at most 50 until `limit` parts, or Mouser's NumberOfResult, is reached."""
        search_options = _SEARCH_OPTIONS[(options.in_stock, options.rohs)]
        collected: list[Part] = []
        start = 0
        while len(collected) < options.limit:
            records = min(MAX_RECORDS_PER_REQUEST, options.limit - len(collected))
            body = _keyword_body(keyword, records, start, search_options)
            document, fetched_at = self._post(KEYWORD_PATH, body)
            page = self._parse(document, fetched_at)
            collected.extend(page)
            start += records
            total = number_of_results(document)
            if not page or (total is not None and start >= total):
                break
        return collected

    # -- HTTP ------------------------------------------------------------------------------------

    def _api_key(self) -> SecretValue:
        with self._lock:
            if self._key is None:
                key = self._deps.secret("api_key")
                if not key.value:
                    raise AuthError(
                        "no Mouser API key is configured (providers.mouser.api_key, "
                        "MOUSER_API_KEY and the OS keyring are empty)",
                        provider=PROVIDER_NAME,
                        hint=AUTH_HINT,
                    )
                self._key = key
            return self._key

    def _post(
        self, path: str, body: Mapping[str, Any], *, fresh: bool = False
    ) -> tuple[Mapping[str, Any], datetime]:
        """POST and return (decoded answer, when it was fetched); retries "too many requests".

        `fresh`: a cached answer is evicted and the request sent again (credential checks).
        """
        key = self._api_key()
        url = self._base_url + path
        pauses = iter(self._pauses)
        while True:
            response = self._send(url, key, body)
            if fresh and getattr(response, "from_cache", False):
                self._http.evict(response)
                response = self._send(url, key, body)
            document = self._decode(response, key)
            errors = parse_errors(document)
            if not errors:
                return document, _fetched_at(response)
            self._http.evict(response)
            self._raise_for(errors, key)  # returns only for "too many requests"
            pause = next(pauses, None)
            if pause is None:
                raise RateLimitedError(
                    PROVIDER_NAME,
                    f"Mouser still answers '{errors[0].text}' after {len(self._pauses) + 1} "
                    "attempts",
                    hint=RATE_LIMIT_HINT,
                )
            # Every thread backs off, not only this one: the limit is per API key.
            self._http.pause_for(pause)

    def _send(self, url: str, key: SecretValue, body: Mapping[str, Any]) -> requests.Response:
        return self._http.request(
            "POST",
            url,
            params={"apiKey": key.value},
            json=body,
            headers={"Accept": "application/json"},
        )

    def _decode(self, response: requests.Response, key: SecretValue) -> Mapping[str, Any]:
        """The JSON object of a 2xx answer; HTTP errors and bodies that are no JSON raise."""
        status = response.status_code
        if status >= 400:
            self._raise_for_status(response, key)
        try:
            document = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            self._http.evict(response)
            raise ProviderError(
                PROVIDER_NAME,
                f"the answer from the Mouser API was not valid JSON (HTTP {status}, "
                f"{len(response.content)} bytes; truncated or an error page)",
                hint="Try again later; if it persists, check providers.mouser.base_url.",
            ) from None
        if not isinstance(document, Mapping):
            self._http.evict(response)
            raise ProviderError(
                PROVIDER_NAME,
                f"the Mouser API answered with a JSON {type(document).__name__}, not an object",
            )
        return document

    def _raise_for_status(self, response: requests.Response, key: SecretValue) -> None:
        status = response.status_code
        try:
            errors = parse_errors(json.loads(response.content))
        except (ValueError, UnicodeDecodeError):
            errors = []
        said = f": {errors[0].text}" if errors else ""
        if status in (401, 403) or any(e.kind == "auth" for e in errors):
            raise AuthError(
                f"Mouser rejected the API key from {key.where} (HTTP {status}{said})",
                provider=PROVIDER_NAME,
                hint=AUTH_HINT,
            )
        reason = f" {response.reason}" if response.reason else ""
        raise HttpStatusError(
            PROVIDER_NAME,
            status,
            f"HTTP {status}{reason}{said}",
            hint="Mouser could not answer this request; try again later or use --offline.",
        )

    def _raise_for(self, errors: Sequence[MouserErrorInfo], key: SecretValue) -> None:
        """Raise for Mouser's `Errors`; return when they only say "too many requests"."""
        for error in errors:
            if error.kind == "auth":
                raise AuthError(
                    f"Mouser rejected the API key from {key.where}: {error.text}",
                    provider=PROVIDER_NAME,
                    hint=AUTH_HINT,
                )
        if all(error.kind == "rate_limit" for error in errors):
            return
        text = "; ".join(error.text for error in errors if error.kind != "rate_limit")
        raise ProviderError(PROVIDER_NAME, f"Mouser answered with an error: {text}")

    def _parse(self, document: Mapping[str, Any], fetched_at: datetime) -> list[Part]:
        try:
            return parse_parts(document, fetched_at, default_currency=self._deps.currency)
        except MouserFormatError as exc:
            raise ProviderError(PROVIDER_NAME, f"unexpected answer from Mouser: {exc}") from None


def _partnumber_body(terms: Sequence[_Term]) -> dict[str, Any]:
    return {
        "SearchByPartRequest": {
            "mouserPartNumber": "|".join(term.text for term in terms),
            "partSearchOptions": "Exact",
        }
    }


def _keyword_body(keyword: str, records: int, start: int, options: str) -> dict[str, Any]:
    return {
        "SearchByKeywordRequest": {
            "keyword": keyword,
            "records": records,
            "startingRecord": start,
            "searchOptions": options,
        }
    }


def _passes_filters(part: Part, options: SearchOptions) -> bool:
    """The in-stock / RoHS filters applied locally (the part-number search has none)."""
    if options.in_stock and not any((offer.stock or 0) > 0 for offer in part.offers):
        return False
    return not options.rohs or _rohs_compliant(part.rohs)


def _rohs_compliant(status: str | None) -> bool:
    """ "RoHS Compliant" and "RoHS Compliant By Exemption" yes; "Non-RoHS", "Not Compliant" no."""
    text = (status or "").lower()
    return "compliant" in text and not re.search(r"\bnon\b|\bnot\b|non-", text)


def _fetched_at(response: requests.Response) -> datetime:
    """When the answer was fetched from Mouser (a cached answer keeps its original time)."""
    created = getattr(response, "created_at", None)
    if isinstance(created, datetime):
        return created if created.tzinfo else created.replace(tzinfo=UTC)
    return datetime.now(UTC)
