"""Converting money to the quote's currency. Never guesses a rate: an unknown pair is None."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Converter:
    """Rates as "1 unit of CODE = rate units of `target`" (e.g. target USD, {"EUR": 1.08})."""

    target: str
    rates: Mapping[str, Decimal] = field(default_factory=dict)
    source: str = "config [currency] rates"

    def convert(self, amount: Decimal, currency: str) -> Decimal | None:
        if currency == self.target:
            return amount
        rate = self.rates.get(currency)
        return None if rate is None else amount * rate

    def can_convert(self, currency: str) -> bool:
        return currency == self.target or currency in self.rates
