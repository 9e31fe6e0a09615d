"""The `opencircuit.bom/1` JSON document (DESIGN §4) of a read BOM."""

from __future__ import annotations

from typing import Any

from opencircuit_cli.bom.reader import BomReadResult
from opencircuit_cli.models import BomLine

SCHEMA = "opencircuit.bom/1"


def line_document(line: BomLine) -> dict[str, Any]:
    return {
        "row": line.row,
        "rows": list(line.rows or (line.row,)),
        "references": list(line.references),
        "quantity": line.quantity,
        "value": line.value,
        "footprint": line.footprint,
        "manufacturer": line.manufacturer,
        "mpn": line.mpn,
        "skus": dict(line.skus),
        "dnp": line.dnp,
        "description": line.description,
        "datasheet": line.extra.get("datasheet"),
    }


def bom_document(result: BomReadResult) -> dict[str, Any]:
    """DNP lines are listed too (`dnp: true`) so the document shows everything that was read;
    `dnp_count` says how many."""
    lines = list(result.lines) + list(result.dnp_lines)
    lines.sort(key=lambda line: line.row)
    return {
        "schema": SCHEMA,
        "file": result.file,
        "sheet": result.sheet,
        "header_row": result.header_row,
        "columns": dict(result.columns),
        "lines": [line_document(line) for line in lines],
        "line_count": len(lines),
        "dnp_count": sum(1 for line in lines if line.dnp),
        "placements": sum(line.quantity for line in lines if not line.dnp),
        "format": result.format,
        "encoding": result.encoding,
        "delimiter": result.delimiter,
        "warnings": [{"row": row, "message": message} for row, message in result.warnings],
    }
