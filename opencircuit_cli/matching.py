"""Which answered parts match a query: MPN and manufacturer normalisation, ranking, ambiguity.

Pure functions. Distributors answer a part-number search with near misses too (a longer MPN that
starts with the query, the same MPN from another maker); this module decides what counts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from opencircuit_cli.models import Part, PartQuery

# Canonical manufacturer name -> other names distributors use for it (compared normalised).
MANUFACTURER_ALIASES: dict[str, tuple[str, ...]] = {
    "Texas Instruments": (
        "TI",
        "Texas Instruments Incorporated",
        "Burr-Brown",
        "National Semiconductor",
    ),
    "Vishay": (
        "Vishay Dale",
        "Vishay Intertechnology",
        "Vishay Semiconductors",
        "Vishay Siliconix",
        "Vishay General Semiconductor",
        "Vishay Beyschlag",
        "Vishay BCcomponents",
        "Vishay Sprague",
        "Vishay Vitramon",
    ),
    "Würth Elektronik": ("Wurth Elektronik", "Würth", "Wurth", "Wuerth Elektronik", "WE"),
    "STMicroelectronics": ("ST", "STMicro", "ST Microelectronics"),
    "onsemi": ("ON Semiconductor", "ON Semi", "Fairchild", "Fairchild Semiconductor"),
    "Analog Devices": (
        "ADI",
        "Analog Devices Inc.",
        "Linear Technology",
        "Maxim Integrated",
        "Maxim",
    ),
    "Microchip Technology": ("Microchip", "Atmel", "Microsemi"),
    "NXP": ("NXP Semiconductors", "NXP USA Inc.", "Freescale", "Freescale Semiconductor"),
    "Infineon Technologies": (
        "Infineon",
        "International Rectifier",
        "Cypress Semiconductor",
        "Cypress",
    ),
    "Nexperia": ("Nexperia USA Inc.",),
    "Diodes Incorporated": ("Diodes Inc", "Diodes", "Zetex"),
    "Murata": ("Murata Electronics", "Murata Manufacturing"),
    "KEMET": ("Kemet", "KEMET Corporation"),
    "TDK": ("TDK Corporation", "EPCOS", "TDK-Lambda"),
    "Yageo": ("YAGEO", "Yageo Corporation"),
    "Samsung Electro-Mechanics": ("Samsung", "SEMCO"),
    "TE Connectivity": ("TE", "Tyco Electronics", "AMP", "TE Connectivity AMP Connectors"),
    "Molex": ("Molex LLC", "Molex Inc."),
    "Bourns": ("Bourns Inc.", "Bourns, Inc."),
    "Panasonic": ("Panasonic Electronic Components", "Panasonic Industry"),
    "Renesas Electronics": ("Renesas", "Intersil", "IDT", "Integrated Device Technology"),
    "ROHM Semiconductor": ("ROHM", "Rohm"),
    "Toshiba": ("Toshiba Semiconductor and Storage", "Toshiba Electronic Devices"),
    "Bel Fuse": ("Bel Fuse Inc.", "Bel"),
    "Littelfuse": ("Littelfuse Inc.",),
    "Amphenol": ("Amphenol ICC", "Amphenol FCI", "FCI"),
    "Kyocera AVX": ("AVX", "AVX Corporation", "KYOCERA AVX"),
    "Stackpole Electronics": ("Stackpole", "SEI Stackpole"),
}

_SUFFIXES = re.compile(
    r"\b(incorporated|inc|corporation|corp|co|ltd|llc|gmbh|ag|sa|plc|limited|company|usa)\b\.?"
)


def normalize_mpn(mpn: str) -> str:
    """Case and surrounding/internal white space do not make a different part number."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", mpn)).upper()


def fold_name(name: str) -> str:
    """A company name reduced for comparison: no accents, case, legal suffixes or punctuation."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ")
    text = _SUFFIXES.sub(" ", text)
    return re.sub(r"[^a-z0-9]+", "", text)


def _build_alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical, aliases in MANUFACTURER_ALIASES.items():
        for name in (canonical, *aliases):
            index[fold_name(name)] = canonical
    return index


_ALIAS_INDEX = _build_alias_index()


def canonical_manufacturer(name: str | None) -> str | None:
    """The canonical name for a known maker, else the name as given (stripped)."""
    if name is None or not name.strip():
        return None
    return _ALIAS_INDEX.get(fold_name(name), name.strip())


def same_manufacturer(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    ca, cb = canonical_manufacturer(a), canonical_manufacturer(b)
    if ca is None or cb is None:
        return False
    if fold_name(ca) == fold_name(cb):
        return True
    fa, fb = fold_name(a), fold_name(b)
    return bool(fa) and bool(fb) and (fa.startswith(fb) or fb.startswith(fa))


@dataclass(frozen=True)
class Match:
    """The parts that answer one query, best first, and whether the answer is ambiguous."""

    parts: tuple[Part, ...]
    exact: bool  # at least one part has exactly the asked MPN
    ambiguous_manufacturers: tuple[str, ...]  # >1 maker share the exact MPN and none was asked


def match_parts(query: PartQuery, parts: Sequence[Part], *, exact_only: bool = False) -> Match:
    """Rank `parts` for `query`: exact MPN (and asked manufacturer) first; never drop a maker.

    With a manufacturer in the query, exact-MPN parts of other makers are dropped. Without one,
    every maker sharing the exact MPN is kept and reported as ambiguous, so the caller can say so
    instead of silently taking the first hit.
    """
    wanted = normalize_mpn(query.mpn)
    exact = [p for p in parts if normalize_mpn(p.mpn) == wanted]
    others = [] if exact_only else [p for p in parts if normalize_mpn(p.mpn) != wanted]
    if query.manufacturer:
        exact = [p for p in exact if same_manufacturer(p.manufacturer, query.manufacturer)]
        others = [p for p in others if same_manufacturer(p.manufacturer, query.manufacturer)]
    makers: list[str] = []
    for part in exact:
        name = canonical_manufacturer(part.manufacturer) or "?"
        if name not in makers:
            makers.append(name)
    ambiguous = tuple(makers) if not query.manufacturer and len(makers) > 1 else ()
    others.sort(key=lambda p: (not normalize_mpn(p.mpn).startswith(wanted), len(p.mpn)))
    return Match(tuple(exact + others), bool(exact), ambiguous)


def merge_parts(parts: Sequence[Part]) -> list[Part]:
    """One Part per (MPN, maker): offers from several providers gathered under it, in order.

    The first answer's details win; empty ones are filled from later answers.
    """
    from dataclasses import replace

    merged: dict[tuple[str, str], Part] = {}
    for part in parts:
        maker = canonical_manufacturer(part.manufacturer) or ""
        key = (normalize_mpn(part.mpn), fold_name(maker))
        seen = merged.get(key)
        if seen is None:
            merged[key] = part
            continue
        merged[key] = replace(
            seen,
            description=seen.description or part.description,
            datasheet_url=seen.datasheet_url or part.datasheet_url,
            lifecycle=seen.lifecycle if seen.lifecycle != "unknown" else part.lifecycle,
            lifecycle_text=seen.lifecycle_text or part.lifecycle_text,
            offers=seen.offers + part.offers,
        )
    return list(merged.values())
