"""The quote as an XLSX workbook: sheets "Quote", "Offers" and one "Order <distributor>" each.

Layout of "Quote" (row numbers are fixed; the formulas rely on them):

    row 1   labels:  A Project  B Boards  C Spares %  D Spares min  E Date  F Source file
                     G Currency  H Rate source  J Parts  K Fees  L Shipping  M Total
    row 2   values;  B2, C2, D2 are inputs: change them and every build quantity follows.
                     J2 = SUM(extended) - K2, K2 = SUM(fees), L2 = SUM(shipping per
                     distributor), M2 = J2 + K2 + L2
    row 3   a one-line summary (line counts, provider errors)
    row 4   the table header (frozen with rows 1-3, autofilter)
    row 5+  one row per allocation: a plain line has one row, a split or reel + cut-tape line
            one row per allocation (same references, marked in "Buy" as "split 1/2", ...).
            C (build qty) = per_board*$B$2 + MAX(CEILING(per_board*$B$2*$C$2/100, 1), $D$2)
            M (extended)  = J (order qty) * K (unit price) [+ L (fees)]
    then    totals per distributor (parts and fees as SUMPRODUCT formulas over the table,
            shipping as values, total as a formula), then DNP lines, then notes.

Money is in the quote currency (formatted with it); the Offers sheet shows each offer's own
currency and its cost converted. Cells from the BOM or a distributor are always values, never
formulas: every text is written as a string cell, and one that starts with = + - @ also gets
Excel's quote-prefix style, so it stays text when edited. Links are the URL as the cell's text
plus a cell hyperlink (http/https only), never a HYPERLINK formula.

Written with openpyxl's write-only (streaming) workbook for speed and memory, to a temporary
file in the target's directory, then renamed over the target (os.replace).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from opencircuit_cli.models import Offer, Part
from opencircuit_cli.output.documents import money
from opencircuit_cli.output.orders import order_files
from opencircuit_cli.output.quote_doc import Totals, allocations, amounts, quote_totals
from opencircuit_cli.pricing.choice import Allocation, Option
from opencircuit_cli.pricing.quantity import OfferPrice, price_offer
from opencircuit_cli.pricing.quote import Quote, QuoteLine

FIRST_ROW = 5  # first table row of "Quote"
FORMULA_STARTS = ("=", "+", "-", "@")
MAX_CELL_TEXT = 32_767
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_WEB_URL = re.compile(r"https?://[^\s\"<>]+", re.IGNORECASE)
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹"}


# --- cell values (pure) --------------------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    text: str  # with the leading "="


@dataclass(frozen=True)
class Link:
    url: str


@dataclass(frozen=True)
class Styled:
    value: Any
    fmt: str | None = None
    bold: bool = False


Value = str | int | float | Decimal | Formula | Link | Styled | None
Row = tuple[str, list[Value]]  # (row style: "", "bold", "header", "line", "dnp"; values)


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    fmt: str | None = None  # number format for table rows


@dataclass
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: list[Row] = field(default_factory=list)
    freeze: str | None = "A2"
    filter_rows: tuple[int, int] | None = None  # header row, last row
    highlights: list[tuple[str, str, str]] = field(default_factory=list)  # range, formula, kind


def money_format(currency: str, unit: bool = False) -> str:
    """A currency number format; unit prices show up to 5 decimals (0.00123)."""
    decimals = "0.00###" if unit else "0.00"
    if currency == "JPY":
        decimals = "0.###" if unit else "0"
    symbol = _SYMBOLS.get(currency)
    if symbol:
        return f'"{symbol}"#,##{decimals}'
    return f'#,##{decimals} "{currency}"'


def col(n: int) -> str:
    """1 -> A, 27 -> AA."""
    name = ""
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return name


# Quote sheet columns, in order: (key, header, width). Formulas find columns by key.
QUOTE_COLUMNS = (
    ("references", "References", 24),
    ("per_board", "Qty/board", 9),
    ("build", "Build qty", 9),
    ("manufacturer", "Manufacturer", 18),
    ("mpn", "MPN", 22),
    ("description", "Description", 36),
    ("distributor", "Distributor", 12),
    ("sku", "SKU", 20),
    ("packaging", "Packaging", 14),
    ("order_qty", "Order qty", 12),
    ("unit", "Unit price", 12),
    ("fees", "Fees", 12),
    ("extended", "Extended", 13),
    ("status", "Status", 9),
    ("buy", "Buy", 11),
    ("stock", "Stock", 10),
    ("lead", "Lead days", 9),
    ("lifecycle", "Lifecycle", 10),
    ("datasheet", "Datasheet", 30),
    ("link", "Product link", 30),
    ("why", "Why", 28),
    ("warnings", "Warnings", 48),
    ("bom_row", "BOM row", 8),
)
QUOTE_KEYS = tuple(key for key, _, _ in QUOTE_COLUMNS)
# The header block (row 2): inputs the build-quantity formulas use, and the order's totals.
BOARDS, SPARES_PERCENT, SPARES_MIN = "$B$2", "$C$2", "$D$2"
# Parts, fees, shipping and total sit in these columns (J..M, above and below "Order qty" ..
# "Extended"), in row 2 and in the totals section.
TOTAL_COLUMNS = tuple(col(QUOTE_KEYS.index("order_qty") + 1 + i) for i in range(4))
PARTS_TOTAL, FEES_TOTAL, SHIPPING_TOTAL, GRAND_TOTAL = (f"{c}2" for c in TOTAL_COLUMNS)
TOTAL_LABELS = ("Parts", "Fees", "Shipping", "Total")


def letter(key: str) -> str:
    """The Quote sheet column of a key: letter("extended") == "M"."""
    return col(QUOTE_KEYS.index(key) + 1)


def quote_columns(currency: str) -> tuple[Column, ...]:
    formats = {
        "unit": money_format(currency, unit=True),
        "fees": money_format(currency),
        "extended": money_format(currency),
    }
    return tuple(Column(header, width, formats.get(key)) for key, header, width in QUOTE_COLUMNS)


def table_row(**values: Value) -> list[Value]:
    """A Quote sheet row from values by key (missing keys are empty cells)."""
    return [values.get(key) for key in QUOTE_KEYS]


def build_qty_formula(row: int) -> Formula:
    """`pricing.quote.build_quantity` in Excel terms. ROUND(..., 9) keeps float noise
    (3.0000000000000004) from pushing CEILING up a whole part."""
    base = f"{letter('per_board')}{row}*{BOARDS}"
    spares = f"CEILING(ROUND({base}*{SPARES_PERCENT}/100,9),1)"
    return Formula(f"=IF({base}<=0,0,{base}+MAX({spares},{SPARES_MIN}))")


def extended_formula(row: int, with_fees: bool) -> Formula:
    product = f"={letter('order_qty')}{row}*{letter('unit')}{row}"
    return Formula(product + (f"+{letter('fees')}{row}" if with_fees else ""))


def _link(url: str | None) -> Value:
    return Link(url) if url else None


def line_rows(line: QuoteLine, row: int) -> list[list[Value]]:
    """The table rows of one line, the first at sheet row `row`: one per allocation, or one
    without an offer for an unpriced line."""
    bom, choice = line.line, line.choice
    common: dict[str, Value] = {
        "references": ", ".join(bom.references),
        "per_board": bom.quantity,
        "manufacturer": bom.manufacturer,
        "mpn": bom.mpn,
        "description": bom.description,
        "status": line.status,
        "datasheet": _link(bom.extra.get("datasheet")),
        "why": choice.why,
        "warnings": "; ".join([*choice.warnings, *line.notes]) or None,
        "bom_row": bom.row,
    }
    allocs = allocations(line)
    if not allocs:
        return [table_row(**common, build=build_qty_formula(row))]
    kind = choice.option.kind if choice.option else ""
    rows = []
    for i, alloc in enumerate(allocs):
        r, m = row + i, amounts(alloc)
        part, offer = alloc.part, alloc.offer
        values = {
            **common,
            "build": build_qty_formula(r),
            "manufacturer": bom.manufacturer or part.manufacturer,
            "mpn": bom.mpn or part.mpn,
            "description": bom.description or part.description,
            "distributor": alloc.distributor,
            "sku": offer.sku,
            "packaging": offer.packaging,
            "order_qty": alloc.price.order_quantity,
            "unit": m.unit_price,
            "fees": m.fees or None,
            "extended": extended_formula(r, bool(m.fees)),
            "buy": f"{kind} {i + 1}/{len(allocs)}" if len(allocs) > 1 else None,
            "stock": offer.stock,
            "lead": offer.lead_time_days,
            "lifecycle": part.lifecycle,
            "datasheet": _link(part.datasheet_url or bom.extra.get("datasheet")),
            "link": _link(offer.url),
        }
        rows.append(table_row(**values))
    return rows


def _header_block(quote: Quote, project: str | None, ranges: dict[str, str]) -> list[Row]:
    money_fmt = money_format(quote.currency)
    shipping = f"=SUM({ranges['shipping']})" if ranges.get("shipping") else "=0"
    names = "Project, Boards, Spares %, Spares min, Date, Source file, Currency, Rate source"
    labels = _with_totals(list(names.split(", ")), TOTAL_LABELS)
    left: list[Value] = [
        project,
        quote.boards,
        quote.spares_percent,
        quote.spares_min,
        _utc(quote.created_at),
        quote.file,
        quote.currency,
        quote.rate_source,
    ]
    sums = [
        f"=SUM({ranges['extended']})-{FEES_TOTAL}",
        f"=SUM({ranges['fees']})",
        shipping,
        f"={PARTS_TOTAL}+{FEES_TOTAL}+{SHIPPING_TOTAL}",
    ]
    values = _with_totals(left, [Styled(Formula(f), money_fmt, bold=True) for f in sums])
    summary = (
        f"{len(quote.lines)} lines: {quote.count('ok')} ok, {quote.count('short')} short, "
        f"{quote.count('unpriced')} unpriced; {len(quote.dnp)} DNP"
    )
    if quote.errors:
        summary += "; provider errors: " + ", ".join(e.provider for e in quote.errors)
    return [("bold", labels), ("", values), ("", [summary])]


def _utc(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _with_totals(left: list[Value], totals: Sequence[Value]) -> list[Value]:
    """`left` (columns A..) then `totals` in TOTAL_COLUMNS."""
    at = QUOTE_KEYS.index("order_qty")  # the index of TOTAL_COLUMNS[0]
    return [*left[:at], *([None] * (at - len(left))), *totals]


def _totals_rows(totals: Totals, first: int, ranges: dict[str, str], money_fmt: str) -> list[Row]:
    """A heading at row `first`, then one row per distributor: parts and fees summed from the
    table by distributor name (SUMPRODUCT: exact match, no wildcards), shipping as a value."""
    dist, ext, fees = ranges["distributor"], ranges["extended"], ranges["fees"]
    name_col = letter("distributor")
    heading = table_row(references="Totals", distributor="Distributor")
    rows: list[Row] = [("bold", _with_totals(heading, TOTAL_LABELS))]
    for i, (name, d) in enumerate(totals.by_distributor.items()):
        r = first + 1 + i
        parts, fee, ship, _ = (f"{c}{r}" for c in TOTAL_COLUMNS)
        match = f"({dist}={name_col}{r})"
        cells = [
            Formula(f"=SUMPRODUCT({match}*{ext})-{fee}"),
            Formula(f"=SUMPRODUCT({match}*{fees})"),
            d.shipping,
            Formula(f"={parts}+{fee}+{ship}"),
        ]
        left = table_row(distributor=name)
        rows.append(("", _with_totals(left, [Styled(c, money_fmt) for c in cells])))
    return rows


def _dnp_rows(quote: Quote) -> list[Row]:
    if not quote.dnp:
        return []
    rows: list[Row] = [("", []), ("bold", ["Not fitted (DNP)"])]
    for bom in quote.dnp:
        values = table_row(
            references=", ".join(bom.references),
            per_board=bom.quantity,
            manufacturer=bom.manufacturer,
            mpn=bom.mpn,
            description=bom.description,
            status="DNP",
            bom_row=bom.row,
        )
        rows.append(("dnp", values))
    return rows


def _note_rows(quote: Quote) -> list[Row]:
    notes = [*quote.plan.notes, *(f"{e.provider}: {e.message}" for e in quote.errors)]
    return [("", []), ("bold", ["Notes"]), *(("", [n]) for n in notes)] if notes else []


def quote_sheet(quote: Quote, project: str | None, totals: Totals) -> Sheet:
    sheet = Sheet("Quote", quote_columns(quote.currency), freeze=f"A{FIRST_ROW}")
    table: list[list[Value]] = []
    for line in quote.lines:
        table += line_rows(line, FIRST_ROW + len(table))
    last = FIRST_ROW + max(len(table), 1) - 1
    ranges = {
        key: f"${letter(key)}${FIRST_ROW}:${letter(key)}${last}"
        for key in ("distributor", "fees", "extended")
    }
    totals_first = last + 2
    if totals.by_distributor:
        ship = TOTAL_COLUMNS[2]
        ranges["shipping"] = (
            f"{ship}{totals_first + 1}:{ship}{totals_first + len(totals.by_distributor)}"
        )
    sheet.rows = [
        *_header_block(quote, project, ranges),
        ("header", [c.header for c in sheet.columns]),
        *(("line", values) for values in table),
        ("", []),
        *_totals_rows(totals, totals_first, ranges, money_format(quote.currency)),
        *_dnp_rows(quote),
        *_note_rows(quote),
    ]
    sheet.filter_rows = (FIRST_ROW - 1, last)
    span = f"A{FIRST_ROW}:{col(len(sheet.columns))}{last}"
    status, life = f"${letter('status')}{FIRST_ROW}", f"${letter('lifecycle')}{FIRST_ROW}"
    sheet.highlights = [
        (span, f'{status}="unpriced"', "bad"),
        (span, f'{status}="short"', "warn"),
        (span, f'OR({life}="obsolete",{life}="eol",{life}="nrnd")', "old"),
    ]
    return sheet


def _offer_rows(line: QuoteLine, options: Iterable[tuple[Option, bool]]) -> list[list[Value]]:
    rows = []
    seen: set[tuple[str, str, int]] = set()
    for option, chosen in options:
        for alloc in option.allocations:
            key = (alloc.distributor, alloc.offer.sku, alloc.price.order_quantity)
            if key in seen:
                continue
            seen.add(key)
            rows.append(_offer_row(line, alloc, chosen))
    return rows


#: Alternatives and passed-over offers listed per line, each (cheapest first); an aggregator can
#: return dozens of sellers per part, and 300 lines x 60 offers would make the workbook slow to
#: write and to read. The JSON document keeps the rest.
MAX_PASSED_OVER = 5


def _passed_over_rows(
    line: QuoteLine, seen: set[tuple[str, str]], currency: str
) -> list[list[Value]]:
    """Offers of the line's parts that were not among the options, with the reason: the
    cheapest MAX_PASSED_OVER of them, then one row saying how many more there were."""
    rows = []
    for part in line.candidates:
        for offer in part.offers:
            if (offer.distributor, offer.sku) in seen:
                continue
            seen.add((offer.distributor, offer.sku))
            price = price_offer(offer, line.build_quantity)
            reason = passed_over_reason(offer, price, currency)
            rows.append(_offer_values(line, part, offer, price, None, f"no: {reason}"))
    rows.sort(key=lambda r: (r[15] is None, r[15] if r[15] is not None else 0))
    return _capped(line, rows, "offers passed over")


def _capped(line: QuoteLine, rows: list[list[Value]], what: str) -> list[list[Value]]:
    """At most MAX_PASSED_OVER rows, then one row saying how many more there were."""
    if len(rows) <= MAX_PASSED_OVER:
        return rows
    note = f"… {len(rows) - MAX_PASSED_OVER} more {what}, not listed"
    return [
        *rows[:MAX_PASSED_OVER],
        [line.line.row, ", ".join(line.line.references), *([None] * 15), note],
    ]


def passed_over_reason(offer: Offer, price: OfferPrice | None, currency: str) -> str:
    """Why an offer was not an option for its line (pure)."""
    if price is None:
        return "no prices"
    if offer.stock is not None and offer.stock < price.order_quantity:
        return "not enough stock"
    if offer.currency != currency:
        return f"{offer.currency}: no rate to {currency}"
    return "excluded by the rules (lead time, authorization) or a dearer duplicate"


def _offer_row(line: QuoteLine, alloc: Allocation, chosen: bool) -> list[Value]:
    return _offer_values(
        line, alloc.part, alloc.offer, alloc.price, alloc.cost, "yes" if chosen else "no"
    )


def _offer_values(
    line: QuoteLine,
    part: Part,
    offer: Offer,
    price: OfferPrice | None,
    cost: Decimal | None,
    chosen: str,
) -> list[Value]:
    """One Offers-sheet row; `price` None when the offer lists no prices."""
    breaks = " ".join(f"{b.quantity}:{money(b.unit_price)}" for b in offer.price_breaks)
    return [
        line.line.row,
        ", ".join(line.line.references),
        part.mpn,
        offer.distributor,
        offer.sku,
        offer.packaging,
        offer.stock,
        offer.moq,
        offer.order_multiple,
        offer.lead_time_days,
        offer.currency,
        breaks,
        price.order_quantity if price else None,
        price.unit_price if price else None,
        (price.fees or None) if price else None,
        price.extended if price else None,
        cost,
        chosen,
    ]


def offers_sheet(quote: Quote) -> Sheet:
    """Every offer weighed for each line: the chosen allocations, the alternatives, then the
    offers that were passed over with the reason ("no: not enough stock", ...)."""
    plain = "#,##0.00###"  # the offer's own currency: no symbol
    columns = (
        Column("BOM row", 8),
        Column("References", 24),
        Column("MPN", 22),
        Column("Distributor", 12),
        Column("SKU", 20),
        Column("Packaging", 14),
        Column("Stock", 10),
        Column("MOQ", 8),
        Column("Multiple", 8),
        Column("Lead days", 9),
        Column("Currency", 8),
        Column("Price breaks (qty:price)", 36),
        Column("Order qty", 10),
        Column("Unit price", 11, plain),
        Column("Fees", 10, plain),
        Column("Extended", 12, plain),
        Column(f"Cost ({quote.currency})", 12, money_format(quote.currency)),
        Column("Chosen", 7),
    )
    sheet = Sheet("Offers", columns)
    sheet.rows.append(("header", [c.header for c in columns]))
    for line in quote.lines:
        option = line.choice.option
        options = ([(option, True)] if option else []) + [
            (alt, False) for alt in line.choice.alternatives
        ]
        rows = _offer_rows(line, options)
        seen = {(str(values[3]), str(values[4])) for values in rows}
        chosen_rows = [r for r in rows if r[-1] == "yes"]
        others = [r for r in rows if r[-1] != "yes"]
        rows = chosen_rows + _capped(line, others[:], "alternatives")
        rows += _passed_over_rows(line, seen, quote.currency)
        sheet.rows += [("line", values) for values in rows]
    sheet.filter_rows = (1, max(len(sheet.rows), 2))
    return sheet


def sheet_title(name: str, taken: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, no apostrophe at either
    end, unique (case-insensitive)."""
    base = re.sub(r"[\[\]:*?/\\]", "-", f"Order {name}")[:31].rstrip("'")
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def order_sheets(quote: Quote) -> list[Sheet]:
    taken = {"quote", "offers"}
    sheets = []
    for distributor, (_, header, rows) in order_files(quote).items():
        columns = [Column(h, 28 if "Part" in h or h == "SKU" else 14) for h in header]
        sheet = Sheet(sheet_title(distributor, taken), columns)
        sheet.rows = [("header", list(header)), *(("line", list(row)) for row in rows)]
        sheet.filter_rows = (1, max(len(sheet.rows), 2))
        sheets.append(sheet)
    return sheets


