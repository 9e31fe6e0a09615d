"""Bad input: clear InputErrors naming file and row, and nothing half-imported."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from opencircuit_cli.catalog.store import CatalogStore
from opencircuit_cli.errors import InputError, UsageError
from tests.catalog.conftest import FIXTURES, load

JLC = FIXTURES / "jlc_parts_library_2020_testParts.csv"


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    target = tmp_path / "jlc.csv"
    text = JLC.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def test_malformed_price_names_file_and_row(store: CatalogStore, tmp_path: Path) -> None:
    bad = _broken_copy(tmp_path, "1-199:0.005760870,200-:0.002156522", "1-199:0.0057O,200-:x")
    with pytest.raises(InputError) as caught:
        load(store, bad, "jlc")
    message = caught.value.message
    assert str(bad) in message and "row 11" in message and "0.0057O" in message
    assert store.catalogs() == []


def test_failed_reimport_keeps_the_previous_catalog(store: CatalogStore, tmp_path: Path) -> None:
    load(store, JLC, "jlc")
    before = store.get("jlc")
    bad = _broken_copy(tmp_path, "1-999:0.001739130,1000-:0.000543478", "1-999:;1000-:")
    with pytest.raises(InputError, match="row 18"):
        load(store, bad, "jlc")
    assert store.get("jlc") == before
    assert store.part_count() == 22
    assert store.lookup(["C17902"])["C17902"][0].record.price_breaks


def test_missing_columns(store: CatalogStore, tmp_path: Path) -> None:
    source = tmp_path / "no_price.csv"
    source.write_text("LCSC Part;MFR.Part;Stock\nC17902;1206W4F1002T5E;5\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load(store, source, "x", format="jlc")
    assert "missing price" in caught.value.message and str(source) in caught.value.message


def test_unrecognised_header(store: CatalogStore, tmp_path: Path) -> None:
    source = tmp_path / "notes.csv"
    source.write_text("hello,world\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="format not recognised"):
        load(store, source, "x")


def test_wrong_encoding(store: CatalogStore) -> None:
    with pytest.raises(InputError, match="neither UTF-8 nor GB18030"):
        load(store, FIXTURES / "jlc_parts_library_2020_utf16.csv", "x")


def test_zero_usable_rows(store: CatalogStore, tmp_path: Path) -> None:
    source = tmp_path / "empty.csv"
    source.write_text("MPN,Manufacturer,Stock\n,,5\nTotal,,5\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load(store, source, "x")
    assert "no usable rows" in caught.value.message
    assert "row 2: no part number" in caught.value.message
    assert store.catalogs() == []


def test_jlc_file_without_any_price_fails_loudly(store: CatalogStore, tmp_path: Path) -> None:
    source = tmp_path / "noprices.csv"
    lines = JLC.read_text(encoding="utf-8").splitlines()
    stripped = [";".join(c if i != 10 else "" for i, c in enumerate(line.split(";")))
                for line in lines[1:]]  # fmt: skip
    source.write_text("\n".join([lines[0], *stripped]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="none of the 22 rows has a price"):
        load(store, source, "x")


def test_unknown_jlcparts_layout(store: CatalogStore, tmp_path: Path) -> None:
    future = tmp_path / "cache.sqlite3"
    shutil.copy(FIXTURES / "jlcparts_source_db_v2.sqlite3", future)
    with sqlite3.connect(future) as conn:
        conn.execute("UPDATE meta SET value = 'source-db-v3' WHERE key = 'format'")
    with pytest.raises(InputError, match="'source-db-v3' is not supported"):
        load(store, future, "x")
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE parts (lcsc INTEGER, price REAL)")
    with pytest.raises(InputError, match=r"not a jlcparts database \(tables: parts\)"):
        load(store, other, "x")


def test_legacy_layout_with_changed_price_column_fails(store: CatalogStore, tmp_path: Path) -> None:
    changed = tmp_path / "cache.sqlite3"
    shutil.copy(FIXTURES / "jlcparts_legacy.sqlite3", changed)
    with sqlite3.connect(changed) as conn:
        conn.execute("ALTER TABLE components RENAME COLUMN price TO prices")
    with pytest.raises(InputError, match="lacks price"):
        load(store, changed, "x")


def test_bad_names_and_formats(store: CatalogStore) -> None:
    with pytest.raises(UsageError):
        load(store, JLC, "no spaces please")
    with pytest.raises(UsageError):
        load(store, JLC, "x", format="kicad")
    with pytest.raises(InputError, match="no such file"):
        load(store, FIXTURES / "missing.csv", "x")
