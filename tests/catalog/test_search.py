"""Search: ranking, filters, parametric terms, short queries."""

from __future__ import annotations

import pytest

from opencircuit_cli.catalog.query import plan_search
from opencircuit_cli.catalog.store import CatalogStore
from tests.catalog.conftest import DEMO, FIXTURES, load


@pytest.fixture
def filled(store: CatalogStore) -> CatalogStore:
    load(store, FIXTURES / "jlc_parts_library_2020_testParts.csv", "jlc")
    load(store, DEMO / "demo-prices.csv", "demo")
    return store


def _mpns(store: CatalogStore, text: str, limit: int = 20, **options) -> list[str]:
    filters = options.pop("filters", None)
    return [h.record.mpn for h in store.search(plan_search(text, filters, **options), limit)]


def test_exact_mpn_beats_description_match(filled: CatalogStore, tmp_path) -> None:
    # A part whose description names another part's MPN must rank below that part.
    source = tmp_path / "list.csv"
    source.write_text(
        "MPN,Description,Stock\n"
        "ALT-1,drop-in replacement for 1206W4F1002T5E and 1206W4F1002T5E-compatible,5\n",
        encoding="utf-8",
    )
    load(filled, source, "alts")
    found = _mpns(filled, "1206W4F1002T5E")
    assert found[0] == "1206W4F1002T5E"
    assert "ALT-1" in found[1:]


def test_sku_and_prefix_hits(filled: CatalogStore) -> None:
    assert _mpns(filled, "C17902")[0] == "1206W4F1002T5E"
    found = _mpns(filled, "RMCF0805JT1")
    assert found and all(m.startswith("RMCF0805JT1") for m in found)


def test_parametric_terms(filled: CatalogStore) -> None:
    found = _mpns(filled, "10k 1206 1%")
    assert found == ["1206W4F1002T5E"]
    # 1% must not match "±5%"-only parts, 10k must not match 110k
    assert "4D02WGJ0103TCE" not in _mpns(filled, "10k 1%")


def test_filters_and_in_stock(filled: CatalogStore) -> None:
    inductors = _mpns(filled, "inductors", filters={"package": "0805"})
    assert inductors and all(m.startswith(("SDFL", "CMI")) for m in inductors)
    assert _mpns(filled, "inductors", filters={"package": "0402"}) == []
    caps = _mpns(filled, "capacitors", filters={"category": "MLCC"})
    assert len(caps) == 6
    in_stock = _mpns(filled, "BC847BLT1G", in_stock=True)
    assert in_stock == ["BC847BLT1G"]  # only the bulk offer has stock; one row remains
    assert _mpns(filled, "KA78L05AMTF", in_stock=True) == []
    assert _mpns(filled, "resistor", filters={"tolerance": "1%"})  # unknown name: a term


def test_short_queries_fall_back_to_like(filled: CatalogStore) -> None:
    plan = plan_search("5%")
    assert plan.fts is None and plan.like_terms == ("5%",)
    found = _mpns(filled, "5%")
    assert {"4D02WGJ0103TCE", "4D02WGJ0102TCE", "4D02WGJ0330TCE"} <= set(found)
    assert "1206W4F1002T5E" not in found  # "±1%" only
    assert _mpns(filled, "0Z") == []


def test_limit_and_no_hits(filled: CatalogStore) -> None:
    assert len(_mpns(filled, "RMCF", limit=3)) == 3
    assert _mpns(filled, "no-such-thing-anywhere") == []
