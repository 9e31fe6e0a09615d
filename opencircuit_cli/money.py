"""Reading money, stock counts and lead times out of the text distributors send.

Pure functions, no I/O. Amounts are `Decimal`, never float; currencies are ISO 4217 codes.
Garbage raises `PriceParseError` instead of turning into 0: a price of 0 in a quote would be
silently wrong, a missing price is reported.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "COMMA_DECIMAL_CURRENCIES",
    "Money",
    "PriceParseError",
    "currency_code",
    "parse_int_loose",
    "parse_lead_time_days",
    "parse_price",
]


class PriceParseError(ValueError):
    """A text that is not a price; the message quotes it."""


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str | None  # ISO 4217; None when neither the text nor the hint says


#: Currencies whose usual notation writes the decimals after a comma ("1.234,56").
COMMA_DECIMAL_CURRENCIES: frozenset[str] = frozenset(
    {
        "EUR", "PLN", "CZK", "SEK", "DKK", "NOK", "ISK", "HUF", "BRL", "RON", "BGN",
        "TRY", "RUB", "UAH", "IDR", "VND", "ARS", "CLP", "COP", "HRK", "RSD",
    }
)  # fmt: skip

#: Currencies whose usual notation writes the decimals after a point ("1,234.56").
DOT_DECIMAL_CURRENCIES: frozenset[str] = frozenset(
    {
        "USD", "GBP", "JPY", "CNY", "CHF", "CAD", "AUD", "NZD", "HKD", "SGD", "INR",
        "KRW", "TWD", "MXN", "ILS", "THB", "MYR", "PHP", "ZAR",
    }
)  # fmt: skip

KNOWN_CURRENCIES: frozenset[str] = COMMA_DECIMAL_CURRENCIES | DOT_DECIMAL_CURRENCIES

#: Non-ISO codes distributors use.
CURRENCY_ALIASES: dict[str, str] = {"RMB": "CNY"}

_DOLLARS = frozenset({"USD", "CAD", "AUD", "NZD", "HKD", "SGD", "TWD", "MXN"})
_YEN = frozenset({"JPY", "CNY"})
_KRONA = frozenset({"SEK", "DKK", "NOK", "ISK"})

# Markers that need the hint to name a currency.
_AMBIGUOUS_DOLLAR = "$"
_AMBIGUOUS_YEN = "¥"
_AMBIGUOUS_KRONA = "kr"

#: Currency symbols and local abbreviations (compared as written, after NFKC).
_SYMBOLS: dict[str, str] = {
    "$": _AMBIGUOUS_DOLLAR,
    "US$": "USD",
    "U$S": "USD",
    "C$": "CAD",
    "CA$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "NZ$": "NZD",
    "HK$": "HKD",
    "S$": "SGD",
    "NT$": "TWD",
    "R$": "BRL",
    "MX$": "MXN",
    "€": "EUR",
    "£": "GBP",
    "¥": _AMBIGUOUS_YEN,
    "CN¥": "CNY",
    "JP¥": "JPY",
    "元": "CNY",
    "₹": "INR",
    "Rs": "INR",
    "Rs.": "INR",
    "₩": "KRW",
    "zł": "PLN",
    "Kč": "CZK",
    "Ft": "HUF",
    "kr": _AMBIGUOUS_KRONA,
    "kr.": _AMBIGUOUS_KRONA,
    "Fr.": "CHF",
    "fr.": "CHF",
    "lei": "RON",
    "лв": "BGN",
    "лв.": "BGN",
    "₽": "RUB",
    "₺": "TRY",
    "₪": "ILS",
    "฿": "THB",
    "₴": "UAH",
    "₱": "PHP",
    "RM": "MYR",
}

# U+00A0 no-break space, U+202F narrow no-break space, U+2009 thin space, U+2007 figure space.
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})
# The number: digits with separators inside, ending in a digit; or a leading-point ".25".
_NUMBER = re.compile(r"\d[\d.,' ]*\d|\d|[.,]\d+")
_MINUS = ("-", "−", "–", "(")


def currency_code(text: str | None) -> str | None:
    """ISO 4217 code for a distributor's currency field ("usd", "RMB" -> "CNY"), else None."""
    if not text or not text.strip():
        return None
    code = text.strip().upper()
    code = CURRENCY_ALIASES.get(code, code)
    return code if re.fullmatch(r"[A-Z]{3}", code) else None


