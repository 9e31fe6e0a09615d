"""BOM reading speed and memory: a generated 5,000-line CSV and a 2,000-line XLSX.

Budget (DESIGN §10): reading a 5,000-line CSV BOM under 1 s; peak memory under 200 MB.
Each file is read in a fresh subprocess, which reports the time spent in `read_bom`, the
tracemalloc peak of Python allocations, and the process's peak RSS (ru_maxrss, which includes
the interpreter and imported libraries).

    python bench/bom_read.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

CSV_BUDGET_S = 1.0
MEMORY_BUDGET_MB = 200.0

MAKERS = [
    ("Murata", "GRM155R71C{:03d}KA88D"),
    ("Yageo", "RC0402FR-07{:03d}KL"),
    ("Texas Instruments", "TPS{:03d}DRCR"),
    ("Würth Elektronik", "885012{:06d}"),
]


def _rows(count: int) -> list[list[object]]:
    rng = random.Random(7)
    rows: list[list[object]] = []
    for n in range(count):
        maker, pattern = MAKERS[n % len(MAKERS)]
        refs = ", ".join(f"C{n * 4 + k + 1}" for k in range(rng.randint(1, 4)))
        rows.append(
            [
                refs,
                refs.count(",") + 1,
                f"{rng.choice([1, 10, 100])}nF",
                "Capacitor_SMD:C_0402_1005Metric",
                maker,
                pattern.format(n % 997),
                f"{n}-ND",
                'CAP CER 0.1UF 16V X7R 0402, "quoted" text',
                "",
            ]
        )
    return rows


HEADER = [
    "Reference",
    "Qty",
    "Value",
    "Footprint",
    "Manufacturer",
    "MPN",
    "Digikey",
    "Description",
    "DNP",
]


def make_csv(path: Path, lines: int) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(_rows(lines))


def make_xlsx(path: Path, lines: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("BOM")
    sheet.append(["Project X BOM"])
    sheet.append([])
    sheet.append(HEADER)
    for row in _rows(lines):
        sheet.append(row)
    workbook.save(path)


def child(path: str) -> None:
    """Runs in the subprocess: read once untraced (time, peak RSS), once more under
    tracemalloc (peak Python allocations); report the figures as JSON on stdout."""
    from opencircuit_cli.bom import read_bom

    start = time.perf_counter()
    result = read_bom(path)
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    read_bom(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "tracemalloc_peak_mb": peak / 1e6,
                "maxrss_mb": rss_kb / 1024,
                "lines": len(result.lines),
            }
        )
    )


def measure(path: Path, runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        samples.append(json.loads(proc.stdout))
    return {
        "seconds": statistics.median(s["seconds"] for s in samples),
        "tracemalloc_peak_mb": max(s["tracemalloc_peak_mb"] for s in samples),
        "maxrss_mb": max(s["maxrss_mb"] for s in samples),
        "lines": samples[0]["lines"],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "bom-5000.csv"
        xlsx_path = Path(tmp) / "bom-2000.xlsx"
        make_csv(csv_path, 5000)
        make_xlsx(xlsx_path, 2000)
        for label, path, time_budget in (
            ("CSV  5,000 lines", csv_path, CSV_BUDGET_S),
            ("XLSX 2,000 lines", xlsx_path, None),
        ):
            figures = measure(path, args.runs)
            within_time = time_budget is None or figures["seconds"] < time_budget
            within_memory = figures["maxrss_mb"] < MEMORY_BUDGET_MB
            ok = ok and within_time and within_memory
            budget = f"< {time_budget:.1f} s" if time_budget else "no time budget"
            print(
                f"{label}: {figures['seconds'] * 1000:7.0f} ms ({budget}) "
                f"{'OK' if within_time else 'OVER'}; "
                f"peak RSS {figures['maxrss_mb']:.0f} MB, Python allocations peak "
                f"{figures['tracemalloc_peak_mb']:.1f} MB (< {MEMORY_BUDGET_MB:.0f} MB) "
                f"{'OK' if within_memory else 'OVER'}; {figures['lines']} lines"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
