"""Choosing how to buy one BOM line: which offer(s), how many, and why.

Pure functions. For one line the candidates are: every single offer that can supply the build
quantity from stock; full reels plus a cut-tape remainder from one distributor; and, when no
single offer has enough stock, a split across offers (cheapest unit price first). Among them:

1. an offer for the SKU the BOM names (honoured, if it can supply the line);
2. offers whose lifecycle is fine before obsolete / end-of-life / not-recommended ones;
3. a preferred distributor when it is no more than `prefer_margin` dearer than the cheapest;
4. otherwise the lowest total in the quote currency (buy-up to a cheaper break included).

Guarantee: the chosen option is the cheapest (converted) total among the options of the same
rank above; offers in a currency that cannot be converted are never compared, only reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from opencircuit_cli.models import Offer, Part
from opencircuit_cli.pricing.currency import Converter
from opencircuit_cli.pricing.quantity import OfferPrice, price_offer

BAD_LIFECYCLES = frozenset({"obsolete", "eol", "nrnd"})


@dataclass(frozen=True)
class Rules:
    allow_split: bool = True
    max_lead_days: int | None = None
    authorized_only: bool = False
    prefer: tuple[str, ...] = ()  # distributor names, lower case, most preferred first
    prefer_margin: Decimal = Decimal("0.10")  # a preferred offer may cost this much more


@dataclass(frozen=True)
class Allocation:
    part: Part
    offer: Offer
    price: OfferPrice  # in the offer's currency
    cost: Decimal  # price.extended converted to the quote currency

    @property
    def distributor(self) -> str:
        return self.offer.distributor


@dataclass(frozen=True)
class Option:
    """One way to buy the whole line (or as much of it as can be had)."""

    allocations: tuple[Allocation, ...]
    kind: str  # "single", "reel+cut", "split"

    @property
    def cost(self) -> Decimal:
        return sum((a.cost for a in self.allocations), Decimal(0))

    @property
    def quantity(self) -> int:
        return sum(a.price.order_quantity for a in self.allocations)

    @property
    def distributors(self) -> frozenset[str]:
        return frozenset(a.distributor for a in self.allocations)

    @property
    def lifecycle_ok(self) -> bool:
        return all(a.part.lifecycle not in BAD_LIFECYCLES for a in self.allocations)


@dataclass(frozen=True)
class LineChoice:
    needed: int
    option: Option | None  # None: nothing could price the line
    status: str  # "ok", "short", "unpriced"
    why: str
    alternatives: tuple[Option, ...]  # the other complete options, cheapest first
    warnings: tuple[str, ...]

    @property
    def short_by(self) -> int:
        return (
            0
            if self.option is None or self.status != "short"
            else max(0, self.needed - _available(self.option))
        )


def _available(option: Option) -> int:
    total = 0
    for a in option.allocations:
        stock = a.offer.stock
        total += a.price.order_quantity if stock is None else min(stock, a.price.order_quantity)
    return total


def _supplies(offer: Offer, quantity: int) -> bool:
    return offer.stock is None or offer.stock >= quantity


def _allocation(part: Part, offer: Offer, needed: int, converter: Converter) -> Allocation | None:
    price = price_offer(offer, needed)
    if price is None:
        return None
    cost = converter.convert(price.extended, offer.currency)
    return None if cost is None else Allocation(part, offer, price, cost)


def _reel_plus_cut(
    part: Part, offers: Sequence[Offer], needed: int, converter: Converter
) -> list[Option]:
    """Full reels from a reel offer plus the remainder on cut tape, per distributor."""
    options = []
    reels = [o for o in offers if _is_full_reel(o)]
    cuts = [o for o in offers if (o.packaging or "").lower().startswith("cut")]
    for reel in reels:
        size = max(reel.order_multiple, reel.moq)
        whole = (needed // size) * size
        rest = needed - whole
        if whole == 0 or rest == 0:
            continue
        for cut in cuts:
            if cut.distributor != reel.distributor:
                continue
            first = _allocation(part, reel, whole, converter)
            second = _allocation(part, cut, rest, converter)
            if (
                first
                and second
                and first.price.order_quantity == whole
                and _supplies(reel, whole)
                and _supplies(cut, second.price.order_quantity)
            ):
                options.append(Option((first, second), "reel+cut"))
    return options


def _is_full_reel(offer: Offer) -> bool:
    packaging = (offer.packaging or "").lower()
    return (
        "reel" in packaging
        and "digi" not in packaging
        and "mouse" not in packaging
        and (max(offer.order_multiple, offer.moq) > 1)
    )


def _split(allocs: Sequence[Allocation], needed: int, converter: Converter) -> Option | None:
    """Fill the line from the offers with stock, cheapest unit price first."""
    stocked = [a for a in allocs if a.offer.stock]
    stocked.sort(key=lambda a: a.cost / a.price.order_quantity)
    chosen: list[Allocation] = []
    remaining = needed
    for alloc in stocked:
        if remaining <= 0:
            break
        take = min(remaining, alloc.offer.stock or 0)
        again = _allocation(alloc.part, alloc.offer, take, converter)
        if again is None or (again.offer.stock or 0) < again.price.order_quantity:
            continue
        chosen.append(again)
        remaining -= again.price.order_quantity
    if len(chosen) < 2:
        return None
    return Option(tuple(chosen), "split")


def choose_line(
    parts: Sequence[Part],
    needed: int,
    converter: Converter,
    rules: Rules = Rules(),
    honoured: tuple[str, str] | None = None,  # (distributor, sku) named by the BOM
) -> LineChoice:
    warnings: list[str] = []
    usable: list[tuple[Part, Offer]] = []
    unconvertible: set[str] = set()
    for part in parts:
        for offer in part.offers:
            if rules.authorized_only and offer.authorized is False:
                continue
            if not converter.can_convert(offer.currency):
                unconvertible.add(offer.currency)
                continue
            usable.append((part, offer))
    if unconvertible:
        warnings.append(
            f"offers in {', '.join(sorted(unconvertible))} ignored: no rate to "
            f"{converter.target} (add it under [currency] rates)"
        )
    allocs = [a for p, o in usable if (a := _allocation(p, o, needed, converter)) is not None]
    if not allocs:
        return LineChoice(needed, None, "unpriced", "no priced offer", (), tuple(warnings))

    def lead_ok(a: Allocation) -> bool:
        if rules.max_lead_days is None or _supplies(a.offer, a.price.order_quantity):
            return True
        return a.offer.lead_time_days is not None and a.offer.lead_time_days <= rules.max_lead_days

    complete = [
        Option((a,), "single")
        for a in allocs
        if _supplies(a.offer, a.price.order_quantity) and lead_ok(a)
    ]
    for part in parts:
        complete += _reel_plus_cut(part, [o for p, o in usable if p is part], needed, converter)
    complete.sort(key=lambda o: (not o.lifecycle_ok, o.cost))

    if honoured is not None:
        dist, sku = honoured[0].lower(), honoured[1].strip().lower()
        for option in complete:
            alloc = option.allocations[0]
            if alloc.offer.sku.strip().lower() == sku and (
                alloc.distributor.lower() == dist or dist == ""
            ):
                return _done(needed, option, "honoured BOM SKU", complete, warnings)
        warnings.append(f"the BOM's {honoured[0]} SKU {honoured[1]} could not supply this line")

    if complete:
        best = complete[0]
        why = "cheapest total"
        if len(complete) == 1:
            why = "only offer with enough stock"
        elif best.kind == "reel+cut":
            why = "cheapest total: full reels plus cut tape"
        preferred = _preferred(complete, best, rules)
        if preferred is not None:
            best, why = preferred, f"preferred distributor ({preferred.allocations[0].distributor})"
        if not best.lifecycle_ok:
            lifecycle = best.allocations[0].part.lifecycle
            warnings.append(f"only {lifecycle} parts are available for this line")
        return _done(needed, best, why, complete, warnings)

    if rules.allow_split:
        split = _split(allocs, needed, converter)
        if split is not None and split.quantity >= needed:
            return _done(needed, split, "split: no single offer has enough stock", (), warnings)
    within_lead = [a for a in allocs if lead_ok(a)] or allocs
    best_short = max(within_lead, key=lambda a: (a.offer.stock or 0, -a.cost))
    option = Option((best_short,), "single")
    warnings.append(
        f"short of stock: {best_short.offer.stock or 0} available at "
        f"{best_short.distributor}, {needed} needed"
    )
    return LineChoice(needed, option, "short", "largest stock, still short", (), tuple(warnings))


def _preferred(complete: Sequence[Option], best: Option, rules: Rules) -> Option | None:
    if not rules.prefer:
        return None
    limit = best.cost * (1 + rules.prefer_margin)
    for name in rules.prefer:
        for option in complete:
            if (
                option.lifecycle_ok >= best.lifecycle_ok
                and option.cost <= limit
                and all(a.distributor.lower() == name for a in option.allocations)
            ):
                return None if option is best else option
    return None


def _done(
    needed: int, option: Option, why: str, complete: Sequence[Option], warnings: list[str]
) -> LineChoice:
    others = tuple(o for o in complete if o is not option)
    if option.quantity >= max(2 * needed, needed + 10):
        first = option.allocations[0].offer
        warnings = [
            *warnings,
            f"orders {option.quantity} for {needed} needed (MOQ {first.moq}, multiple "
            f"{first.order_multiple}, or a cheaper price break)",
        ]
    return LineChoice(needed, option, "ok", why, others, tuple(warnings))