def parse_price(text: str, currency_hint: str | None = None) -> Money:
    """The amount and currency in a price text such as "$0.25", "1.234,56 €" or "RMB 1.23".

    Currency: a code ("USD", "RMB" -> CNY) or symbol ("€", "zł", "CN¥") before or after the
    number; when the text names none, `currency_hint` (ISO code) is used. The hint also
    resolves the ambiguous "$" (USD unless the hint is another dollar), "¥" (JPY unless the
    hint is CNY) and "kr" (SEK/DKK/NOK/ISK from the hint, else currency None). A currency
    named in the text wins over a different hint.

    Decimal separator, in this order:

    1. Spaces (also U+00A0/U+202F) and apostrophes are thousands separators ("1 234,56",
       "1'234.50"); groups after them must have exactly 3 digits.
    2. Both "." and "," present: the last one is the decimal separator ("1.234,56", "1,234.56").
    3. One of them, several times: thousands ("1,234,567"); groups of exactly 3 digits.
    4. One of them, once: it is the decimal separator unless exactly 3 digits follow it. With
       3 digits after it, it is still decimal when the integer part is 0 ("0.189", "0,227"),
       has more than 3 digits ("1234,567"), or thousands are already grouped by a space;
       otherwise the currency decides: in a
       comma-decimal currency (EUR, PLN, CZK, SEK, DKK, NOK, HUF, BRL, ...; also "kr") a comma
       is decimal and a point is thousands ("1,234 €" = 1.234, "1.234 €" = 1234); in a
       point-decimal currency (USD, GBP, CNY, JPY, CHF, ...) the reverse ("$1.234" = 1.234,
       "$1,234" = 1234); with no currency known it is a thousands separator ("1,234" = 1234).

    Raises `PriceParseError` quoting the text for anything else: empty, "N/A", "Call",
    "1.2.3", a negative amount, two different currencies, or stray words.
    """
    if not isinstance(text, str):
        raise PriceParseError(f"not a price: {text!r} (expected text)")
    cleaned = _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).translate(_APOSTROPHES)
    cleaned = cleaned.strip()
    found = _NUMBER.search(cleaned)
    if found is None:
        raise PriceParseError(f"not a price: {text!r} (no number in it)")
    before, after = cleaned[: found.start()].strip(), cleaned[found.end() :].strip()
    if any(sign in before for sign in _MINUS) or after.startswith("-"):
        raise PriceParseError(f"not a price: {text!r} (negative amount)")
    hint = currency_code(currency_hint)
    currency, comma_decimal = _currency(text, before, after, hint)
    amount = _amount(text, found.group(), comma_decimal)
    return Money(amount, currency)


def _resolve_marker(marker: str, hint: str | None) -> tuple[bool, str | None]:
    """(recognised, ISO code) for one currency marker; an empty marker is recognised as none."""
    if not marker:
        return True, None
    symbol = _SYMBOLS.get(marker)
    if symbol == _AMBIGUOUS_DOLLAR:
        return True, hint if hint in _DOLLARS else "USD"
    if symbol == _AMBIGUOUS_YEN:
        return True, hint if hint in _YEN else "JPY"
    if symbol == _AMBIGUOUS_KRONA:
        return True, hint if hint in _KRONA else None
    if symbol is not None:
        return True, symbol
    code = CURRENCY_ALIASES.get(marker.upper(), marker.upper())
    if code in KNOWN_CURRENCIES:
        return True, code
    return False, None


