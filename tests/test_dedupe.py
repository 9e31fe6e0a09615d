"""One offer per distributor SKU: the direct provider's answer wins over Nexar's copy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from opencircuit_cli.dedupe import dedupe_offers, distributor_key, source_rank
from opencircuit_cli.matching import merge_parts
from opencircuit_cli.models import Offer, Part, PartQuery, PriceBreak
from opencircuit_cli.providers.base import CheckResult, SearchOptions
from opencircuit_cli.providers.nexar_parse import decode, parse_match
from opencircuit_cli.settings import DefaultsSettings
from opencircuit_cli.sourcing import run_lookup, run_search

PRIORITY = DefaultsSettings().source_priority
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "nexar"


def offer(source: str, distributor: str, sku: str, price: str = "1") -> Offer:
    return Offer(source, distributor, sku, "USD", (PriceBreak(1, Decimal(price)),))


def nexar_4062() -> Part:
    raw = decode((FIXTURES / "mpn_Adafruit_Industries_4062.json").read_bytes())
    (part,) = parse_match(raw, datetime(2026, 1, 1, tzinfo=UTC)).parts
    return part


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Digi-Key", "DigiKey"),
        ("Digi-Key Electronics", "digikey"),
        ("Mouser Electronics", "Mouser"),
        ("Mouser Electronics, Inc.", "MOUSER"),
        ("Arrow Electronics", "Arrow"),
        ("RS Components", "RS"),
        ("TME", "Transfer Multisort Elektronik"),
        ("LCSC Electronics", "LCSC"),
    ],
)
def test_distributor_names_are_normalised(a, b):
    assert distributor_key(a) == distributor_key(b)


def test_different_distributors_stay_different():
    keys = {distributor_key(n) for n in ("Farnell", "Newark", "element14 APAC", "Avnet Europe")}
    assert len(keys) == 4


def test_source_rank():
    assert PRIORITY[-1] == "nexar" and PRIORITY.index("mouser") < PRIORITY.index("nexar")
    assert source_rank("Mouser", PRIORITY) < source_rank("nexar", PRIORITY)
    assert source_rank("plugin", PRIORITY) == len(PRIORITY)


def test_direct_offers_win_over_nexar_copies():
    direct_mouser = Part(
        "4062", "Adafruit Industries", offers=(offer("mouser", "Mouser", "485-4062", "24.95"),)
    )
    direct_digikey = Part(
        "4062", "Adafruit Industries", offers=(offer("digikey", "DigiKey", "1528-2828-nd"),)
    )
    nexar = nexar_4062()
    kept = dedupe_offers([nexar, direct_mouser, direct_digikey], PRIORITY)
    assert kept[1:] == [direct_mouser, direct_digikey]
    assert [(o.distributor, o.sku) for o in kept[0].offers] == [
        ("Newark", "96AC6429"),
        ("Allied Electronics & Automation", "72494069"),
        ("Distrelec", "30139226"),
        ("Adafruit Industries", "ADA4062"),
    ]
    merged = merge_parts(kept)
    assert len(merged) == 1
    pairs = [(o.source, distributor_key(o.distributor)) for o in merged[0].offers]
    assert pairs.count(("mouser", "mouser")) == 1
    assert ("nexar", "mouser") not in pairs and ("nexar", "digikey") not in pairs


def test_nexar_offers_of_a_distributor_without_a_direct_answer_are_kept():
    other_sku = Part(
        "4062", "Adafruit Industries", offers=(offer("mouser", "Mouser", "485-OTHER"),)
    )
    kept = dedupe_offers([nexar_4062(), other_sku], PRIORITY)
    assert len(kept[0].offers) == 6  # same distributor, different SKU: not a duplicate


def test_priority_is_configurable_and_same_source_is_never_deduped():
    a = Part("X", None, offers=(offer("nexar", "Mouser", "1"), offer("nexar", "Mouser", "1")))
    b = Part("X", None, offers=(offer("mouser", "Mouser Electronics", "1"),))
    assert dedupe_offers([a, b], ["nexar", "mouser"]) == [a]
    assert dedupe_offers([a, b], PRIORITY) == [b]


def test_parts_without_offers_and_offers_without_sku_are_kept():
    empty = Part("X", None)
    no_sku = Part("Y", None, offers=(offer("nexar", "Mouser", ""),))
    direct = Part("Y", None, offers=(offer("mouser", "Mouser", ""),))
    assert dedupe_offers([empty, no_sku, direct], PRIORITY) == [empty, no_sku, direct]


class _Static:
    def __init__(self, name: str, parts: Sequence[Part]) -> None:
        self.name = name
        self._parts = list(parts)

    def lookup(self, queries: Sequence[PartQuery]) -> dict[PartQuery, list[Part]]:
        return {q: list(self._parts) for q in queries}

    def search(self, query: str, options: SearchOptions) -> list[Part]:
        return list(self._parts)

    def check(self) -> CheckResult:
        return CheckResult(True, "ok")


def test_run_lookup_and_run_search_drop_the_duplicates():
    mouser = _Static(
        "mouser",
        [Part("4062", "Adafruit Industries", offers=(offer("mouser", "Mouser", "485-4062"),))],
    )
    nexar = _Static("nexar", [nexar_4062()])
    query = PartQuery("4062")
    outcome = run_lookup([nexar, mouser], [query])
    offers = [(o.source, o.distributor) for p in outcome.results[query] for o in p.offers]
    assert ("nexar", "Mouser") not in offers and ("mouser", "Mouser") in offers
    assert len(offers) == 6
    searched = run_search([nexar, mouser], "4062", SearchOptions())
    assert sum(len(p.offers) for p in searched.parts) == 6
    # a configured priority preferring the aggregator keeps Nexar's copy instead
    kept = run_lookup([nexar, mouser], [query], source_priority=["nexar", "mouser"])
    assert [p.offers[0].source for p in kept.results[query]] == ["nexar"]
