"""Nexar (Octopart) supply API: batched `supMultiMatch` lookups and `supSearch` / `supSearchMpn`.

`NexarProvider` builds and sends the requests (with the pure request-building helpers below)
and turns error answers into exceptions; the pure parse functions for the answers
(`parse_multi_match`, `parse_search`, `parse_part`, `parse_prices`, `parse_errors`) live in
`nexar_parse`, so they can be tested on the recorded answers. GraphQL documents: `nexar_query`.

What Nexar does that shapes this module:

* It is an aggregator: one part carries offers of dozens of sellers. Each becomes an `Offer` with
  `source="nexar"` and `distributor=<seller>`; `dedupe.py` drops those a direct provider also
  answered (`[defaults] source_priority`).
* It bills by parts *returned*, against a small monthly allowance. Hence: up to `batch_size`
  queries per request, each asking for at most `parts_per_query` parts (never more than Nexar's
  100 parts per request), identical queries sent once per run, answers cached like any other POST
  (the bearer token is not part of the cache key), and once Nexar says the part limit is spent it
  is switched off for the rest of the run instead of being asked again for every batch.
* Errors come as GraphQL `errors[]`, on HTTP 200 or 500, and such a body is evicted from the cache.
* Prices are JSON numbers: the body is decoded with `parse_float=Decimal`, never via float.
* The access token (client credentials, about 24 h) is requested with httpx through
  `oauth.request_token` (never cached) and kept with its expiry by `deps.tokens` (the keyring).
  A token that has expired is still sent once: the request may be answered from the cache, which
  needs no token, and if it reaches Nexar the rejection renews the token (once) and retries. So a
  cached or `--offline` run never asks for a token.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from opencircuit_cli.errors import (
    AuthError,
    HttpStatusError,
    ProviderError,
    QuotaExceededError,
)
from opencircuit_cli.matching import (
    canonical_manufacturer,
    match_parts,
    normalize_mpn,
    same_manufacturer,
)
from opencircuit_cli.models import Part, PartQuery
from opencircuit_cli.providers import nexar_query
from opencircuit_cli.providers.base import CheckResult, ProviderDeps, SearchOptions
from opencircuit_cli.providers.inflight import InFlight
from opencircuit_cli.providers.nexar_parse import (
    PROVIDER_NAME,
    MatchResult,
    NexarErrorInfo,
    NexarFormatError,
    _data,
    count_parts,
    decode,
    parse_errors,
    parse_multi_match,
    parse_search,
)
from opencircuit_cli.settings import NexarSettings

if TYPE_CHECKING:
    import requests

    from opencircuit_cli.http.client import ProviderHttp
    from opencircuit_cli.oauth import OAuthToken

DEFAULT_BASE_URL = "https://api.nexar.com/graphql"
DEFAULT_TOKEN_URL = "https://identity.nexar.com/connect/token"
SCOPE = "supply.domain"

#: Nexar's ceiling on parts in one request (sum of the queries' `limit`s).
MAX_PARTS_PER_REQUEST = 100
#: `limit` and `start` bounds of supSearch / supSearchMpn ("limit must be between 0 and 100").
MAX_SEARCH_LIMIT = 100
MAX_SEARCH_START = 1000

AUTH_HINT = (
    "Set NEXAR_CLIENT_ID and NEXAR_CLIENT_SECRET in the environment, or run "
    "`opencircuit auth login nexar`. Applications and their credentials are at nexar.com."
)
QUOTA_HINT = (
    "Nexar bills by parts returned and the plan's part limit is used up: Nexar is switched off "
    "for the rest of this run and the other providers carry on. Cached answers still work "
    "(--offline); wait for the monthly reset or upgrade the plan, or leave nexar out "
    "(--providers)."
)
BUG_HINT = "This is a bug in opencircuit; please report it with the message above."


class NexarRequestError(ProviderError):
    """Nexar refused the request's arguments: a bug in the request code, not the user's fault."""

    kind = "internal"


# -- request building (pure) ---------------------------------------------------------------------


@dataclass(frozen=True)
class MatchTerm:
    """One `SupPartMatchQuery` to send; `key` dedupes identical queries within a run."""

    key: tuple[str, str, str]
    field: str  # "mpn", or "mpnOrSku" for a BOM line that only names a distributor SKU
    text: str
    manufacturer: str | None

    def variables(self, reference: str, limit: int) -> dict[str, Any]:
        query: dict[str, Any] = {self.field: self.text}
        if self.manufacturer:
            query["manufacturer"] = self.manufacturer
        query.update(reference=reference, limit=limit, start=0)
        return query


def match_term(query: PartQuery) -> MatchTerm | None:
    """What to ask Nexar for a query: its MPN (with the maker when known)."""
    text = (query.mpn or "").strip()
    if not text:
        return None
    sku_only = bool(query.sku) and normalize_mpn(query.sku or "") == normalize_mpn(text)
    field = "mpnOrSku" if sku_only else "mpn"
    maker = (query.manufacturer or "").strip() or None
    folded = (canonical_manufacturer(maker) or "").lower()
    return MatchTerm((field, normalize_mpn(text), folded), field, text, maker)


def multi_match_variables(
    terms: Sequence[MatchTerm], *, limit: int, country: str, currency: str, authorized_only: bool
) -> dict[str, Any]:
    """Variables of `MULTI_MATCH`; the queries' references are their positions ("q0", ...)."""
    return {
        "queries": [term.variables(f"q{i}", limit) for i, term in enumerate(terms)],
        "country": country,
        "currency": currency,
        "authorizedOnly": authorized_only,
    }


