"""Mouser parse functions on the recorded real answers (tests/fixtures/mouser, see SOURCE.md)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from opencircuit_cli.models import PriceBreak
from opencircuit_cli.providers.mouser_parse import (
    MouserErrorInfo,
    MouserFormatError,
    number_of_results,
    parse_errors,
    parse_lifecycle,
    parse_on_order,
    parse_packaging,
    parse_part,
    parse_parts,
    parse_stock,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mouser"
FETCHED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


BEL = "v1_partnumber_530-5MF6-R__kicost.json"
WURTH = "v1_partnumber_710-696101000002__kicost.json"
NO_RESULTS = "v1_partnumber_no_results_695120004001__kicost.json"
INVALID_KEY = "error_200_invalid_api_key__partdb_issue1017.json"


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.json")))
def test_every_recorded_body_parses(name):
    body = recorded(name)
    parts = parse_parts(body, FETCHED)
    assert isinstance(parts, list)
    for part in parts:
        (offer,) = part.offers
        assert offer.fetched_at == FETCHED
        assert all(isinstance(b.unit_price, Decimal) for b in offer.price_breaks)


def test_bel_fuse_5mf_6_r_exact_values():
    (part,) = parse_parts(recorded(BEL), FETCHED)
    assert part.mpn == "5MF 6-R"
    assert part.manufacturer == "Bel Fuse"
    assert part.description == "Cartridge Fuses"
    assert part.datasheet_url == (
        "https://www.mouser.com/datasheet/2/643/ds-CP-5mf-5mfp-series-1313109.pdf"
    )
    assert part.lifecycle == "active"  # LifecycleStatus "" is a part in production
    assert part.lifecycle_text is None
    assert part.rohs == "RoHS Compliant"
    assert part.suggested_replacement is None
    assert part.alternate_packagings == ()
    assert dict(part.specs) == {
        "Category": "Cartridge Fuses",
        "Standard Pack Qty": "1000",
        "USHTS": "8536100020",
        "ECCN": "EAR99",
    }
    (offer,) = part.offers
    assert offer.source == "mouser"
    assert offer.distributor == "Mouser"
    assert offer.sku == "530-5MF6-R"
    assert offer.authorized is True
    assert offer.currency == "USD"
    assert offer.price_breaks == (
        PriceBreak(1, Decimal("0.25")),
        PriceBreak(10, Decimal("0.227")),
        PriceBreak(25, Decimal("0.21")),
        PriceBreak(100, Decimal("0.189")),
    )
    assert offer.stock == 6809
    assert offer.factory_stock == 0
    assert offer.on_order is None  # not in this (2021) answer
    assert offer.moq == 1
    assert offer.order_multiple == 1
    assert offer.lead_time_days == 178
    assert offer.packaging == "Bulk"
    assert offer.url == (
        "https://www.mouser.com/ProductDetail/Bel-Fuse/5MF-6-R?qs=MvPYbBWWJyvZ8lGhubmnGg%3D%3D"
    )
    assert offer.fetched_at == FETCHED


def test_wurth_696101000002_exact_values():
    (part,) = parse_parts(recorded(WURTH), FETCHED)
    assert part.mpn == "696101000002"
    assert part.manufacturer == "Wurth Elektronik"
    assert part.description == "Fuse Holder Accessories WR-FSH BLOCKS PCB CLIP COVER THT"
    assert part.datasheet_url == "https://www.mouser.com/datasheet/2/445/696101000002-1720094.pdf"
    assert part.lifecycle == "active"
    assert part.specs["Category"] == "Fuse Holder Accessories"
    assert part.specs["Standard Pack Qty"] == "200"
    assert "Packaging" not in part.specs
    (offer,) = part.offers
    assert offer.sku == "710-696101000002"
    assert offer.currency == "USD"
    assert [(b.quantity, b.unit_price) for b in offer.price_breaks] == [
        (1, Decimal("0.66")),
        (10, Decimal("0.627")),
        (50, Decimal("0.595")),
        (100, Decimal("0.531")),
    ]
    assert offer.stock == 500
    assert offer.factory_stock == 0
    assert offer.moq == 1
    assert offer.order_multiple == 1
    assert offer.lead_time_days == 161
    assert offer.packaging == "Bulk"
    assert offer.url == (
        "https://www.mouser.com/ProductDetail/Wurth-Elektronik/696101000002"
        "?qs=%252BEew9%252B0nqrA0cx9mOnCWEw%3D%3D"
    )


def test_no_result_body_gives_no_parts():
    body = recorded(NO_RESULTS)
    assert parse_parts(body, FETCHED) == []
    assert number_of_results(body) == 0
    assert parse_errors(body) == []


def test_invalid_key_body():
    body = recorded(INVALID_KEY)
    assert parse_parts(body, FETCHED) == []  # SearchResults: null
    (error,) = parse_errors(body)
    assert error == MouserErrorInfo(
        code="Invalid",
        message="Invalid unique identifier.",
        property_name="API Key",
        resource_key="InvalidIdentifier",
    )
    assert error.kind == "auth"
    assert error.text == "Invalid unique identifier."


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ({"Code": "Required", "Message": "Required", "PropertyName": "API Key"}, "auth"),
        ({"Code": "Unauthorized", "Message": "Unauthorized"}, "auth"),
        ({"Code": "Invalid", "Message": "Invalid unique identifier."}, "auth"),
        ({"Code": "TooManyRequests", "Message": None}, "rate_limit"),
        ({"Code": "Error", "Message": "Too many requests, slow down"}, "rate_limit"),
        ({"Code": "InvalidCharacters", "Message": None}, "other"),
        ({"Code": "Invalid", "Message": "Invalid", "PropertyName": "Keyword"}, "other"),
    ],
)
def test_error_kinds(raw, kind):
    (error,) = parse_errors({"Errors": [raw], "SearchResults": None})
    assert error.kind == kind


def test_framework_error_message_counts_as_an_error():
    (error,) = parse_errors({"Message": "An error has occurred."})
    assert error.text == "An error has occurred."
    assert parse_errors({"Errors": [], "SearchResults": {"Parts": []}}) == []
    assert parse_errors([1, 2]) == []


def _bel_raw() -> dict:
    return copy.deepcopy(recorded(BEL)["SearchResults"]["Parts"][0])


def test_several_packaging_values_of_one_sku_are_one_offer():
    raw = _bel_raw()
    raw["ProductAttributes"] = [
        {"AttributeName": "Packaging", "AttributeValue": "Reel"},
        {"AttributeName": "Packaging", "AttributeValue": "Cut Tape"},
        {"AttributeName": "Packaging", "AttributeValue": "MouseReel"},
        {"AttributeName": "Standard Pack Qty", "AttributeValue": "3000"},
    ]
    raw["Reeling"] = True
    part = parse_part(raw, FETCHED)
    (offer,) = part.offers
    assert offer.packaging == "Reel / Cut Tape / MouseReel"
    assert part.specs["Standard Pack Qty"] == "3000"


def test_reeling_adds_mousereel():
    raw = _bel_raw()
    raw["ProductAttributes"] = [{"AttributeName": "Packaging", "AttributeValue": "Cut Tape"}]
    raw["Reeling"] = True
    assert parse_packaging(raw) == "Cut Tape / MouseReel"
    raw["ProductAttributes"] = []
    raw["Reeling"] = False
    assert parse_packaging(raw) is None


@pytest.mark.parametrize(
    ("text", "lifecycle"),
    [
        ("", "active"),
        ("New Product", "new"),
        ("New At Mouser", "new"),
        ("Not Recommended for New Designs", "nrnd"),
        ("End of Life", "eol"),
        ("Obsolete", "obsolete"),
        ("Something Else", "unknown"),
        (None, "unknown"),
    ],
)
def test_lifecycle(text, lifecycle):
    assert parse_lifecycle(text) == lifecycle
    raw = _bel_raw()
    raw["LifecycleStatus"] = text
    part = parse_part(raw, FETCHED)
    assert part.lifecycle == lifecycle
    assert part.lifecycle_text == (text or None)


@pytest.mark.parametrize(
    ("fields", "stock"),
    [
        ({"Availability": "6809 In Stock"}, 6809),
        ({"Availability": "1,234 In Stock"}, 1234),
        ({"Availability": "None"}, 0),
        ({"Availability": "On Order"}, 0),
        ({"Availability": "2 Weeks Factory Lead-Time"}, 0),
        ({"Availability": "6809 In Stock", "AvailabilityInStock": "7000"}, 7000),
        ({"Availability": "None", "AvailabilityInStock": None}, 0),
        ({}, None),
    ],
)
def test_stock(fields, stock):
    assert parse_stock(fields) == stock


def test_newer_fields_on_order_replacement_alternates_and_rmb():
    raw = _bel_raw()
    raw.update(
        {
            "AvailabilityOnOrder": [
                {"Quantity": 2000, "Date": "2026-03-01T00:00:00"},
                {"Quantity": 1000, "Date": "2026-04-01T00:00:00"},
            ],
            "SuggestedReplacement": "5MF 6.3-R",
            "AlternatePackagings": [{"APMfrPN": "5MF 6-R-TR"}, {"APMfrPN": "5MF 6-R-TR"}],
            "DataSheetUrl": "",
            "PriceBreaks": [
                {"Quantity": 100, "Price": "¥1.23", "Currency": "RMB"},
                {"Quantity": 1, "Price": "¥1.50", "Currency": "RMB"},
                {"Quantity": 1000, "Price": "询价", "Currency": "RMB"},  # "ask": no price
            ],
        }
    )
    part = parse_part(raw, FETCHED)
    (offer,) = part.offers
    assert offer.on_order == 3000
    assert part.suggested_replacement == "5MF 6.3-R"
    assert part.alternate_packagings == ("5MF 6-R-TR",)
    assert part.datasheet_url is None
    assert offer.currency == "CNY"
    assert offer.price_breaks == (
        PriceBreak(1, Decimal("1.50")),
        PriceBreak(100, Decimal("1.23")),
    )


def test_comma_decimal_prices_from_a_european_site():
    raw = _bel_raw()
    raw["PriceBreaks"] = [
        {"Quantity": 1, "Price": "0,25 €", "Currency": "EUR"},
        {"Quantity": 1000, "Price": "1.234,50 €", "Currency": "EUR"},
        {"Quantity": 10, "Price": "0,227 €", "Currency": "EUR"},
    ]
    (offer,) = parse_part(raw, FETCHED).offers
    assert offer.currency == "EUR"
    assert [b.unit_price for b in offer.price_breaks] == [
        Decimal("0.25"),
        Decimal("0.227"),
        Decimal("1234.50"),
    ]


def test_unpriced_part_uses_the_default_currency_and_has_no_breaks():
    raw = _bel_raw()
    raw["PriceBreaks"] = []
    (offer,) = parse_part(raw, FETCHED, default_currency="EUR").offers
    assert offer.price_breaks == ()
    assert offer.currency == "EUR"


def test_zero_and_garbage_prices_are_left_out_not_free():
    raw = _bel_raw()
    raw["PriceBreaks"] = [
        {"Quantity": 1, "Price": "$0.00", "Currency": "USD"},
        {"Quantity": 10, "Price": "Call", "Currency": "USD"},
        {"Quantity": 25, "Price": "$0.21", "Currency": "USD"},
    ]
    (offer,) = parse_part(raw, FETCHED).offers
    assert offer.price_breaks == (PriceBreak(25, Decimal("0.21")),)


def test_on_order_shapes():
    assert parse_on_order(None) is None
    assert parse_on_order([]) == 0
    assert parse_on_order("1,500") == 1500


def test_malformed_shapes():
    with pytest.raises(MouserFormatError):
        parse_parts({"SearchResults": "oops"}, FETCHED)
    with pytest.raises(MouserFormatError):
        parse_parts({"SearchResults": {"Parts": {"a": 1}}}, FETCHED)
    with pytest.raises(MouserFormatError):
        parse_part({"Description": "no numbers"}, FETCHED)
    # entries that are not parts are skipped, not fatal
    body = recorded(BEL)
    body["SearchResults"]["Parts"].extend([None, "x", {"Description": "no numbers"}])
    assert [p.mpn for p in parse_parts(body, FETCHED)] == ["5MF 6-R"]