def workbook_sheets(quote: Quote, project: str | None) -> list[Sheet]:
    """Everything the workbook holds, as plain data (pure)."""
    return [
        quote_sheet(quote, project, quote_totals(quote)),
        offers_sheet(quote),
        *order_sheets(quote),
    ]


# --- writing (I/O edge) --------------------------------------------------------------------


def clean_text(text: str) -> str:
    """What a cell can hold: no XML-illegal control characters, at most 32,767 characters."""
    return _ILLEGAL.sub("", text)[:MAX_CELL_TEXT]


class _CellMaker:
    """Turns `Value`s into openpyxl write-only cells; styles are shared objects."""

    def __init__(self, ws: Any) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill

        self.ws = ws
        self.new = WriteOnlyCell
        self.bold = Font(bold=True)
        self.header_fill = PatternFill("solid", fgColor="DDEBF7")
        self.dnp_font = Font(color="808080", italic=True)
        self.link_font = Font(color="0563C1", underline="single")

    def cell(self, value: Value, fmt: str | None, style: str) -> Any:
        """A plain value when no style is needed (much cheaper to write), else a cell."""
        bold = style in ("bold", "header")
        if isinstance(value, Styled):
            fmt, bold, value = value.fmt or fmt, value.bold or bold, value.value
        if value is None:
            return None
        plain = not bold and style not in ("header", "dnp")
        if isinstance(value, str):
            text = clean_text(value)
            if plain and not text.startswith(FORMULA_STARTS):
                return text  # openpyxl writes it as a string cell
            c = self._text(text)
        elif isinstance(value, Link):
            url = clean_text(value.url)
            c = self._text(url)
            if _WEB_URL.fullmatch(url):  # clickable only for plain web addresses
                c.hyperlink = url
                c.font = self.link_font
        elif isinstance(value, Formula):
            if plain and not fmt:
                return value.text  # ours: openpyxl makes "=..." a formula
            c = self.new(self.ws, value.text)
            if fmt:
                c.number_format = fmt
        else:
            number = float(value) if isinstance(value, Decimal) else value
            if plain and not fmt:
                return number
            c = self.new(self.ws, number)
            if fmt:
                c.number_format = fmt
        if bold:
            c.font = self.bold
        if style == "header":
            c.fill = self.header_fill
        elif style == "dnp":
            c.font = self.dnp_font
        return c

    def _text(self, text: str) -> Any:
        c = self.new(self.ws, None)
        c.value = text
        c.data_type = "s"  # openpyxl makes "=..." a formula; data never is one
        if text.startswith(FORMULA_STARTS):
            c.quotePrefix = True  # and Excel keeps it text when the cell is edited
        return c