def search_filters(options: SearchOptions) -> dict[str, list[str]] | None:
    """Nexar `filters`: parametric `name=value` passed through (attribute shortnames), and the
    maker as `manufacturer_id` (which also takes a company name)."""
    filters = {name.strip(): [str(value).strip()] for name, value in options.filters.items()}
    if options.manufacturer:
        filters["manufacturer_id"] = [options.manufacturer.strip()]
    return filters or None


def batch_size(settings: NexarSettings) -> int:
    """Queries per request: the configured size within Nexar's 100 parts per request."""
    per_query = max(1, settings.parts_per_query)
    return max(1, min(settings.batch_size, MAX_PARTS_PER_REQUEST // per_query))


def _chunks(items: Sequence[MatchTerm], size: int) -> Iterator[Sequence[MatchTerm]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- provider ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NexarUsage:
    """What this provider instance cost: requests that reached Nexar and parts it billed."""

    requests: int
    cached: int
    parts_billed: int


class NexarProvider:
    """The Nexar provider. Thread-safe: worker threads may call `lookup` concurrently."""

    name = PROVIDER_NAME

    def __init__(self, deps: ProviderDeps) -> None:
        if deps.http is None or not isinstance(deps.settings, NexarSettings):
            raise TypeError("NexarProvider needs NexarSettings and an HTTP client")
        self._deps = deps
        self._settings: NexarSettings = deps.settings
        self._http: ProviderHttp = deps.http
        self._url = deps.settings.base_url or DEFAULT_BASE_URL
        self._token_url = deps.settings.token_url or DEFAULT_TOKEN_URL
        self._lock = threading.Lock()
        self._token_lock = threading.Lock()
        # Term key -> its parts, each fetched once even across threads.
        self._memo: InFlight[tuple[str, str, str], tuple[Part, ...]] = InFlight()
        self._token: OAuthToken | None = None
        self._token_is_new = False  # obtained by this instance (so not expired)
        self._switched_off: ProviderError | None = None
        self._requests = 0
        self._cached = 0
        self._billed = 0

    @property
    def usage(self) -> NexarUsage:
        with self._lock:
            return NexarUsage(self._requests, self._cached, self._billed)

    # -- Provider protocol ---------------------------------------------------------------------

    def lookup(self, queries: Sequence[PartQuery]) -> dict[PartQuery, list[Part]]:
        """Exact MPN lookups, `batch_size` queries per request, each query once per run."""
        terms = {query: match_term(query) for query in queries}
        unique: dict[tuple[str, str, str], MatchTerm] = {}
        for term in terms.values():
            if term is not None:
                unique.setdefault(term.key, term)
        found = self._parts_for(list(unique.values()))
        answers: dict[PartQuery, list[Part]] = {}
        for query, term in terms.items():
            parts = found[term.key] if term is not None else ()
            if term is not None and term.field == "mpnOrSku":
                answers[query] = list(parts)  # matched by SKU: the MPN is not the query's text
            else:
                answers[query] = list(match_parts(query, parts).parts)
        return answers

    def search(self, query: str, options: SearchOptions) -> list[Part]:
        """`supSearch` (keyword) or, with `exact`, `supSearchMpn`; pages of at most 100."""
        text = query.strip()
        if options.limit <= 0 or not text:
            return []
        field = "supSearchMpn" if options.exact else "supSearch"
        document = nexar_query.SEARCH_MPN if options.exact else nexar_query.SEARCH
        filters = search_filters(options)
        collected: list[Part] = []
        start = 0
        while len(collected) < options.limit and start <= MAX_SEARCH_START:
            limit = min(MAX_SEARCH_LIMIT, options.limit - len(collected))
            variables = {
                "q": text,
                "start": start,
                "limit": limit,
                "filters": filters,
                "inStockOnly": options.in_stock,
                "country": self._deps.country,
                "currency": self._deps.currency,
                "authorizedOnly": self._settings.authorized_only,
            }
            body, fetched_at = self._post(document, variables)
            try:
                hits, page = parse_search(body, field, fetched_at, currency=self._deps.currency)
            except NexarFormatError as exc:
                raise ProviderError(PROVIDER_NAME, f"unexpected answer: {exc}") from None
            collected.extend(page)
            start += limit
            if not page or start >= hits:
                break
        if options.manufacturer:
            collected = [
                p for p in collected if same_manufacturer(p.manufacturer, options.manufacturer)
            ]
        if options.in_stock:
            collected = [p for p in collected if any((o.stock or 0) > 0 for o in p.offers)]
        return collected[: options.limit]

    def check(self) -> CheckResult:
        """A search asking for 0 parts (nothing billed), always sent to Nexar."""
        try:
            body, _ = self._post(nexar_query.CHECK, {}, fresh=True)
        except AuthError as exc:
            return CheckResult(False, exc.message)
        except ProviderError as exc:
            return CheckResult(False, str(exc))
        result = _data(body).get("supSearchMpn") or {}
        hits = result.get("hits") if isinstance(result, Mapping) else None
        found = f"; a test search found {hits} parts" if hits is not None else ""
        return CheckResult(True, f"Nexar accepted the client credentials{found}")

    # -- lookup internals ------------------------------------------------------------------------

    def _parts_for(
        self, terms: Sequence[MatchTerm]
    ) -> dict[tuple[str, str, str], tuple[Part, ...]]:
        by_key = {term.key: term for term in terms}
        futures, mine = self._memo.claim(by_key)
        try:
            to_fetch = []
            for key in mine:  # queries remembered from earlier batches bill no parts
                remembered = self._remembered(by_key[key])
                if remembered is None:
                    to_fetch.append(by_key[key])
                else:
                    futures[key].set_result(remembered)
            for batch in _chunks(to_fetch, batch_size(self._settings)):
                for key, parts in self._fetch_batch(batch).items():
                    futures[key].set_result(parts)
        except BaseException as exc:
            self._memo.fail(mine, exc)  # a failed fetch is not remembered: later calls retry
            raise
        return {key: future.result() for key, future in futures.items()}

    def _variables(self, batch: Sequence[MatchTerm]) -> dict[str, Any]:
        return multi_match_variables(
            batch,
            limit=max(1, min(self._settings.parts_per_query, MAX_PARTS_PER_REQUEST)),
            country=self._deps.country,
            currency=self._deps.currency,
            authorized_only=self._settings.authorized_only,
        )

    def _fetch_batch(
        self, batch: Sequence[MatchTerm]
    ) -> dict[tuple[str, str, str], tuple[Part, ...]]:
        body, fetched_at = self._post(nexar_query.MULTI_MATCH, self._variables(batch))
        if len(batch) > 1:
            self._remember_each(batch, body)
        return self._split(batch, body, fetched_at)

    def _split(
        self, batch: Sequence[MatchTerm], body: Mapping[str, Any], fetched_at: datetime
    ) -> dict[tuple[str, str, str], tuple[Part, ...]]:
        try:
            results = parse_multi_match(body, fetched_at, currency=self._deps.currency)
        except NexarFormatError as exc:
            raise ProviderError(PROVIDER_NAME, f"unexpected answer: {exc}") from None
        empty = MatchResult("", 0, ())
        return {term.key: results.get(f"q{i}", empty).parts for i, term in enumerate(batch)}

    def _single_payload(self, term: MatchTerm) -> dict[str, Any]:
        return {"query": nexar_query.MULTI_MATCH, "variables": self._variables([term])}

    def _remember_each(self, batch: Sequence[MatchTerm], body: Mapping[str, Any]) -> None:
        """Cache each query's share of a batch answer as the answer to a one-query request, so a
        BOM that gains a line asks Nexar (and is billed) only for the new part."""
        items = (_data(body).get("supMultiMatch") or []) if isinstance(body, Mapping) else []
        by_reference = {item.get("reference"): item for item in items if isinstance(item, Mapping)}
        for index, term in enumerate(batch):
            item = by_reference.get(f"q{index}")
            if item is None:
                continue
            single = {"data": {"supMultiMatch": [{**item, "reference": "q0"}]}}
            self._http.remember(
                "POST",
                self._url,
                dumps_exact(single),
                json=self._single_payload(term),
                headers={"Accept": "application/json"},
            )

    def _remembered(self, term: MatchTerm) -> tuple[Part, ...] | None:
        """The query's parts from the cache (its own entry or its share of an earlier batch)."""
        cached = self._http.cached_response(
            "POST",
            self._url,
            json=self._single_payload(term),
            headers={"Accept": "application/json"},
        )
        if cached is None:
            return None
        body = self._decode(cached)
        if parse_errors(body):
            self._http.evict(cached)
            return None
        self._count(True, 0)
        return self._split([term], body, _fetched_at(cached))[term.key]

    # -- HTTP ------------------------------------------------------------------------------------

    def _post(
        self, document: str, variables: Mapping[str, Any], *, fresh: bool = False
    ) -> tuple[Mapping[str, Any], datetime]:
        """POST a GraphQL document; (decoded answer, when it was fetched).

        An answer with `errors[]` is evicted from the cache and raised; a rejected token is
        renewed once and the request sent again.
        """
        with self._lock:
            if self._switched_off is not None:
                raise self._switched_off
        payload = {"query": document, "variables": dict(variables)}
        cached = None if fresh else self._cached_without_token(payload)
        token = None if cached is not None else self._current_token()
        renewed = False
        while True:
            if cached is not None:
                response, cached = cached, None
            else:
                token = token or self._current_token()
                response = self._send(payload, token)
            if fresh and getattr(response, "from_cache", False):
                self._http.evict(response)
                response = self._send(payload, token)
            body = self._decode(response)
            errors = parse_errors(body)
            status = response.status_code
            from_cache = bool(getattr(response, "from_cache", False))
            if not errors and status < 400:
                self._count(from_cache, count_parts(body))
                return body, _fetched_at(response)
            self._http.evict(response)
            self._count(from_cache, 0)
            if status in (401, 403) or any(e.kind == "auth" for e in errors):
                if renewed:
                    raise AuthError(
                        "Nexar rejected the access token obtained with the configured client "
                        f"credentials: {_said(errors, status)}",
                        provider=PROVIDER_NAME,
                        hint=AUTH_HINT,
                    )
                token = self._current_token(renew=True)
                renewed = True
                continue
            self._raise_for(errors, status)

    def _raise_for(self, errors: Sequence[NexarErrorInfo], status: int) -> None:
        said = _said(errors, status)
        if any(e.kind == "quota" for e in errors):
            error = QuotaExceededError(
                PROVIDER_NAME, f"Nexar's part limit is used up ({said})", hint=QUOTA_HINT
            )
            with self._lock:
                self._switched_off = error
            raise error
        if status == 400 or any(e.kind == "arguments" for e in errors):
            # GraphQL validation errors (unknown field, bad argument) come as HTTP 400.
            raise NexarRequestError(
                PROVIDER_NAME, f"Nexar refused the request's arguments: {said}", hint=BUG_HINT
            )
        if errors:
            raise ProviderError(PROVIDER_NAME, f"Nexar answered with an error: {said}")
        raise HttpStatusError(
            PROVIDER_NAME,
            status,
            f"HTTP {status} {_reason(status)}".rstrip(),
            hint="Nexar could not answer this request; try again later or use --offline.",
        )

    def _count(self, from_cache: bool, parts: int) -> None:
        with self._lock:
            if from_cache:
                self._cached += 1
            else:
                self._requests += 1
                self._billed += parts

    def _send(self, payload: Mapping[str, Any], token: OAuthToken) -> requests.Response:
        return self._http.request(
            "POST",
            self._url,
            json=payload,
            headers={
                "Accept": "application/json",
                "Authorization": f"{token.token_type or 'Bearer'} {token.access_token}",
            },
        )

    def _decode(self, response: requests.Response) -> Mapping[str, Any]:
        try:
            body = decode(response.content)
        except (ValueError, UnicodeDecodeError):
            self._http.evict(response)
            if response.status_code in (401, 403):
                return {}
            raise ProviderError(
                PROVIDER_NAME,
                f"the answer from Nexar was not valid JSON (HTTP {response.status_code}, "
                f"{len(response.content)} bytes; truncated or an error page)",
                hint="Try again later; if it persists, check providers.nexar.base_url.",
            ) from None
        if not isinstance(body, Mapping):
            self._http.evict(response)
            raise ProviderError(PROVIDER_NAME, "the Nexar answer is not a JSON object")
        return body

    # -- token -----------------------------------------------------------------------------------

    def _cached_without_token(self, payload: Mapping[str, Any]) -> requests.Response | None:
        """The cached answer when no token is at hand yet (the bearer token is not part of the
        cache key): cached and --offline runs then need no token request, even without a
        keyring."""
        with self._token_lock:
            if self._token is not None:
                return None
        return self._http.cached_response(
            "POST", self._url, json=payload, headers={"Accept": "application/json"}
        )

    def _current_token(self, *, renew: bool = False) -> OAuthToken:
        """The token to send: this run's, the stored one (even expired: see the module
        docstring), or a new one when there is none or `renew` is asked."""
        import time

        tokens = self._deps.tokens
        with self._token_lock:
            if not renew:
                if self._token is not None and (
                    self._token_is_new or self._token.usable(time.time())
                ):
                    return self._token
                stored = tokens.load(PROVIDER_NAME) if tokens is not None else None
                if stored is not None and stored.access_token:
                    self._token = stored
                    return stored
            token = self._request_token()
            if tokens is not None:
                tokens.save(PROVIDER_NAME, token)
            self._token = token
            self._token_is_new = True
            return token

    def _request_token(self) -> OAuthToken:
        from opencircuit_cli.oauth import request_token

        client_id = self._deps.secret("client_id")
        client_secret = self._deps.secret("client_secret")
        missing = [s.field for s in (client_id, client_secret) if not s.value]
        if missing:
            raise AuthError(
                f"no Nexar {' and '.join(missing)} is configured (providers.nexar, the "
                "environment and the OS keyring are empty)",
                provider=PROVIDER_NAME,
                hint=AUTH_HINT,
            )
        return request_token(
            PROVIDER_NAME,
            self._token_url,
            {
                "grant_type": "client_credentials",
                "client_id": client_id.value or "",
                "client_secret": client_secret.value or "",
                "scope": SCOPE,
            },
        )


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _said(errors: Sequence[NexarErrorInfo], status: int) -> str:
    if errors:
        return "; ".join(dict.fromkeys(e.message for e in errors))
    return f"HTTP {status}"


_DECIMAL_MARK = re.compile(r'"\\u0000dec:([^"]+)"')


def dumps_exact(document: Any) -> bytes:
    """JSON bytes of a document decoded with `parse_float=Decimal`, numbers written exactly as
    they were (json cannot emit a Decimal as a number, so they pass through a marked string)."""
    text = json.dumps(document, default=lambda value: f"\u0000dec:{value}")
    return _DECIMAL_MARK.sub(r"\1", text).encode("utf-8")


def _fetched_at(response: requests.Response) -> datetime:
    created = getattr(response, "created_at", None)
    if isinstance(created, datetime):
        return created if created.tzinfo else created.replace(tzinfo=UTC)
    return datetime.now(UTC)
