"""Pure parsing of DigiKey Product Information API v4 answers: products, variations (offers),
prices, packaging, lifecycle, and the two shapes of error body.

No I/O here: `digikey.DigikeyProvider` sends the requests and hands the decoded answers to
`parse_product_details` / `parse_keyword_search` / `parse_error`, so these can be tested on
recorded answers. Each `ProductVariations[]` entry is its own SKU with its own prices (cut tape,
tape & reel, Digi-Reel with a reeling fee, bulk, marketplace sellers), so each becomes one
`Offer`; `MyPricing` (customer pricing) replaces `StandardPricing` when present.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from opencircuit_cli.matching import normalize_mpn
from opencircuit_cli.models import Fee, Offer, Part, PriceBreak

PROVIDER_NAME = "digikey"
DISTRIBUTOR_NAME = "DigiKey"
MARKETPLACE_DISTRIBUTOR = "DigiKey Marketplace"
DIGI_REEL_FEE = "Digi-Reel reeling fee"

_LIFECYCLES = {
    "active": "active",
    "new product": "new",
    "not for new designs": "nrnd",
    "last time buy": "eol",
    "discontinued at digi-key": "eol",
    "discontinued at digikey": "eol",
    "obsolete": "obsolete",
}
_PACKAGING_SUFFIX = re.compile(r"\s*\([A-Z]{1,4}\)\s*$")


class DigikeyFormatError(ValueError):
    """A DigiKey answer whose shape is not what the parser knows."""


# -- errors ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigikeyErrorInfo:
    """A DigiKey error body in either shape, reduced to its words."""

    title: str | None
    detail: str | None
    status: int | None = None

    @property
    def text(self) -> str:
        """DigiKey's own words: "Invalid Client-Id: You are not subscribed to this API. ..."."""
        parts = [p for p in (self.title, self.detail) if p]
        if len(parts) == 2 and parts[1].lower().startswith(parts[0].lower()):
            parts = [parts[1]]  # RFC 7807 "detail" often repeats the title
        if self.title and self.title.lower() == "unauthorized" and self.detail:
            parts = [self.detail]
        return ": ".join(parts) or "no details"

    @property
    def kind(self) -> str:
        """ "expired_token", "invalid_token", "not_subscribed", "invalid_client_id",
        "invalid_credentials", "rate_limit" or "other"."""
        text = self.text.lower()
        if "expired" in text and ("token" in text or "bearer" in text):
            return "expired_token"
        if "not subscribed" in text:
            return "not_subscribed"
        if "client-id" in text or "clientid" in text or "client_id" in text:
            return "invalid_client_id"
        if "invalid_client" in text or "credentials are invalid" in text:
            return "invalid_credentials"
        if "token" in text or "bearer" in text:
            return "invalid_token"
        if "rate limit" in text or "too many requests" in text or self.status == 429:
            return "rate_limit"
        return "other"

    @property
    def token_problem(self) -> bool:
        """True when a new access token could fix it."""
        return self.kind in ("expired_token", "invalid_token", "other")


def parse_error(body: Any) -> DigikeyErrorInfo | None:
    """A gateway-style (`ErrorMessage`, `ErrorDetails`) or RFC 7807 (`title`, `detail`) body."""
    if not isinstance(body, Mapping):
        return None
    if "ErrorMessage" in body or "ErrorDetails" in body:
        return DigikeyErrorInfo(
            _text(body.get("ErrorMessage")),
            _text(body.get("ErrorDetails")),
            _int(body.get("StatusCode")),
        )
    if "title" in body or "detail" in body:
        return DigikeyErrorInfo(
            _text(body.get("title")), _text(body.get("detail")), _int(body.get("status"))
        )
    return None


# -- parts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeywordPage:
    parts: tuple[Part, ...]
    total: int | None  # `ProductsCount`: hits over all pages


def parse_product_details(
    body: Any, fetched_at: datetime, *, default_currency: str = "USD"
) -> list[Part]:
    """The part of a productdetails answer; `null` (no such part) -> []."""
    if body is None:
        return []
    if not isinstance(body, Mapping):
        raise DigikeyFormatError("the answer is not a JSON object")
    product = body.get("Product")
    if product is None:
        return []
    if not isinstance(product, Mapping):
        raise DigikeyFormatError("Product is not an object")
    currency = locale_currency(body, default_currency)
    return [parse_product(product, fetched_at, currency=currency)]


