"""`bom-quote` of a generated 300-line BOM: cold against a local fake Mouser, then fully cached.

Budgets (DESIGN §10): cached under 1.5 s end to end; cold within 15 % of the floor set by the
slowest provider's rate limit; at most 0.1 Mouser requests per BOM line.

Providers: Mouser (tests/support/fake_mouser.FakeMouserServer on 127.0.0.1, which refuses calls
beyond the configured per-minute limit like Mouser does), Nexar (tests/fixtures/nexar/fake_nexar,
GraphQL + token endpoint, batches of 20) and the local `catalog` (a generated price list holding
half of the MPNs). The real Mouser limit of 30/min is scaled up 20x to 600/min for both the fake
server and the client (Nexar's limit scaled the same), so the cold floor (29 Mouser limiter waits
of 60/(600*0.95) s) is about 3 s instead of a minute; the ratio between the cold time and its
floor is what the budget is about. No keyring is assumed: the cold run asks Nexar for one token,
the cached run for none.

    python bench/quote.py [--lines 300] [--scale 20]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fixtures.nexar.fake_nexar import FakeNexarServer  # noqa: E402
from tests.support.fake_mouser import FakeMouserServer  # noqa: E402

MAKER = "Bel Fuse"  # the maker tests/support/fake_mouser answers with
MOUSER_LIMIT = 30
BATCH = 10
SAFETY = 0.95


def mpns(count: int) -> list[str]:
    return [f"GRM188R71H{i:03d}KA01D" for i in range(count)]


def write_bom(path: Path, parts: list[str], maker: str = MAKER) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Reference", "Qty", "Value", "Footprint", "Manufacturer", "MPN"])
        for i, mpn in enumerate(parts):
            refs = ", ".join(f"C{i * 3 + k + 1}" for k in range(3))
            writer.writerow([refs, 3, "100n", "C_0603", maker, mpn])


def write_price_list(path: Path, parts: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["MPN", "Manufacturer", "SKU", "Stock", "Qty 1", "Price 1", "Qty 100", "Price 100"]
        )
        for i, mpn in enumerate(parts):
            writer.writerow([mpn, MAKER, f"SHELF-{i:04d}", 5000, 1, "0.05", 100, "0.02"])


def run(argv: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 6):
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stderr}")
    doc = json.loads(proc.stdout)
    priced = sum(1 for line in doc["lines"] if line["status"] == "ok")
    return elapsed, proc.returncode, f"{priced}/{len(doc['lines'])} priced"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=300)
    parser.add_argument("--scale", type=float, default=20.0)
    parser.add_argument(
        "--bom-maker",
        default=MAKER,
        help="manufacturer written in the BOM ('' for none: Nexar then returns every seller "
        "of every part, the heaviest case)",
    )
    args = parser.parse_args()
    limit = MOUSER_LIMIT * args.scale
    home = Path(tempfile.mkdtemp(prefix="oc-quote-bench-"))
    parts = mpns(args.lines)
    bom, prices, out = home / "bom.csv", home / "shelf.csv", home / "quote.xlsx"
    write_bom(bom, parts, args.bom_maker)
    write_price_list(prices, parts[: args.lines // 2])
    script = shutil.which("opencircuit") or str(Path(sys.executable).with_name("opencircuit"))
    failed = False
    nexar = FakeNexarServer()
    with FakeMouserServer(rate_limit_per_minute=limit) as server:
        config = home / "opencircuit.toml"
        config.write_text(
            '[defaults]\nproviders = ["catalog", "mouser", "nexar"]\n'
            f'[providers.mouser]\nbase_url = "{server.base_url}"\nrate_limit = {limit}\n'
            f'[providers.nexar]\nbase_url = "{nexar.base_url}/graphql"\n'
            f'token_url = "{nexar.base_url}/token"\nrate_limit = {limit}\n'
            f'[providers.catalog]\nfiles = ["shelf={prices}"]\n',
            encoding="utf-8",
        )
        env = dict(
            os.environ,
            MOUSER_API_KEY="bench-0000-not-a-real-mouser-key",
            NEXAR_CLIENT_ID="bench-id",
            NEXAR_CLIENT_SECRET="bench-secret-not-real",
            XDG_CACHE_HOME=str(home / "cache"),
            XDG_CONFIG_HOME=str(home / "config"),
        )
        env.pop("OPENCIRCUIT_CONFIG", None)
        argv = [
            script,
            "--config",
            str(config),
            "--json",
            "bom-quote",
            str(bom),
            "-o",
            str(out),
            "--force",
        ]
        requests_floor = -(-args.lines // BATCH)
        floor = (requests_floor - 1) * 60 / (limit * SAFETY)
        print(
            f"{args.lines}-line BOM, providers catalog + fake Nexar + fake Mouser at {limit:g}/min "
            f"(real 30/min x {args.scale:g}); {os.cpu_count()} CPUs"
        )
        for label in ("cold", "cached"):
            before = server.request_count
            nexar_before = (nexar.graphql_requests, nexar.token_requests)
            seconds, code, priced = run(argv, env)
            sent = server.request_count - before
            nexar_sent = nexar.graphql_requests - nexar_before[0]
            tokens = nexar.token_requests - nexar_before[1]
            per_line = sent / args.lines
            if label == "cold":
                within = seconds <= floor * 1.15 + 1.0
                verdict = (
                    f"floor {floor:.2f} s (+ ~1 s start-up/XLSX), "
                    f"{'ok' if within else 'OVER'}; {per_line:.3f} requests/line "
                    f"(budget 0.1), refused by the fake: {server.refused}"
                )
                failed |= not within or per_line > 0.1
            else:
                ok = seconds < 1.5 and sent == 0
                verdict = f"budget 1.5 s and 0 requests: {'ok' if ok else 'OVER'}"
                failed |= not ok
            print(
                f"  {label:<6} {seconds:6.2f} s  {sent:3d} Mouser requests, {nexar_sent} Nexar "
                f"({nexar_sent / args.lines:.3f}/line, budget 0.05), {tokens} token  {priced}  "
                f"exit {code}  {verdict}"
            )
            failed |= code != 0 or nexar_sent / args.lines > 0.05
    nexar.close()
    shutil.rmtree(home, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
