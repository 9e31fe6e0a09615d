"""XLSX quote writing speed and memory: a generated 2,000-line priced Quote.

Budget (DESIGN §10): writing a 2,000-line priced XLSX under 3 s; peak memory under 200 MB.
Each run is a fresh subprocess that builds the Quote (not timed), then times
`write_quote_xlsx` once untraced (wall time, peak RSS) and once under tracemalloc (peak Python
allocations). The Quote has 4 offers per line (Mouser and DigiKey cut tape, a DigiKey reel,
LCSC in EUR), a split line every 50, an unpriced line every 40 and 100 DNP lines, so every
sheet is populated: Quote, Offers (every chosen and alternative offer), three order sheets.

    python bench/xlsx_write.py [--runs 3] [--lines 2000]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

TIME_BUDGET_S = 3.0
MEMORY_BUDGET_MB = 200.0


def make_quote(count: int):
    from opencircuit_cli.models import BomLine, Offer, Part, PriceBreak
    from opencircuit_cli.pricing.choice import choose_line
    from opencircuit_cli.pricing.currency import Converter
    from opencircuit_cli.pricing.order import DistributorCosts, plan_order
    from opencircuit_cli.pricing.quote import Quote, QuoteLine, build_quantity

    converter = Converter("USD", {"EUR": Decimal("1.08")})
    boards, spares, spares_min = 10, Decimal(5), 2

    def offer(dist, sku, unit, stock, currency="USD", packaging="Cut Tape", moq=1, mult=1):
        price = Decimal(unit)
        breaks = (PriceBreak(1, price), PriceBreak(100, price * Decimal("0.6")))
        if packaging != "Cut Tape":
            breaks = (PriceBreak(moq, price * Decimal("0.3")),)
        return Offer(
            "bench",
            dist,
            sku,
            currency,
            breaks,
            packaging=packaging,
            stock=stock,
            moq=moq,
            order_multiple=mult,
            lead_time_days=14,
            url=f"https://{dist.lower()}.example/p/{sku}",
        )

    lines, dnp = [], []
    for n in range(count):
        mpn = f"GRM155R71C{n:05d}KA88D"
        refs = tuple(f"C{n * 3 + k + 1}" for k in range(1 + n % 3))
        bom = BomLine(
            n + 2,
            refs,
            len(refs),
            value="100nF",
            manufacturer="Murata",
            mpn=mpn,
            description='CAP CER 0.1UF 16V X7R 0402, "quoted"',
            rows=(n + 2,),
        )
        unit = f"0.{(n % 90) + 10:02d}"
        other = str(Decimal(unit) + Decimal("0.005") * (1 if n % 2 else -1))  # DigiKey: 1 in 2
        stock = 20 if n % 50 == 0 else 50_000
        offers = (
            ()
            if n % 40 == 0
            else (
                offer("Mouser", f"81-{mpn}", unit, stock),
                offer("DigiKey", f"{n}-1-ND", other, stock if n % 50 else 15),
                offer(
                    "DigiKey",
                    f"{n}-2-ND",
                    unit,
                    100_000,
                    packaging="Tape & Reel",
                    moq=10_000,
                    mult=10_000,
                ),
                offer("LCSC", f"C{100_000 + n}", unit, 30_000, currency="EUR"),
            )
        )
        part = Part(
            mpn,
            "Murata",
            description="CAP CER 0.1UF 16V X7R 0402",
            datasheet_url=f"https://murata.example/{mpn}.pdf",
            lifecycle="obsolete" if n % 97 == 0 else "active",
            offers=offers,
        )
        needed = build_quantity(bom.quantity, boards, spares, spares_min)
        lines.append(QuoteLine(bom, needed, None, choose_line([part], needed, converter)))
    for n in range(100):
        dnp.append(BomLine(count + n + 2, (f"R{9000 + n}",), 1, mpn=f"DNP{n}", dnp=True))
    costs = {
        "mouser": DistributorCosts(Decimal("4.99")),
        "digikey": DistributorCosts(Decimal("4.99")),
    }
    plan = plan_order([q.choice for q in lines], costs)
    lines = [replace(q, choice=c) for q, c in zip(lines, plan.lines, strict=True)]
    return Quote(
        "bench.csv", boards, spares, spares_min, "USD", "bench rates", tuple(lines),
        tuple(dnp), plan, (), datetime.now(UTC),
    )  # fmt: skip


def child(count: int, directory: str) -> None:
    from opencircuit_cli.output.quote_xlsx import write_quote_xlsx

    quote = make_quote(count)
    path = Path(directory) / "quote.xlsx"
    start = time.perf_counter()
    write_quote_xlsx(quote, path, project="bench")
    elapsed = time.perf_counter() - start
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    tracemalloc.start()
    write_quote_xlsx(quote, path, project="bench")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    rows = {ws.title: sum(1 for _ in ws.rows) for ws in wb.worksheets}
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "maxrss_mb": rss_kb / 1024,
                "tracemalloc_peak_mb": peak / 1e6,
                "bytes": path.stat().st_size,
                "rows": rows,
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--dir")
    args = parser.parse_args()
    if args.child:
        child(args.lines, args.dir)
        return 0
    samples = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            proc = subprocess.run(
                [sys.executable, __file__, "--child", "--lines", str(args.lines), "--dir", tmp],
                capture_output=True,
                text=True,
                check=True,
            )
            samples.append(json.loads(proc.stdout))
    seconds = statistics.median(s["seconds"] for s in samples)
    rss = max(s["maxrss_mb"] for s in samples)
    traced = max(s["tracemalloc_peak_mb"] for s in samples)
    within_time, within_memory = seconds < TIME_BUDGET_S, rss < MEMORY_BUDGET_MB
    print(
        f"XLSX {args.lines:,} lines: {seconds * 1000:.0f} ms median of {args.runs} "
        f"(< {TIME_BUDGET_S:.0f} s) {'OK' if within_time else 'OVER'}; peak RSS {rss:.0f} MB "
        f"(process, incl. building the Quote), Python allocations peak while writing "
        f"{traced:.1f} MB (< {MEMORY_BUDGET_MB:.0f} MB) {'OK' if within_memory else 'OVER'}; "
        f"{samples[0]['bytes'] / 1e6:.2f} MB file; rows per sheet {samples[0]['rows']}"
    )
    return 0 if within_time and within_memory else 1


if __name__ == "__main__":
    sys.exit(main())
