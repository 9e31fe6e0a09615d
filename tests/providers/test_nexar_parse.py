"""Nexar parsers on every recorded `supMultiMatch[]` item and error body (tests/fixtures/nexar)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from opencircuit_cli.models import PriceBreak
from opencircuit_cli.providers.nexar_parse import (
    MEDIAN_PRICE_SPEC,
    NexarFormatError,
    count_parts,
    decode,
    parse_errors,
    parse_lifecycle,
    parse_match,
    parse_multi_match,
    parse_prices,
    parse_stock,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "nexar"
ITEMS = sorted(p.name for p in FIXTURES.glob("*.json") if p.name.startswith(("mpn_", "sku_")))
ERRORS = sorted(p.name for p in FIXTURES.glob("error_*.json"))
FETCHED = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def item(name: str) -> dict:
    return decode((FIXTURES / name).read_bytes())


def breaks(*pairs: tuple[int, str]) -> tuple[PriceBreak, ...]:
    return tuple(PriceBreak(q, Decimal(p)) for q, p in pairs)


def test_all_recorded_files_are_here():
    assert len(ITEMS) == 54 and len(ERRORS) == 3


@pytest.mark.parametrize("name", ITEMS)
def test_every_recorded_item_parses(name):
    raw = item(name)
    result = parse_match(raw, FETCHED)
    assert result.reference == raw["reference"] and result.hits == raw["hits"]
    assert [p.mpn for p in result.parts] == [p["mpn"] for p in raw["parts"]]
    recorded_offers = sum(len(s["offers"]) for p in raw["parts"] for s in p["sellers"])
    assert sum(len(p.offers) for p in result.parts) == recorded_offers
    for part in result.parts:
        for offer in part.offers:
            assert offer.source == "nexar" and offer.distributor and offer.sku
            assert offer.moq >= 1 and offer.order_multiple >= 1
            assert offer.fetched_at == FETCHED
            assert len(offer.currency) == 3
            assert all(
                isinstance(b.unit_price, Decimal) and b.unit_price > 0 for b in offer.price_breaks
            )
            quantities = [b.quantity for b in offer.price_breaks]
            assert quantities == sorted(set(quantities))
            assert offer.lead_time_days is None  # factoryLeadDays was not recorded


def test_adafruit_4062_six_sellers_exact_values():
    (part,) = parse_match(item("mpn_Adafruit_Industries_4062.json"), FETCHED).parts
    assert (part.mpn, part.manufacturer, part.description) == (
        "4062",
        "Adafruit Industries",
        "Adafruit Feather nRF52840 Express",
    )
    assert part.datasheet_url is None and part.lifecycle == "unknown" and dict(part.specs) == {}
    assert [(o.distributor, o.sku, o.stock, o.packaging, o.currency) for o in part.offers] == [
        ("Mouser", "485-4062", 583, None, "USD"),
        ("Digi-Key", "1528-2828-ND", 715, "Bulk", "USD"),
        ("Newark", "96AC6429", 0, None, "USD"),
        ("Allied Electronics & Automation", "72494069", 0, "Bulk", "USD"),
        ("Distrelec", "30139226", 0, None, "EUR"),
        ("Adafruit Industries", "ADA4062", 0, None, "USD"),
    ]
    mouser, digikey, _newark, _allied, distrelec, adafruit = part.offers
    assert mouser.price_breaks == breaks(
        (1, "24.95"),
        (10, "24.95"),
        (50, "24.95"),
        (100, "24.95"),
        (1000, "24.95"),
        (10000, "24.95"),
    )
    assert digikey.url and digikey.url.startswith("https://octopart.com/opatz8j6/a1?t=nMZUwp")
    assert distrelec.price_breaks == breaks((1, "23.47"))
    assert adafruit.price_breaks == breaks((1, "24.95"), (10, "22.455"), (100, "19.96"))
    assert adafruit.moq == 1 and adafruit.order_multiple == 1  # moq null in the answer
    assert mouser.authorized is None  # isAuthorized was not recorded


def test_kemet_c0603c103k5ractu_sellers_and_packagings():
    result = parse_match(item("mpn_Kemet_C0603C103K5RACTU.json"), FETCHED)
    assert (result.reference, result.hits) == ("q17", 3)
    assert [(p.mpn, p.manufacturer) for p in result.parts] == [
        ("C0603C103K5RACTU", "KEMET"),
        ("C0603C103K5RAC-TU", "KEMET"),
        ("C0603C103K5RAC TU", "KEMET"),
    ]
    part = result.parts[0]
    assert part.rohs == "Compliant"
    assert part.specs["Capacitance"] == "10 nF" and part.specs["Dielectric"] == "X7R"
    assert part.datasheet_url == (
        "http://datasheet.octopart.com/C0603C103K5RACTU-KEMET-datasheet-164512540.pdf"
    )
    assert len({o.distributor for o in part.offers}) == 61 and len(part.offers) == 93
    digikey = [o for o in part.offers if o.distributor == "Digi-Key"]
    assert [(o.sku, o.packaging, o.stock, o.moq) for o in digikey] == [
        ("399-C0603C103K5RAC7867CT-ND", "Cut Tape", 4897571, 1),
        ("399-C0603C103K5RAC7867DKR-ND", "Custom Reel", 4897571, 1),
        ("399-C0603C103K5RAC7867TR-ND", "Tape & Reel", 4896000, 4000),
    ]
    assert digikey[2].price_breaks[:2] == breaks((4000, "0.01347"), (8000, "0.0123"))
    farnell = [
        (o.sku, o.currency, o.moq, o.order_multiple)
        for o in part.offers
        if o.distributor == "Farnell"
    ]
    assert farnell == [
        ("2392299", "GBP", 4000, 4000),
        ("1414609", "GBP", 10, 10),
        ("1414609RL", "GBP", 500, 10),
    ]
    pui = next(o for o in part.offers if o.distributor == "PUI")
    assert pui.price_breaks == () and pui.currency == "USD"  # no prices: the asked currency


def test_panasonic_erj_3ekf1001v_lifecycle_and_lcsc():
    (part,) = parse_match(item("mpn_Panasonic_ERJ-3EKF1001V.json"), FETCHED).parts
    assert part.lifecycle == "active"
    assert part.lifecycle_text == "Production (Last Updated: 2 years ago)"
    lcsc = next(o for o in part.offers if o.distributor == "LCSC")
    assert (lcsc.sku, lcsc.stock, lcsc.moq, lcsc.order_multiple) == ("C118155", 17800, 50, 50)
    assert lcsc.price_breaks[:3] == breaks((50, "0.0099"), (500, "0.0084"), (1500, "0.0076"))


def test_seller_listing_two_currencies_gives_the_requested_one():
    (part, _) = parse_match(item("mpn_AMPHENOL_FCI_10103594-0001LF.json"), FETCHED).parts
    rs = next(o for o in part.offers if o.distributor == "RS Components")
    assert rs.currency == "USD"
    assert rs.price_breaks[:2] == breaks((5, "0.782"), (50, "0.667"))
    in_gbp = parse_match(item("mpn_AMPHENOL_FCI_10103594-0001LF.json"), FETCHED, currency="GBP")
    rs_gbp = next(o for o in in_gbp.parts[0].offers if o.distributor == "RS Components")
    assert rs_gbp.currency == "GBP" and rs_gbp.price_breaks[:2] == breaks(
        (5, "0.636"), (50, "0.542")
    )


def test_no_hits():
    result = parse_match(item("mpn_Texas_Instrumentos_SN74LS00N.json"), FETCHED)
    assert (result.reference, result.hits, result.parts) == ("q9", 0, ())


def test_converted_price_is_preferred_and_named():
    prices = [
        {"quantity": 1, "price": Decimal("0.10"), "currency": "EUR",
         "convertedPrice": Decimal("0.108"), "convertedCurrency": "USD"},
        {"quantity": 100, "price": Decimal("0.08"), "currency": "EUR",
         "convertedPrice": Decimal("0.0864"), "convertedCurrency": "USD"},
    ]  # fmt: skip
    assert parse_prices(prices, "USD") == (breaks((1, "0.108"), (100, "0.0864")), "USD")
    # converted into another currency than asked: the seller's own prices
    assert parse_prices(prices, "GBP") == (breaks((1, "0.10"), (100, "0.08")), "EUR")
    partial = [prices[0], {**prices[1], "convertedPrice": None}]
    assert parse_prices(partial, "USD") == (breaks((1, "0.10"), (100, "0.08")), "EUR")


def test_bad_price_points_are_left_out():
    prices = [
        {"quantity": 1, "price": 0, "currency": "USD"},
        {"quantity": 10, "price": Decimal("0.5"), "currency": ""},
        {"quantity": None, "price": Decimal("0.5"), "currency": "USD"},
        {"quantity": 100, "price": 0.25, "currency": "USD"},  # a float still goes through str
    ]
    assert parse_prices(prices, "USD") == (breaks((100, "0.25")), "USD")


@pytest.mark.parametrize(
    ("level", "stock"),
    [(0, 0), (1234, 1234), (-1, 0), (-2, None), (-3, None), (-4, None), (None, None)],
)
def test_inventory_codes(level, stock):
    assert parse_stock(level) == stock


@pytest.mark.parametrize(
    ("text", "lifecycle"),
    [
        ("Production (Last Updated: 2 years ago)", "active"),
        ("Obsolete", "obsolete"),
        ("NRND", "nrnd"),
        ("EOL (Last Updated: 1 month ago)", "eol"),
        ("New", "new"),
        ("Something else", "unknown"),
        (None, "unknown"),
    ],
)
def test_lifecycle(text, lifecycle):
    assert parse_lifecycle(text) == lifecycle


def test_multi_match_answer_by_reference_and_billing_count():
    body = {
        "data": {
            "supMultiMatch": [
                item("mpn_Kemet_C0603C103K5RACTU.json"),
                item("mpn_Texas_Instrumentos_SN74LS00N.json"),
            ]
        }
    }
    results = parse_multi_match(body, FETCHED)
    assert sorted(results) == ["q17", "q9"]
    assert count_parts(body) == 3
    with pytest.raises(NexarFormatError):
        parse_multi_match({"data": {"supMultiMatch": {}}}, FETCHED)


def test_median_price_becomes_a_spec():
    raw = item("mpn_Adafruit_Industries_4062.json")
    raw["parts"][0]["medianPrice1000"] = {
        "quantity": 1000,
        "price": Decimal("19.96"),
        "currency": "USD",
    }
    (part,) = parse_match(raw, FETCHED).parts
    assert part.specs[MEDIAN_PRICE_SPEC] == "19.96 USD"


@pytest.mark.parametrize(
    ("name", "kinds", "text"),
    [
        ("error_part_limit_exceeded__nexar_support_doc.json", ["quota"], "part limit of 605"),
        ("error_invalid_token__nexar_support_doc_elided.json", ["auth"], "Token validation failed"),
        (
            "error_limit_start_out_of_range__nexar_support_doc.json",
            ["arguments", "arguments"],
            "start must be between 0 and 1000",
        ),
    ],
)
def test_error_bodies(name, kinds, text):
    errors = parse_errors(json.loads((FIXTURES / name).read_text()))
    assert [e.kind for e in errors] == kinds
    assert text in errors[0].message


def test_invalid_token_code():
    errors = parse_errors(item("error_invalid_token__nexar_support_doc_elided.json"))
    assert errors[0].code == "AuthInvalidToken"
