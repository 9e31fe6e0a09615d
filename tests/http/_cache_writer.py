"""Helper process for the concurrent-cache test (not a test module).

    python -m tests.http._cache_writer CACHE LEDGER BASE_URL TAG COUNT READY_FILE GO_FILE

Opens the shared cache and ledger files, signals READY_FILE, waits for GO_FILE (so both
processes write at the same time), then sends COUNT distinct requests (alternating GET and POST)
and prints a JSON summary.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from opencircuit_cli.http.client import HttpClient
from opencircuit_cli.http.policy import CacheMode, HttpPolicy, ProviderLimits
from opencircuit_cli.http.quota import QuotaLedger
from opencircuit_cli.http.redact import Redactor
from opencircuit_cli.http.session import build_session
from opencircuit_cli.http.stats import RunStats


def main(argv: list[str]) -> int:
    cache, ledger_path, base_url, tag, count, ready, go = argv
    # Both processes start together, so they also create and open the new files together.
    redactor = Redactor()
    session = build_session(Path(cache), CacheMode.NORMAL, redactor=redactor)
    ledger = QuotaLedger(Path(ledger_path))
    stats = RunStats()
    client = HttpClient(
        session, HttpPolicy(), CacheMode.NORMAL, ledger, stats, redactor, warn=print
    )
    provider = client.for_provider(ProviderLimits("writer", 600_000, None, 3600))
    Path(ready).touch()
    deadline = time.monotonic() + 30
    while not Path(go).exists():  # then they write at the same time
        if time.monotonic() > deadline:
            return 3
        time.sleep(0.002)
    statuses = []
    for i in range(int(count)):
        if i % 2:
            response = provider.request("POST", f"{base_url}/item/post", json={"tag": tag, "i": i})
        else:
            response = provider.request("GET", f"{base_url}/item/{tag}/{i}")
        statuses.append(response.status_code)
    ledger.record_run(stats.hits(), stats.misses())
    client.close()
    ledger.close()
    print(json.dumps({"ok": statuses.count(200), "misses": stats.misses().get("writer", 0)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
