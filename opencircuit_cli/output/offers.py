"""Offers priced at a quantity and ranked: the shared view behind `price` tables and JSON."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from opencircuit_cli.models import Offer, Part
from opencircuit_cli.pricing.quantity import OfferPrice, price_offer


@dataclass(frozen=True)
class PricedOffer:
    part: Part
    offer: Offer
    price: OfferPrice | None  # None: the offer lists no prices

    @property
    def in_stock_for_order(self) -> bool:
        return (
            self.price is not None
            and self.offer.stock is not None
            and self.offer.stock >= self.price.order_quantity
        )


def rank_offers(parts: Sequence[Part], quantity: int, currency: str) -> list[PricedOffer]:
    """Cheapest total first among offers in `currency` that can supply from stock; then offers
    short of stock, then other currencies (not converted: never compared with each other), then
    offers without prices. Sorting is stable, so provider order breaks ties."""
    priced = [PricedOffer(p, o, price_offer(o, quantity)) for p in parts for o in p.offers]

    def key(item: PricedOffer) -> tuple:
        if item.price is None:
            return (3, 0, 0)
        other_currency = item.offer.currency != currency
        return (
            2 if other_currency else (0 if item.in_stock_for_order else 1),
            item.offer.currency,
            item.price.extended,
        )

    return sorted(priced, key=key)
