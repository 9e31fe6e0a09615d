"""Order-level choice: the whole order's total, per-distributor shipping included.

Starts from each line's own best choice (greedy), then improves locally: a distributor whose
lines can all move to distributors already in the order is dropped when that lowers the total
(its shipping saved outweighs dearer lines), and with `max_distributors` the cheapest-to-drop
distributors are removed until the order fits.

Guarantees: the total never goes up during improvement; the result is a local optimum for
"move all of one distributor's lines elsewhere", not a global one. Lines that honour a BOM SKU,
split lines and short lines are never moved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from opencircuit_cli.pricing.choice import LineChoice, Option


@dataclass(frozen=True)
class DistributorCosts:
    shipping: Decimal = Decimal(0)
    free_shipping_over: Decimal | None = None  # no shipping from this subtotal up


@dataclass(frozen=True)
class OrderPlan:
    lines: tuple[LineChoice, ...]
    subtotals: Mapping[str, Decimal]  # per distributor, parts only
    shipping: Mapping[str, Decimal]
    total: Decimal
    notes: tuple[str, ...]


def _key(name: str) -> str:
    return name.strip().lower()


def subtotals(lines: Sequence[LineChoice]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for line in lines:
        if line.option is None:
            continue
        for alloc in line.option.allocations:
            totals[alloc.distributor] = totals.get(alloc.distributor, Decimal(0)) + alloc.cost
    return totals


def shipping(
    parts_subtotals: Mapping[str, Decimal], costs: Mapping[str, DistributorCosts]
) -> dict[str, Decimal]:
    result = {}
    for name, subtotal in parts_subtotals.items():
        cost = costs.get(_key(name), DistributorCosts())
        free = cost.free_shipping_over is not None and subtotal >= cost.free_shipping_over
        result[name] = Decimal(0) if free else cost.shipping
    return result


def total_of(lines: Sequence[LineChoice], costs: Mapping[str, DistributorCosts]) -> Decimal:
    parts = subtotals(lines)
    return sum(parts.values(), Decimal(0)) + sum(shipping(parts, costs).values(), Decimal(0))


def _movable(line: LineChoice) -> bool:
    return (
        line.option is not None
        and line.status == "ok"
        and line.option.kind != "split"
        and line.why != "honoured BOM SKU"
    )


def _without(
    lines: Sequence[LineChoice], dropped: str, allowed: frozenset[str], why: str
) -> list[LineChoice] | None:
    """Every line on `dropped` moved to its cheapest alternative within `allowed`, or None."""
    moved = []
    for line in lines:
        if line.option is None or dropped not in line.option.distributors:
            moved.append(line)
            continue
        if not _movable(line):
            return None
        target = _cheapest_within(line.alternatives, allowed)
        if target is None:
            return None
        rest = tuple(o for o in (line.option, *line.alternatives) if o is not target)
        moved.append(replace(line, option=target, why=why, alternatives=rest))
    return moved


def _cheapest_within(options: Sequence[Option], allowed: frozenset[str]) -> Option | None:
    fitting = [o for o in options if o.distributors <= allowed]
    return min(fitting, key=lambda o: (not o.lifecycle_ok, o.cost), default=None)


def plan_order(
    lines: Sequence[LineChoice],
    costs: Mapping[str, DistributorCosts],
    max_distributors: int | None = None,
) -> OrderPlan:
    current = list(lines)
    notes: list[str] = []
    improved = True
    while improved:
        improved = False
        used = sorted(subtotals(current).items(), key=lambda item: item[1])
        for name, _ in used:
            allowed = frozenset(n for n, _ in used if n != name)
            candidate = _without(current, name, allowed, "consolidated to save shipping")
            if candidate is not None and total_of(candidate, costs) < total_of(current, costs):
                notes.append(f"dropped {name}: its lines cost less elsewhere with shipping")
                current, improved = candidate, True
                break
    if max_distributors is not None:
        while len(subtotals(current)) > max_distributors:
            used = list(subtotals(current))
            best: list[LineChoice] | None = None
            best_name = ""
            for name in used:
                allowed = frozenset(n for n in used if n != name)
                why = f"moved: at most {max_distributors} distributors"
                candidate = _without(current, name, allowed, why)
                if candidate is not None and (
                    best is None or total_of(candidate, costs) < total_of(best, costs)
                ):
                    best, best_name = candidate, name
            if best is None:
                notes.append(
                    f"could not keep to {max_distributors} distributors: some lines are only "
                    "available from the ones left"
                )
                break
            notes.append(f"dropped {best_name} to keep to {max_distributors} distributors")
            current = best
    parts = subtotals(current)
    ship = shipping(parts, costs)
    total = sum(parts.values(), Decimal(0)) + sum(ship.values(), Decimal(0))
    return OrderPlan(tuple(current), parts, ship, total, tuple(notes))
