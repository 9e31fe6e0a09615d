"""The jlcparts SQLite databases (yaqwsx/jlcparts), in both published layouts.

- legacy `cache.sqlite3`: table `components` (price as JSON `[{qFrom, qTo, price}]`) with
  `categories` and `manufacturers` lookup tables (or a `v_components`-shaped table);
- `source-db-v2` (2026): `meta(key, value)` with `format = 'source-db-v2'` and `jlc_components`
  holding the JLC text price grammar; only `present = 1` rows are parts on sale.

The layout is detected from the schema, and an unknown one is refused with the tables found:
other tools silently imported zero prices when jlcparts changed its layout.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType

from opencircuit_cli.catalog.formats import lcsc_url
from opencircuit_cli.catalog.prices import (
    PriceGrammarError,
    first_tier_start,
    parse_jlc_price,
    parse_json_tiers,
)
from opencircuit_cli.catalog.record import CatalogRecord, RowError, clean
from opencircuit_cli.errors import InputError

SOURCE_DB_V2 = "source-db-v2"
LEGACY = "legacy"
_NEEDED = {"lcsc", "mfr", "price", "stock", "description", "package"}

_LEGACY_JOINED = """
    SELECT c.rowid AS row, c.lcsc, cat.category, cat.subcategory, c.mfr, c.package, c.joints,
           m.name AS manufacturer, c.basic, c.description, c.datasheet, c.stock, c.price
    FROM components c
    LEFT JOIN categories cat ON cat.id = c.category_id
    LEFT JOIN manufacturers m ON m.id = c.manufacturer_id
    ORDER BY c.lcsc
"""
_LEGACY_FLAT = """
    SELECT rowid AS row, lcsc, category, subcategory, mfr, package, joints, manufacturer, basic,
           description, datasheet, stock, price
    FROM components ORDER BY lcsc
"""
_V2 = """
    SELECT rowid AS row, lcsc, category, subcategory, mfr, package, joints, manufacturer,
           library_type, description, datasheet, stock, price, attributes
    FROM jlc_components WHERE present = 1 ORDER BY lcsc
"""


def is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def detect_layout(conn: sqlite3.Connection, path: Path) -> tuple[str, str]:
    """(layout, SELECT statement) or an InputError that names what was found instead."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "meta" in tables and {"key", "value"} <= _columns(conn, "meta"):
        row = conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        if row is not None:
            if row[0] != SOURCE_DB_V2:
                raise InputError(
                    f"{path}: jlcparts database format {row[0]!r} is not supported "
                    f"(known: {SOURCE_DB_V2}, legacy)",
                    hint="update opencircuit, or report the new layout",
                )
            missing = (_NEEDED | {"present"}) - _columns(conn, "jlc_components")
            if "jlc_components" not in tables or missing:
                raise InputError(
                    f"{path}: claims {SOURCE_DB_V2} but table jlc_components lacks "
                    f"{', '.join(sorted(missing))}"
                )
            return SOURCE_DB_V2, _V2
    if "components" in tables:
        columns = _columns(conn, "components")
        if {"category_id", "manufacturer_id"} <= columns and {"categories", "manufacturers"} <= (
            tables
        ):
            query = _LEGACY_JOINED
            columns |= {"category", "subcategory", "manufacturer"}
        else:
            query = _LEGACY_FLAT
        missing = (_NEEDED | {"category", "subcategory", "manufacturer", "basic"}) - columns
        if missing:
            raise InputError(
                f"{path}: table components lacks {', '.join(sorted(missing))}: "
                "not a jlcparts layout this version knows",
                hint="report the layout (the table and column names) to opencircuit",
            )
        return LEGACY, query
    raise InputError(
        f"{path}: not a jlcparts database (tables: {', '.join(sorted(tables)) or 'none'})",
        hint="pass the cache.sqlite3 published by jlcparts, or --format for another file",
    )


def read_jlcparts(path: Path, currency: str) -> tuple[str, Iterator[CatalogRecord]]:
    """The layout found and the records (streamed; the connection closes at the end)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        layout, query = detect_layout(conn, path)
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path}: not a readable SQLite database ({exc})") from None

    def records() -> Iterator[CatalogRecord]:
        try:
            for row in conn.execute(query):
                yield _record(row, layout, currency)
        finally:
            conn.close()

    return layout, records()


def _record(row: sqlite3.Row, layout: str, currency: str) -> CatalogRecord:
    sku = f"C{int(row['lcsc'])}"
    try:
        if layout == LEGACY:
            breaks = parse_json_tiers(row["price"] or "")
            library = "Basic" if row["basic"] else "Extended"
        else:
            breaks = parse_jlc_price(row["price"] or "")
            library = {"base": "Basic", "expand": "Extended"}.get(row["library_type"], "")
    except PriceGrammarError as exc:
        raise RowError(row["row"], f"{sku}: price: {exc}") from None
    specs: dict[str, str] = {"library_type": library} if library else {}
    if layout == SOURCE_DB_V2 and row["attributes"]:
        try:
            attributes = json.loads(row["attributes"])
        except json.JSONDecodeError:
            attributes = {}
        if isinstance(attributes, dict):
            specs.update({str(k): str(v) for k, v in attributes.items()})
    category = " / ".join(c for c in (clean(row["category"]), clean(row["subcategory"])) if c)
    return CatalogRecord(
        row=int(row["row"]),
        mpn=clean(row["mfr"]) or sku,
        manufacturer=clean(row["manufacturer"]),
        sku=sku,
        description=clean(row["description"]),
        package=clean(row["package"]),
        category=category or None,
        datasheet_url=clean(row["datasheet"]),
        url=lcsc_url(sku),
        stock=int(row["stock"]) if row["stock"] is not None else None,
        moq=first_tier_start(breaks),
        currency=currency,
        price_breaks=breaks,
        specs=MappingProxyType(specs),
    )