def _currency(
    text: str, before: str, after: str, hint: str | None
) -> tuple[str | None, bool | None]:
    """The currency code and whether it writes decimals with a comma (None: unknown)."""
    codes = []
    krona = False
    for marker in (before, after):
        known, code = _resolve_marker(marker, hint)
        if not known:
            raise PriceParseError(f"not a price: {text!r} (unexpected {marker!r})")
        krona |= _SYMBOLS.get(marker) == _AMBIGUOUS_KRONA
        if code is not None:
            codes.append(code)
    if len(set(codes)) > 1:
        raise PriceParseError(f"not a price: {text!r} (names two currencies)")
    currency = codes[0] if codes else hint
    if currency in COMMA_DECIMAL_CURRENCIES or (currency is None and krona):
        return currency, True
    if currency in DOT_DECIMAL_CURRENCIES:
        return currency, False
    return currency, None


def _amount(text: str, number: str, comma_decimal: bool | None) -> Decimal:
    """Decimal value of the number token following the separator rule of `parse_price`."""
    spaced = " " in number or "'" in number
    if spaced:
        head, sep, tail = _split_last(number, ".,")
        if sep and (" " in tail or "'" in tail):
            raise PriceParseError(f"not a price: {text!r} (digits after the decimals)")
        return _compose(text, head, "".join(ch for ch in head if ch in " '"), tail)

    points, commas = number.count("."), number.count(",")
    if points and commas:
        decimal_sep = "." if number.rfind(".") > number.rfind(",") else ","
        head, _, tail = number.rpartition(decimal_sep)
        return _compose(text, head, "," if decimal_sep == "." else ".", tail)
    if points + commas == 0:
        return _compose(text, number, "", "")
    sep = "." if points else ","
    if points + commas > 1:
        return _compose(text, number, sep, "")
    head, _, tail = number.partition(sep)
    if len(tail) != 3 or head in ("", "0") or len(head) > 3:
        return _compose(text, head, "", tail)
    decimal_sep = {True: ",", False: ".", None: None}[comma_decimal]
    if decimal_sep == sep:
        return _compose(text, head, "", tail)
    return _compose(text, number, sep, "")


def _split_last(number: str, separators: str) -> tuple[str, str, str]:
    """Split at the last of `separators`: (integer part, separator, decimals)."""
    index = max(number.rfind(sep) for sep in separators)
    if index < 0:
        return number, "", ""
    return number[:index], number[index], number[index + 1 :]


def _compose(text: str, integer: str, thousands: str, decimals: str) -> Decimal:
    """Check the grouping of `integer` by `thousands` separators and build the Decimal."""
    if thousands:
        groups = re.split("[" + re.escape(thousands) + "]", integer)
        if not (1 <= len(groups[0]) <= 3) or any(len(g) != 3 for g in groups[1:]):
            raise PriceParseError(f"not a price: {text!r} (misplaced thousands separator)")
        integer = "".join(groups)
    integer = integer or "0"
    if not integer.isdigit() or (decimals and not decimals.isdigit()):
        raise PriceParseError(f"not a price: {text!r} (separators do not make a number)")
    return Decimal(f"{integer}.{decimals}" if decimals else integer)


_LEADING_INT = re.compile(r"\s*(\d{1,3}(?:[,.' ]\d{3})+|\d+)(?![.,]?\d)")


def parse_int_loose(text: str | int | None) -> int | None:
    """The whole number a text starts with ("6809 In Stock", "1,000"), else None ("None", "")."""
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if text >= 0 else None
    found = _LEADING_INT.match(_SPACES.sub(" ", str(text)))
    if found is None:
        return None
    return int(re.sub(r"\D", "", found.group(1)))


_LEAD_TIME = re.compile(r"\s*(\d+)\s*(days?|d|weeks?|wks?|w)\b", re.IGNORECASE)


def parse_lead_time_days(text: str | int | None) -> int | None:
    """Days in "178 Days" or "12 Weeks" (x7); None when empty or in another unit."""
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if text >= 0 else None
    found = _LEAD_TIME.match(text)
    if found is None:
        return None
    days = int(found.group(1))
    return days * 7 if found.group(2).lower().startswith("w") else days
