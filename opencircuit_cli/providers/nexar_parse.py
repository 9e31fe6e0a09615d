"""Pure parsing of Nexar (Octopart) supply API answers: JSON decoding (Decimal prices), GraphQL
`errors[]`, `supMultiMatch` / `supSearch` results, parts, seller offers, prices, stock, lifecycle.

No I/O here: `nexar.NexarProvider` sends the requests and hands the decoded answers to
`parse_multi_match` / `parse_search` / `parse_errors` / `count_parts`, so these can be tested on
the recorded answers. Each seller offer of a part becomes an `Offer` with `source="nexar"` and
`distributor=<seller>`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from opencircuit_cli.models import Offer, Part, PriceBreak

PROVIDER_NAME = "nexar"

#: Octopart's inventoryLevel codes: -1 non-stocked (nothing on the shelf); -2 "in stock, quantity
#: not given", -3 unknown, -4 RFQ (all: unknown).
NON_STOCKED = -1

_LIFECYCLES = {
    "production": "active",
    "new": "new",
    "nrnd": "nrnd",
    "eol": "eol",
    "obsolete": "obsolete",
}
_AUTH_CODES = frozenset({"authinvalidtoken", "auth_not_authorized", "auth_not_authenticated"})
_AUTH_TEXT = ("token validation failed", "not authorized", "not authenticated", "access token")
_QUOTA_TEXT = ("part limit", "exceeded your", "upgrade your plan")
_ARGUMENT_TEXT = ("must be between", "invalid value", "expected type", "unknown argument")
MEDIAN_PRICE_SPEC = "Median price (1000 pcs)"


class NexarFormatError(ValueError):
    """A Nexar answer whose shape is not what the parser knows."""


# -- decoding and errors -----------------------------------------------------------------------


def decode(content: bytes) -> Any:
    """JSON with every non-integer number as Decimal (prices must never pass through float)."""
    return json.loads(content, parse_float=Decimal)


@dataclass(frozen=True)
class NexarErrorInfo:
    """One entry of a GraphQL `errors[]`."""

    message: str
    code: str | None = None

    @property
    def kind(self) -> str:
        """ "auth", "quota", "arguments" or "other"."""
        text = self.message.lower()
        if (self.code or "").lower() in _AUTH_CODES or any(t in text for t in _AUTH_TEXT):
            return "auth"
        if any(t in text for t in _QUOTA_TEXT):
            return "quota"
        if any(t in text for t in _ARGUMENT_TEXT):
            return "arguments"
        return "other"


def parse_errors(body: Any) -> list[NexarErrorInfo]:
    """The GraphQL `errors[]` of an answer (empty when there are none)."""
    if not isinstance(body, Mapping):
        return []
    found: list[NexarErrorInfo] = []
    for raw in body.get("errors") or ():
        if not isinstance(raw, Mapping):
            continue
        extensions = raw.get("extensions")
        code = extensions.get("code") if isinstance(extensions, Mapping) else None
        message = _text(raw.get("message")) or _text(code) or "unknown error"
        found.append(NexarErrorInfo(message, _text(code)))
    return found


# -- parts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchResult:
    """One element of `supMultiMatch`: the query it answers (`reference`), hits, parts."""

    reference: str
    hits: int
    parts: tuple[Part, ...]


def parse_multi_match(
    body: Mapping[str, Any], fetched_at: datetime, *, currency: str = "USD"
) -> dict[str, MatchResult]:
    """`data.supMultiMatch[]` by reference."""
    items = _data(body).get("supMultiMatch")
    if items is None:
        return {}
    if not isinstance(items, list):
        raise NexarFormatError("supMultiMatch is not a list")
    results: dict[str, MatchResult] = {}
    for item in items:
        result = parse_match(item, fetched_at, currency=currency)
        results[result.reference] = result
    return results


def parse_match(item: Any, fetched_at: datetime, *, currency: str = "USD") -> MatchResult:
    """One `supMultiMatch[]` element (what the recorded `mpn_*.json` files hold)."""
    if not isinstance(item, Mapping):
        raise NexarFormatError("a supMultiMatch element is not an object")
    raw_parts = item.get("parts") or []
    if not isinstance(raw_parts, list):
        raise NexarFormatError("supMultiMatch[].parts is not a list")
    parts = tuple(
        parse_part(raw, fetched_at, currency=currency)
        for raw in raw_parts
        if isinstance(raw, Mapping) and _text(raw.get("mpn"))
    )
    return MatchResult(_text(item.get("reference")) or "", _int(item.get("hits")) or 0, parts)


def parse_search(
    body: Mapping[str, Any], field: str, fetched_at: datetime, *, currency: str = "USD"
) -> tuple[int, list[Part]]:
    """(hits, parts) of a `supSearch` / `supSearchMpn` answer."""
    result = _data(body).get(field)
    if result is None:
        return 0, []
    if not isinstance(result, Mapping):
        raise NexarFormatError(f"{field} is not an object")
    parts = [
        parse_part(entry["part"], fetched_at, currency=currency)
        for entry in result.get("results") or ()
        if isinstance(entry, Mapping)
        and isinstance(entry.get("part"), Mapping)
        and _text(entry["part"].get("mpn"))
    ]
    return _int(result.get("hits")) or 0, parts


def count_parts(body: Any) -> int:
    """Parts in an answer: what Nexar bills for it."""
    data = _data(body) if isinstance(body, Mapping) else {}
    count = 0
    for item in data.get("supMultiMatch") or ():
        if isinstance(item, Mapping):
            count += len(item.get("parts") or ())
    for field in ("supSearch", "supSearchMpn"):
        result = data.get(field)
        if isinstance(result, Mapping):
            count += len(result.get("results") or ())
    return count


def parse_part(raw: Mapping[str, Any], fetched_at: datetime, *, currency: str = "USD") -> Part:
    """One `SupPart` with an offer per seller offer."""
    mpn = _text(raw.get("mpn"))
    if not mpn:
        raise NexarFormatError("a part has no mpn")
    manufacturer = raw.get("manufacturer")
    specs, lifecycle_text, rohs = _specs(raw)
    datasheet = raw.get("bestDatasheet")
    part_url = _text(raw.get("octopartUrl"))
    offers: list[Offer] = []
    for seller in raw.get("sellers") or ():
        if not isinstance(seller, Mapping):
            continue
        company = seller.get("company")
        name = _text(company.get("name")) if isinstance(company, Mapping) else None
        if not name:
            continue
        authorized = seller.get("isAuthorized")
        for raw_offer in seller.get("offers") or ():
            if isinstance(raw_offer, Mapping):
                offers.append(
                    parse_offer(
                        raw_offer,
                        name,
                        fetched_at,
                        currency=currency,
                        authorized=authorized if isinstance(authorized, bool) else None,
                        fallback_url=part_url,
                    )
                )
    return Part(
        mpn=mpn,
        manufacturer=_text(manufacturer.get("name")) if isinstance(manufacturer, Mapping) else None,
        description=_text(raw.get("shortDescription")),
        datasheet_url=_text(datasheet.get("url")) if isinstance(datasheet, Mapping) else None,
        lifecycle=parse_lifecycle(lifecycle_text),
        lifecycle_text=lifecycle_text,
        specs=MappingProxyType(specs),
        offers=tuple(offers),
        rohs=rohs,
    )


def parse_offer(
    raw: Mapping[str, Any],
    distributor: str,
    fetched_at: datetime,
    *,
    currency: str = "USD",
    authorized: bool | None = None,
    fallback_url: str | None = None,
) -> Offer:
    """One seller offer. Missing `moq` / `orderMultiple` mean 1; missing lead time: unknown."""
    breaks, offer_currency = parse_prices(raw.get("prices"), currency)
    return Offer(
        source=PROVIDER_NAME,
        distributor=distributor,
        sku=_text(raw.get("sku")) or "",
        currency=offer_currency,
        price_breaks=breaks,
        packaging=_text(raw.get("packaging")),
        stock=parse_stock(raw.get("inventoryLevel")),
        moq=max(_int(raw.get("moq")) or 1, 1),
        order_multiple=max(_int(raw.get("orderMultiple")) or 1, 1),
        lead_time_days=_int(raw.get("factoryLeadDays")),
        url=_text(raw.get("clickUrl")) or fallback_url,
        fetched_at=fetched_at,
        authorized=authorized,
    )


def parse_prices(raw_prices: Any, currency: str) -> tuple[tuple[PriceBreak, ...], str]:
    """(breaks ascending by quantity, their currency) of one offer.

    Sellers may list the same breaks in several currencies (CoreStaff: JPY and USD; RS: USD and
    GBP), so ONE currency is picked: the requested one if the seller has it, else the first one
    listed. When Nexar converted every chosen break into the requested currency
    (`convertedPrice`/`convertedCurrency`), the converted prices are used and the offer's
    currency says so; else the seller's own prices in the seller's currency. Breaks without a
    currency, a quantity or a positive price are left out.
    """
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for raw in raw_prices or ():
        if not isinstance(raw, Mapping):
            continue
        code = (_text(raw.get("currency")) or "").upper()
        if code and (_int(raw.get("quantity")) or 0) > 0 and _decimal(raw.get("price")):
            groups.setdefault(code, []).append(raw)
    if not groups:
        return (), currency
    native = currency if currency in groups else next(iter(groups))
    chosen = groups[native]
    converted = all(
        (_text(p.get("convertedCurrency")) or "").upper() == currency
        and _decimal(p.get("convertedPrice"))
        for p in chosen
    )
    breaks: dict[int, Decimal] = {}
    for point in chosen:
        amount = _decimal(point.get("convertedPrice" if converted else "price"))
        quantity = _int(point.get("quantity"))
        if amount and quantity:
            breaks.setdefault(quantity, amount)
    ordered = tuple(PriceBreak(q, breaks[q]) for q in sorted(breaks))
    return ordered, currency if converted else native


def parse_stock(level: Any) -> int | None:
    """inventoryLevel: units on the shelf; -1 (non-stocked) is 0; other codes are unknown."""
    value = _int(level)
    if value is None:
        return None
    if value >= 0:
        return value
    return 0 if value == NON_STOCKED else None


def parse_lifecycle(text: str | None) -> str:
    """Nexar's `lifecyclestatus` ("Production (Last Updated: 2 years ago)") -> LIFECYCLES."""
    if not text:
        return "unknown"
    first = text.strip().split(" ", 1)[0].strip("(),").lower()
    return _LIFECYCLES.get(first, "unknown")


