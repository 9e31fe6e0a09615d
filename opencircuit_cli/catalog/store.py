"""The catalog database: one SQLite file, several named catalogs.

Schema: `catalogs` (one row per imported file, with the fingerprint used for re-imports),
`parts` (one row per part, exact MPN / SKU lookups through indexes on normalised columns),
`price_breaks` (one row per break, the unit price as Decimal text, never REAL) and `parts_fts`,
an FTS5 trigram index over MPN, SKU, manufacturer, package, categories and description
(external content: the text is stored once, in `parts`).

Replacing a catalog happens in one transaction: until it commits, readers see the previous
catalog, and a failed import rolls back to it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

from opencircuit_cli.catalog.query import SearchPlan, like_pattern
from opencircuit_cli.catalog.record import CatalogRecord
from opencircuit_cli.errors import InputError
from opencircuit_cli.matching import normalize_mpn
from opencircuit_cli.models import PriceBreak

SCHEMA_VERSION = 1
FILE_NAME = "catalogs.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS catalogs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    format TEXT NOT NULL,
    distributor TEXT NOT NULL,
    currency TEXT NOT NULL,
    rows INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    price_breaks INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    file_size INTEGER,
    file_mtime_ns INTEGER,
    file_sha256 TEXT,
    origin TEXT NOT NULL DEFAULT 'cli'
);
CREATE TABLE IF NOT EXISTS parts (
    id INTEGER PRIMARY KEY,
    catalog_id INTEGER NOT NULL,
    row INTEGER NOT NULL,
    mpn TEXT NOT NULL,
    mpn_norm TEXT NOT NULL,
    sku TEXT,
    sku_norm TEXT,
    manufacturer TEXT,
    distributor TEXT,
    package TEXT,
    category TEXT,
    description TEXT,
    datasheet TEXT,
    url TEXT,
    stock INTEGER,
    moq INTEGER NOT NULL,
    order_multiple INTEGER NOT NULL,
    packaging TEXT,
    lead_time_days INTEGER,
    currency TEXT,
    specs TEXT
);
CREATE INDEX IF NOT EXISTS parts_mpn ON parts(mpn_norm);
CREATE INDEX IF NOT EXISTS parts_sku ON parts(sku_norm) WHERE sku_norm IS NOT NULL;
CREATE INDEX IF NOT EXISTS parts_catalog ON parts(catalog_id);
CREATE TABLE IF NOT EXISTS price_breaks (
    part_id INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price TEXT NOT NULL,
    PRIMARY KEY (part_id, quantity)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS parts_fts USING fts5(
    mpn, sku, manufacturer, package, category, description,
    content='parts', content_rowid='id', tokenize='trigram'
);
"""
_FTS_COLUMNS = "mpn, sku, manufacturer, package, category, description"
_BM25 = "bm25(parts_fts, 10.0, 8.0, 2.0, 2.0, 1.0, 1.0)"
_PART_COLUMNS = (
    "p.id, p.row, p.mpn, p.mpn_norm, p.sku, p.sku_norm, p.manufacturer, p.distributor, p.package,"
    " p.category, p.description, p.datasheet, p.url, p.stock, p.moq, p.order_multiple,"
    " p.packaging, p.lead_time_days, p.currency, p.specs, c.name, c.distributor, c.currency"
)
_HAYSTACK = (
    "(p.mpn || ' ' || coalesce(p.sku, '') || ' ' || coalesce(p.manufacturer, '') || ' ' ||"
    " coalesce(p.package, '') || ' ' || coalesce(p.category, '') || ' ' ||"
    " coalesce(p.description, ''))"
)


@dataclass(frozen=True)
class CatalogInfo:
    name: str
    source: str
    format: str
    distributor: str
    currency: str
    rows: int
    skipped: int
    price_breaks: int
    imported_at: str
    file_size: int | None = None
    file_mtime_ns: int | None = None
    file_sha256: str | None = None
    origin: str = "cli"  # "cli" (catalog import) or "config" ([providers.catalog] files)


@dataclass(frozen=True)
class Hit:
    """A part found in a catalog, with the catalog it came from."""

    catalog: str
    distributor: str  # the part's own distributor, else the catalog's
    currency: str
    record: CatalogRecord
    score: float = 0.0


