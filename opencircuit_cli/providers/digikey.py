"""DigiKey Product Information API v4: product details per part and keyword search (OAuth).

`DigikeyProvider` builds and sends the requests and turns error answers into exceptions; the pure
parse functions for the answers (`parse_product_details`, `parse_keyword_search`,
`parse_product`, `parse_error`) live in `digikey_parse`, so they can be tested on recorded
answers. Tokens: `digikey_auth.DigikeyAuth`.

What DigiKey does that shapes this module:

* `GET /products/v4/search/{partNumber}/productdetails` answers ONE part per call (an MPN or a
  DigiKey part number); a part number DigiKey does not know is a 404 with a problem body, which
  is "no hit", not an error. Lookups therefore run one call per distinct part number, each
  number once per provider instance, from a few threads (the HTTP layer's limiter paces them).
* Each `ProductVariations[]` entry is its own SKU with its own prices (cut tape, tape & reel,
  Digi-Reel with a reeling fee, bulk, marketplace sellers), so each becomes one `Offer`.
  `MyPricing` (customer pricing, sent with `X-DIGIKEY-Customer-Id` and a user login) replaces
  `StandardPricing` when present.
* Errors come in two shapes: the API gateway's (`ErrorMessage`, `ErrorDetails`) and RFC 7807
  problem details (`title`, `detail`). Both map to typed errors quoting DigiKey's text.
* A 401 on a data call renews the token once and retries once (an expired or revoked token);
  a 401 that no new token can fix (client id invalid, not subscribed) is reported at once.
* Rate limits: the HTTP layer honours `Retry-After` on 429 and `X-RateLimit-Remaining/-Reset`.
  When DigiKey says its allowance is gone for longer than a short wait (the daily limit), the
  provider switches itself off for the rest of the run and says when the allowance resets.
* The token and client id never reach the cache: the HTTP layer scrubs `Authorization` and
  `X-DIGIKEY-Client-Id` from cache keys and stored requests; the token is registered with the
  redactor by `TokenCache`. `X-DIGIKEY-Customer-Id` and the locale headers stay in the key.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from opencircuit_cli.errors import (
    AuthError,
    HttpStatusError,
    ProviderError,
    QuotaExceededError,
    RateLimitedError,
)
from opencircuit_cli.matching import match_parts, normalize_mpn, same_manufacturer
from opencircuit_cli.models import Part, PartQuery
from opencircuit_cli.providers.base import CheckResult, ProviderDeps, SearchOptions
from opencircuit_cli.providers.digikey_auth import (
    AUTHORIZATION_CODE,
    CREDENTIALS_HINT,
    LOGIN_HINT,
    DigikeyAuth,
    api_root,
)
from opencircuit_cli.providers.digikey_parse import (
    PROVIDER_NAME,
    DigikeyErrorInfo,
    DigikeyFormatError,
    KeywordPage,
    _int,
    parse_error,
    parse_keyword_search,
    parse_product_details,
)
from opencircuit_cli.providers.inflight import InFlight, map_in_daemon_threads
from opencircuit_cli.settings import DigikeySettings

if TYPE_CHECKING:
    import requests

    from opencircuit_cli.http.client import ProviderHttp

DETAILS_PATH = "/products/v4/search/{part}/productdetails"
KEYWORD_PATH = "/products/v4/search/keyword"
#: DigiKey's limit for `Limit` in one keyword search.
MAX_KEYWORD_LIMIT = 50
#: Threads issuing per-part product-details calls (the rate limiter paces them).
LOOKUP_WORKERS = 4
#: A rate-limit reset further away than this is the daily limit, not the per-minute one.
DAILY_LIMIT_THRESHOLD = 120.0
CHECK_KEYWORD = "resistor"

RATE_LIMIT_HINT = (
    "DigiKey allows 120 calls a minute and 1,000 a day per application by default: try again "
    "after the reset, or use --offline to answer from the cache."
)


# -- errors ------------------------------------------------------------------------------------


def auth_error_for(info: DigikeyErrorInfo | None, status: int, flow: str) -> AuthError:
    """The authentication error for a 401/403, quoting DigiKey, with what to do next."""
    said = info.text if info is not None else f"HTTP {status}"
    kind = info.kind if info is not None else "other"
    if kind == "not_subscribed":
        hint = (
            "Subscribe your DigiKey app to the Product Information V4 API at "
            "developer.digikey.com (Organization > your app > Edit > Products), then run again."
        )
    elif kind in ("invalid_client_id", "invalid_credentials"):
        hint = CREDENTIALS_HINT
    elif flow == AUTHORIZATION_CODE:
        hint = LOGIN_HINT
    else:
        hint = (
            "Run `opencircuit auth login digikey` to fetch a new token (check DIGIKEY_CLIENT_ID "
            "and DIGIKEY_CLIENT_SECRET)."
        )
    return AuthError(
        f"DigiKey rejected the request (HTTP {status}): {said}", provider=PROVIDER_NAME, hint=hint
    )


# -- provider ----------------------------------------------------------------------------------


def query_term(query: PartQuery) -> str | None:
    """What to ask DigiKey for: its DigiKey part number when the query has one, else the MPN."""
    text = query.mpn
    if query.sku and (query.distributor or "").strip().lower() == PROVIDER_NAME:
        text = query.sku
    text = (text or "").strip()
    return text or None


class DigikeyProvider:
    """The DigiKey provider. Thread-safe: worker threads may call `lookup` concurrently."""

    name = PROVIDER_NAME

    def __init__(
        self, deps: ProviderDeps, *, auth: DigikeyAuth | None = None, workers: int = LOOKUP_WORKERS
    ) -> None:
        if deps.http is None or not isinstance(deps.settings, DigikeySettings):
            raise TypeError("DigikeyProvider needs DigikeySettings and an HTTP client")
        self._deps = deps
        self._settings: DigikeySettings = deps.settings
        self._http: ProviderHttp = deps.http
        self._base_url = api_root(deps.settings)
        self._auth = auth or DigikeyAuth(deps.settings, deps.secret, deps.tokens)
        self._workers = max(1, workers)
        self._lock = threading.Lock()
        # Normalised part number -> its parts, each fetched once even across threads.
        self._memo: InFlight[str, tuple[Part, ...]] = InFlight()
        self._switched_off: ProviderError | None = None

    # -- Provider protocol ---------------------------------------------------------------------

    def lookup(self, queries: Sequence[PartQuery]) -> dict[PartQuery, list[Part]]:
        """One productdetails call per distinct part number, from a few threads."""
        terms = {query: query_term(query) for query in queries}
        unique: dict[str, str] = {}
        for term in terms.values():
            if term is not None:
                unique.setdefault(normalize_mpn(term), term)
        found = self._parts_for(unique)
        answers: dict[PartQuery, list[Part]] = {}
        for query, term in terms.items():
            parts = found[normalize_mpn(term)] if term is not None else ()
            if query.sku and (query.distributor or "").lower() == PROVIDER_NAME:
                answers[query] = list(parts)  # asked by DigiKey number: that part, whatever MPN
            else:
                answers[query] = list(match_parts(query, parts).parts)
        return answers

    def search(self, query: str, options: SearchOptions) -> list[Part]:
        """Keyword search in pages of at most 50; `exact` uses productdetails."""
        text = query.strip()
        if options.limit <= 0 or not text:
            return []
        if options.exact:
            wanted = PartQuery(text, options.manufacturer)
            parts = self.lookup([wanted])[wanted]
            if options.in_stock:
                parts = [p for p in parts if any((o.stock or 0) > 0 for o in p.offers)]
            return parts[: options.limit]
        collected: list[Part] = []
        offset = 0
        while len(collected) < options.limit:
            limit = min(MAX_KEYWORD_LIMIT, options.limit - len(collected))
            page = self._keyword(text, limit, offset, options)
            collected.extend(page.parts)
            offset += limit
            if not page.parts or (page.total is not None and offset >= page.total):
                break
        if options.manufacturer:
            collected = [
                p for p in collected if same_manufacturer(p.manufacturer, options.manufacturer)
            ]
        return collected[: options.limit]

    def check(self) -> CheckResult:
        """A one-result keyword search, always sent to DigiKey (never from the cache)."""
        body = keyword_body(CHECK_KEYWORD, 1, 0, SearchOptions())
        try:
            response = self._call("POST", KEYWORD_PATH, body, fresh=True)
            document = self._decode(response)
        except ProviderError as exc:
            return CheckResult(False, str(exc))
        except AuthError as exc:
            return CheckResult(False, exc.message)
        total = _int(document.get("ProductsCount")) if isinstance(document, Mapping) else None
        found = f"; a test search found {total} products" if total is not None else ""
        return CheckResult(True, f"DigiKey accepted the {self._auth.flow()} token{found}")

    # -- lookup internals ------------------------------------------------------------------------

    def _parts_for(self, unique: Mapping[str, str]) -> dict[str, tuple[Part, ...]]:
        futures, mine = self._memo.claim(unique)
        outcomes = map_in_daemon_threads(
            self._details, [unique[key] for key in mine], self._workers
        )
        for key, outcome in zip(mine, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                self._memo.fail([key], outcome)  # a failure is not remembered
            else:
                futures[key].set_result(outcome)
        return {key: future.result() for key, future in futures.items()}

    def _details(self, term: str) -> tuple[Part, ...]:
        path = DETAILS_PATH.format(part=quote(term, safe=""))
        response = self._call("GET", path)
        if response.status_code == 404:
            self._http.evict(response)
            return ()  # DigiKey does not know this part number
        document = self._decode(response)
        try:
            parts = parse_product_details(
                document, _fetched_at(response), default_currency=self._currency()
            )
        except DigikeyFormatError as exc:
            self._http.evict(response)
            raise ProviderError(PROVIDER_NAME, f"unexpected answer from DigiKey: {exc}") from None
        return tuple(parts)

    def _keyword(
        self, keyword: str, limit: int, offset: int, options: SearchOptions
    ) -> KeywordPage:
        response = self._call("POST", KEYWORD_PATH, keyword_body(keyword, limit, offset, options))
        document = self._decode(response)
        try:
            return parse_keyword_search(
                document, _fetched_at(response), default_currency=self._currency()
            )
        except DigikeyFormatError as exc:
            self._http.evict(response)
            raise ProviderError(PROVIDER_NAME, f"unexpected answer from DigiKey: {exc}") from None

    # -- HTTP ------------------------------------------------------------------------------------

    def _currency(self) -> str:
        return (self._settings.locale_currency or self._deps.currency or "USD").upper()

    def _headers(self, token: str) -> dict[str, str]:
        headers = {
            "Accept": "application/json",
            "Authorization": f"Bearer {token}",
            "X-DIGIKEY-Client-Id": self._client_id(),
            "X-DIGIKEY-Locale-Site": self._settings.locale_site,
            "X-DIGIKEY-Locale-Language": self._settings.locale_language,
            "X-DIGIKEY-Locale-Currency": self._currency(),
        }
        if self._settings.customer_id:
            headers["X-DIGIKEY-Customer-Id"] = self._settings.customer_id
        return headers

    def _client_id(self) -> str:
        value = self._deps.secret("client_id").value
        if not value:
            raise AuthError(
                "no DigiKey client_id is configured", provider=PROVIDER_NAME, hint=CREDENTIALS_HINT
            )
        return value

    def _call(
        self, method: str, path: str, body: Mapping[str, Any] | None = None, *, fresh: bool = False
    ) -> requests.Response:
        """Send with a token; a 401 renews the token once and retries once."""
        if self._switched_off is not None:
            raise self._switched_off
        url = self._base_url + path
        token = self._auth.access_token()
        response = self._send(method, url, body, token, fresh=fresh)
        if response.status_code == 401:
            info = self._error_info(response)
            if info is None or info.token_problem:
                token = self._auth.renew(token)
                response = self._send(method, url, body, token, fresh=fresh)
        if response.status_code in (401, 403):
            info = self._error_info(response)
            raise auth_error_for(info, response.status_code, self._auth.flow())
        self._watch_daily_limit(response)
        return response

    def _send(
        self,
        method: str,
        url: str,
        body: Mapping[str, Any] | None,
        token: str,
        *,
        fresh: bool,
    ) -> requests.Response:
        try:
            response = self._http.request(method, url, json=body, headers=self._headers(token))
            if fresh and getattr(response, "from_cache", False):
                self._http.evict(response)
                response = self._http.request(method, url, json=body, headers=self._headers(token))
        except RateLimitedError as exc:
            wait = _asked_wait(exc.message)
            if wait is None or wait <= DAILY_LIMIT_THRESHOLD:
                raise  # the per-minute limit outlasted the retries: this call fails, no more
            # DigiKey asks for a wait far longer than a per-minute window: the daily allowance
            # is spent. Switch DigiKey off for the rest of the run, saying when it comes back.
            resets_at = datetime.now(UTC) + timedelta(seconds=wait)
            self._switch_off(
                QuotaExceededError(
                    PROVIDER_NAME,
                    f"DigiKey's rate limit is used up (HTTP 429, retry after {wait:.0f} s); it "
                    f"resets at {resets_at:%Y-%m-%d %H:%M} UTC, so DigiKey is switched off for "
                    "the rest of this run",
                    hint=RATE_LIMIT_HINT,
                )
            )
            raise self._switched_off from None  # type: ignore[misc]
        return response

    def _watch_daily_limit(self, response: requests.Response) -> None:
        """`X-RateLimit-Remaining: 0` with a reset far away: the daily limit is reached."""
        headers = response.headers
        remaining, reset = headers.get("X-RateLimit-Remaining"), headers.get("X-RateLimit-Reset")
        if remaining is None or reset is None or _int(remaining) != 0:
            return
        seconds = _reset_seconds(reset)
        if seconds is None or seconds <= DAILY_LIMIT_THRESHOLD:
            return  # the per-minute window: the HTTP layer pauses for it
        resets_at = datetime.now(UTC) + timedelta(seconds=seconds)
        limit = headers.get("X-RateLimit-Limit")
        of = f" of {limit}" if limit else ""
        self._switch_off(
            QuotaExceededError(
                PROVIDER_NAME,
                f"DigiKey's daily limit is reached (0{of} calls left); it resets at "
                f"{resets_at:%Y-%m-%d %H:%M} UTC, so DigiKey is switched off for the rest of "
                "this run",
                hint=RATE_LIMIT_HINT,
            )
        )

    def _switch_off(self, error: ProviderError) -> None:
        with self._lock:
            if self._switched_off is None:
                self._switched_off = error

    def _error_info(self, response: requests.Response) -> DigikeyErrorInfo | None:
        self._http.evict(response)
        try:
            return parse_error(json.loads(response.content))
        except (ValueError, UnicodeDecodeError):
            return None

    def _decode(self, response: requests.Response) -> Any:
        """The JSON of a 2xx answer (Decimal for numbers with a fraction); errors raise."""
        status = response.status_code
        if status >= 400:
            info = self._error_info(response)
            said = f": {info.text}" if info is not None else ""
            raise HttpStatusError(
                PROVIDER_NAME,
                status,
                f"HTTP {status}{said}",
                hint="DigiKey could not answer this request; try again later or use --offline.",
            )
        try:
            return json.loads(response.content, parse_float=Decimal)
        except (ValueError, UnicodeDecodeError):
            self._http.evict(response)
            raise ProviderError(
                PROVIDER_NAME,
                f"the answer from the DigiKey API was not valid JSON (HTTP {status}, "
                f"{len(response.content)} bytes; truncated or an error page)",
                hint="Try again later; if it persists, check providers.digikey.base_url.",
            ) from None


def keyword_body(keyword: str, limit: int, offset: int, options: SearchOptions) -> dict[str, Any]:
    """The v4 KeywordRequest. Marketplace (third-party seller) products are left out of keyword
    searches: they crowd out DigiKey's own stock and their authorization is unknown. In-stock
    and RoHS map to DigiKey's `SearchOptions`."""
    filters: dict[str, Any] = {"MarketPlaceFilter": "ExcludeMarketPlace"}
    search_options = [
        name
        for wanted, name in ((options.in_stock, "InStock"), (options.rohs, "RohsCompliant"))
        if wanted
    ]
    if search_options:
        filters["SearchOptions"] = search_options
    return {
        "Keywords": keyword,
        "Limit": max(1, min(MAX_KEYWORD_LIMIT, limit)),
        "Offset": max(0, offset),
        "FilterOptionsRequest": filters,
    }


_ASKED_WAIT = re.compile(r"asks to wait (\d+(?:\.\d+)?) s")


def _asked_wait(message: str) -> float | None:
    """The Retry-After the HTTP layer refused to wait for, from its RateLimitedError message
    (the response itself is closed by then)."""
    found = _ASKED_WAIT.search(message)
    return float(found.group(1)) if found else None


def _reset_seconds(value: str) -> float | None:
    """`X-RateLimit-Reset` as seconds from now: delta-seconds or a Unix timestamp."""
    try:
        number = float(value)
    except ValueError:
        return None
    if number > 1_000_000_000:
        return max(0.0, number - datetime.now(UTC).timestamp())
    return number if number >= 0 else None


def _fetched_at(response: requests.Response) -> datetime:
    created = getattr(response, "created_at", None)
    if isinstance(created, datetime):
        return created if created.tzinfo else created.replace(tzinfo=UTC)
    return datetime.now(UTC)
