"""One offer per (distributor, SKU): when an aggregator (Nexar) and a direct provider (Mouser,
DigiKey) both report the same distributor's SKU, the source earlier in `[defaults]
source_priority` is kept and the other copy dropped. Pure functions.

Why the direct answer wins: it is fresher (Nexar ingests distributor feeds periodically), it is
priced for the user's own account/locale, and it carries fields Nexar lacks (fees, on-order).

Distributor names differ between sources ("Digi-Key" from Nexar, "DigiKey" from DigiKey,
"Mouser Electronics" / "Mouser"), so they are compared by `distributor_key`. Offers of the same
source are never dropped here (Mouser's one SKU is one offer; DigiKey's cut tape and reel are
different SKUs anyway), and offers without a SKU are never matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from opencircuit_cli.matching import fold_name, normalize_mpn
from opencircuit_cli.models import Offer, Part

#: Folded distributor name -> the key used for comparison. Names not listed are folded only.
DISTRIBUTOR_ALIASES: dict[str, str] = {
    "digikey": "digikey",
    "digikeyelectronics": "digikey",
    "digikeycorporation": "digikey",
    "mouser": "mouser",
    "mouserelectronics": "mouser",
    "arrow": "arrow",
    "arrowelectronics": "arrow",
    "rs": "rs",
    "rscomponents": "rs",
    "rsonline": "rs",
    "rsamericas": "rs",
    "lcsc": "lcsc",
    "lcscelectronics": "lcsc",
    "tme": "tme",
    "transfermultisort": "tme",
    "transfermultisortelektronik": "tme",
    "future": "future",
    "futureelectronics": "future",
    "farnell": "farnell",
    "premierfarnell": "farnell",
    "element14": "element14",
    "newark": "newark",
    "newarkelement14": "newark",
    "avnet": "avnet",
    "avnetamericas": "avnet",
    "tti": "tti",
    "ttiinc": "tti",
}


def distributor_key(name: str | None) -> str:
    """A comparable form of a distributor name: "Digi-Key" and "DigiKey" -> "digikey"."""
    if not name:
        return ""
    folded = fold_name(name)
    return DISTRIBUTOR_ALIASES.get(folded, folded)


def offer_key(offer: Offer, names: dict[str, str] | None = None) -> tuple[str, str] | None:
    """(distributor, SKU) of an offer, or None when it has no SKU to compare. `names` memoises
    distributor keys for one call site: an aggregator repeats a few dozen names many times."""
    sku = normalize_mpn(offer.sku or "")
    if not sku:
        return None
    if names is None:
        return distributor_key(offer.distributor), sku
    key = names.get(offer.distributor)
    if key is None:
        key = names[offer.distributor] = distributor_key(offer.distributor)
    return key, sku


def source_rank(source: str, priority: Sequence[str]) -> int:
    """Position in `priority` (case-insensitive); unlisted sources after every listed one."""
    wanted = source.strip().lower()
    for index, name in enumerate(priority):
        if name.strip().lower() == wanted:
            return index
    return len(priority)


def dedupe_offers(parts: Sequence[Part], priority: Sequence[str]) -> list[Part]:
    """`parts` with every offer dropped that a better-ranked source also has (same distributor
    and SKU, anywhere in `parts`). A part that only had such duplicates is dropped too; parts
    that never had offers are kept. Order is preserved."""
    ranks = {name.strip().lower(): i for i, name in reversed(list(enumerate(priority)))}
    names: dict[str, str] = {}
    keyed = [
        [
            (offer, offer_key(offer, names), ranks.get(offer.source.strip().lower(), len(priority)))
            for offer in part.offers
        ]
        for part in parts
    ]
    best: dict[tuple[str, str], int] = {}
    for offers_of_part in keyed:
        for _offer, key, rank in offers_of_part:
            if key is not None:
                best[key] = min(rank, best.get(key, rank))
    kept: list[Part] = []
    for part, offers_of_part in zip(parts, keyed, strict=True):
        offers = tuple(
            offer for offer, key, rank in offers_of_part if key is None or rank <= best[key]
        )
        if len(offers) == len(part.offers):
            kept.append(part)
        elif offers:
            kept.append(replace(part, offers=offers))
    return kept
