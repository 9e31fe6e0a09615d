"""The `catalog` provider: answers `search`, `price` and `bom-quote` from local catalogs.

Offline and fast: exact MPN / SKU lookups through indexes, keyword search through the FTS5
trigram index (see `opencircuit_cli.catalog.store`). Files declared in `[providers.catalog]
files` are imported, or re-imported when they changed, on first use, not at start-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType

from opencircuit_cli.catalog.configured import parse_entries, store_path, sync
from opencircuit_cli.catalog.query import plan_search
from opencircuit_cli.catalog.store import CatalogStore, Hit
from opencircuit_cli.matching import normalize_mpn
from opencircuit_cli.models import Offer, Part, PartQuery
from opencircuit_cli.providers.base import CheckResult, ProviderDeps, SearchOptions

NOT_IMPORTED = "no catalog imported (opencircuit catalog import FILE --name NAME)"


class CatalogProvider:
    name = "catalog"

    def __init__(self, deps: ProviderDeps, *, cwd: Path | None = None) -> None:
        settings = deps.settings
        self._entries: tuple[str, ...] = tuple(getattr(settings, "files", ()) or ())
        # The directory of the config file that declared `files`, once ProviderDeps carries it.
        self._base_dir: Path | None = deps.config_dir
        self._cwd = cwd or Path.cwd()
        self.store = CatalogStore(store_path(getattr(settings, "path", ""), deps.data_dir))
        self._synced = False

    def unavailable(self) -> str | None:
        if self._entries or self.store.part_count() > 0:
            return None
        return NOT_IMPORTED

    def _ready(self) -> None:
        if not self._synced:
            sync(self.store, parse_entries(self._entries, self._base_dir, self._cwd))
            self._synced = True

    def lookup(self, queries: Sequence[PartQuery]) -> dict[PartQuery, list[Part]]:
        self._ready()
        keys: dict[PartQuery, list[str]] = {}
        for query in queries:
            keys[query] = [normalize_mpn(query.mpn)] if query.mpn.strip() else []
            if query.sku and query.sku.strip():
                keys[query].append(normalize_mpn(query.sku))
        found = self.store.lookup([k for ks in keys.values() for k in ks])
        result: dict[PartQuery, list[Part]] = {}
        for query, wanted in keys.items():
            hits = {(h.catalog, h.record.row): h for k in wanted for h in found.get(k, [])}
            result[query] = [to_part(h) for h in hits.values()]
        return result

    def search(self, query: str, options: SearchOptions) -> list[Part]:
        self._ready()
        plan = plan_search(
            query, options.filters, in_stock=options.in_stock, manufacturer=options.manufacturer
        )
        hits = self.store.search(plan, options.limit)
        if options.exact:
            hits = [h for h in hits if normalize_mpn(h.record.mpn) == plan.normalized]
        return [to_part(h) for h in hits]

    def check(self) -> CheckResult:
        self._ready()
        catalogs = self.store.catalogs()
        parts = self.store.part_count()
        if not catalogs:
            return CheckResult(False, NOT_IMPORTED)
        return CheckResult(True, f"{len(catalogs)} catalogs, {parts} parts")

    def close(self) -> None:
        self.store.close()


def to_part(hit: Hit) -> Part:
    record = hit.record
    specs = {k: v for k, v in (("package", record.package), ("category", record.category)) if v}
    specs.update(record.specs)
    offer = Offer(
        source=f"catalog:{hit.catalog}",
        distributor=hit.distributor,
        sku=record.sku or record.mpn,
        currency=hit.currency,
        price_breaks=record.price_breaks,
        packaging=record.packaging,
        stock=record.stock,
        moq=max(record.moq, 1),
        order_multiple=max(record.order_multiple, 1),
        lead_time_days=record.lead_time_days,
        url=record.url,
    )
    return Part(
        mpn=record.mpn,
        manufacturer=record.manufacturer,
        description=record.description,
        datasheet_url=record.datasheet_url,
        specs=MappingProxyType(specs),
        offers=(offer,),
    )