def _specs(raw: Mapping[str, Any]) -> tuple[dict[str, str], str | None, str | None]:
    """(specs by attribute name, lifecycle text, RoHS text); the median price as a spec too."""
    specs: dict[str, str] = {}
    lifecycle: str | None = None
    rohs: str | None = None
    for item in raw.get("specs") or ():
        if not isinstance(item, Mapping):
            continue
        attribute = item.get("attribute")
        attribute = attribute if isinstance(attribute, Mapping) else {}
        short = (_text(attribute.get("shortname")) or "").lower()
        name = _text(attribute.get("name")) or _text(attribute.get("shortname"))
        value = _text(item.get("displayValue"))
        if not name or not value:
            continue
        if short == "lifecyclestatus":
            lifecycle = value
        elif short == "rohs":
            rohs = value
        specs[name] = f"{specs[name]}, {value}" if name in specs else value
    median = raw.get("medianPrice1000")
    if isinstance(median, Mapping) and _decimal(median.get("price")):
        code = _text(median.get("currency")) or ""
        specs[MEDIAN_PRICE_SPEC] = f"{_decimal(median.get('price'))} {code}".strip()
    return specs, lifecycle, rohs


def _data(body: Mapping[str, Any]) -> Mapping[str, Any]:
    data = body.get("data")
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise NexarFormatError("data is not an object")
    return data


def _decimal(value: Any) -> Decimal | None:
    """A positive amount; floats (if a caller decoded without parse_float) go through str."""
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() and amount > 0 else None


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
