"""The price grammars, on the real strings in tests/fixtures/catalog/price_strings_real.txt."""

from __future__ import annotations

from decimal import Decimal

import pytest

from opencircuit_cli.catalog.prices import (
    PriceGrammarError,
    parse_breaks_cell,
    parse_jlc_price,
    parse_json_tiers,
)
from opencircuit_cli.models import PriceBreak
from tests.catalog.conftest import FIXTURES


def _real_strings() -> list[tuple[str, str]]:
    lines = (FIXTURES / "price_strings_real.txt").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t", 1)) for line in lines if line and not line.startswith("#")]


def test_two_tier_jlc_string() -> None:
    assert parse_jlc_price("1-199:0.005210145,200-:0.001866667") == (
        PriceBreak(1, Decimal("0.005210145")),
        PriceBreak(200, Decimal("0.001866667")),
    )


def test_tiers_above_one_with_gaps_and_open_end() -> None:
    text = next(v for k, v in _real_strings() if v.startswith("20-180"))
    breaks = parse_jlc_price(text)
    assert [b.quantity for b in breaks] == [20, 200, 600, 2000, 10000, 20000]
    assert breaks[-1].unit_price == Decimal("0.002692913")


def test_single_tier_reconstructed_c2286() -> None:
    text = next(v for k, v in _real_strings() if k == "C2286").split()[0]
    assert parse_jlc_price(text) == (PriceBreak(1, Decimal("0.007384615")),)


def test_json_tiers_keep_decimal_digits() -> None:
    text = next(v for k, v in _real_strings() if v.startswith("["))
    breaks = parse_json_tiers(text)
    assert breaks[0] == PriceBreak(1, Decimal("14.320289855"))
    assert [b.quantity for b in breaks] == [1, 10, 12, 200, 500, 1000]


@pytest.mark.parametrize(
    "text",
    [
        "1-199:abc,200-:0.1",  # not a number
        "1-199:0.1;200-:0.05",  # wrong separator
        "200-:0.05,1-199:0.1",  # open tier not last / overlapping
        "1-199:0.1,150-:0.05",  # overlap
        "0-9:0.1",  # tier from 0
        "1-199:0,200-:0.1",  # zero price
        "1-:-0.5",
        "10-5:0.2",
    ],
)
def test_malformed_jlc_strings_raise(text: str) -> None:
    with pytest.raises(PriceGrammarError):
        parse_jlc_price(text)


def test_empty_price_means_no_breaks_and_trailing_comma_is_tolerated() -> None:
    assert parse_jlc_price("") == ()
    assert len(parse_jlc_price("1-9:1.1625,10-29:0.9570,")) == 2


def test_breaks_in_one_cell() -> None:
    breaks, currency = parse_breaks_cell("1:0.25; 10:0.227 ; 100+: $0.2", "USD")
    assert breaks == (
        PriceBreak(1, Decimal("0.25")),
        PriceBreak(10, Decimal("0.227")),
        PriceBreak(100, Decimal("0.2")),
    )
    assert currency == "USD"
    with pytest.raises(PriceGrammarError):
        parse_breaks_cell("1:0.25; ten:0.2", "USD")
