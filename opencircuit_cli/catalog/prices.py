"""Price grammars found in catalog files. Pure functions; money is Decimal, never float.

A tier "applies from its first quantity up" (`PriceBreak`), so a quantity inside a gap between
tiers (`1-9:…,20-49:…` at 15) pays the tier below it, and a quantity below the first tier is
bought up to it (the first tier's start becomes the offer's MOQ).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation

from opencircuit_cli.models import PriceBreak


class PriceGrammarError(ValueError):
    """A price text that does not follow its grammar; the message quotes the offending part."""


_TIER = re.compile(r"^\s*(\d+)\s*-\s*(\d*)\s*:\s*([0-9.]+(?:[eE]-?\d+)?)\s*$")


def _amount(text: str, whole: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise PriceGrammarError(f"{text!r} is not a number (in {whole!r})") from None
    if not value.is_finite() or value <= 0:
        raise PriceGrammarError(f"unit price {text!r} is not positive (in {whole!r})")
    return value


def _checked(tiers: list[tuple[int, int | None, Decimal]], whole: str) -> tuple[PriceBreak, ...]:
    """Tiers must start at 1 or above, ascend without overlap, and only the last may be open."""
    previous_end = 0
    for index, (start, end, _price) in enumerate(tiers):
        if start < 1:
            raise PriceGrammarError(f"tier starting at {start} (in {whole!r})")
        if end is not None and end < start:
            raise PriceGrammarError(f"tier {start}-{end} ends before it starts (in {whole!r})")
        if start <= previous_end:
            raise PriceGrammarError(f"tier {start}-… overlaps the tier before (in {whole!r})")
        if end is None and index != len(tiers) - 1:
            raise PriceGrammarError(f"open tier {start}- is not the last (in {whole!r})")
        previous_end = end if end is not None else start
    return tuple(PriceBreak(start, price) for start, _end, price in tiers)


def parse_jlc_price(text: str) -> tuple[PriceBreak, ...]:
    """JLC library `Price` column: `1-199:0.0052,200-:0.0018`. Empty text: no prices.

    Accepts tiers starting above 1 (`20-180:…`), gaps between tiers and a trailing comma;
    anything else raises `PriceGrammarError`.
    """
    whole = text.strip()
    if not whole:
        return ()
    tiers: list[tuple[int, int | None, Decimal]] = []
    for chunk in whole.split(","):
        if not chunk.strip():
            continue
        found = _TIER.match(chunk)
        if found is None:
            raise PriceGrammarError(f"tier {chunk.strip()!r} is not 'from-to:price' (in {whole!r})")
        start, end, price = found.groups()
        tiers.append((int(start), int(end) if end else None, _amount(price, whole)))
    if not tiers:
        raise PriceGrammarError(f"no price tier in {whole!r}")
    return _checked(tiers, whole)


def parse_json_tiers(text: str) -> tuple[PriceBreak, ...]:
    """jlcparts legacy `components.price`: `[{"qFrom": 1, "qTo": 199, "price": 0.0052}, …]`.

    JSON numbers are read as Decimal (`parse_float=Decimal`), so no float ever touches money.
    """
    whole = text.strip()
    if not whole or whole == "[]":
        return ()
    try:
        data = json.loads(whole, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise PriceGrammarError(f"not JSON ({exc.msg}) in {whole[:80]!r}") from None
    if not isinstance(data, list):
        raise PriceGrammarError(f"expected a JSON list of tiers, got {whole[:80]!r}")
    tiers: list[tuple[int, int | None, Decimal]] = []
    for item in data:
        if not isinstance(item, dict) or not {"qFrom", "price"} <= item.keys():
            raise PriceGrammarError(f"tier {item!r} lacks qFrom/price (in {whole[:80]!r})")
        start, end, price = item["qFrom"], item.get("qTo"), item["price"]
        if not isinstance(start, int) or (end is not None and not isinstance(end, int)):
            raise PriceGrammarError(f"tier {item!r} has non-integer quantities")
        tiers.append((start, end, _amount(str(price), whole[:80])))
    return _checked(tiers, whole[:80])


_PAIR = re.compile(r"^\s*(\d[\d,]*)\s*\+?\s*[:=]\s*(.+?)\s*$")


def parse_breaks_cell(text: str, currency: str | None) -> tuple[tuple[PriceBreak, ...], str | None]:
    """One cell holding several breaks: `1:0.25; 10:0.227` (also `|` or newlines between pairs,
    `10+: $0.227`). Returns the breaks and the currency named in the prices, if any."""
    from opencircuit_cli.money import PriceParseError, parse_price

    whole = text.strip()
    if not whole:
        return (), None
    pairs = [p for p in re.split(r"[;|\n]", whole) if p.strip()]
    found_currency: str | None = None
    tiers: list[tuple[int, int | None, Decimal]] = []
    for pair in pairs:
        found = _PAIR.match(pair)
        if found is None:
            raise PriceGrammarError(f"{pair.strip()!r} is not 'quantity:price' (in {whole!r})")
        try:
            money = parse_price(found.group(2), currency)
        except PriceParseError as exc:
            raise PriceGrammarError(str(exc)) from None
        if money.amount <= 0:
            raise PriceGrammarError(f"unit price {found.group(2)!r} is not positive")
        found_currency = found_currency or money.currency
        tiers.append((int(found.group(1).replace(",", "")), None, money.amount))
    tiers.sort(key=lambda t: t[0])
    return _checked(
        [(s, None if i == len(tiers) - 1 else s, p) for i, (s, _e, p) in enumerate(tiers)], whole
    ), found_currency


def first_tier_start(breaks: tuple[PriceBreak, ...]) -> int:
    """The MOQ a ladder implies: its first tier's start (1 without prices)."""
    return breaks[0].quantity if breaks else 1