def parse_keyword_search(
    body: Any, fetched_at: datetime, *, default_currency: str = "USD"
) -> KeywordPage:
    """`ExactMatches` first, then `Products`, each part once (by MPN and maker)."""
    if body is None:
        return KeywordPage((), 0)
    if not isinstance(body, Mapping):
        raise DigikeyFormatError("the answer is not a JSON object")
    currency = locale_currency(body, default_currency)
    seen: set[tuple[str, str]] = set()
    parts: list[Part] = []
    for key in ("ExactMatches", "Products"):
        raw_list = body.get(key) or []
        if not isinstance(raw_list, list):
            raise DigikeyFormatError(f"{key} is not a list")
        for raw in raw_list:
            if not isinstance(raw, Mapping):
                continue
            part = parse_product(raw, fetched_at, currency=currency)
            identity = (normalize_mpn(part.mpn), (part.manufacturer or "").lower())
            if identity not in seen:
                seen.add(identity)
                parts.append(part)
    return KeywordPage(tuple(parts), _int(body.get("ProductsCount")))


def locale_currency(body: Mapping[str, Any], default: str) -> str:
    """The currency DigiKey priced in (`SearchLocaleUsed.Currency`)."""
    locale = body.get("SearchLocaleUsed")
    if isinstance(locale, Mapping):
        currency = _text(locale.get("Currency"))
        if currency:
            return currency.upper()
    return default


def parse_product(raw: Mapping[str, Any], fetched_at: datetime, *, currency: str) -> Part:
    """One v4 `Product`, with one offer per `ProductVariations[]` entry."""
    mpn = _text(raw.get("ManufacturerProductNumber"))
    variations = [v for v in raw.get("ProductVariations") or () if isinstance(v, Mapping)]
    if not mpn:
        mpn = next((_text(v.get("DigiKeyProductNumber")) for v in variations), None)
    if not mpn:
        raise DigikeyFormatError("a product has neither an MPN nor a DigiKey part number")
    status = _name(raw.get("ProductStatus"), "Status")
    product_url = _text(raw.get("ProductUrl"))
    lead_days = parse_lead_weeks(raw.get("ManufacturerLeadWeeks"))
    single = len(variations) == 1
    offers = tuple(
        parse_variation(
            v,
            fetched_at,
            currency=currency,
            url=product_url,
            lead_time_days=lead_days,
            part_stock=_int(raw.get("QuantityAvailable")) if single else None,
        )
        for v in variations
        if _text(v.get("DigiKeyProductNumber"))
    )
    classifications = raw.get("Classifications")
    rohs = (
        _text(classifications.get("RohsStatus")) if isinstance(classifications, Mapping) else None
    )
    return Part(
        mpn=mpn,
        manufacturer=_name(raw.get("Manufacturer"), "Name"),
        description=_description(raw.get("Description")),
        datasheet_url=fix_url(raw.get("DatasheetUrl")),
        lifecycle=parse_lifecycle(
            status, discontinued=raw.get("Discontinued"), end_of_life=raw.get("EndOfLife")
        ),
        lifecycle_text=status,
        specs=MappingProxyType(_specs(raw)),
        offers=offers,
        rohs=rohs,
    )


