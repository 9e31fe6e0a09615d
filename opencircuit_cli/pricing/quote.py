"""A priced BOM: what to buy for each line, and the order's totals. Plain data, no I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from opencircuit_cli.models import BomLine, Part, PartQuery
from opencircuit_cli.pricing.choice import LineChoice
from opencircuit_cli.pricing.order import OrderPlan
from opencircuit_cli.sourcing import ProviderFailure


def build_quantity(per_board: int, boards: int, spares_percent: Decimal, spares_min: int) -> int:
    """Per-board quantity x boards, plus spares: the larger of the percentage (rounded up) and
    the per-line minimum. A line needing nothing gets no spares."""
    base = per_board * boards
    if base <= 0:
        return 0
    extra = math.ceil(Decimal(base) * spares_percent / 100)
    return base + max(extra, spares_min)


@dataclass(frozen=True)
class QuoteLine:
    line: BomLine
    build_quantity: int
    query: PartQuery | None  # None: the line names no part number to look up
    choice: LineChoice
    notes: tuple[str, ...] = ()
    candidates: tuple[Part, ...] = ()  # the parts whose offers were weighed for this line

    @property
    def status(self) -> str:
        return self.choice.status


@dataclass(frozen=True)
class Quote:
    file: str
    boards: int
    spares_percent: Decimal
    spares_min: int
    currency: str
    rate_source: str
    lines: tuple[QuoteLine, ...]
    dnp: tuple[BomLine, ...]
    plan: OrderPlan
    errors: tuple[ProviderFailure, ...]
    created_at: datetime

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)

    @property
    def complete(self) -> bool:
        return all(line.status == "ok" for line in self.lines)
