"""Every format imported from the sample files, with exact prices at several quantities."""

from __future__ import annotations

from decimal import Decimal

import pytest

from opencircuit_cli.catalog.store import CatalogStore, Hit
from opencircuit_cli.pricing.quantity import price_offer, unit_price_at
from opencircuit_cli.providers.catalog import to_part
from tests.catalog.conftest import DEMO, FIXTURES, load


def _hit(store: CatalogStore, key: str) -> Hit:
    hits = store.lookup([key])[key]
    assert len(hits) == 1, hits
    return hits[0]


def _price(store: CatalogStore, key: str, quantity: int, *, buy_up: bool = True):
    offer = to_part(_hit(store, key)).offers[0]
    return price_offer(offer, quantity, buy_up=buy_up)


@pytest.mark.parametrize(
    "fixture",
    [
        "jlc_parts_library_2020_testParts.csv",  # ';' UTF-8, as published
        "jlc_parts_library_2020_gb18030.csv",  # ',' GB18030, other order, trailing field
        "jlc_parts_library_2020.xlsx",  # two sheets
    ],
)
def test_jlc_table_variants(store: CatalogStore, fixture: str) -> None:
    summary = load(store, FIXTURES / fixture, "jlc")
    assert summary.catalog.format == "jlc"
    assert summary.catalog.rows == 22
    assert summary.catalog.price_breaks == 44
    assert summary.catalog.distributor == "LCSC"
    hit = _hit(store, "C17902")
    assert hit.record.mpn == "1206W4F1002T5E"
    assert hit.record.description == "Chip Resistor - Surface Mount 10KOhms ±1% 1/4W 1206 RoHS"
    assert hit.record.stock == 600403
    assert hit.record.category == "Resistors / Chip Resistor - Surface Mount"
    for quantity, unit in ((1, "0.005760870"), (199, "0.005760870"), (200, "0.002156522")):
        assert unit_price_at(hit.record.price_breaks, quantity) == Decimal(unit)
    priced = _price(store, "C14304", 150)  # 1-99 / 100-: 150 falls in the second tier
    assert priced.unit_price == Decimal("0.023369565")
    assert priced.extended == Decimal("3.50543475")


def test_jlc_lcsc_codes_are_normalised(store: CatalogStore) -> None:
    load(store, FIXTURES / "jlc_parts_library_2020_testParts.csv", "jlc")
    assert store.lookup(["C17902"])["C17902"]
    hit = _hit(store, "1206W4F1002T5E")
    assert hit.record.sku == "C17902"
    assert hit.record.url == "https://www.lcsc.com/product-detail/C17902.html"


def test_tiers_from_20_with_gaps(store: CatalogStore) -> None:
    load(store, FIXTURES / "jlc_gap_tiers.csv", "gaps")
    below = _price(store, "ISSUE120-PLACEHOLDER", 5)  # below the first tier: bought up to 20
    assert (below.order_quantity, below.unit_price) == (20, Decimal("0.004724409"))
    gap = _price(store, "ISSUE120-PLACEHOLDER", 190, buy_up=False)  # 181-199 is a gap
    assert (gap.order_quantity, gap.unit_price) == (190, Decimal("0.004724409"))
    cheaper = _price(store, "ISSUE120-PLACEHOLDER", 190)  # 200 at tier 2 costs less in total
    assert (cheaper.order_quantity, cheaper.unit_price) == (200, Decimal("0.003905512"))
    late = _price(store, "ISSUE120-PLACEHOLDER", 25_000)
    assert late.unit_price == Decimal("0.002692913")
    assert _hit(store, "ISSUE120-PLACEHOLDER").record.moq == 20


def test_jlcparts_legacy_layout(store: CatalogStore) -> None:
    summary = load(store, FIXTURES / "jlcparts_legacy.sqlite3", "legacy")
    assert summary.catalog.format == "jlcparts-db"
    assert "jlcparts layout: legacy" in summary.notes
    assert summary.catalog.rows == 5
    assert summary.catalog.price_breaks == 10
    hit = _hit(store, "C1558")
    assert hit.record.manufacturer == "Guangdong Fenghua Advanced Tech"
    assert hit.record.specs["library_type"] == "Basic"
    assert unit_price_at(hit.record.price_breaks, 999) == Decimal("0.00173913")
    assert unit_price_at(hit.record.price_breaks, 1000) == Decimal("0.000543478")
    assert unit_price_at(_hit(store, "C25726").record.price_breaks, 10) == Decimal("0.005210145")