class CatalogStore:
    """The catalog database. Usable from the provider's worker thread (one user at a time)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    # -- connection -----------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                conn.close()
                raise InputError(
                    f"{self.path}: catalog database version {version} is newer than this "
                    f"opencircuit ({SCHEMA_VERSION})",
                    hint="upgrade opencircuit, or point [providers.catalog] path elsewhere",
                )
            conn.executescript(_SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def exists(self) -> bool:
        return self.path.is_file()

    # -- catalogs -------------------------------------------------------------------------
    def catalogs(self) -> list[CatalogInfo]:
        if not self.exists():
            return []
        rows = self._connect().execute(
            "SELECT name, source, format, distributor, currency, rows, skipped, price_breaks,"
            " imported_at, file_size, file_mtime_ns, file_sha256, origin FROM catalogs"
            " ORDER BY name"
        )
        return [CatalogInfo(*row) for row in rows]

    def get(self, name: str) -> CatalogInfo | None:
        return next((c for c in self.catalogs() if c.name == name), None)

    def part_count(self) -> int:
        if not self.exists():
            return 0
        return self._connect().execute("SELECT count(*) FROM parts").fetchone()[0]

    def touch(self, name: str, size: int, mtime_ns: int) -> None:
        """The file changed its mtime but not its content: remember the new stat only."""
        with self._lock:
            self._connect().execute(
                "UPDATE catalogs SET file_size = ?, file_mtime_ns = ? WHERE name = ?",
                (size, mtime_ns, name),
            )

    def set_skipped(self, name: str, skipped: int) -> None:
        with self._lock:
            self._connect().execute(
                "UPDATE catalogs SET skipped = ? WHERE name = ?", (skipped, name)
            )

    def remove(self, name: str) -> bool:
        with self._lock:
            conn = self._connect()
            conn.execute("BEGIN IMMEDIATE")
            try:
                found = self._delete(conn, name)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return found

    def _delete(self, conn: sqlite3.Connection, name: str) -> bool:
        row = conn.execute("SELECT id FROM catalogs WHERE name = ?", (name,)).fetchone()
        if row is None:
            return False
        (catalog_id,) = row
        conn.execute(
            f"INSERT INTO parts_fts(parts_fts, rowid, {_FTS_COLUMNS})"
            f" SELECT 'delete', id, {_FTS_COLUMNS} FROM parts WHERE catalog_id = ?",
            (catalog_id,),
        )
        conn.execute(
            "DELETE FROM price_breaks WHERE part_id IN (SELECT id FROM parts WHERE catalog_id = ?)",
            (catalog_id,),
        )
        conn.execute("DELETE FROM parts WHERE catalog_id = ?", (catalog_id,))
        conn.execute("DELETE FROM catalogs WHERE id = ?", (catalog_id,))
        return True

    def replace(
        self,
        info: CatalogInfo,
        records: Iterable[CatalogRecord],
        check: Callable[[int, int], None] | None = None,
    ) -> CatalogInfo:
        """Write `records` as catalog `info.name`, replacing any catalog of that name atomically.

        `check(rows, breaks)` runs before the commit and may raise to refuse the result (0
        usable rows, no price at all); any exception rolls everything back.
        """
        with self._lock:
            conn = self._connect()
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._delete(conn, info.name)
                cursor = conn.execute(
                    "INSERT INTO catalogs (name, source, format, distributor, currency, rows,"
                    " skipped, price_breaks, imported_at, file_size, file_mtime_ns, file_sha256,"
                    " origin) VALUES (?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?, ?, ?)",
                    (
                        info.name, info.source, info.format, info.distributor, info.currency,
                        info.imported_at, info.file_size, info.file_mtime_ns, info.file_sha256,
                        info.origin,
                    ),
                )  # fmt: skip
                catalog_id = cursor.lastrowid
                first_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM parts").fetchone()[0]
                counts = [0, 0]  # rows, breaks
                breaks: list[tuple[int, int, str]] = []

                def part_rows() -> Iterator[tuple]:
                    part_id = first_id
                    for record in records:
                        yield _part_row(part_id, catalog_id, record)
                        breaks.extend(
                            (part_id, b.quantity, _decimal_text(b.unit_price))
                            for b in record.price_breaks
                        )
                        counts[0] += 1
                        counts[1] += len(record.price_breaks)
                        part_id += 1
                        if len(breaks) > 50_000:
                            conn.executemany("INSERT INTO price_breaks VALUES (?, ?, ?)", breaks)
                            breaks.clear()

                conn.executemany(
                    "INSERT INTO parts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                    " ?, ?, ?, ?)",
                    part_rows(),
                )
                conn.executemany("INSERT INTO price_breaks VALUES (?, ?, ?)", breaks)
                if check is not None:
                    check(counts[0], counts[1])
                conn.execute(
                    f"INSERT INTO parts_fts(rowid, {_FTS_COLUMNS})"
                    f" SELECT id, {_FTS_COLUMNS} FROM parts WHERE catalog_id = ?",
                    (catalog_id,),
                )
                conn.execute(
                    "UPDATE catalogs SET rows = ?, skipped = ?, price_breaks = ? WHERE id = ?",
                    (counts[0], info.skipped, counts[1], catalog_id),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return CatalogInfo(**{**info.__dict__, "rows": counts[0], "price_breaks": counts[1]})

    # -- queries --------------------------------------------------------------------------
    def lookup(self, keys: Sequence[str]) -> dict[str, list[Hit]]:
        """Exact hits by normalised MPN or SKU, for every key (an empty list: none)."""
        found: dict[str, list[Hit]] = {key: [] for key in keys}
        if not keys or not self.exists():
            return found
        conn = self._connect()
        with self._lock:
            for start in range(0, len(keys), 400):
                chunk = list(dict.fromkeys(keys[start : start + 400]))
                marks = ", ".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT {_PART_COLUMNS} FROM parts p JOIN catalogs c ON c.id = p.catalog_id"
                    f" WHERE p.mpn_norm IN ({marks})"
                    f" UNION SELECT {_PART_COLUMNS} FROM parts p"
                    f" JOIN catalogs c ON c.id = p.catalog_id WHERE p.sku_norm IN ({marks})",
                    chunk + chunk,
                ).fetchall()
                hits = self._hits(conn, rows, [0.0] * len(rows))
                for hit in hits:
                    for key in {normalize_mpn(hit.record.mpn), _norm(hit.record.sku)}:
                        if key in found:
                            found[key].append(hit)
        for hits in found.values():
            hits.sort(key=lambda h: (h.catalog, h.record.row))
        return found

    def search(self, plan: SearchPlan, limit: int) -> list[Hit]:
        """Candidates for `plan`, best first: exact MPN, exact SKU, MPN prefix, then bm25."""
        if not self.exists() or (not plan.text and not plan.columns and not plan.like_terms):
            return []
        conn = self._connect()
        where: list[str] = []
        params: list[object] = []
        for term in plan.like_terms:
            where.append(f"{_HAYSTACK} LIKE ? ESCAPE '\\'")
            params.append(like_pattern(term))
        for column, value in plan.columns:
            expr = (
                "coalesce(p.distributor, c.distributor)"
                if column == "distributor"
                else (f"p.{column}")
            )
            where.append(f"{expr} LIKE ? ESCAPE '\\'")
            params.append(like_pattern(value))
        if plan.in_stock:
            where.append("p.stock > 0")
        fetch = limit * (5 if plan.values else 2) + 10
        with self._lock:
            if plan.fts is not None:
                sql = (
                    f"SELECT {_PART_COLUMNS}, {_BM25} FROM parts_fts"
                    " JOIN parts p ON p.id = parts_fts.rowid JOIN catalogs c ON c.id = p.catalog_id"
                    " WHERE parts_fts MATCH ?"
                    + "".join(f" AND {w}" for w in where)
                    + f" ORDER BY {_BM25} LIMIT ?"
                )
                rows = conn.execute(sql, [plan.fts, *params, fetch]).fetchall()
            else:
                sql = (
                    f"SELECT {_PART_COLUMNS}, 0.0 FROM parts p JOIN catalogs c"
                    " ON c.id = p.catalog_id"
                    + (" WHERE " + " AND ".join(where) if where else "")
                    + " ORDER BY length(p.mpn) LIMIT ?"
                )
                rows = conn.execute(sql, [*params, fetch]).fetchall()
            hits = self._hits(conn, [r[:-1] for r in rows], [r[-1] for r in rows])
        if plan.values:
            hits = [h for h in hits if all(v.search(_text(h.record)) for v in plan.values)]
        exact = self.lookup([plan.normalized])[plan.normalized] if plan.normalized else []
        if exact and (plan.columns or plan.in_stock):
            exact = [h for h in exact if _passes(h, plan)]
        merged = {(h.catalog, h.record.row): h for h in [*exact, *hits]}
        ranked = sorted(merged.values(), key=lambda h: _rank(h, plan.normalized))
        return ranked[:limit]

    def _hits(self, conn: sqlite3.Connection, rows: list, scores: list[float]) -> list[Hit]:
        ids = [row[0] for row in rows]
        ladders: dict[int, list[PriceBreak]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for part_id, quantity, price in conn.execute(
                "SELECT part_id, quantity, unit_price FROM price_breaks WHERE part_id IN"
                f" ({', '.join('?' * len(chunk))}) ORDER BY part_id, quantity",
                chunk,
            ):
                ladders.setdefault(part_id, []).append(PriceBreak(quantity, Decimal(price)))
        return [
            _hit(row, tuple(ladders.get(row[0], ())), score)
            for row, score in zip(rows, scores, strict=True)
        ]


def _norm(value: str | None) -> str | None:
    return normalize_mpn(value) if value else None


def _decimal_text(value: Decimal) -> str:
    return format(value, "f")


def _part_row(part_id: int, catalog_id: int, r: CatalogRecord) -> tuple:
    return (
        part_id, catalog_id, r.row, r.mpn, normalize_mpn(r.mpn), r.sku, _norm(r.sku),
        r.manufacturer, r.distributor, r.package, r.category, r.description, r.datasheet_url,
        r.url, r.stock, r.moq, r.order_multiple, r.packaging, r.lead_time_days, r.currency,
        json.dumps(dict(r.specs), ensure_ascii=False) if r.specs else None,
    )  # fmt: skip


def _hit(row: Sequence, breaks: tuple[PriceBreak, ...], score: float) -> Hit:
    (_id, number, mpn, _mn, sku, _sn, manufacturer, distributor, package, category, description,
     datasheet, url, stock, moq, multiple, packaging, lead, currency, specs, catalog,
     catalog_distributor, catalog_currency) = row  # fmt: skip
    record = CatalogRecord(
        row=number, mpn=mpn, manufacturer=manufacturer, sku=sku, distributor=distributor,
        description=description, package=package, category=category, datasheet_url=datasheet,
        url=url, stock=stock, moq=moq, order_multiple=multiple, packaging=packaging,
        lead_time_days=lead, currency=currency, price_breaks=breaks,
        specs=MappingProxyType(json.loads(specs) if specs else {}),
    )  # fmt: skip
    return Hit(
        catalog, distributor or catalog_distributor, currency or catalog_currency, record, score
    )


def _text(record: CatalogRecord) -> str:
    return " ".join(
        v
        for v in (record.mpn, record.manufacturer, record.package, record.category,
                  record.description)
        if v
    )  # fmt: skip


def _passes(hit: Hit, plan: SearchPlan) -> bool:
    if plan.in_stock and not (hit.record.stock or 0) > 0:
        return False
    for column, value in plan.columns:
        field = hit.distributor if column == "distributor" else getattr(hit.record, column, None)
        if not field or value.lower() not in str(field).lower():
            return False
    return True


def _rank(hit: Hit, wanted: str) -> tuple[int, float, int]:
    mpn = normalize_mpn(hit.record.mpn)
    if mpn == wanted:
        tier = 0
    elif hit.record.sku and normalize_mpn(hit.record.sku) == wanted:
        tier = 1
    elif wanted and mpn.startswith(wanted):
        tier = 2
    else:
        tier = 3
    return tier, hit.score, len(mpn)
