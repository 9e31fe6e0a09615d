"""Which column holds which field, and the cell-level rules for MPNs, SKUs and URLs.

Header names decide first (`header.classify`); the cells then check the guess where header
names are known to lie: a `PartNumber` column full of library IDs while `PartSymbol` holds the
MPNs (Altium/antmicro), `Manufacturer name` holding part numbers next to `brand` (ubertooth),
generic `Field1..8`/unnamed columns (KiCad legacy, headerless files) classified by content.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import unquote, urlsplit

from opencircuit_cli.bom.designators import parse_references
from opencircuit_cli.bom.header import DISTRIBUTORS, FIELDS, classify, compact, distributor_key

PLACEHOLDERS = frozenset(
    {
        "",
        "~",
        "-",
        "--",
        "any",
        "dnp",
        "n/a",
        "na",
        "generic",
        "tbd",
        "?",
        "none",
        "nc",
        "n.a.",
        "various",
    }
)

# Lower-case first words of manufacturer names, to recognise a manufacturer column by content.
_MAKER_WORDS = """
    murata taiyo tdk yageo samsung kemet avx vishay panasonic wurth würth we bourns rohm
    stackpole koa te molex jst hirose samtec texas ti nxp st stmicroelectronics microchip atmel
    analog maxim linear onsemi on diodes nexperia infineon fairchild lite-on liteon kingbright
    osram abracon ecs txc epson fox skyworks xilinx lattice altera intel cypress silicon
    silabs ftdi macronix winbond micron toshiba c&k e-switch omron cui harwin amphenol fci
    keystone coilcraft sumida steward littelfuse mcc alpha aos avago broadcom qorvo johanson
    lem aavid central nichicon walsin ohmite phycomp susumu kyocera espressif nordic
    renesas semtech sunlord sanyo rubycon cts bel pulse lumberg assmann adafruit sparkfun
    gct 3m harting phoenix weidmuller wago neutrik switchcraft schurter eaton
    monolithic mps richtek torex holtek wch gigadevice issi alliance everlight
    uniroyal royalohm ralec fenghua hongfa kingstate knowles
    invensense bosch sensirion ams melexis allegro isabellenhutte dale
