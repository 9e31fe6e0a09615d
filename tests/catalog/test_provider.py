"""CatalogProvider: lookups, search, check, unavailable(), configured files and re-imports."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from opencircuit_cli.catalog.configured import parse_entries, resolve_path
from opencircuit_cli.errors import ConfigError, InputError
from opencircuit_cli.models import PartQuery
from opencircuit_cli.providers.base import ProviderDeps, SearchOptions, unavailable_reason
from opencircuit_cli.providers.catalog import NOT_IMPORTED, CatalogProvider
from opencircuit_cli.settings import CatalogSettings
from tests.catalog.conftest import DEMO, FIXTURES, load


def _provider(tmp_path: Path, files: list[str] | None = None, **kwargs) -> CatalogProvider:
    deps = ProviderDeps(
        settings=CatalogSettings(files=files or []),
        secret=lambda field: None,  # type: ignore[arg-type,return-value]
        http=None,
        currency="USD",
        country="US",
        data_dir=tmp_path / "data",
    )
    return CatalogProvider(deps, **kwargs)


def test_unavailable_until_something_is_imported(tmp_path: Path) -> None:
    provider = _provider(tmp_path)
    assert unavailable_reason(provider) == NOT_IMPORTED
    assert "opencircuit catalog import FILE --name NAME" in NOT_IMPORTED
    load(provider.store, FIXTURES / "lcsc_order_export_rows.csv", "order")
    assert unavailable_reason(provider) is None
    assert provider.check().message == "1 catalogs, 4 parts"


def test_configured_files_make_it_available(tmp_path: Path) -> None:
    provider = _provider(tmp_path, [f"demo={DEMO / 'demo-prices.csv'}"])
    assert unavailable_reason(provider) is None
    assert provider.store.catalogs() == []  # not imported at creation ...
    assert provider.check().ok  # ... but on first use
    assert provider.store.get("demo").origin == "config"


def test_lookup_several_catalogs_give_several_offers(tmp_path: Path) -> None:
    provider = _provider(tmp_path)
    load(provider.store, FIXTURES / "jlc_parts_library_2020_testParts.csv", "jlc")
    load(provider.store, FIXTURES / "jlcparts_legacy.sqlite3", "legacy")
    query, by_sku, missing = (
        PartQuery("1206W4F1002T5E"),
        PartQuery("whatever", sku="c17902"),
        PartQuery("NOPE"),
    )
    found = provider.lookup([query, by_sku, missing])
    parts = found[query]
    assert sorted(p.offers[0].source for p in parts) == ["catalog:jlc", "catalog:legacy"]
    assert {p.offers[0].distributor for p in parts} == {"LCSC"}
    assert {p.offers[0].sku for p in parts} == {"C17902"}
    assert len(found[by_sku]) == 2
    assert found[missing] == []


def test_search_options(tmp_path: Path) -> None:
    provider = _provider(tmp_path)
    load(provider.store, FIXTURES / "jlc_parts_library_2020_testParts.csv", "jlc")
    parts = provider.search("0402", SearchOptions(limit=3))
    assert len(parts) == 3
    exact = provider.search("C1558", SearchOptions(exact=True))
    assert exact == []  # --exact compares MPNs; C1558 is a SKU
    exact = provider.search("0402CG2R0C500NT", SearchOptions(exact=True))
    assert [p.mpn for p in exact] == ["0402CG2R0C500NT"]
    sunlord = provider.search("inductors", SearchOptions(manufacturer="sunlord"))
    assert sunlord and all(p.manufacturer == "Sunlord" for p in sunlord)


def test_reimport_rules(tmp_path: Path) -> None:
    source = tmp_path / "prices.csv"
    shutil.copy(DEMO / "demo-prices.csv", source)
    first = _provider(tmp_path, [f"p={source}"])
    first.check()
    imported = first.store.get("p")
    first.close()

    again = _provider(tmp_path, [f"p={source}"])
    again.check()
    assert again.store.get("p") == imported  # unchanged: not re-imported
    again.close()

    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    touched = _provider(tmp_path, [f"p={source}"])
    touched.check()
    after_touch = touched.store.get("p")
    assert after_touch.imported_at == imported.imported_at  # same hash: stat updated only
    assert after_touch.file_mtime_ns == source.stat().st_mtime_ns
    touched.close()

    lines = source.read_text(encoding="utf-8").splitlines()
    source.write_text("\n".join(lines[:5]) + "\n", encoding="utf-8")
    changed = _provider(tmp_path, [f"p={source}"])
    changed.check()
    assert changed.store.get("p").rows == 4
    changed.close()


def test_missing_configured_file_is_an_input_error(tmp_path: Path) -> None:
    provider = _provider(tmp_path, ["gone=does/not/exist.csv"], cwd=tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        provider.lookup([PartQuery("X")])


def test_relative_paths_prefer_the_config_directory(tmp_path: Path) -> None:
    config_dir, cwd = tmp_path / "conf", tmp_path / "work"
    for folder in (config_dir, cwd):
        folder.mkdir()
        (folder / "list.csv").write_text("MPN\nX\n", encoding="utf-8")
    assert resolve_path("list.csv", config_dir, cwd) == config_dir / "list.csv"
    assert resolve_path("list.csv", None, cwd) == cwd / "list.csv"
    assert resolve_path("other/list.csv", config_dir, cwd) == config_dir / "other/list.csv"
    entries = parse_entries(["list.csv", "b=list.csv"], config_dir, cwd)
    assert [(e.name, e.path) for e in entries] == [
        ("list", config_dir / "list.csv"),
        ("b", config_dir / "list.csv"),
    ]
    with pytest.raises(ConfigError, match="two files are declared as catalog 'list'"):
        parse_entries(["list.csv", "list=other.csv"], config_dir, cwd)
