"""Data rows -> interpreted source rows: designators, quantity, part numbers, SKUs, DNP.

Also skips what is not a BOM line (footers, totals, key/value blocks beside the table,
free-text notes) and splits `NF(…)` lists of not-fitted designators out of a fitted row.
Problems become warnings `(row, message)` appended to the list the caller passes.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from types import MappingProxyType

from opencircuit_cli.bom import dnp as dnp_rules
from opencircuit_cli.bom.designators import parse_references
from opencircuit_cli.bom.fields import (
    ColumnMap,
    clean_mpn,
    parse_product_url,
    sku_shape,
    split_alternates,
    split_combined,
    split_manufacturers,
    supplier_distributor,
)
from opencircuit_cli.bom.grouping import SourceRow
from opencircuit_cli.bom.header import compact
from opencircuit_cli.bom.tables import RawRow

Warning_ = tuple[int | None, str]
_DNP_WORDS = frozenset({"dnp", "dni", "donotplace", "donotpopulate", "notfitted", "nofit"})


def _cell(cells: Sequence[str], index: int | None) -> str:
    if index is None or index < 0 or index >= len(cells):
        return ""
    return cells[index].strip()


def _quantity(text: str) -> int | None:
    text = text.strip().replace(" ", "")
    if not text:
        return None
    text = text.replace(",", ".") if re.fullmatch(r"\d+,\d+", text) else text.replace(",", "")
    try:
        number = float(text)
    except ValueError:
        match = re.match(r"(\d+)\s*(pcs|x|st|stk)?\.?$", text, flags=re.I)
        return int(match.group(1)) if match else None
    if not math.isfinite(number) or number < 0:
        return None
    return round(number) if abs(number - round(number)) < 1e-6 else math.ceil(number)


def _is_footer(cells: Sequence[str]) -> bool:
    filled = [c for c in cells if c]
    if not filled:
        return True
    first = filled[0]
    key = compact(first)
    if len(filled) <= 4 and first.endswith(":") and not re.search(r"\d", first[:-1]):
        return True
    return key.startswith(("total", "grandtotal", "subtotal", "sum")) and len(filled) <= 4


def interpret_rows(
    rows: Sequence[RawRow], column_map: ColumnMap, warnings: list[Warning_]
) -> list[SourceRow]:
    cols = column_map.columns
    out: list[SourceRow] = []
    refs_cells = [_cell(r.cells, cols.get("references")) for r in rows]
    # Digi-Key paste lists: "C1 C2 : 10 µF Capacitor" = designators, then a description
    combined = sum(1 for c in refs_cells if " : " in c) >= max(1, 0.3 * len(refs_cells))
    for raw in rows:
        cells = raw.cells
        if _is_footer(cells):
            continue
        refs_text = _cell(cells, cols.get("references"))
        description = _cell(cells, cols.get("description")) or None
        if combined and " : " in refs_text:
            refs_text, _, rest = refs_text.partition(" : ")
            description = description or rest.strip() or None
        parsed = parse_references(refs_text)
        if (
            combined
            and len(parsed.unrecognised) >= 2
            and 2 * len(parsed.unrecognised) >= len(parsed.references)
        ):
            # prose in the designator column (`24-position FFC connector`): a description
            description = description or refs_text
            parsed = parse_references("")
        mpn, manufacturer, skus = _part_numbers(raw, column_map, warnings)
        value = _cell(cells, cols.get("value")) or None
        footprint = _cell(cells, cols.get("footprint")) or None
        if not (parsed.references or mpn or value or footprint or description or skus):
            continue  # filler, totals, formula rows
        if (
            not parsed.references
            and not mpn
            and any(re.fullmatch(r"[^\d:]{2,40}:", c) for c in cells if c)
        ):
            continue  # "Used currency rates:", "Total Purchase:" blocks beside the table
        filled = [c for c in cells if c]
        if len(filled) == 1 and len(cols) >= 3 and parsed.unrecognised and not mpn and not skus:
            warnings.append((raw.row, f"free-text row skipped: {filled[0][:60]!r}"))
            continue
        if parsed.unrecognised:
            warnings.append(
                (raw.row, "not designators, kept as-is: " + ", ".join(parsed.unrecognised[:5]))
            )
        quantity_text = _cell(cells, cols.get("quantity"))
        quantity = _quantity(quantity_text) if quantity_text else None
        ref_count = len([r for r in parsed.references if not r.startswith("(")])
        if quantity_text and quantity is None:
            warnings.append(
                (
                    raw.row,
                    f"quantity {quantity_text!r} is not a number; "
                    f"using the {ref_count} reference(s)",
                )
            )
        if quantity is None:
            quantity = ref_count if ref_count or "quantity" in cols else 1
            if not ref_count and "references" not in cols and "quantity" not in cols:
                quantity = 1
        elif parsed.references and quantity != ref_count:
            warnings.append(
                (
                    raw.row,
                    f"quantity {quantity} but {ref_count} reference(s); "
                    "the quantity column is used",
                )
            )
        dnp = _row_dnp(cells, column_map, value, footprint)
        extra = {}
        datasheet = _cell(cells, cols.get("datasheet"))
        if datasheet and datasheet not in ("~", "-"):
            extra["datasheet"] = datasheet
        row = SourceRow(
            row=raw.row,
            references=tuple(r for r in parsed.references if not r.startswith("(")),
            quantity=quantity,
            value=value,
            footprint=footprint,
            manufacturer=manufacturer,
            mpn=mpn,
            skus=MappingProxyType(skus),
            dnp=dnp,
            description=description,
            extra=MappingProxyType(extra),
        )
        out.extend(_split_not_fitted(row, cells, cols.get("value"), warnings))
    return out


_NOT_FITTED_LIST = re.compile(
    r"\s*(?:NF|DNP|DNF|DNI|NOT\s*FITTED|NO\s*FIT)\s*\((?P<refs>[^()]+)\)\s*", re.IGNORECASE
)


def _split_not_fitted(
    row: SourceRow, cells: Sequence[str], value_index: int | None, warnings: list[Warning_]
) -> list[SourceRow]:
    """A cell `NF(C12 C19 …)` (Altium `Assembly Info`) names the designators of this row that
    are not fitted: they become a DNP row of their own, the rest stays fitted."""
    if row.dnp or not row.references:
        return [row]
    for index, cell in enumerate(cells):
        if index == value_index or not cell:
            continue
        match = _NOT_FITTED_LIST.fullmatch(cell)
        if not match:
            continue
        listed = parse_references(match.group("refs")).references
        not_fitted = tuple(r for r in row.references if r in set(listed))
        if not not_fitted:
            continue
        fitted = tuple(r for r in row.references if r not in set(not_fitted))
        if not fitted:
            return [replace(row, dnp=True)]
        warnings.append(
            (
                row.row,
                f"not fitted: {', '.join(not_fitted)} (listed in {cell[:3]}…): "
                "split into a DNP line",
            )
        )
        quantity = max(row.quantity - len(not_fitted), 0)
        return [
            replace(row, references=fitted, quantity=quantity),
            replace(row, references=not_fitted, quantity=len(not_fitted), dnp=True),
        ]
    return [row]


def _part_numbers(
    raw: RawRow, column_map: ColumnMap, warnings: list[Warning_]
) -> tuple[str | None, str | None, dict[str, str]]:
    cells = raw.cells
    skus: dict[str, str] = {}
    mpn: str | None = None
    manufacturer: str | None = None
    mpn_cols = column_map.mpn_columns
    man_cols = column_map.manufacturer_columns
    for ordinal, index in enumerate(mpn_cols):
        candidate = clean_mpn(_cell(cells, index))
        if candidate is None:
            continue
        shape = sku_shape(candidate)
        if shape in ("digikey", "mouser"):
            # kept as the MPN (it is what the column says) and also offered as a SKU
            skus.setdefault(shape, candidate)
            warnings.append(
                (
                    raw.row,
                    f"{candidate!r} in the MPN column looks like a {shape} "
                    "part number; also used as that distributor's SKU",
                )
            )
        mpn = candidate
        if ordinal < len(man_cols) and len(man_cols) == len(mpn_cols):
            manufacturer = _cell(cells, man_cols[ordinal]) or None
        break
    if manufacturer is None:
        for index in man_cols:
            text = _cell(cells, index)
            if text and text.strip().lower() not in ("any", "generic", "-", "~", "n/a"):
                manufacturer = text
                break
    if mpn:
        first, others = split_alternates(mpn)
        if others:
            warnings.append(
                (raw.row, f"MPN cell lists alternates; using {first!r} (also: {', '.join(others)})")
            )
            mpn = first
    if manufacturer and ", " in manufacturer and mpn:
        first, others = split_manufacturers(manufacturer)
        if others:
            warnings.append((raw.row, f"manufacturer cell lists several names; using {first!r}"))
            manufacturer = first
    if mpn and not manufacturer and " " in mpn:
        combined = split_combined(mpn)
        if combined:
            manufacturer, mpn = combined
            warnings.append(
                (raw.row, f"MPN cell holds maker and part: read as {manufacturer!r} {mpn!r}")
            )
    for dist, index in column_map.skus:
        text = _cell(cells, index)
        if not text or text.lower() in ("-", "~", "n/a", "na", "none", "tbd"):
            continue
        url = parse_product_url(text)
        if url is not None:
            if url.sku:
                skus.setdefault(url.distributor or dist, url.sku)
            if url.mpn and mpn is None:
                mpn = url.mpn
                manufacturer = manufacturer or url.manufacturer
            continue
        skus.setdefault(dist, text.split()[0] if dist == "lcsc" else text)
    for name_index, pn_index in column_map.supplier_pairs:
        number = _cell(cells, pn_index)
        if not number or number in ("-", "~"):
            continue
        name = _cell(cells, name_index) if name_index >= 0 else ""
        dist = supplier_distributor(name) if name else None
        dist = dist or sku_shape(number)
        if dist:
            skus.setdefault(dist, number)
    for index in column_map.url_columns:
        if index in {i for _, i in column_map.skus}:
            continue
        url = parse_product_url(_cell(cells, index))
        if url is None:
            continue
        if url.sku and url.distributor:
            skus.setdefault(url.distributor, url.sku)
        if url.mpn and mpn is None:
            mpn = url.mpn
            manufacturer = manufacturer or url.manufacturer
    return mpn, manufacturer, skus


def _row_dnp(
    cells: Sequence[str], column_map: ColumnMap, value: str | None, footprint: str | None
) -> bool:
    cols = column_map.columns
    if "dnp" in cols and dnp_rules.dnp_cell(_cell(cells, cols["dnp"])):
        return True
    if column_map.fitted_column is not None and dnp_rules.fitted_cell_means_dnp(
        _cell(cells, column_map.fitted_column)
    ):
        return True
    if value and dnp_rules.value_means_dnp(value):
        return True
    if footprint and re.search(r"[_\-](dnp|dni)$", footprint, flags=re.I):
        return True
    return any(compact(c) in _DNP_WORDS for c in cells if c and len(c) <= 20 and c[0] in "dDnN")


def check_quantity_column(
    rows: list[SourceRow],
    raw_rows: Sequence[RawRow],
    column_map: ColumnMap,
    warnings: list[Warning_],
) -> list[SourceRow]:
    """A quantity column that is a constant multiple (>1) of the reference count is a build
    quantity (KiCost `Qty` for 100 boards): use the reference counts instead."""
    if "quantity" not in column_map.columns or "references" not in column_map.columns:
        return rows
    ratios = [r.quantity / len(r.references) for r in rows if r.references and r.quantity]
    if len(ratios) < 3:
        return rows
    first, agree = Counter(ratios).most_common(1)[0]
    if first <= 1 or not first.is_integer() or agree < 0.8 * len(ratios):
        return rows
    header = column_map.header_of(column_map.columns["quantity"])
    warnings.append(
        (
            None,
            f"'{header}' is {int(first)} x the reference count on most rows (a build "
            "quantity, not per board): quantities counted from the references",
        )
    )
    return [replace(r, quantity=len(r.references)) if r.references else r for r in rows]