def parse_variation(
    raw: Mapping[str, Any],
    fetched_at: datetime,
    *,
    currency: str,
    url: str | None = None,
    lead_time_days: int | None = None,
    part_stock: int | None = None,
) -> Offer:
    """One `ProductVariations[]` entry as an offer.

    Full reels (tape & reel, tape & box) are sold in whole `StandardPackage`s, so that is their
    order multiple; cut tape, Digi-Reel and the rest are sold by the piece.
    """
    packaging = parse_packaging(_name(raw.get("PackageType"), "Name"))
    my_pricing = parse_price_breaks(raw.get("MyPricing"))
    breaks = my_pricing or parse_price_breaks(raw.get("StandardPricing"))
    stock = _int(raw.get("QuantityAvailableforPackageType"))
    if stock is None:
        stock = _int(raw.get("QuantityAvailable"))
    if stock is None:
        stock = part_stock
    standard_package = _int(raw.get("StandardPackage")) or 0
    multiple = standard_package if packaging in ("Tape & Reel", "Tape & Box") else 1
    fee = _decimal(raw.get("DigiReelFee"))
    marketplace = raw.get("MarketPlace") is True
    return Offer(
        source=PROVIDER_NAME,
        distributor=MARKETPLACE_DISTRIBUTOR if marketplace else DISTRIBUTOR_NAME,
        sku=_text(raw.get("DigiKeyProductNumber")) or "",
        currency=currency,
        price_breaks=breaks,
        packaging=packaging,
        stock=stock,
        moq=max(1, _int(raw.get("MinimumOrderQuantity")) or 1),
        order_multiple=max(1, multiple),
        lead_time_days=lead_time_days,
        url=url,
        fees=(Fee(DIGI_REEL_FEE, fee),) if fee is not None and fee > 0 else (),
        fetched_at=fetched_at,
        # Marketplace offers are shipped by third-party sellers: DigiKey does not say whether
        # they are authorized by the maker.
        authorized=None if marketplace else True,
    )


def parse_price_breaks(raw_breaks: Any) -> tuple[PriceBreak, ...]:
    """`StandardPricing` / `MyPricing` ascending by quantity; zero or missing prices left out."""
    breaks: dict[int, Decimal] = {}
    for raw in raw_breaks or ():
        if not isinstance(raw, Mapping):
            continue
        quantity = _int(raw.get("BreakQuantity"))
        price = _decimal(raw.get("UnitPrice"))
        if quantity and quantity > 0 and price is not None and price > 0:
            breaks.setdefault(quantity, price)
    return tuple(PriceBreak(q, breaks[q]) for q in sorted(breaks))


def parse_packaging(name: str | None) -> str | None:
    """ "Cut Tape (CT)" -> "Cut Tape", "Tape & Reel (TR)" -> "Tape & Reel", "Digi-Reel®" ->
    "Digi-Reel"; other names ("Bulk", "Tube", "Tray") unchanged."""
    if not name:
        return None
    text = _PACKAGING_SUFFIX.sub("", name.replace("®", "")).strip()
    return text or None


def parse_lifecycle(
    status: str | None, *, discontinued: Any = False, end_of_life: Any = False
) -> str:
    """`ProductStatus.Status` plus the `Discontinued` / `EndOfLife` flags as `models.LIFECYCLES`."""
    lifecycle = _LIFECYCLES.get((status or "").strip().lower(), "unknown")
    if lifecycle in ("active", "new", "nrnd", "unknown") and (
        end_of_life is True or discontinued is True
    ):
        return "eol"
    return lifecycle


def parse_lead_weeks(value: Any) -> int | None:
    """`ManufacturerLeadWeeks` ("12") in days."""
    weeks = _int(value)
    return weeks * 7 if weeks is not None and weeks >= 0 else None


def fix_url(value: Any) -> str | None:
    """Protocol-relative `//mm.digikey.com/...` -> `https://mm.digikey.com/...`."""
    text = _text(value)
    if text and text.startswith("//"):
        return "https:" + text
    return text


def _specs(raw: Mapping[str, Any]) -> dict[str, str]:
    specs: dict[str, str] = {}
    category = _name(raw.get("Category"), "Name")
    if category:
        specs["Category"] = category
    series = _name(raw.get("Series"), "Name")
    if series and series != "-":
        specs["Series"] = series
    for item in raw.get("Parameters") or ():
        if not isinstance(item, Mapping):
            continue
        name, value = _text(item.get("ParameterText")), _text(item.get("ValueText"))
        if name and value and value != "-":
            specs[name] = f"{specs[name]}, {value}" if name in specs else value
    return specs


def _description(value: Any) -> str | None:
    if isinstance(value, Mapping):
        return _text(value.get("ProductDescription")) or _text(value.get("DetailedDescription"))
    return _text(value)


def _name(value: Any, key: str) -> str | None:
    return _text(value.get(key)) if isinstance(value, Mapping) else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError):
        return None


def _decimal(value: Any) -> Decimal | None:
    """A JSON number as Decimal (via its text, so 0.02292 stays 0.02292)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
