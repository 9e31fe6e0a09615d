"""Price, stock and lead-time text as distributors write it."""

from decimal import Decimal

import pytest

from opencircuit_cli.money import (
    Money,
    PriceParseError,
    currency_code,
    parse_int_loose,
    parse_lead_time_days,
    parse_price,
)

NNBSP = "\u202f"  # narrow no-break space: French/Polish thousands separator
NBSP = "\u00a0"

PRICES = [
    # (text, hint, amount, currency)
    ("$0.25", None, "0.25", "USD"),
    ("$0.189", "USD", "0.189", "USD"),
    ("$1,234.56", None, "1234.56", "USD"),
    ("$1,234", None, "1234", "USD"),
    ("$1.234", None, "1.234", "USD"),  # USD writes decimals with a point
    ("0,45 €", None, "0.45", "EUR"),
    ("0,227 €", None, "0.227", "EUR"),
    ("1.234,56 €", None, "1234.56", "EUR"),
    ("1.234 €", None, "1234", "EUR"),
    ("1,234 €", None, "1.234", "EUR"),  # EUR writes decimals with a comma
    ("€1,234.56", None, "1234.56", "EUR"),
    ("€ 0,25", None, "0.25", "EUR"),
    ("£0.10", None, "0.10", "GBP"),
    ("¥12", None, "12", "JPY"),
    ("¥12", "CNY", "12", "CNY"),
    ("￥1,200", None, "1200", "JPY"),  # full-width yen sign
    ("RMB 1.23", None, "1.23", "CNY"),
    ("1.23 RMB", None, "1.23", "CNY"),
    ("CN¥1.23", None, "1.23", "CNY"),
    ("US$1.00", None, "1.00", "USD"),
    ("$1.00", "CAD", "1.00", "CAD"),
    ("CHF 1.20", None, "1.20", "CHF"),
    ("CHF 1'234.50", None, "1234.50", "CHF"),
    ("CHF 1’234.50", None, "1234.50", "CHF"),
    (f"1{NNBSP}234,56 zł", None, "1234.56", "PLN"),
    (f"1{NBSP}234,56 zł", None, "1234.56", "PLN"),
    ("1 234,56 zł", None, "1234.56", "PLN"),
    ("12,50 kr", "SEK", "12.50", "SEK"),
    ("12,50 kr", "DKK", "12.50", "DKK"),
    ("12,50 kr", None, "12.50", None),
    ("1,234 kr", None, "1.234", None),  # every krona writes decimals with a comma
    ("12,50 Kč", None, "12.50", "CZK"),
    ("1 234 Ft", None, "1234", "HUF"),
    ("R$ 1.234,56", None, "1234.56", "BRL"),
    ("0.10 USD", None, "0.10", "USD"),
    ("USD 0.10", None, "0.10", "USD"),
    ("0.10 usd", None, "0.10", "USD"),
    ("$1.00 USD", None, "1.00", "USD"),
    ("0.189", "USD", "0.189", "USD"),
    ("0.189", None, "0.189", None),  # a leading 0 is never a thousands group
    ("1,234", None, "1234", None),
    ("1.234", None, "1234", None),
    ("1234,567", None, "1234.567", None),  # 4 digits before it: not a thousands separator
    ("12,5", None, "12.5", None),
    ("1.234.567,89 €", None, "1234567.89", "EUR"),
    ("1,234,567", "USD", "1234567", "USD"),
    ("$.25", None, "0.25", "USD"),
    ("0.10 USD", "EUR", "0.10", "USD"),  # the text wins over the hint
    ("  $0.25  ", None, "0.25", "USD"),
    ("0,00", "EUR", "0.00", "EUR"),
]


@pytest.mark.parametrize(("text", "hint", "amount", "currency"), PRICES)
def test_real_world_price_formats(text, hint, amount, currency):
    parsed = parse_price(text, hint)
    assert parsed == Money(Decimal(amount), currency)
    assert isinstance(parsed.amount, Decimal)


GARBAGE = [
    "",
    "   ",
    "N/A",
    "n/a",
    "call",
    "Call for price",
    "$",
    "1.2.3",
    "1,2,3",
    "12 50",
    "1 23,45",
    "-0.25",
    "$-0.25",
    "-$0.25",
    "−0.25",
    "(1.00)",
    "0.25 call",
    "abc 1",
    "€1 USD",
    "$1 2",
    "1,23.45",
    "1.2345,67.8",
]


@pytest.mark.parametrize("text", GARBAGE)
def test_garbage_raises_and_quotes_the_text(text):
    with pytest.raises(PriceParseError) as caught:
        parse_price(text, "USD")
    assert repr(text) in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_non_text_is_rejected():
    with pytest.raises(PriceParseError):
        parse_price(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "code"),
    [("usd", "USD"), (" EUR ", "EUR"), ("RMB", "CNY"), ("", None), (None, None), ("dollars", None)],
)
def test_currency_code(text, code):
    assert currency_code(text) == code


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("178 Days", 178),
        ("1 Day", 1),
        ("12 Weeks", 84),
        ("1 week", 7),
        ("6 Wks", 42),
        ("", None),
        (None, None),
        ("3 Months", None),
        ("N/A", None),
        (21, 21),
    ],
)
def test_lead_time_days(text, days):
    assert parse_lead_time_days(text) == days


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("6809 In Stock", 6809),
        ("1,000", 1000),
        ("1.000", 1000),
        ("12 500", 12500),
        ("0", 0),
        ("None", None),
        ("On Order", None),
        ("", None),
        (None, None),
        ("12.5", None),
        (42, 42),
        (-1, None),
    ],
)
def test_parse_int_loose(text, value):
    assert parse_int_loose(text) == value
