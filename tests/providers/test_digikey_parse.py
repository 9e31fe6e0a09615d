"""DigiKey v4 parsers on the recorded bodies in tests/fixtures/digikey (see SOURCE.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from opencircuit_cli.errors import ExitCode
from opencircuit_cli.models import LIFECYCLES, Fee
from opencircuit_cli.providers.digikey import auth_error_for
from opencircuit_cli.providers.digikey_parse import (
    DIGI_REEL_FEE,
    fix_url,
    parse_error,
    parse_keyword_search,
    parse_packaging,
    parse_product_details,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "digikey"
V4 = FIXTURES / "v4"
ERRORS = FIXTURES / "errors"
AT = datetime(2025, 6, 1, tzinfo=UTC)


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def details(name: str):
    (part,) = parse_product_details(load(V4 / f"dpn_{name}_US_en_USD_US_v4.json"), AT)
    return part


def prices(offer) -> list[tuple[int, str]]:
    return [(b.quantity, str(b.unit_price)) for b in offer.price_breaks]


@pytest.mark.parametrize("path", sorted(V4.glob("dpn_*.json")), ids=lambda p: p.name)
def test_every_recorded_details_body_parses(path):
    body = load(path)
    parts = parse_product_details(body, AT)
    if body is None:
        assert parts == []  # KiCost stored null for part numbers DigiKey did not know
        return
    (part,) = parts
    assert part.mpn and part.manufacturer and part.lifecycle in LIFECYCLES
    assert part.datasheet_url is None or part.datasheet_url.startswith("http")
    assert len(part.offers) == len(body["Product"]["ProductVariations"])
    for offer in part.offers:
        assert offer.currency == "USD" and offer.source == "digikey"
        assert offer.sku.strip() and offer.moq >= 1 and offer.order_multiple >= 1
        assert all(isinstance(b.unit_price, Decimal) for b in offer.price_breaks)
        assert list(offer.price_breaks) == sorted(offer.price_breaks, key=lambda b: b.quantity)


@pytest.mark.parametrize("path", sorted(V4.glob("*key*.json")), ids=lambda p: p.name)
def test_every_recorded_keyword_body_parses(path):
    body = load(path)
    page = parse_keyword_search(body, AT)
    assert page.total == body["ProductsCount"]
    assert len(page.parts) >= len(body["Products"])  # exact matches may add parts
    keys = [(p.mpn, p.manufacturer) for p in page.parts]
    assert len(keys) == len(set(keys))


def test_several_packagings_with_digi_reel_fee_and_marketplace():
    part = details("BC847BLT1G")
    assert (part.mpn, part.manufacturer) == ("BC847BLT1G", "onsemi")
    assert part.description == "TRANS NPN 45V 0.1A SOT23-3"
    assert part.lifecycle == "active" and part.lifecycle_text == "Active"
    assert part.datasheet_url == "https://www.onsemi.com/pdf/datasheet/bc846alt1-d.pdf"
    assert part.specs["Transistor Type"] == "NPN"
    assert part.specs["Package / Case"] == "TO-236-3, SC-59, SOT-23-3"
    tr, ct, dkr, market = part.offers
    assert [o.sku for o in part.offers] == [
        "BC847BLT1GOSTR-ND",
        "BC847BLT1GOSCT-ND",
        "BC847BLT1GOSDKR-ND",
        "2156-BC847BLT1G-OS-ND",
    ]
    assert [o.packaging for o in part.offers] == ["Tape & Reel", "Cut Tape", "Digi-Reel", "Bulk"]
    assert (tr.moq, tr.order_multiple, tr.stock) == (3000, 3000, 0)
    assert prices(tr)[:3] == [(3000, "0.02292"), (6000, "0.02029"), (9000, "0.01895")]
    assert prices(ct)[:3] == [(1, "0.12"), (10, "0.073"), (100, "0.0446")]
    assert (ct.moq, ct.order_multiple, ct.fees) == (1, 1, ())
    assert dkr.fees == (Fee(DIGI_REEL_FEE, Decimal("7.0")),)
    assert prices(dkr) == prices(ct)
    assert (market.distributor, market.authorized) == ("DigiKey Marketplace", None)
    assert (market.stock, market.moq, prices(market)) == (21836970, 11539, [(11539, "0.03")])
    assert all(o.distributor == "DigiKey" and o.authorized for o in (tr, ct, dkr))
    assert {o.lead_time_days for o in part.offers} == {70}  # ManufacturerLeadWeeks "10"
    assert tr.url == "https://www.digikey.com/en/products/detail/onsemi/BC847BLT1G/918344"


def test_obsolete_part_with_protocol_relative_datasheet():
    part = details("KA78L05AMTF")
    assert part.lifecycle == "obsolete" and part.lifecycle_text == "Obsolete"
    assert part.datasheet_url == (
        "https://mm.digikey.com/Volume0/opasdata/d220001/medias/docus/1034/KA78LXXA%2CKA78L05AA.pdf"
    )
    assert part.description == "IC REG LINEAR 5V 100MA SOT89-3"
    assert [o.sku for o in part.offers] == [
        "KA78L05AMTFTR-ND",
        "KA78L05AMTFCT-ND",
        "KA78L05AMTFDKR-ND",
    ]
    assert [o.stock for o in part.offers] == [0, 0, 0]
    assert [prices(o) for o in part.offers] == [[], [], [(1, "0.48")]]
    assert [o.moq for o in part.offers] == [1, 1, 1]  # DigiKey sends 0 for the unorderable ones
    assert part.offers[0].lead_time_days == 52 * 7


def test_single_box_part():
    part = details("296-23541-ND")
    assert (part.mpn, part.manufacturer) == ("TMDSCNCD2808", "Texas Instruments")
    assert part.description == "DAUGHTER CARD TMS320F2808"
    assert part.rohs == "ROHS3 Compliant"
    assert part.specs["Category"] == "Development Boards, Kits, Programmers"
    assert part.specs["Accessory Type"] == "Daughter Board"
    (offer,) = part.offers
    assert (offer.sku, offer.packaging, offer.stock, offer.moq) == ("296-23541-ND", "Box", 5, 1)
    assert prices(offer) == [(1, "73.3")]
    assert offer.lead_time_days == 84 and offer.fees == ()


def test_my_pricing_replaces_standard_pricing():
    body = load(V4 / "dpn_296-23541-ND_US_en_USD_US_v4.json")
    body["Product"]["ProductVariations"][0]["MyPricing"] = [
        {"BreakQuantity": 1, "UnitPrice": Decimal("70.10"), "TotalPrice": Decimal("70.10")}
    ]
    body["SearchLocaleUsed"]["Currency"] = "EUR"
    (offer,) = parse_product_details(body, AT)[0].offers
    assert prices(offer) == [(1, "70.10")] and offer.currency == "EUR"


def test_keyword_search_exact_matches_first():
    page = parse_keyword_search(load(V4 / "v4_keyword_search_LM358__http200.json"), AT)
    assert page.total == 133
    first = page.parts[0]
    assert (first.mpn, first.lifecycle) == ("LM358SNG", "obsolete")
    assert [o.distributor for o in first.offers] == ["DigiKey Marketplace", "DigiKey"]


def test_packaging_names_and_urls():
    assert parse_packaging("Tape & Box (TB)") == "Tape & Box"
    assert parse_packaging("Digi-Reel®") == "Digi-Reel"
    assert parse_packaging("Tube") == "Tube"
    assert fix_url("//mm.digikey.com/x.pdf") == "https://mm.digikey.com/x.pdf"
    assert fix_url("http://a/b.pdf") == "http://a/b.pdf"


EXPECTED_KINDS = {
    "ExpiredBearerToken": ("expired_token", "Bearer token"),
    "InvalidClientId": ("invalid_client_id", "client_id query parameter has incorrect value"),
    "InvalidCredentials": ("invalid_credentials", "Client credentials are invalid"),
    "NotSubscribed": ("not_subscribed", "You are not subscribed to this API"),
    "invalid_client_id": ("invalid_client_id", "X-DIGIKEY-Client-Id invalid"),
    "invalid_clientId": ("invalid_client_id", "client_id query parameter has incorrect value"),
}


@pytest.mark.parametrize("path", sorted(ERRORS.glob("*401*.json")), ids=lambda p: p.name)
def test_each_recorded_401_maps_to_its_message_and_exit_code(path):
    info = parse_error(load(path))
    assert info is not None
    name = next(k for k in EXPECTED_KINDS if k in path.name)
    kind, words = EXPECTED_KINDS[name]
    assert info.kind == kind
    error = auth_error_for(info, 401, "client_credentials")
    assert error.exit_code == ExitCode.AUTH == 4
    assert words in error.message and error.message.startswith("DigiKey rejected")
    assert error.hint
    if kind == "not_subscribed":
        assert "Subscribe" in error.hint
    elif kind in ("invalid_client_id", "invalid_credentials"):
        assert "DIGIKEY_CLIENT_ID" in error.hint
    else:
        assert "auth login digikey" in error.hint
    assert info.token_problem is (kind == "expired_token")
    if kind == "expired_token":
        assert "auth login digikey --flow authorization_code" in (
            auth_error_for(info, 401, "authorization_code").hint or ""
        )
