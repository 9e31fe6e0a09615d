"""A 300-line BOM through Nexar, cold and cached: requests per BOM line and parts billed.

Budget (DESIGN §10): at most 0.05 Nexar requests per BOM line (batches of 20 queries), none when
everything is cached. Nexar bills by parts returned, so "parts billed" counts the parts in the
answers that came from the network (cached answers cost nothing).

It starts `tests/fixtures/nexar/fake_nexar.FakeNexarServer` on 127.0.0.1 (GraphQL + token
endpoint; answers built from the recorded supMultiMatch items: the 45 recorded MPNs come back as
recorded, e.g. 3 KEMET parts for C0603C103K5RACTU, the others as one part each), and runs
`NexarProvider.lookup` for the BOM's lines through a real cached HttpClient, with an in-memory
keyring holding the token between runs:

1. cold: empty cache, no token (one token request);
2. cached: a new provider instance (a new run), same cache, token reused from the keyring;
3. cached, token expired: the stored token is past its expiry; the cache still answers
   everything, so no token is requested.

    python bench/nexar.py
    python bench/nexar.py --lines 300 --parts-per-query 1
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fixtures.nexar.fake_nexar import FakeNexarServer, recorded_items  # noqa: E402

BUDGET_PER_LINE = 0.05


@dataclass(frozen=True)
class Run:
    label: str
    graphql_requests: int
    token_requests: int
    parts_billed: int
    seconds: float
    lines_found: int


def bom_mpns(lines: int) -> list[str]:
    """The recorded MPNs first (real answers), then distinct made-up resistor MPNs."""
    known = sorted(recorded_items())
    made_up = [f"RC0603FR-07{i:04d}L" for i in range(max(0, lines - len(known)))]
    return (known + made_up)[:lines]


def run(label: str, home: Path, server: FakeNexarServer, mpns: list[str], per_query: int) -> Run:
    import keyring

    from opencircuit_cli.config import validate
    from opencircuit_cli.http.client import HttpClient
    from opencircuit_cli.http.policy import CacheMode, HttpPolicy
    from opencircuit_cli.http.redact import Redactor
    from opencircuit_cli.http.session import build_session
    from opencircuit_cli.http.stats import RunStats
    from opencircuit_cli.models import PartQuery
    from opencircuit_cli.oauth import TokenCache
    from opencircuit_cli.providers.base import ProviderDeps, provider_limits
    from opencircuit_cli.providers.nexar import NexarProvider
    from opencircuit_cli.secrets import SecretStore, SecretValue
    from opencircuit_cli.settings import NexarSettings

    before = (server.graphql_requests, server.token_requests, server.parts_returned)
    started = time.perf_counter()
    redactor = Redactor()
    session = build_session(home / "http_cache.sqlite", CacheMode.NORMAL, redactor=redactor)
    client = HttpClient(
        session, HttpPolicy(), CacheMode.NORMAL, None, RunStats(), redactor, warn=print
    )
    settings = NexarSettings(
        base_url=server.base_url + "/graphql",
        token_url=server.base_url + "/token",
        rate_limit=6000,
        daily_quota=0,
        parts_per_query=per_query,
    )
    store = SecretStore(
        validate({}, {}, None), {}, home / "credentials.toml", keyring_loader=keyring.get_keyring
    )

    def secret(field: str) -> SecretValue:
        return SecretValue("nexar", field, f"bench-{field}", "env", "environment")

    deps = ProviderDeps(
        settings,
        secret,
        client.for_provider(provider_limits("nexar", settings)),
        "USD",
        "US",
        data_dir=home,
        tokens=TokenCache(store, on_secret=redactor.add_secret),
    )
    provider = NexarProvider(deps)
    found = provider.lookup([PartQuery(m) for m in mpns])
    client.close()
    seconds = time.perf_counter() - started
    usage = provider.usage
    assert usage.parts_billed == server.parts_returned - before[2], "billing count disagrees"
    return Run(
        label,
        server.graphql_requests - before[0],
        server.token_requests - before[1],
        usage.parts_billed,
        seconds,
        sum(1 for parts in found.values() if parts),
    )


def expire_stored_token() -> None:
    import keyring

    from opencircuit_cli.oauth import OAuthToken

    stored = OAuthToken.from_json(keyring.get_password("opencircuit", "nexar.token") or "")
    assert stored is not None
    expired = OAuthToken(stored.access_token, expires_at=1.0, obtained_at=0.0)
    keyring.set_password("opencircuit", "nexar.token", expired.to_json())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=300, help="BOM lines (default 300)")
    parser.add_argument("--parts-per-query", type=int, default=3, help="default 3")
    args = parser.parse_args()

    import keyring

    from tests.support.memory_keyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    home = Path(tempfile.mkdtemp(prefix="oc-bench-nexar-"))
    mpns = bom_mpns(args.lines)
    server = FakeNexarServer()
    ok = True
    try:
        print(f"{len(mpns)} BOM lines, parts_per_query = {args.parts_per_query}, fake Nexar "
              f"{server.base_url}")  # fmt: skip
        runs = [run("cold", home, server, mpns, args.parts_per_query)]
        runs.append(run("cached", home, server, mpns, args.parts_per_query))
        expire_stored_token()
        runs.append(run("cached, token expired", home, server, mpns, args.parts_per_query))
        for r in runs:
            per_line = r.graphql_requests / len(mpns)
            budget = BUDGET_PER_LINE if r.label == "cold" else 0.0
            verdict = "ok" if per_line <= budget and r.lines_found == len(mpns) else "FAIL"
            ok &= verdict == "ok"
            print(
                f"  {r.label:22s} {r.graphql_requests:3d} requests = {per_line:.4f}/line "
                f"(budget {budget:g}), {r.token_requests} token request(s), "
                f"{r.parts_billed:4d} parts billed ({r.parts_billed / len(mpns):.2f}/line), "
                f"{r.seconds:6.2f} s, {r.lines_found}/{len(mpns)} lines found  {verdict}"
            )
    finally:
        server.close()
        shutil.rmtree(home, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
