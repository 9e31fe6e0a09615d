"""The standalone fake Mouser server (also used by bench/price_batch.py) with the real provider."""

from __future__ import annotations

import pytest

from opencircuit_cli.errors import AuthError, RateLimitedError
from opencircuit_cli.models import PartQuery
from opencircuit_cli.providers.base import SearchOptions
from tests.providers.conftest import SENTINEL_KEY
from tests.support.fake_mouser import FakeMouserServer


@pytest.fixture
def fake():
    with FakeMouserServer(api_key=SENTINEL_KEY, missing={"MPN-042"}) as server:
        yield server


def test_100_mpns_cost_10_requests_cold_and_none_warm(fake, make_mouser):
    queries = [PartQuery(f"MPN-{i:03d}") for i in range(100)]
    result = make_mouser(fake.base_url).provider.lookup(queries)
    assert fake.request_count == 10
    assert all(r.api_key == SENTINEL_KEY for r in fake.requests)
    assert [len(result[q]) for q in queries] == [0 if q.mpn == "MPN-042" else 1 for q in queries]
    assert all(result[q][0].mpn == q.mpn for q in queries if result[q])

    again = make_mouser(fake.base_url).provider.lookup(queries)  # new run, same cache
    assert fake.request_count == 10
    assert again.keys() == result.keys()


def test_fake_keyword_search_and_wrong_key(fake, make_mouser):
    parts = make_mouser(fake.base_url).provider.search("fuse", SearchOptions(limit=75))
    assert len(parts) == 75
    assert [r.body["SearchByKeywordRequest"]["startingRecord"] for r in fake.requests] == [0, 50]
    with pytest.raises(AuthError):
        make_mouser(fake.base_url, key="wrong-key").provider.lookup([PartQuery("X1")])


def test_fake_refuses_calls_over_its_rate_limit_like_mouser(make_mouser):
    with FakeMouserServer(rate_limit_per_minute=2) as server:
        rig = make_mouser(server.base_url)
        rig.provider.lookup([PartQuery(f"A{i}") for i in range(20)])  # 2 requests: allowed
        assert server.refused == 0
        with pytest.raises(RateLimitedError, match="TooManyRequests"):
            rig.provider.lookup([PartQuery("B1")])
        assert server.refused == 4  # first try + 3 (fast) retries
