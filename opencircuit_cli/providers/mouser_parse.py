"""Pure parsing of Mouser Search API v1 answers: parts, offers, prices, stock, lifecycle, errors.

No I/O here: `mouser.MouserProvider` sends the requests and hands the decoded answers to
`parse_parts` / `parse_part` / `parse_errors`, so these can be tested on recorded answers.

Packaging: Mouser lists several "Packaging" attribute values for one Mouser part number when the
same SKU ships as cut tape, full reel or MouseReel (e.g. "Reel", "Cut Tape", "MouseReel"), with a
single price list; Mouser picks the form from the ordered quantity. Since it is one orderable SKU
with one price list, it stays ONE offer whose `packaging` joins the values in Mouser's order with
" / " ("Reel / Cut Tape / MouseReel"). `Reeling: true` (MouseReel offered) adds "MouseReel" when it
is not listed already. DigiKey, whose cut tape / reel / Digi-Reel are different SKUs with
different prices, gives separate offers instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from opencircuit_cli.models import Offer, Part, PriceBreak
from opencircuit_cli.money import (
    PriceParseError,
    currency_code,
    parse_int_loose,
    parse_lead_time_days,
    parse_price,
)

PROVIDER_NAME = "mouser"
DISTRIBUTOR_NAME = "Mouser"

PACKAGING_SEPARATOR = " / "
PACKAGING_ATTRIBUTES = frozenset({"packaging", "verpackung"})  # Mouser localises some names
MOUSEREEL = "MouseReel"
COMPLIANCE_SPECS = ("ECCN", "USHTS")

_LIFECYCLES = {
    "": "active",
    "new product": "new",
    "new at mouser": "new",
    "not recommended for new designs": "nrnd",
    "end of life": "eol",
    "obsolete": "obsolete",
}

_AUTH_CODES = frozenset({"unauthorized", "forbidden", "invalidapikey", "invalididentifier"})
_RATE_LIMIT_TEXT = re.compile(
    r"too\s*many\s*requests|rate\s*limit|calls?\s+per\s+(?:minute|day)|"
    r"maximum\s+(?:number\s+of\s+)?(?:calls|requests)|quota",
    re.IGNORECASE,
)
_IN_STOCK = re.compile(r"\s*(\d[\d,.' ]*)\s*(?:in\s+stock)?\s*$", re.IGNORECASE)


class MouserFormatError(ValueError):
    """A Mouser answer whose shape is not what the parser knows."""


# -- errors ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MouserErrorInfo:
    """One entry of Mouser's `Errors` array."""

    code: str | None
    message: str | None
    property_name: str | None = None
    resource_key: str | None = None

    @property
    def text(self) -> str:
        """Mouser's own words, or its code when it sent no message ("TooManyRequests")."""
        return self.message or self.code or self.resource_key or "unknown error"

    @property
    def kind(self) -> str:
        """ "auth", "rate_limit" or "other"."""
        prop = (self.property_name or "").replace(" ", "").lower()
        code = (self.code or "").lower()
        if prop == "apikey":
            return "auth"
        if code in _AUTH_CODES or (self.resource_key or "").lower() in _AUTH_CODES:
            return "auth"
        if code == "invalid" and not prop:
            return "auth"
        if code == "toomanyrequests" or _RATE_LIMIT_TEXT.search(self.text):
            return "rate_limit"
        return "other"


def parse_errors(body: Any) -> list[MouserErrorInfo]:
    """Mouser's `Errors` array; a bare `{"Message": ...}` (web framework errors) counts too."""
    if not isinstance(body, Mapping):
        return []
    errors = [
        MouserErrorInfo(
            code=_text(raw.get("Code")),
            message=_text(raw.get("Message")),
            property_name=_text(raw.get("PropertyName")),
            resource_key=_text(raw.get("ResourceKey")),
        )
        for raw in body.get("Errors") or ()
        if isinstance(raw, Mapping)
    ]
    if not errors and "SearchResults" not in body and _text(body.get("Message")):
        errors.append(MouserErrorInfo(code=None, message=_text(body.get("Message"))))
    return errors


