"""A provider registered through the real registry in CLI tests: no HTTP, canned parts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from opencircuit_cli.errors import OpenCircuitError
from opencircuit_cli.matching import normalize_mpn
from opencircuit_cli.models import Offer, Part, PartQuery, PriceBreak
from opencircuit_cli.providers.base import CheckResult, ProviderDeps, ProviderSpec, SearchOptions
from opencircuit_cli.settings import HttpProviderSettings, setting


@dataclass(frozen=True)
class FakeSettings(HttpProviderSettings):
    """A provider section with one secret that always has a value, so live checks run."""

    token: str = setting("${FAKE_PROVIDER_TOKEN:-fake-token-value}", "Test token.", secret=True)


def offer(
    distributor: str,
    sku: str,
    breaks: Sequence[tuple[int, str]],
    *,
    stock: int | None = 1000,
    moq: int = 1,
    mult: int = 1,
    currency: str = "USD",
    source: str = "fakeparts",
    packaging: str | None = "Cut Tape",
) -> Offer:
    return Offer(
        source=source,
        distributor=distributor,
        sku=sku,
        currency=currency,
        price_breaks=tuple(PriceBreak(q, Decimal(p)) for q, p in breaks),
        packaging=packaging,
        stock=stock,
        moq=moq,
        order_multiple=mult,
        lead_time_days=56,
        url=f"https://example.invalid/{sku}",
    )


def part(mpn: str, manufacturer: str, *offers: Offer, lifecycle: str = "active") -> Part:
    return Part(
        mpn=mpn,
        manufacturer=manufacturer,
        description=f"{mpn} test part",
        datasheet_url=f"https://example.invalid/{mpn}.pdf",
        lifecycle=lifecycle,
        offers=offers,
    )


@dataclass
class FakeProvider:
    name: str
    parts: Sequence[Part]
    error: OpenCircuitError | None = None
    calls: list[str] = field(default_factory=list)

    def _fail(self) -> None:
        if self.error is not None:
            raise self.error

    def lookup(self, queries: Sequence[PartQuery]) -> dict[PartQuery, list[Part]]:
        self.calls.append("lookup")
        self._fail()
        return {
            q: [p for p in self.parts if normalize_mpn(p.mpn) == normalize_mpn(q.mpn)]
            for q in queries
        }

    def search(self, query: str, options: SearchOptions) -> list[Part]:
        self.calls.append("search")
        self._fail()
        return [p for p in self.parts if query.lower() in p.mpn.lower()][: options.limit]

    def check(self) -> CheckResult:
        self._fail()
        return CheckResult(True, f"{self.name} answered")


def spec(
    name: str, parts: Sequence[Part], error: OpenCircuitError | None = None
) -> tuple[ProviderSpec, Callable[[], FakeProvider | None]]:
    """A ProviderSpec and a getter for the instance the CLI created from it."""
    made: list[FakeProvider] = []

    def factory(deps: ProviderDeps) -> FakeProvider:
        provider = FakeProvider(name, parts, error)
        made.append(provider)
        return provider

    return ProviderSpec(name, FakeSettings, factory, "test double"), (
        lambda: made[-1] if made else None
    )