def _write_sheet(wb: Any, sheet: Sheet) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill

    ws = wb.create_sheet(sheet.title)
    for i, column in enumerate(sheet.columns, 1):
        ws.column_dimensions[col(i)].width = column.width
    if sheet.freeze:
        ws.freeze_panes = sheet.freeze
    if sheet.filter_rows:
        head, last = sheet.filter_rows
        ws.auto_filter.ref = f"A{head}:{col(len(sheet.columns))}{max(last, head + 1)}"
    looks = {
        "bad": (PatternFill("solid", bgColor="FFC7CE"), Font(color="9C0006")),
        "warn": (PatternFill("solid", bgColor="FFEB9C"), Font(color="9C5700")),
        "old": (PatternFill("solid", bgColor="E4DFEC"), Font(color="5B2C6F")),
    }
    for cell_range, formula, kind in sheet.highlights:
        fill, font = looks[kind]
        ws.conditional_formatting.add(
            cell_range, FormulaRule(formula=[formula], fill=fill, font=font, stopIfTrue=True)
        )
    maker = _CellMaker(ws)
    formats = [c.fmt for c in sheet.columns]
    for style, values in sheet.rows:
        row_formats = formats if style in ("line", "dnp") else [None] * len(values)
        ws.append(
            [
                maker.cell(v, row_formats[i] if i < len(row_formats) else None, style)
                for i, v in enumerate(values)
            ]
        )