# -- parts ---------------------------------------------------------------------------------------


def number_of_results(body: Mapping[str, Any]) -> int | None:
    """`SearchResults.NumberOfResult`: how many hits Mouser has in total (all pages)."""
    results = body.get("SearchResults")
    if not isinstance(results, Mapping):
        return None
    return parse_int_loose(results.get("NumberOfResult"))


def parse_parts(
    body: Mapping[str, Any], fetched_at: datetime, *, default_currency: str = "USD"
) -> list[Part]:
    """Every part in a search answer, in Mouser's order. No `SearchResults` -> []."""
    results = body.get("SearchResults")
    if results is None:
        return []
    if not isinstance(results, Mapping):
        raise MouserFormatError("SearchResults is not an object")
    raw_parts = results.get("Parts") or []
    if not isinstance(raw_parts, list):
        raise MouserFormatError("SearchResults.Parts is not a list")
    return [
        parse_part(raw, fetched_at, default_currency=default_currency)
        for raw in raw_parts
        if isinstance(raw, Mapping) and (_text(raw.get("ManufacturerPartNumber")) or _sku(raw))
    ]


def parse_part(
    raw: Mapping[str, Any], fetched_at: datetime, *, default_currency: str = "USD"
) -> Part:
    """One entry of `SearchResults.Parts`, with its single Mouser offer."""
    sku = _sku(raw)
    mpn = _text(raw.get("ManufacturerPartNumber")) or sku
    if not mpn:
        raise MouserFormatError("a part has neither ManufacturerPartNumber nor MouserPartNumber")
    lifecycle_text = _text(raw.get("LifecycleStatus"))
    return Part(
        mpn=mpn,
        manufacturer=_text(raw.get("Manufacturer")),
        description=_text(raw.get("Description")),
        datasheet_url=_text(raw.get("DataSheetUrl")),
        lifecycle=parse_lifecycle(raw.get("LifecycleStatus")),
        lifecycle_text=lifecycle_text,
        specs=MappingProxyType(_specs(raw)),
        offers=(_offer(raw, sku or mpn, fetched_at, default_currency),),
        suggested_replacement=_text(raw.get("SuggestedReplacement")),
        alternate_packagings=_alternate_packagings(raw.get("AlternatePackagings")),
        rohs=_text(raw.get("ROHSStatus")),
    )


def parse_lifecycle(value: Any) -> str:
    """Mouser's `LifecycleStatus` as one of `models.LIFECYCLES` ("" means an active part)."""
    if value is None:
        return "unknown"
    return _LIFECYCLES.get(str(value).strip().lower(), "unknown")


def parse_price_breaks(
    raw_breaks: Any, default_currency: str
) -> tuple[tuple[PriceBreak, ...], str]:
    """(breaks ascending by quantity, their currency).

    A break whose price is not a price ("Call", "Quote") or is 0 is left out rather than read
    as free; breaks in another currency than the first one are left out too, so one offer never
    mixes currencies.
    """
    breaks: dict[int, Decimal] = {}
    currency: str | None = None
    for raw in raw_breaks or ():
        if not isinstance(raw, Mapping):
            continue
        quantity = parse_int_loose(raw.get("Quantity"))
        price = raw.get("Price")
        if not quantity or price is None:
            continue
        hint = currency_code(_text(raw.get("Currency")))
        try:
            money = parse_price(str(price), hint)
        except PriceParseError:
            continue
        break_currency = hint or money.currency or default_currency
        if money.amount <= 0 or (currency is not None and break_currency != currency):
            continue
        currency = break_currency
        breaks.setdefault(quantity, money.amount)
    ordered = tuple(PriceBreak(q, breaks[q]) for q in sorted(breaks))
    return ordered, currency or default_currency