def test_jlcparts_source_db_v2_layout_only_present_rows(store: CatalogStore) -> None:
    summary = load(store, FIXTURES / "jlcparts_source_db_v2.sqlite3", "v2")
    assert "jlcparts layout: source-db-v2" in summary.notes
    assert summary.catalog.rows == 21  # C25501 has present = 0
    assert store.lookup(["C25501"])["C25501"] == []
    hit = _hit(store, "C1557")
    assert hit.record.specs["library_type"] == "Basic"
    assert unit_price_at(hit.record.price_breaks, 200) == Decimal("0.005688406")


def test_lcsc_order_export(store: CatalogStore) -> None:
    summary = load(store, FIXTURES / "lcsc_order_export_rows.csv", "order")
    assert summary.catalog.format == "lcsc-order"
    assert summary.catalog.rows == 4
    hit = _hit(store, "CL10A105KO8NNNC")
    assert (hit.record.sku, hit.record.moq, hit.record.order_multiple) == ("C1592", 50, 50)
    priced = _price(store, "C1592", 10)  # MOQ 50
    assert (priced.order_quantity, priced.unit_price) == (50, Decimal("0.0049"))
    priced = _price(store, "C1592", 60)  # multiple of 50
    assert priced.order_quantity == 100


def test_generic_price_list_column_pairs(store: CatalogStore) -> None:
    summary = load(store, DEMO / "demo-prices.csv", "demo")
    assert summary.catalog.format == "generic"
    assert summary.catalog.rows == 52
    hits = store.lookup(["AP2114H-3.3TRG1"])["AP2114H-3.3TRG1"]
    by_sku = {h.record.sku: h for h in hits}
    cut = by_sku["AP2114H-3.3TRG1DICT-ND"]
    assert cut.distributor == "DigiKey"
    assert cut.record.packaging == "Cut Tape (CT)"
    assert cut.record.lead_time_days == 56  # "Lead Time (weeks)" = 8
    assert unit_price_at(cut.record.price_breaks, 1) == Decimal("0.61")
    assert unit_price_at(cut.record.price_breaks, 10) == Decimal("0.365")
    assert unit_price_at(cut.record.price_breaks, 99) == Decimal("0.3")
    reel = by_sku["AP2114H-3.3TRG1DITR-ND"]
    assert reel.record.moq == 4000
    priced = price_offer(to_part(reel).offers[0], 10)
    assert (priced.order_quantity, priced.unit_price) == (4000, Decimal("0.12068"))


def test_generic_breaks_in_one_cell_and_skipped_rows(store: CatalogStore) -> None:
    summary = load(store, FIXTURES / "generic_breaks_in_one_cell.csv", "cells")
    assert summary.catalog.rows == 4
    assert [(s.row, s.reason) for s in summary.skipped] == [(7, "totals row")]
    hit = _hit(store, "BAT46ZFILM")
    assert hit.distributor == "DigiKey"
    assert hit.record.sku == "497-5559-1-ND"
    assert hit.record.stock == 23837
    assert hit.record.lead_time_days == 175
    assert unit_price_at(hit.record.price_breaks, 100) == Decimal("0.1122")
    assert unit_price_at(hit.record.price_breaks, 5000) == Decimal("0.07823")


def test_inventree_supplier_parts(store: CatalogStore) -> None:
    summary = load(store, FIXTURES / "inventree_supplier_parts.csv", "stock")
    assert summary.catalog.format == "inventree"
    assert summary.catalog.rows == 5
    own = _hit(store, "M74VHC1GT126DF1G")
    assert (own.distributor, own.record.stock, own.currency) == ("Stockroom", 197, "USD")
    assert to_part(own).offers[0].sku == "M74VHC1GT126DF1G"  # no SKU: the MPN stands in
    assert unit_price_at(own.record.price_breaks, 1) == Decimal("0.1673")
    lcsc = _hit(store, "C8678")
    assert (lcsc.distributor, lcsc.record.mpn, lcsc.record.order_multiple) == ("LCSC", "SS34", 20)


def test_distributor_and_currency_options(store: CatalogStore) -> None:
    load(
        store,
        FIXTURES / "jlc_parts_library_2020_testParts.csv",
        "jlc",
        distributor="JLCPCB",
        currency="usd",
    )
    hit = _hit(store, "C17902")
    assert (hit.distributor, hit.currency) == ("JLCPCB", "USD")


def test_map_names_an_unrecognised_column(store: CatalogStore, tmp_path) -> None:
    source = tmp_path / "list.csv"
    source.write_text("Teil,Bestand,Stueckpreis\nRMCF0805JT10K0,42,0.1\n", encoding="utf-8")
    summary = load(
        store, source, "mapped", mapping={"mpn": "Teil", "stock": "Bestand", "price": "Stueckpreis"}
    )
    assert summary.catalog.format == "generic"
    hit = _hit(store, "RMCF0805JT10K0")
    assert hit.record.stock == 42
    assert hit.record.price_breaks[0].unit_price == Decimal("0.1")
