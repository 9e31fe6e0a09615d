from decimal import Decimal

import pytest

from opencircuit_cli.models import Fee, Offer, PriceBreak
from opencircuit_cli.pricing.quantity import price_offer, round_up, unit_price_at

BREAKS = (
    PriceBreak(1, Decimal("0.25")),
    PriceBreak(10, Decimal("0.227")),
    PriceBreak(25, Decimal("0.21")),
    PriceBreak(100, Decimal("0.189")),
)


def make(breaks=BREAKS, moq=1, mult=1, fees=()):
    return Offer(
        "mouser", "Mouser", "530-5MF6-R", "USD", breaks, moq=moq, order_multiple=mult, fees=fees
    )


@pytest.mark.parametrize(
    ("quantity", "moq", "mult", "expected"),
    [
        (1, 1, 1, 1),
        (7, 10, 1, 10),
        (11, 10, 5, 15),
        (3, 1, 4, 4),
        (8, 1, 4, 8),
        (0, 1, 1, 1),
        (2500, 1, 2500, 2500),
        (2501, 1, 2500, 5000),
        (5, 0, 0, 5),
    ],
)
def test_round_up_respects_moq_and_multiple(quantity, moq, mult, expected):
    assert round_up(quantity, moq, mult) == expected


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (0, None),
        (1, "0.25"),
        (9, "0.25"),
        (10, "0.227"),
        (24, "0.227"),
        (25, "0.21"),
        (100, "0.189"),
        (10**6, "0.189"),
    ],
)
def test_unit_price_is_the_highest_break_reached(quantity, expected):
    price = unit_price_at(BREAKS, quantity)
    assert price == (Decimal(expected) if expected else None)


def test_unsorted_breaks_give_the_same_answer():
    assert unit_price_at(tuple(reversed(BREAKS)), 30) == Decimal("0.21")


def test_plain_quantity_when_buying_up_does_not_pay():
    price = price_offer(make(), 5)
    assert (price.order_quantity, price.unit_price, price.extended) == (
        5,
        Decimal("0.25"),
        Decimal("1.25"),
    )
    assert price.extra == 0


def test_buys_up_to_a_higher_break_when_the_total_is_lower():
    # 9 x 0.25 = 2.25 is cheaper than 10 x 0.227 = 2.27: stay at 9
    assert price_offer(make(), 9).order_quantity == 9
    # 90 x 0.21 = 18.90 > 100 x 0.189 = 18.90: equal, keep the smaller order
    assert price_offer(make(), 90).order_quantity == 90
    # 95 x 0.21 = 19.95 > 18.90: buy 100
    price = price_offer(make(), 95)
    assert (price.order_quantity, price.extended, price.extra) == (100, Decimal("18.900"), 5)
    assert price_offer(make(), 95, buy_up=False).order_quantity == 95


def test_moq_and_multiple_and_fees():
    offer = make(moq=10, mult=5, fees=(Fee("Digi-Reel", Decimal("7.00")),))
    price = price_offer(offer, 12)
    assert price.order_quantity == 15
    assert price.unit_price == Decimal("0.227")
    assert price.fees == Decimal("7.00")
    assert price.extended == Decimal("0.227") * 15 + Decimal("7.00")


def test_first_break_above_one_is_the_minimum():
    offer = make(breaks=(PriceBreak(2500, Decimal("0.01")),))
    price = price_offer(offer, 10)
    assert (price.order_quantity, price.extended) == (2500, Decimal("25.00"))


def test_offer_without_prices_cannot_be_priced():
    assert price_offer(make(breaks=()), 10) is None
    assert price_offer(make(), 0) is None
