"""Local catalog: import a generated 300,000-row JLC-format CSV, then query it in one process.

Budgets (issue #5): import under 60 s, median `search` under 50 ms, median exact lookup (what
`price` does) under 5 ms.

The CSV has the JLC parts library columns (`;`-delimited, as published) with generated but
realistic rows: chip resistors, MLCCs, inductors and ICs, descriptions like
"Chip Resistor - Surface Mount 10KOhms ±1% 1/10W 0603 RoHS", two- to four-tier price strings
with tiers from 1 or 20. Printed: import time, rows, database size, peak RSS of the process
during the import (ru_maxrss), then the median and 95th percentile of 50 searches and 50 exact
lookups through `CatalogProvider` (the code `search` / `price` run).

    python bench/catalog.py                 # 300,000 rows
    python bench/catalog.py --rows 50000
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from opencircuit_cli.catalog.importer import ImportRequest, import_catalog  # noqa: E402
from opencircuit_cli.catalog.store import CatalogStore  # noqa: E402
from opencircuit_cli.models import PartQuery  # noqa: E402
from opencircuit_cli.providers.base import ProviderDeps, SearchOptions  # noqa: E402
from opencircuit_cli.providers.catalog import CatalogProvider  # noqa: E402
from opencircuit_cli.settings import CatalogSettings  # noqa: E402

HEADER = [
    "LCSC Part", "First Category", "Second Category", "MFR.Part", "Package", "Solder Joint",
    "Manufacturer", "Library Type", "Description", "Datasheet", "Price", "Stock",
]  # fmt: skip
PACKAGES = ["0201", "0402", "0603", "0805", "1206", "SOT-23", "SOIC-8", "QFN-32", "LQFP-48"]
MAKERS = ["Uniroyal Elec", "YAGEO", "Samsung Electro-Mechanics", "Sunlord", "TI", "ST", "FH"]
OHMS = ["10", "22", "47", "100", "220", "470", "1K", "2.2K", "4.7K", "10K", "22K", "47K", "100K"]
FARADS = ["1pF", "10pF", "100pF", "1nF", "10nF", "100nF", "1uF", "4.7uF", "10uF", "22uF"]


def _row(index: int, rng: random.Random) -> list[str]:
    lcsc = f"C{index + 1000}"
    package = rng.choice(PACKAGES[:5])
    kind = index % 4
    if kind == 0:
        value = rng.choice(OHMS)
        tol = rng.choice(["1%", "5%"])
        mpn = f"RC{package}{'F' if tol == '1%' else 'J'}R-07{value}L-{index}"
        first, second = "Resistors", "Chip Resistor - Surface Mount"
        desc = f"Chip Resistor - Surface Mount {value}Ohms ±{tol} 1/10W {package} RoHS"
    elif kind == 1:
        value = rng.choice(FARADS)
        mpn = f"CL{package[:2]}B{index}KB8NNNC"
        first, second = "Capacitors", "Multilayer Ceramic Capacitors MLCC - SMD/SMT"
        desc = f"Multilayer Ceramic Capacitors MLCC - SMD/SMT {value} 50V X7R ±10% {package} RoHS"
    elif kind == 2:
        mpn = f"SDFL{package}T{index}KTF"
        first, second = "Inductors & Chokes & Transformers", "Inductors (SMD)"
        desc = f"Inductors (SMD) {rng.choice(['1uH', '10uH', '47uH'])} ±10% {package} RoHS"
    else:
        package = rng.choice(PACKAGES[5:])
        mpn = f"LM{index}DR"
        first, second = "Amplifiers", "Operational Amplifier"
        desc = f"Operational Amplifier dual rail-to-rail {package} RoHS"
    base = rng.randint(1000, 900000) / 1e7
    start = rng.choice([1, 1, 1, 20])
    tiers = [f"{start}-199:{base:.9f}", f"200-999:{base * 0.6:.9f}"]
    if rng.random() < 0.5:
        tiers.append(f"1000-:{base * 0.4:.9f}")
    else:
        tiers[-1] = f"200-:{base * 0.6:.9f}"
    return [
        lcsc, first, second, mpn, package, "2", rng.choice(MAKERS),
        rng.choice(["Basic", "Extended"]), desc,
        f"https://datasheet.lcsc.com/szlcsc/{mpn}_{lcsc}.pdf", ",".join(tiers),
        str(rng.randint(0, 500000)),
    ]  # fmt: skip


def generate(path: Path, rows: int) -> list[list[str]]:
    rng = random.Random(5)
    sample: list[list[str]] = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for index in range(rows):
            row = _row(index, rng)
            writer.writerow(row)
            if index % (rows // 60) == 0:
                sample.append(row)
    return sample


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"median {statistics.median(values) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "jlc.csv"
        started = time.perf_counter()
        sample = generate(source, args.rows)
        print(f"generated {args.rows:,} rows ({source.stat().st_size / 1e6:.1f} MB) "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        store = CatalogStore(folder / "catalogs.sqlite")
        started = time.perf_counter()
        summary = import_catalog(store, ImportRequest(source, "jlc"))
        elapsed = time.perf_counter() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        store.close()
        db_size = sum(p.stat().st_size for p in folder.glob("catalogs.sqlite*"))
        print(f"import: {elapsed:.1f} s for {summary.catalog.rows:,} rows, "
              f"{summary.catalog.price_breaks:,} price breaks; database {db_size / 1e6:.1f} MB; "
              f"peak RSS {rss_after / 1024:.0f} MB (before import {rss_before / 1024:.0f} MB)"
              f"  [budget 60 s]")  # fmt: skip

        deps = ProviderDeps(
            settings=CatalogSettings(path=str(folder / "catalogs.sqlite")),
            secret=lambda field: None,  # type: ignore[arg-type,return-value]
            http=None,
            currency="USD",
            country="US",
            data_dir=folder,
        )
        provider = CatalogProvider(deps)
        queries = [
            "10K 0603 1%", "100nF 0402", "Chip Resistor 4.7K", "inductors 10uH", "LM1234",
            "SDFL0805", "Operational Amplifier SOIC-8", "MLCC 10uF 50V", "Sunlord 47uH",
            "RC0603FR",
        ]  # fmt: skip
        queries += [row[3] for row in sample[:20]] + [row[0] for row in sample[20:40]]
        queries = (queries * 2)[:50]
        options = SearchOptions(limit=20)
        provider.search("warm up", options)
        timings, hits = [], 0
        for text in queries:
            started = time.perf_counter()
            hits += len(provider.search(text, options))
            timings.append(time.perf_counter() - started)
        print(f"search x{len(queries)}: {_ms(timings)}; {hits} parts returned  [budget 50 ms]")

        lookups = [PartQuery(row[3]) for row in sample[:50]]
        lookups = (lookups * 2)[:50]
        timings, found = [], 0
        for query in lookups:
            started = time.perf_counter()
            found += len(provider.lookup([query])[query])
            timings.append(time.perf_counter() - started)
        print(f"exact lookup x{len(lookups)}: {_ms(timings)}; {found} found  [budget 5 ms]")
        provider.close()


if __name__ == "__main__":
    main()
