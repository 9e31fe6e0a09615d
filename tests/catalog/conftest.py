"""Shared helpers for the catalog tests: fixture paths, a store in tmp_path, an importer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from opencircuit_cli.catalog.importer import ImportRequest, ImportSummary, import_catalog
from opencircuit_cli.catalog.store import CatalogStore

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "catalog"
DEMO = REPO / "fixtures" / "demo"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CatalogStore]:
    catalog_store = CatalogStore(tmp_path / "catalogs.sqlite")
    yield catalog_store
    catalog_store.close()


def load(store: CatalogStore, path: Path, name: str, **options: object) -> ImportSummary:
    return import_catalog(store, ImportRequest(path, name, **options))  # type: ignore[arg-type]