def build_workbook(quote: Quote, project: str | None = None) -> Any:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for sheet in workbook_sheets(quote, project):
        _write_sheet(wb, sheet)
    return wb


def write_quote_xlsx(
    quote: Quote, path: Path, *, project: str | None = None, overwrite: bool = True
) -> None:
    """Write the workbook atomically: a temporary file next to `path`, renamed over it when
    complete. On any exception (KeyboardInterrupt included) the temporary file is removed and
    an existing `path` is left untouched. `overwrite=False` refuses an existing file
    (FileExistsError); the CLI decides with --force."""
    path = Path(path)
    if not overwrite and path.exists():
        raise FileExistsError(f"{path} exists")  # early, before the work
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    wb = None
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as handle:
            wb = build_workbook(quote, project)
            wb.save(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            _move_no_clobber(tmp, path)
    except BaseException:
        if wb is not None:
            _discard(wb)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _discard(wb: Any) -> None:
    """Best effort after a failed save: stop openpyxl's streaming sheets and remove the
    temporary files they write to (openpyxl only removes them at interpreter exit)."""
    for ws in getattr(wb, "_sheets", ()):
        rows, writer = getattr(ws, "_rows", None), getattr(ws, "_writer", None)
        with contextlib.suppress(Exception):
            if rows is not None:
                rows.close()
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.xf.close()
            with contextlib.suppress(Exception):
                writer.cleanup()


def _move_no_clobber(tmp: str, path: Path) -> None:
    """Rename without replacing a file that appeared meanwhile: a hard link fails if `path`
    exists; file systems without hard links fall back to check-then-rename."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise FileExistsError(f"{path} exists") from None
    except OSError:
        if path.exists():
            raise FileExistsError(f"{path} exists") from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)
