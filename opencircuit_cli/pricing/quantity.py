"""What an offer costs for a needed quantity: MOQ, order multiple, price breaks, buying up.

Pure functions on Decimal money. "Buying up" means ordering more than needed when a higher price
break makes the total cheaper (10 at $0.25 = $2.50, but 25 at $0.09 = $2.25): the extra parts
are reported as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from opencircuit_cli.models import Offer, PriceBreak

CENT = Decimal("0.01")


@dataclass(frozen=True)
class OfferPrice:
    needed: int
    order_quantity: int  # what to order: >= needed, respects MOQ and multiple
    unit_price: Decimal
    extended: Decimal  # order_quantity x unit_price, plus fees
    fees: Decimal

    @property
    def extra(self) -> int:
        """Parts ordered beyond what is needed (MOQ, multiple, or a cheaper higher break)."""
        return self.order_quantity - self.needed


def round_up(quantity: int, moq: int, multiple: int) -> int:
    """The smallest orderable quantity >= `quantity`: at least the MOQ, a whole multiple."""
    quantity = max(quantity, moq, 1)
    multiple = max(multiple, 1)
    return -(-quantity // multiple) * multiple


def unit_price_at(breaks: Sequence[PriceBreak], quantity: int) -> Decimal | None:
    """The unit price of the highest break at or below `quantity` (None below the first)."""
    price = None
    for brk in sorted(breaks, key=lambda b: b.quantity):
        if brk.quantity <= quantity:
            price = brk.unit_price
        else:
            break
    return price


def price_offer(offer: Offer, needed: int, *, buy_up: bool = True) -> OfferPrice | None:
    """The cheapest way to buy at least `needed` from `offer`, or None if it has no prices."""
    if not offer.price_breaks or needed < 1:
        return None
    fees = sum((fee.amount for fee in offer.fees), Decimal(0))
    smallest = min(b.quantity for b in offer.price_breaks)
    candidates = {round_up(max(needed, smallest), offer.moq, offer.order_multiple)}
    if buy_up:
        candidates |= {
            round_up(b.quantity, offer.moq, offer.order_multiple)
            for b in offer.price_breaks
            if b.quantity > needed
        }
    best: OfferPrice | None = None
    for quantity in sorted(candidates):
        unit = unit_price_at(offer.price_breaks, quantity)
        if unit is None:
            continue
        extended = unit * quantity + fees
        if best is None or extended < best.extended:
            best = OfferPrice(needed, quantity, unit, extended, fees)
    return best