def parse_packaging(raw: Mapping[str, Any]) -> str | None:
    """The packaging forms of one Mouser SKU joined by " / " (see the module docstring)."""
    forms: list[str] = []
    for name, value in _attributes(raw):
        if name.lower() in PACKAGING_ATTRIBUTES and value not in forms:
            forms.append(value)
    if raw.get("Reeling") is True and MOUSEREEL not in forms:
        forms.append(MOUSEREEL)
    return PACKAGING_SEPARATOR.join(forms) or None


def parse_stock(raw: Mapping[str, Any]) -> int | None:
    """Units on the shelf: `AvailabilityInStock` if sent, else read from `Availability`.

    "6809 In Stock" -> 6809; any other availability text ("None", "On Order", "Non-Stocked",
    "2 Weeks Factory Lead-Time") means nothing on the shelf -> 0; no availability at all -> None.
    """
    if raw.get("AvailabilityInStock") is not None:
        exact = parse_int_loose(raw.get("AvailabilityInStock"))
        if exact is not None:
            return exact
    availability = raw.get("Availability")
    if availability is None:
        return None
    found = _IN_STOCK.match(str(availability))
    if found is None:
        return 0
    return parse_int_loose(found.group(1)) or 0


def parse_on_order(value: Any) -> int | None:
    """`AvailabilityOnOrder`: a list of {Quantity, Date} (summed) or a number; absent -> None."""
    if value is None:
        return None
    if isinstance(value, list):
        quantities = (
            parse_int_loose(item.get("Quantity")) for item in value if isinstance(item, Mapping)
        )
        return sum(q for q in quantities if q)
    return parse_int_loose(value)


def _offer(raw: Mapping[str, Any], sku: str, fetched_at: datetime, default_currency: str) -> Offer:
    breaks, currency = parse_price_breaks(raw.get("PriceBreaks"), default_currency)
    return Offer(
        source=PROVIDER_NAME,
        distributor=DISTRIBUTOR_NAME,
        sku=sku,
        currency=currency,
        price_breaks=breaks,
        packaging=parse_packaging(raw),
        stock=parse_stock(raw),
        moq=parse_int_loose(raw.get("Min")) or 1,
        order_multiple=parse_int_loose(raw.get("Mult")) or 1,
        lead_time_days=parse_lead_time_days(raw.get("LeadTime")),
        url=_text(raw.get("ProductDetailUrl")),
        fetched_at=fetched_at,
        factory_stock=parse_int_loose(raw.get("FactoryStock")),
        on_order=parse_on_order(raw.get("AvailabilityOnOrder")),
        authorized=True,
    )


def _specs(raw: Mapping[str, Any]) -> dict[str, str]:
    """Category, product attributes except packaging (repeated names joined), ECCN, USHTS."""
    specs: dict[str, str] = {}
    category = _text(raw.get("Category"))
    if category:
        specs["Category"] = category
    for name, value in _attributes(raw):
        if name.lower() in PACKAGING_ATTRIBUTES:
            continue
        specs[name] = f"{specs[name]}, {value}" if name in specs else value
    for item in raw.get("ProductCompliance") or ():
        if isinstance(item, Mapping) and item.get("ComplianceName") in COMPLIANCE_SPECS:
            value = _text(item.get("ComplianceValue"))
            if value:
                specs[str(item["ComplianceName"])] = value
    return specs


def _attributes(raw: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for item in raw.get("ProductAttributes") or ():
        if isinstance(item, Mapping):
            name, value = _text(item.get("AttributeName")), _text(item.get("AttributeValue"))
            if name and value:
                yield name, value


def _alternate_packagings(value: Any) -> tuple[str, ...]:
    found: list[str] = []
    for item in value or ():
        mpn = _text(item.get("APMfrPN")) if isinstance(item, Mapping) else _text(item)
        if mpn and mpn not in found:
            found.append(mpn)
    return tuple(found)


def _sku(raw: Mapping[str, Any]) -> str | None:
    return _text(raw.get("MouserPartNumber"))


def _text(value: Any) -> str | None:
    """Stripped text; "" and null become None."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None
