"""`cache stats` / `cache clear [PROVIDER]` on a cache filled through the real request path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from opencircuit_cli.errors import OfflineMissError, UsageError
from opencircuit_cli.http.cache_admin import CacheAdmin
from opencircuit_cli.http.policy import CacheMode
from tests.http.conftest import Harness, limits
from tests.support.server import LocalServer


def fill(local_server: LocalServer, make_client: Callable[..., Harness]) -> Harness:
    harness = make_client()
    client = harness.client
    for i in range(3):
        client.for_provider(limits("mouser")).request(
            "POST", local_server.url("/mouser/api/v1/search"), json={"i": i}
        )
    for i in range(2):
        client.for_provider(limits("digikey")).request(
            "GET", local_server.url(f"/digikey/products/v4/{i}")
        )
    client.for_provider(limits("other")).request("GET", local_server.url("/elsewhere"))
    return harness


def admin(local_server: LocalServer, cache_path: Path) -> CacheAdmin:
    return CacheAdmin(
        cache_path,
        {
            "mouser": local_server.url("/mouser/api/v1"),
            "digikey": local_server.url("/digikey/"),
            "nexar": "https://api.nexar.com/graphql",
        },
    )


def test_stats_count_entries_per_provider(
    local_server: LocalServer, make_client: Callable[..., Harness]
) -> None:
    harness = fill(local_server, make_client)
    stats = admin(local_server, harness.cache_path).stats()
    assert stats.exists and stats.entries == 6
    assert stats.per_provider == {"mouser": 3, "digikey": 2, "nexar": 0}
    assert stats.other == 1 and stats.expired == 0
    assert stats.size_bytes >= harness.cache_path.stat().st_size > 0


def test_clear_one_provider_keeps_the_others(
    local_server: LocalServer, make_client: Callable[..., Harness]
) -> None:
    harness = fill(local_server, make_client)
    cache_admin = admin(local_server, harness.cache_path)
    assert cache_admin.clear("mouser") == 3
    assert cache_admin.stats().per_provider == {"mouser": 0, "digikey": 2, "nexar": 0}
    assert cache_admin.clear("nexar") == 0
    # The cleared provider really is gone from the cache the client sees; the other is not.
    served_before = len(local_server.requests)
    client = make_client().client
    assert (
        not client.for_provider(limits("mouser"))
        .request("POST", local_server.url("/mouser/api/v1/search"), json={"i": 0})
        .from_cache
    )
    assert (
        client.for_provider(limits("digikey"))
        .request("GET", local_server.url("/digikey/products/v4/0"))
        .from_cache
    )
    assert len(local_server.requests) == served_before + 1


def test_clear_all(local_server: LocalServer, make_client: Callable[..., Harness]) -> None:
    harness = fill(local_server, make_client)
    cache_admin = admin(local_server, harness.cache_path)
    assert cache_admin.clear() == 6
    stats = cache_admin.stats()
    assert stats.entries == 0 and stats.other == 0
    offline = make_client(CacheMode.OFFLINE).client.for_provider(limits("digikey"))
    with pytest.raises(OfflineMissError):
        offline.request("GET", local_server.url("/digikey/products/v4/0"))


def test_unknown_provider_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as error:
        CacheAdmin(tmp_path / "c.sqlite", {"mouser": "https://api.mouser.com"}).clear("mousr")
    assert "mouser" in (error.value.hint or "")


def test_missing_cache_file_reports_zero_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "none" / "http_cache.sqlite"
    cache_admin = CacheAdmin(path, {"mouser": "https://api.mouser.com"})
    stats = cache_admin.stats()
    assert (stats.exists, stats.entries, stats.size_bytes) == (False, 0, 0)
    assert stats.per_provider == {"mouser": 0}
    assert cache_admin.clear() == 0
    assert not path.exists() and not path.parent.exists()


def test_longest_base_url_wins(tmp_path: Path) -> None:
    cache_admin = CacheAdmin(
        tmp_path / "c.sqlite",
        {"broad": "https://api.example.com", "narrow": "https://API.example.com/v2/"},
    )
    assert cache_admin.provider_of("https://api.example.com/v2/parts?x=1") == "narrow"
    assert cache_admin.provider_of("https://api.example.com/v1/parts") == "broad"
    assert cache_admin.provider_of("https://api.example.community/") is None
    assert cache_admin.provider_of(None) is None