"""
KNOWN_MANUFACTURERS = frozenset(_MAKER_WORDS.split())


@dataclass(frozen=True)
class ColumnMap:
    """Where each field is. `columns` holds the primary column of each field; `mpn_columns`
    and `manufacturer_columns` every column in order (1-click-BOM repeats the pair)."""

    headers: tuple[str, ...]
    columns: Mapping[str, int]
    mpn_columns: tuple[int, ...] = ()
    manufacturer_columns: tuple[int, ...] = ()
    skus: tuple[tuple[str, int], ...] = ()  # (distributor, column)
    supplier_pairs: tuple[tuple[int, int], ...] = ()  # (name column, part-number column)
    url_columns: tuple[int, ...] = ()
    fitted_column: int | None = None  # a Fitted/Populate column: empty or "no" means DNP
    notes: tuple[str, ...] = field(default_factory=tuple)

    def header_of(self, index: int) -> str:
        if index < len(self.headers) and self.headers[index].strip():
            return " ".join(self.headers[index].split())
        return f"column {index + 1}"

    def describe(self) -> dict[str, str]:
        """{field: header} for display and the JSON document."""
        out = {name: self.header_of(i) for name, i in self.columns.items() if name in FIELDS}
        for dist, i in self.skus:
            out.setdefault(dist, self.header_of(i))
        for name_col, pn_col in self.supplier_pairs:
            out.setdefault("supplier", self.header_of(name_col))
            out.setdefault("supplier_part_number", self.header_of(pn_col))
        if self.fitted_column is not None:
            out.setdefault("dnp", self.header_of(self.fitted_column))
        return out


# --------------------------------------------------------------------------- cell shapes


def clean_mpn(text: str) -> str | None:
    """An MPN cell -> MPN or None for placeholders. A spreadsheet float `61300311121.0` loses
    its `.0` (the number was an integer part number)."""
    text = " ".join(text.split())
    if compact_placeholder(text):
        return None
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    return text


def compact_placeholder(text: str) -> bool:
    return text.strip().lower() in PLACEHOLDERS


def sku_shape(text: str) -> str | None:
    """The distributor a part number belongs to by its shape alone, or None.

    `…-ND` is Digi-Key; `C` + digits is LCSC/JLCPCB; Mouser prefixes a 2-3 digit
    manufacturer code (`595-TLV3501AID`; a letter after the dash is required so that
    `22-05-3021` is not one, and only 3-digit prefixes count so `17-21/BHC-XL2M2TY/3T` is not).
    """
    text = text.strip()
    if re.fullmatch(r"[A-Z0-9][A-Z0-9/\-.#+,]*-ND", text, flags=re.IGNORECASE):
        return "digikey"
    if re.fullmatch(r"C\d{3,8}", text):
        return "lcsc"
    if re.fullmatch(r"\d{3}-(?=[A-Z0-9/\-.#+]*[A-Z])[A-Z0-9/\-.#+]{3,}", text, flags=re.I):
        return "mouser"
    return None


@dataclass(frozen=True)
class UrlPart:
    distributor: str | None = None
    sku: str | None = None
    mpn: str | None = None
    manufacturer: str | None = None


def parse_product_url(url: str) -> UrlPart | None:
    """A distributor product-page URL -> what it names (SKU, MPN, manufacturer), else None."""
    url = url.strip()
    if not re.match(r"https?://", url, flags=re.I):
        if re.match(r"(www\.)?[a-z0-9.-]+\.(com|de|co\.uk|cn|ca)/", url, flags=re.I):
            url = "https://" + url
        else:
            return None
    parts = urlsplit(url)
    host = parts.netloc.lower()
    segments = [unquote(s) for s in parts.path.split("/") if s]
    lower = [s.lower() for s in segments]
    if "mouser." in host:
        if "productdetail" in lower:
            rest = segments[lower.index("productdetail") + 1 :]
            if len(rest) >= 2:
                return UrlPart("mouser", None, rest[1], rest[0].replace("-", " "))
            if len(rest) == 1:
                if sku_shape(rest[0]) == "mouser":
                    return UrlPart("mouser", rest[0])
                return UrlPart("mouser", None, rest[0])
        return UrlPart("mouser")
    if "digikey." in host:
        for seg in segments:
            if seg.upper().endswith("-ND"):
                return UrlPart("digikey", seg)
        if "detail" in lower:
            rest = segments[lower.index("detail") + 1 :]
            if len(rest) >= 2:
                return UrlPart("digikey", None, rest[1], rest[0].replace("-", " "))
        return UrlPart("digikey")
    if "lcsc." in host or "jlcpcb." in host:
        match = re.search(
            r"(?<![A-Za-z0-9])(C\d{3,8})(?:\.html)?(?![0-9])", parts.path + "?" + parts.query
        )
        return UrlPart("lcsc", match.group(1) if match else None)
    for name in ("farnell", "newark", "element14", "rs-online", "arrow", "tme"):
        if name in host:
            dist = {"element14": "farnell", "rs-online": "rs"}.get(name, name)
            tail = segments[-1] if segments else ""
            sku = tail if re.fullmatch(r"[0-9A-Z]{5,10}", tail) else None
            return UrlPart(dist, sku)
    return None


def split_alternates(text: str) -> tuple[str, tuple[str, ...]]:
    """`MPN1, MPN2` / `MPN1 / MPN2` / lines -> (first, others). Commas without a space stay
    (`BAT46WJ,115`, `LPC4320FBD144,551` are single MPNs)."""
    parts = [p.strip() for p in re.split(r",\s+|;\s*|\s+/\s+|\s*\n\s*|\s+or\s+", text) if p.strip()]
    if len(parts) < 2:
        return text.strip(), ()
    if not all(re.search(r"\d", p) and len(p) >= 4 for p in parts):
        return text.strip(), ()
    others = tuple(dict.fromkeys(p for p in parts[1:] if p != parts[0]))
    return parts[0], others


_COMPANY_SUFFIX = re.compile(r"(inc|ltd|llc|corp|corporation|gmbh|co|ag|plc|s\.?a)\.?", re.I)


def split_manufacturers(text: str) -> tuple[str, tuple[str, ...]]:
    """`TE Connectivity, TE CONECTIVITY, …` -> first name and the others; a company suffix
    after a comma (`Samsung Electro-Mechanics America, Inc.`) is not another name."""
    parts = [p.strip() for p in text.split(", ") if p.strip()]
    names: list[str] = []
    for part in parts:
        if names and _COMPANY_SUFFIX.fullmatch(part):
            names[-1] = f"{names[-1]}, {part}"
        else:
            names.append(part)
    if len(names) < 2:
        return text.strip(), ()
    return names[0], tuple(names[1:])


def split_combined(text: str) -> tuple[str, str] | None:
    """`Murata GRM155R71C104KA88D` / `TE Connectivity 1-1415899-6` -> (manufacturer, MPN)
    when the first word is a known maker, the last token looks like an MPN and the words
    between carry no digits; otherwise None (`LY L29K-H1K2-26-Z` is one OSRAM MPN)."""
    words = text.split()
    if len(words) < 2 or not is_manufacturer_name(words[0]):
        return None
    last = words[-1]
    middle = words[1:-1]
    if not looks_like_mpn(last) or any(re.search(r"\d", w) for w in middle):
        return None
    return " ".join(words[:-1]).rstrip(":/-"), last


# --------------------------------------------------------------------------- content checks


def _values(rows: Sequence[Sequence[str]], index: int) -> list[str]:
    return [r[index] for r in rows if index < len(r) and r[index].strip()]


def _ratio(values: Sequence[str], predicate) -> float:
    if not values:
        return 0.0
    return sum(1 for v in values if predicate(v)) / len(values)


def looks_like_library_id(text: str) -> bool:
    """KiCad/Altium library names: `R_200k_0402`, `C_100n_0402`, `CONN_2x5`."""
    return bool(re.fullmatch(r"[A-Za-z]{1,6}_[\w.\-+]*", text.strip())) and "_" in text


def looks_like_mpn(text: str) -> bool:
    text = text.strip()
    return bool(
        3 <= len(text) <= 40
        and re.search(r"\d", text)
        and re.search(r"[A-Za-z]", text)
        and " " not in text.strip()
        and not text.lower().startswith(("http", "www"))
    )


def is_manufacturer_name(text: str) -> bool:
    words = re.split(r"[\s,]+", text.strip().lower())
    return bool(words) and words[0] in KNOWN_MANUFACTURERS


def _looks_like_refs(text: str) -> bool:
    parsed = parse_references(text.split(" : ")[0])
    return bool(parsed.references) and len(parsed.unrecognised) <= len(parsed.references) / 3


def _is_int(text: str) -> bool:
    return bool(re.fullmatch(r"\d{1,6}(\.0+)?", text.strip()))


def infer_by_content(values: Sequence[str], taken: set[str]) -> str | None:
    """Guess the field of an unnamed or generically named column from its cells."""
    if not values:
        return None
    if "quantity" not in taken and _ratio(values, _is_int) >= 0.9:
        return "quantity"
    if "digikey" not in taken and _ratio(values, lambda v: sku_shape(v) == "digikey") >= 0.6:
        return "digikey"
    if "lcsc" not in taken and _ratio(values, lambda v: sku_shape(v) == "lcsc") >= 0.6:
        return "lcsc"
    if (
        "references" not in taken
        and _ratio(values, _looks_like_refs) >= 0.8
        and _ratio(values, lambda v: bool(re.match(r"[A-Za-z]{1,4}\d", v))) >= 0.6
    ):
        return "references"
    if (
        "references" not in taken
        and _ratio(values, lambda v: " : " in v and _looks_like_refs(v.split(" : ")[0])) >= 0.5
    ):
        return "references"  # Digi-Key paste lists: `C1 C2 : 10 µF Capacitor`
    if "manufacturer" not in taken and _ratio(values, is_manufacturer_name) >= 0.5:
        return "manufacturer"
    if "mpn" not in taken and _ratio(values, looks_like_mpn) >= 0.6:
        return "mpn"
    if "description" not in taken and _ratio(values, lambda v: len(v.split()) >= 3) >= 0.5:
        return "description"
    return None


def _generic(header: str) -> bool:
    key = compact(header)
    return not key or bool(re.fullmatch(r"(field|column|col)\d+", key))


def map_columns(
    headers: Sequence[str],
    data: Sequence[Sequence[str]],
    *,
    groups: Sequence[str | None] | None = None,
) -> ColumnMap:
    """Assign fields to columns. `data` is a sample of the data rows (cells as text);
    `groups` is the distributor over each column from a two-row header, if any."""
    candidates: dict[str, list[tuple[int, int]]] = {}  # field -> [(priority, column)]
    notes: list[str] = []
    supplier_cols: list[int] = []
    supplier_pn_cols: list[int] = []
    for index, header in enumerate(headers):
        group = groups[index] if groups and index < len(groups) else None
        match = classify(header)
        if group and (match is None or match.field in ("supplier_pn", "mpn", "ignore")):
            key = compact(header)
            if key in (
                "cat#",
                "sku",
                "partnumber",
                "pn",
                "part#",
                "ordercode",
                "catalog#",
                "supplierpartnumber",
                "distributorpartnumber",
                "stockcode",
            ):
                candidates.setdefault(group, []).append((1, index))
                continue
            if match is None or match.field != "mpn":
                continue  # prices, stock ... under a distributor group
        if match is None:
            continue
        if match.field == "supplier":
            supplier_cols.append(index)
        elif match.field == "supplier_pn":
            supplier_pn_cols.append(index)
        candidates.setdefault(match.field, []).append((match.priority, index))

    def best(name: str) -> int | None:
        options = sorted(candidates.get(name, []))
        return options[0][1] if options else None

    # trap: an MPN-named column that holds library IDs (antmicro `PartNumber` vs `PartSymbol`)
    mpn_options = sorted(candidates.get("mpn", []))
    kept = []
    for priority, index in mpn_options:
        values = _values(data, index)
        if values and _ratio(values, looks_like_library_id) >= 0.5 and len(mpn_options) > 1:
            notes.append(f"'{headers[index]}' holds library names, not part numbers: ignored")
            continue
        if (
            values
            and compact(headers[index]) == "type"
            and _ratio(values, lambda v: v.strip().upper() in ("SMD", "THT", "SMT", "TH", "PTH"))
            >= 0.5
        ):
            continue  # PCBWay `Type` = mounting type
        kept.append((priority, index))
    if kept:
        top = kept[0][0]
        same = [i for p, i in kept if compact(headers[i]) == compact(headers[kept[0][1]])]
        mpn_cols = tuple(same) if len(same) > 1 else (kept[0][1],)
        del top
    else:
        mpn_cols = ()
    candidates["mpn"] = [(p, i) for p, i in kept]

    # trap: `Manufacturer name` full of part numbers while `brand` holds the makers
    man_options = sorted(candidates.get("manufacturer", []))
    if man_options:
        first = man_options[0][1]
        values = _values(data, first)
        if (
            values
            and _ratio(values, looks_like_mpn) >= 0.6
            and _ratio(values, is_manufacturer_name) < 0.3
        ):
            notes.append(f"'{headers[first]}' holds part numbers: read as the MPN column")
            man_options = man_options[1:]
            candidates["manufacturer"] = man_options
            if not mpn_cols:
                mpn_cols = (first,)
                candidates["mpn"] = [(1, first)]
    man_cols: tuple[int, ...] = ()
    if man_options:
        lead = man_options[0][1]
        same = [i for _, i in man_options if compact(headers[i]) == compact(headers[lead])]
        man_cols = tuple(sorted(same)) if len(same) > 1 else (lead,)
    if len(mpn_cols) > 1:
        mpn_cols = tuple(sorted(mpn_cols))

    columns: dict[str, int] = {}
    for name in ("references", "quantity", "value", "footprint", "description", "datasheet", "dnp"):
        index = best(name)
        if index is not None:
            columns[name] = index
    if mpn_cols:
        columns["mpn"] = mpn_cols[0]
    if man_cols:
        columns["manufacturer"] = man_cols[0]
    fitted = best("fitted") if "dnp" not in columns else None

    skus: list[tuple[str, int]] = []
    for dist in DISTRIBUTORS:
        index = best(dist)
        if index is not None:
            skus.append((dist, index))

    # generic / unnamed columns: classify by content
    used = set(columns.values()) | {i for _, i in skus} | set(mpn_cols) | set(man_cols)
    used |= set(supplier_cols) | set(supplier_pn_cols)
    taken = set(columns) | {d for d, _ in skus}
    for index, header in enumerate(headers):
        if index in used or not _generic(header):
            continue
        guess = infer_by_content(_values(data, index), taken)
        if guess is None:
            continue
        taken.add(guess)
        if guess in DISTRIBUTORS:
            skus.append((guess, index))
        else:
            columns[guess] = index
            if guess == "mpn":
                mpn_cols = (index,)
            if guess == "manufacturer":
                man_cols = (index,)
        notes.append(f"{_label(headers, index)} read as {guess} from its contents")

    pairs = _pair_suppliers(headers, supplier_cols, supplier_pn_cols)
    url_columns = tuple(
        i
        for i in range(len(headers))
        if _ratio(_values(data, i), lambda v: v.lower().startswith(("http", "www."))) >= 0.5
    )
    return ColumnMap(
        headers=tuple(headers),
        columns=MappingProxyType(columns),
        mpn_columns=mpn_cols,
        manufacturer_columns=man_cols,
        skus=tuple(skus),
        supplier_pairs=pairs,
        url_columns=url_columns,
        fitted_column=fitted,
        notes=tuple(notes),
    )


def _label(headers: Sequence[str], index: int) -> str:
    header = headers[index].strip() if index < len(headers) else ""
    return f"'{header}'" if header else f"column {index + 1}"


def _pair_suppliers(
    headers: Sequence[str], names: Sequence[int], numbers: Sequence[int]
) -> tuple[tuple[int, int], ...]:
    """`Supplier 1` + `Supplier Part Number 1`, `Vendor` + `Vendor Part #`: pair each
    part-number column with the nearest name column to its left (or right)."""
    pairs = []
    for pn in numbers:
        left = [n for n in names if n < pn]
        right = [n for n in names if n > pn]
        if left:
            pairs.append((max(left), pn))
        elif right:
            pairs.append((min(right), pn))
        else:
            pairs.append((-1, pn))  # no name column: the SKU's shape decides
    return tuple(pairs)


def apply_overrides(
    column_map: ColumnMap, overrides: Mapping[str, str | None], headers: Sequence[str]
) -> ColumnMap:
    """`--map field=Column`: put `field` on the named column (header text, compared loosely,
    or a 1-based column number); an empty column name removes the field."""
    from opencircuit_cli.errors import InputError

    columns = dict(column_map.columns)
    skus = dict(column_map.skus)
    mpn_cols, man_cols = column_map.mpn_columns, column_map.manufacturer_columns
    fitted = column_map.fitted_column
    for name, target in overrides.items():
        if not target:
            columns.pop(name, None)
            skus.pop(name, None)
            if name == "mpn":
                mpn_cols = ()
            if name == "manufacturer":
                man_cols = ()
            continue
        index = find_column(headers, target)
        if index is None:
            shown = ", ".join(repr(" ".join(h.split())) for h in headers if h.strip())
            raise InputError(
                f"--map {name}={target}: no column named '{target}' (columns: {shown})",
                hint="use one of the header names above, or a 1-based column number",
            )
        if name in DISTRIBUTORS:
            skus[name] = index
        else:
            columns[name] = index
            if name == "mpn":
                mpn_cols = (index,)
            if name == "manufacturer":
                man_cols = (index,)
            if name == "dnp":
                fitted = None
    return ColumnMap(
        headers=column_map.headers,
        columns=MappingProxyType(columns),
        mpn_columns=mpn_cols,
        manufacturer_columns=man_cols,
        skus=tuple(skus.items()),
        supplier_pairs=column_map.supplier_pairs,
        url_columns=column_map.url_columns,
        fitted_column=fitted,
        notes=column_map.notes,
    )


def find_column(headers: Sequence[str], target: str) -> int | None:
    for index, header in enumerate(headers):
        if " ".join(header.split()) == " ".join(target.split()):
            return index
    wanted = compact(target)
    for index, header in enumerate(headers):
        if wanted and compact(header) == wanted:
            return index
    if target.strip().isdigit():
        number = int(target.strip())
        if 1 <= number <= max(len(headers), 1):
            return number - 1
    return None


def supplier_distributor(text: str) -> str | None:
    return distributor_key(text) or distributor_key(text.split()[0]) if text.strip() else None
