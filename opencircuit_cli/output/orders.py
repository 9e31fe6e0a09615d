"""Per-distributor order files in the shape each cart / BOM upload accepts.

Mouser, DigiKey and LCSC get their own column names; any other distributor gets a generic
file (SKU, manufacturer part number, quantity, reference). Every chosen allocation of a priced
or short line is ordered (a short line is still worth ordering: the rest comes on backorder);
unpriced lines have nothing to order.

Decisions:
- The same SKU bought for several BOM lines becomes one row: quantities add up (still whole
  multiples of the order multiple) and the references are joined.
- The reference column is the BOM designators, condensed ("C1-C4, C9") and cut at the
  distributor's field length with "..." at the end: DigiKey drops a Customer Reference longer
  than 48 characters altogether. The Mouser and LCSC limits are conservative guesses.
- The CSV files are formula-safe (see `quote_csv.csv_safe`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from opencircuit_cli import atomic
from opencircuit_cli.bom.designators import format_references
from opencircuit_cli.output.quote_csv import csv_safe, render_csv
from opencircuit_cli.output.quote_doc import allocations
from opencircuit_cli.pricing.quote import Quote

OrderRow = tuple[str | int | None, ...]


@dataclass(frozen=True)
class OrderFormat:
    header: tuple[str, ...]
    reference_limit: int | None  # characters the reference field keeps
    generic: bool = False  # generic: SKU, MPN, Quantity, Reference


def order_format(distributor: str) -> OrderFormat:
    key = distributor_key(distributor)
    if key == "mouser":
        return OrderFormat(("Mouser Part Number", "Quantity", "Customer Part Number"), 30)
    if key == "digikey":
        return OrderFormat(("Digi-Key Part Number", "Quantity", "Customer Reference"), 48)
    if key == "lcsc":
        return OrderFormat(("LCSC Part Number", "Quantity", "Customer #"), 30)
    return OrderFormat(("SKU", "Manufacturer Part Number", "Quantity", "Reference"), None, True)


def distributor_key(name: str) -> str:
    """ "Digi-Key", "DigiKey", "digikey " -> "digikey"."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def file_slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "distributor"


def reference_text(references: Sequence[str], limit: int | None) -> str:
    """Condensed designators, cut at `limit` characters on a designator boundary."""
    text = format_references(references)
    if limit is None or len(text) <= limit:
        return text
    kept = ""
    for token in text.split(", "):
        candidate = f"{kept}, {token}" if kept else token
        if len(candidate) + len(", ...") > limit:
            break
        kept = candidate
    return f"{kept}, ..." if kept else text[: max(limit - 3, 0)] + "..."


@dataclass
class _Item:
    sku: str
    mpn: str
    quantity: int
    references: list[str]


def order_files(quote: Quote) -> dict[str, tuple[str, tuple[str, ...], list[OrderRow]]]:
    """distributor -> (file name, header, rows). Pure; distributors in order of first use.

    Cells are raw values (not CSV-escaped): the CSV writer and the XLSX order sheets make them
    safe in their own way."""
    items: dict[str, dict[str, _Item]] = {}
    for line in quote.lines:
        for alloc in allocations(line):
            per_sku = items.setdefault(alloc.distributor, {})
            item = per_sku.setdefault(
                alloc.offer.sku.strip(), _Item(alloc.offer.sku.strip(), alloc.part.mpn, 0, [])
            )
            item.quantity += alloc.price.order_quantity
            item.references += [r for r in line.line.references if r not in item.references]
    files: dict[str, tuple[str, tuple[str, ...], list[OrderRow]]] = {}
    used: set[str] = set()
    for distributor, per_sku in items.items():
        fmt = order_format(distributor)
        name, n = f"order-{file_slug(distributor)}.csv", 2
        while name in used:
            name, n = f"order-{file_slug(distributor)}-{n}.csv", n + 1
        used.add(name)
        rows: list[OrderRow] = []
        for item in per_sku.values():
            refs = reference_text(item.references, fmt.reference_limit)
            if fmt.generic:
                rows.append((item.sku, item.mpn, item.quantity, refs))
            else:
                rows.append((item.sku, item.quantity, refs))
        files[distributor] = (name, fmt.header, rows)
    return files


def write_orders_dir(quote: Quote, directory: Path) -> list[Path]:
    """One CSV per distributor in `directory` (created if needed), each written atomically."""
    directory = Path(directory)
    written = []
    for name, header, rows in order_files(quote).values():
        path = directory / name
        safe = [tuple(csv_safe(v) if isinstance(v, str) else v for v in row) for row in rows]
        atomic.write_text(path, render_csv([header, *safe]))
        written.append(path)
    return written
