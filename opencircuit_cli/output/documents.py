"""The `--json` documents of DESIGN §4. Stable: fields may be added, never renamed.

Money is a string ("0.189"); quantities are integers; absent values are null.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from opencircuit_cli.models import Offer, Part, PartQuery
from opencircuit_cli.output.offers import PricedOffer, rank_offers
from opencircuit_cli.pricing.quantity import OfferPrice
from opencircuit_cli.sourcing import ProviderFailure


def money(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f") if value else "0"


def offer_doc(offer: Offer, price: OfferPrice | None) -> dict[str, Any]:
    return {
        "source": offer.source,
        "distributor": offer.distributor,
        "sku": offer.sku,
        "packaging": offer.packaging,
        "stock": offer.stock,
        "moq": offer.moq,
        "order_multiple": offer.order_multiple,
        "lead_time_days": offer.lead_time_days,
        "currency": offer.currency,
        "price_breaks": [
            {"quantity": b.quantity, "unit_price": money(b.unit_price)} for b in offer.price_breaks
        ],
        "order_quantity": price.order_quantity if price else None,
        "unit_price": money(price.unit_price) if price else None,
        "extended_price": money(price.extended) if price else None,
        "url": offer.url,
        "factory_stock": offer.factory_stock,
        "fees": [{"name": f.name, "amount": money(f.amount)} for f in offer.fees],
    }


def part_doc(part: Part, priced: Iterable[PricedOffer]) -> dict[str, Any]:
    return {
        "mpn": part.mpn,
        "manufacturer": part.manufacturer,
        "description": part.description,
        "lifecycle": part.lifecycle,
        "lifecycle_text": part.lifecycle_text,
        "datasheet_url": part.datasheet_url,
        "suggested_replacement": part.suggested_replacement,
        "alternate_packagings": list(part.alternate_packagings),
        "specs": dict(part.specs),
        "offers": [offer_doc(p.offer, p.price) for p in priced],
    }


def parts_doc(parts: Sequence[Part], quantity: int, currency: str) -> list[dict[str, Any]]:
    """Parts in the given order, each with its offers ranked at `quantity`."""
    return [part_doc(part, rank_offers([part], quantity, currency)) for part in parts]


def errors_doc(errors: Iterable[ProviderFailure]) -> list[dict[str, Any]]:
    return [{"provider": e.provider, "kind": e.kind, "message": e.message} for e in errors]


def price_result_doc(
    query: PartQuery,
    parts: Sequence[Part],
    quantity: int,
    currency: str,
    ambiguous: Sequence[str],
) -> dict[str, Any]:
    return {
        "query": {"mpn": query.mpn, "manufacturer": query.manufacturer},
        "ambiguous_manufacturers": list(ambiguous),
        "parts": parts_doc(parts, quantity, currency),
    }


def price_doc(
    results: Sequence[dict[str, Any]],
    currency: str,
    quantity: int,
    errors: Iterable[ProviderFailure],
) -> dict[str, Any]:
    return {
        "schema": "opencircuit.price/1",
        "currency": currency,
        "quantity": quantity,
        "results": list(results),
        "errors": errors_doc(errors),
    }


def search_doc(
    query: str, parts: Sequence[Part], currency: str, errors: Iterable[ProviderFailure]
) -> dict[str, Any]:
    return {
        "schema": "opencircuit.search/1",
        "query": query,
        "results": parts_doc(parts, 1, currency),
        "errors": errors_doc(errors),
    }
