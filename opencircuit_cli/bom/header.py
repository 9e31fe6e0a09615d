"""Header cells -> canonical fields, and finding the header row by scoring candidate rows.

Header names are compared in a compact form (lower case, only letters, digits and `#`), so
`*Ref Des`, `Reference⏎Designator`, ` Quantity`, `Note:` and `MANUFACTURER_PART_NUMBER` all
meet their synonyms. A synonym has a priority: when several columns claim a field, the lowest
priority number wins, then the leftmost column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType

from opencircuit_cli.bom.tables import RawRow

DISTRIBUTORS = ("digikey", "mouser", "lcsc", "farnell", "newark", "rs", "arrow", "tme")
CORE_FIELDS = (
    "references",
    "quantity",
    "value",
    "footprint",
    "manufacturer",
    "mpn",
    "description",
    "datasheet",
    "dnp",
)
FIELDS = CORE_FIELDS + DISTRIBUTORS
MIN_SCORE = 1.5  # two named fields, less a little for unrecognised neighbours

# distributor spellings (compact) -> distributor key
_DISTRIBUTOR_NAMES = MappingProxyType(
    {
        "digikey": "digikey",
        "digikeycorp": "digikey",
        "dk": "digikey",
        "mouser": "mouser",
        "mouserelectronics": "mouser",
        "lcsc": "lcsc",
        "jlc": "lcsc",
        "jlcpcb": "lcsc",
        "farnell": "farnell",
        "element14": "farnell",
        "premierfarnell": "farnell",
        "newark": "newark",
        "rs": "rs",
        "rscomponents": "rs",
        "rsonline": "rs",
        "arrow": "arrow",
        "arrowelectronics": "arrow",
        "tme": "tme",
    }
)
_SKU_SUFFIXES = (
    "",
    "partnumber",
    "pn",
    "#",
    "part#",
    "partno",
    "sku",
    "no",
    "partnum",
    "ordercode",
    "ordernumber",
    "number",
    "id",
    "part",
    "cat#",
    "stockcode",
    "code",
)

# compact header -> (field, priority)
_SYNONYMS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    (
        "references",
        (
            "reference",
            "references",
            "refs",
            "ref",
            "designator",
            "designators",
            "refdes",
            "referencedesignator",
            "referencedesignators",
            "schematicreference",
            "circuitrefnumbers",
            "partreference",
            "refdesignator",
            "reference#",
            "partsreferences",
        ),
        1,
    ),
    ("references", ("parts",), 2),
    ("references", ("part",), 3),
    (
        "quantity",
        (
            "qty",
            "quantity",
            "qnty",
            "quantityperpcb",
            "qtyperpcb",
            "qtyperboard",
            "quantityperboard",
            "perboard",
            "qtyperunit",
            "count",
            "amount",
            "pcs",
            "qtypcb",
            "quantitypcb",
            "units",
        ),
        1,
    ),
    ("value", ("value", "val", "comment", "descriptionvalue", "partvalue"), 1),
    ("value", ("designation",), 2),
    ("value", ("value1",), 3),
    (
        "footprint",
        (
            "footprint",
            "package",
            "pcbfootprint",
            "case",
            "casepackage",
            "packagecase",
            "footprintname",
            "pattern",
        ),
        1,
    ),
    ("footprint", ("device",), 3),
    (
        "manufacturer",
        (
            "manufacturer",
            "mfg",
            "mfr",
            "manf",
            "manufacturername",
            "mfgname",
            "mfrname",
            "maker",
            "make",
            "manufacturer1",
            "manufacturers",
        ),
        1,
    ),
    ("manufacturer", ("brand",), 2),
    (
        "mpn",
        (
            "mpn",
            "manufacturerpartnumber",
            "manufacturerpartnumber1",
            "manufacturerpn",
            "manufacturerpart#",
            "manufacturerpart",
            "mfrpartnumber",
            "mfgpartnumber",
            "mfgpart#",
            "mfrpart#",
            "mfrpn",
            "mfgpn",
            "manf#",
            "manfpartnumber",
            "mfgcode",
            "manufacturerno",
            "manufacturernumber",
            "manufacterpart#",
            "manufacturerpartno",
            "mpn1",
            "partnumber",
            "partno",
            "part#",
            "pn",
            "mfrno",
            "mfgno",
        ),
        1,
    ),
    ("mpn", ("partsymbol", "ordercode", "orderno", "originaltype", "jlctype"), 2),
    ("mpn", ("type",), 3),
    (
        "description",
        (
            "description",
            "desc",
            "partdescription",
            "componentdescription",
            "specifications",
            "specification",
            "characteristics",
        ),
        1,
    ),
    ("description", ("description1", "info", "notes", "note", "comments", "comment1"), 3),
    ("datasheet", ("datasheet", "datasheeturl", "datasheetlink", "datasheets", "ds"), 1),
    ("datasheet", ("link", "url", "productlink", "octoparturl", "producturl", "weblink"), 3),
    (
        "dnp",
        (
            "dnp",
            "dni",
            "donotplace",
            "donotpopulate",
            "donotfit",
            "nofit",
            "notfitted",
            "nopop",
            "nostuff",
            "dnpdnf",
            "dnf",
            "exclude",
            "excludefromboard",
        ),
        1,
    ),
    (
        "fitted",
        (
            "fitted",
            "populate",
            "populated",
            "fit",
            "place",
            "mount",
            "mounted",
            "assemble",
            "install",
            "stuff",
            "fitting",
        ),
        1,
    ),
    (
        "supplier",
        (
            "supplier",
            "supplier1",
            "vendor",
            "vendor1",
            "distributor",
            "distributor1",
            "suppliedby",
            "source",
        ),
        1,
    ),
    (
        "supplier_pn",
        (
            "supplierpartnumber",
            "supplierpartnumber1",
            "supplierpn",
            "supplierpart#",
            "vendorpart#",
            "vendorpartnumber",
            "vendorpn",
            "distributorpartnumber",
            "distributorpn",
            "sku",
            "cat#",
            "suppliercode",
            "supplierref",
            "supplierorderno",
            "ordernumber",
        ),
        1,
    ),
    (
        "ignore",
        (
            "item",
            "item#",
            "itemno",
            "component",
            "row",
            "index",
            "id",
            "no",
            "#",
            "lineitem",
            "group",
            "checked",
            "layer",
            "libpart",
            "libref",
            "footprintlib",
            "mypn",
            "internalpartnumber",
            "buildquantity",
            "purch",
            "toorder",
            "orderqty",
            "moq",
            "multiple",
            "stock",
            "instock",
            "avail",
            "availability",
            "rohs",
            "price",
            "unitprice",
            "unit$",
            "ext$",
            "extendedprice",
            "priceeach",
            "subtotal",
            "customer#",
            "ampn",
            "apn",
            "amanufacturer",
            "price1",
            "minmultorderqty",
            "suggestedreplacement",
            "spicemodel",
            "spicenetlistenabled",
            "spiceprimitive",
            "globalpartinfo",
            "flags",
            "unitprice$",
            "extendedprice$",
            "total",
            "totalprice",
            "leadtime",
        ),
        5,
    ),
)


def compact(text: str) -> str:
    text = text.replace("\ufeff", "").lower()
    text = text.replace("ä", "a").replace("ö", "o").replace("ü", "u")
    return re.sub(r"[^a-z0-9#$]", "", text)


def distributor_key(text: str) -> str | None:
    """`Digi-Key` / `RS Components` / `element14` -> canonical distributor key, else None."""
    key = compact(text).replace("$", "")
    if key in _DISTRIBUTOR_NAMES:
        return _DISTRIBUTOR_NAMES[key]
    return None


@dataclass(frozen=True)
class Match:
    field: str
    priority: int


def classify(header: str) -> Match | None:
    """The field a header names, or None. Distributor SKU headers give the distributor key."""
    key = compact(header)
    if not key:
        return None
    for field, names, priority in _SYNONYMS:
        if key in names:
            return Match(field, priority)
    for name, dist in _DISTRIBUTOR_NAMES.items():
        if len(name) < 3 and key != name and key not in (name + "#", name + "pn"):
            continue
        for suffix in _SKU_SUFFIXES:
            if key == name + suffix:
                return Match(dist, 1)
    if key.startswith(
        (
            "totalqty",
            "quantityat",
            "buildqty",
            "batch",
            "unitprice",
            "lineprice",
            "linetotal",
            "extendedprice",
            "price",
        )
    ):
        return Match("ignore", 5)
    if re.fullmatch(r"(manufacturer|mfr|mfg)(partnumber|pn|part#)?[2-9]", key):
        return Match("ignore", 5)  # alternates: Manufacturer 2, Part Number 3 ...
    if re.fullmatch(r"partnumber[2-9]", key):
        return Match("ignore", 5)
    if re.fullmatch(r"comment[2-9]", key):
        return Match("ignore", 5)
    return None


def score_row(cells: Sequence[str]) -> float:
    """How much a row looks like a header: distinct fields named, plus a little for known
    non-field columns (prices, item numbers). Rows whose cells are mostly unrecognised text
    score less, so a data row that happens to contain `Value` does not win."""
    fields: set[str] = set()
    extra = 0.0
    filled = [c for c in cells if c]
    if len(filled) < 2:
        return 0.0
    for cell in filled:
        if len(cell) > 60:
            continue
        match = classify(cell)
        if match is None:
            continue
        if match.field == "ignore":
            extra += 0.25
        else:
            fields.add(match.field)
    distributors = fields & set(DISTRIBUTORS)
    if len(distributors) > 1:  # a row of distributor names is a group row, not the header
        fields -= distributors
        fields.add("digikey")
    recognised = len(fields) + extra
    generic = sum(1 for c in filled if re.fullmatch(r"(field|column|col)\s*\d+", c.strip().lower()))
    unknown = len(filled) - len(fields) - extra * 4 - generic
    return len(fields) + min(extra, 1.0) - 0.05 * max(unknown, 0) if recognised else 0.0


@dataclass(frozen=True)
class HeaderChoice:
    index: int  # index into the rows sequence
    score: float
    group_row: int | None = None  # index of a distributor group row above/below, if any


def find_header(rows: Sequence[RawRow], *, scan: int = 200) -> HeaderChoice | None:
    """The best-scoring row among the first `scan` non-blank rows (earliest wins a tie).

    A narrow table (`MPN` alone, or `MPN,Qty` …) cannot reach MIN_SCORE: its first non-blank
    row is still the header when every cell of it names a field. None: no header row."""
    best: HeaderChoice | None = None
    first: RawRow | None = None
    first_index = -1
    seen = 0
    for index, row in enumerate(rows):
        if row.blank:
            continue
        if first is None:
            first, first_index = row, index
        seen += 1
        if seen > scan:
            break
        score = score_row(row.cells)
        if score >= MIN_SCORE and (best is None or score > best.score + 1e-9):
            best = HeaderChoice(index, score)
    if best is None and first is not None and _names_fields_only(first):
        best = HeaderChoice(first_index, 1.0)
    if best is None:
        return None
    return HeaderChoice(best.index, best.score, _group_row(rows, best.index))


def _names_fields_only(row: RawRow) -> bool:
    matches = [classify(c) for c in row.cells if c]
    return bool(matches) and all(m is not None and m.field != "ignore" for m in matches)


def _distributor_cells(row: RawRow) -> int:
    return sum(1 for c in row.cells if c and distributor_key(c))


def _group_row(rows: Sequence[RawRow], index: int) -> int | None:
    """A row of distributor names right above (KiCost) or below (Octopart) the header."""
    for other in (index - 1, index + 1):
        if 0 <= other < len(rows) and not rows[other].blank:
            row = rows[other]
            names = _distributor_cells(row)
            filled = sum(1 for c in row.cells if c)
            if names >= 2 and names >= filled - 2:
                return other
    return None


def group_labels(row: RawRow, width: int) -> list[str | None]:
    """Distributor key over each column of a group row, forward-filled from its label."""
    labels: list[str | None] = []
    current: str | None = None
    for i in range(width):
        cell = row.cells[i] if i < len(row.cells) else ""
        if cell:
            current = distributor_key(cell)
        labels.append(current)
    return labels
