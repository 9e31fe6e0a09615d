"""Pricing 100 part numbers through Mouser, cold and cached, against a local fake Mouser.

Budgets (DESIGN §8/§10): at most 0.1 Mouser requests per part (10 for 100 MPNs, batches of 10),
none when everything is cached, and a cold run within 15 % of the floor set by the rate limit.

For each rate limit it starts `tests/support/fake_mouser.FakeMouserServer` on 127.0.0.1 (which,
like Mouser, refuses calls beyond 30 a minute), writes a temporary config pointing
`[providers.mouser] base_url` at it with only Mouser enabled, points the XDG directories at a
temporary home, sets MOUSER_API_KEY, and runs the real CLI in a subprocess twice:

    opencircuit --config CFG --json price MPN1 ... MPN100

The first run is cold, the second is answered from the cache. Printed per run: requests seen by
the fake server, wall time, parts priced. `rate_limit = 30` is Mouser's published limit (the cold
time is then dominated by the limiter: 9 waits of 60 / (30 * 0.95) s); `rate_limit = 6000` shows
the tool's own overhead.

    python bench/price_batch.py                  # both rate limits, the CLI
    python bench/price_batch.py --rate-limit 6000
    python bench/price_batch.py --direct         # MouserProvider without the CLI
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.fake_mouser import FakeMouserServer  # noqa: E402

API_KEY = "bench-0000-not-a-real-mouser-key"
MOUSER_LIMIT_PER_MINUTE = 30
SAFETY_FACTOR = 0.95  # opencircuit_cli.http.ratelimit keeps 5 % under the limit
BATCH = 10
TOLERANCE = 0.15


@dataclass(frozen=True)
class Run:
    label: str
    requests: int
    seconds: float
    priced: int
    exit_code: int


def bench_mpns(count: int) -> list[str]:
    """Distinct, realistic-looking MLCC part numbers."""
    return [f"GRM188R71H{i:03d}KA01D" for i in range(count)]


def write_config(home: Path, base_url: str, rate_limit: float) -> Path:
    config = home / "opencircuit.toml"
    config.write_text(
        "[defaults]\n"
        'providers = ["mouser"]\n\n'
        "[providers.mouser]\n"
        f'base_url = "{base_url}"\n'
        f"rate_limit = {rate_limit}\n"
        "daily_quota = 0\n",
        encoding="utf-8",
    )
    return config


def cli_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        path = home / name.lower()
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    env.pop("OPENCIRCUIT_CONFIG", None)
    env.update(
        {
            "HOME": str(home),
            "MOUSER_API_KEY": API_KEY,
            "NO_COLOR": "1",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        }
    )
    return env


def opencircuit() -> list[str]:
    script = shutil.which("opencircuit") or str(Path(sys.executable).with_name("opencircuit"))
    if Path(script).exists():
        return [script]
    return [sys.executable, "-m", "opencircuit_cli"]


def run_cli(label: str, argv: list[str], env: dict[str, str], server: FakeMouserServer) -> Run:
    before = server.request_count
    started = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    priced = 0
    try:
        document = json.loads(proc.stdout)
        priced = sum(1 for r in document["results"] if any(p["offers"] for p in r["parts"]))
    except (ValueError, KeyError, TypeError):
        sys.stderr.write(f"{label}: no JSON document (exit {proc.returncode})\n{proc.stderr}\n")
    return Run(label, server.request_count - before, seconds, priced, proc.returncode)


def run_direct(label: str, home: Path, base_url: str, rate_limit: float, mpns: list[str],
               server: FakeMouserServer) -> Run:  # fmt: skip
    """The same lookups through MouserProvider and a real HttpClient, without the CLI."""
    from opencircuit_cli.http.client import HttpClient
    from opencircuit_cli.http.policy import CacheMode, HttpPolicy
    from opencircuit_cli.http.redact import Redactor
    from opencircuit_cli.http.session import build_session
    from opencircuit_cli.http.stats import RunStats
    from opencircuit_cli.models import PartQuery
    from opencircuit_cli.providers.base import ProviderDeps, provider_limits
    from opencircuit_cli.providers.mouser import MouserProvider
    from opencircuit_cli.secrets import SecretValue
    from opencircuit_cli.settings import MouserSettings

    before = server.request_count
    started = time.perf_counter()
    redactor = Redactor()
    session = build_session(home / "direct-cache.sqlite", CacheMode.NORMAL, redactor=redactor)
    client = HttpClient(
        session, HttpPolicy(), CacheMode.NORMAL, None, RunStats(), redactor, warn=print
    )
    settings = MouserSettings(base_url=base_url, rate_limit=rate_limit, daily_quota=0)

    def secret(field: str) -> SecretValue:
        return SecretValue("mouser", field, API_KEY, "env", "environment variable MOUSER_API_KEY")

    deps = ProviderDeps(
        settings, secret, client.for_provider(provider_limits("mouser", settings)), "USD", "US"
    )
    found = MouserProvider(deps).lookup([PartQuery(m) for m in mpns])
    client.close()
    seconds = time.perf_counter() - started
    priced = sum(1 for parts in found.values() if parts)
    return Run(label, server.request_count - before, seconds, priced, 0)


def floor_seconds(requests: int, rate_limit: float) -> float:
    """The least time `requests` calls can take under the limiter (the first one is free)."""
    return max(0, requests - 1) * 60.0 / (rate_limit * SAFETY_FACTOR)


def bench(rate_limit: float, mpns: list[str], direct: bool, keep: bool) -> bool:
    home = Path(tempfile.mkdtemp(prefix="oc-bench-price-"))
    ok = True
    with FakeMouserServer(rate_limit_per_minute=MOUSER_LIMIT_PER_MINUTE, api_key=API_KEY) as server:
        config = write_config(home, server.base_url, rate_limit)
        env = cli_env(home)
        argv = [*opencircuit(), "--config", str(config), "--json", "price", *mpns]
        print(f"\nrate_limit = {rate_limit:g}/min, {len(mpns)} MPNs, fake Mouser {server.base_url}")
        for label in ("cold", "warm"):
            if direct:
                run = run_direct(label, home, server.base_url, rate_limit, mpns, server)
            else:
                run = run_cli(label, argv, env, server)
            expected = -(-len(mpns) // BATCH) if label == "cold" else 0
            verdict = "ok" if run.requests == expected and run.exit_code == 0 else "FAIL"
            ok &= verdict == "ok" and run.priced == len(mpns)
            line = (
                f"  {label}: {run.requests:3d} requests (expected {expected}), "
                f"{run.seconds:7.2f} s, {run.priced}/{len(mpns)} priced, exit {run.exit_code}"
                f"  {verdict}"
            )
            if label == "cold":
                floor = floor_seconds(run.requests, rate_limit)
                if floor >= 1.0:
                    over = run.seconds / floor - 1
                    within = "ok" if over <= TOLERANCE else "OVER"
                    line += f"; floor {floor:.2f} s, +{100 * over:.1f} % ({within} <= 15 %)"
                    ok &= over <= TOLERANCE
            print(line)
        if server.refused:
            print(f"  the fake Mouser refused {server.refused} calls over its limit  FAIL")
            ok = False
    if keep:
        print(f"  kept {home}")
    else:
        shutil.rmtree(home, ignore_errors=True)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100, help="distinct MPNs (default 100)")
    parser.add_argument(
        "--rate-limit",
        type=float,
        action="append",
        help="providers.mouser.rate_limit; repeatable (default: 30 and 6000)",
    )
    parser.add_argument("--direct", action="store_true", help="MouserProvider, not the CLI")
    parser.add_argument("--keep", action="store_true", help="keep the temporary home")
    args = parser.parse_args()

    mpns = bench_mpns(args.count)
    print(f"{os.cpu_count()} CPUs, python {sys.version.split()[0]}, "
          f"{'MouserProvider directly' if args.direct else ' '.join(opencircuit())}")  # fmt: skip
    results = [bench(rate, mpns, args.direct, args.keep) for rate in args.rate_limit or [30, 6000]]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
