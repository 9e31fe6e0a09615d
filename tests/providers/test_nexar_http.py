"""NexarProvider over a real socket: local_server on 127.0.0.1, a real cached HttpClient, tokens
from a real (httpx) token request kept in the in-memory keyring."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from opencircuit_cli.config import validate
from opencircuit_cli.errors import AuthError, ExitCode, ProviderError, QuotaExceededError
from opencircuit_cli.http.client import HttpClient
from opencircuit_cli.http.policy import CacheMode, HttpPolicy
from opencircuit_cli.http.quota import QuotaLedger
from opencircuit_cli.http.redact import Redactor
from opencircuit_cli.http.session import build_session
from opencircuit_cli.http.stats import RunStats
from opencircuit_cli.models import PartQuery
from opencircuit_cli.oauth import OAuthToken, TokenCache
from opencircuit_cli.providers import nexar_query
from opencircuit_cli.providers.base import ProviderDeps, SearchOptions, provider_limits
from opencircuit_cli.providers.nexar import NexarProvider, NexarRequestError
from opencircuit_cli.secrets import SecretStore, SecretValue
from opencircuit_cli.settings import NexarSettings
from tests.fixtures.nexar.fake_nexar import (
    INVALID_TOKEN_FILE,
    OUT_OF_RANGE_FILE,
    PART_LIMIT_FILE,
    load,
    multi_match_answer,
)
from tests.support.server import Reply

CLIENT_ID = "SENTINEL-nexar-client-id-3b1f"
CLIENT_SECRET = "SENTINEL-nexar-client-secret-9c2e"
GRAPHQL = "/graphql"
TOKEN = "/token"
FAST_POLICY = HttpPolicy(
    connect_timeout=2.0,
    read_timeout=5.0,
    max_retries=1,
    backoff_base=0.01,
    backoff_max=0.05,
    breaker_threshold=50,
)


@dataclass
class NexarRig:
    provider: NexarProvider
    tokens: TokenCache
    cache_dir: Path


@pytest.fixture
def make_nexar(tmp_path: Path, local_server) -> Iterator[Callable[..., NexarRig]]:
    """NexarProviders against local_server; all rigs of a test share one cache and keyring."""
    cache_dir = tmp_path / "cache"
    opened: list[tuple[HttpClient, QuotaLedger]] = []

    def factory(
        *, mode: CacheMode = CacheMode.NORMAL, credentials: bool = True, **settings_kw
    ) -> NexarRig:
        redactor = Redactor()
        session = build_session(cache_dir / "http_cache.sqlite", mode, redactor=redactor)
        ledger = QuotaLedger(cache_dir / "ledger.sqlite")
        client = HttpClient(
            session, FAST_POLICY, mode, ledger, RunStats(), redactor, warn=lambda _: None
        )
        opened.append((client, ledger))
        values = {
            "base_url": local_server.url(GRAPHQL),
            "token_url": local_server.url(TOKEN),
            "rate_limit": 60_000,
            "daily_quota": 0,
            **settings_kw,
        }
        settings = NexarSettings(**values)
        http = client.for_provider(provider_limits("nexar", settings))
        store = SecretStore(validate({}, {}, None), {}, tmp_path / "credentials.toml")
        tokens = TokenCache(store, on_secret=redactor.add_secret)
        credentials_by_field = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}

        def secret(field: str) -> SecretValue:
            value = credentials_by_field.get(field) if credentials else None
            return SecretValue("nexar", field, value, "env" if value else "none", "env")

        deps = ProviderDeps(
            settings, secret, http, currency="USD", country="US", data_dir=cache_dir, tokens=tokens
        )
        return NexarRig(NexarProvider(deps), tokens, cache_dir)

    yield factory
    for client, ledger in opened:
        client.close()
        ledger.close()


def token_reply(value: str = "tok-1") -> Reply:
    return Reply(200, body={"access_token": value, "expires_in": 86400, "token_type": "Bearer"})


def script_answers(local_server, batches: list[list[str]], limit: int = 3) -> None:
    """Queue one answer per expected request, built as Nexar would answer those MPNs."""
    for mpns in batches:
        queries = [
            {"mpn": m, "reference": f"q{j}", "limit": limit, "start": 0} for j, m in enumerate(mpns)
        ]
        local_server.script(GRAPHQL, Reply(body=multi_match_answer({"queries": queries})))


MPNS_45 = [f"RC0603FR-07{i:03d}RL" for i in range(45)]


def test_45_mpns_take_3_requests_with_the_expected_document(make_nexar, local_server):
    local_server.script(TOKEN, token_reply("tok-1"))
    script_answers(local_server, [MPNS_45[0:20], MPNS_45[20:40], MPNS_45[40:45]])
    rig = make_nexar()
    queries = [PartQuery(m, "Panasonic" if i == 0 else None) for i, m in enumerate(MPNS_45)]
    result = rig.provider.lookup(queries)

    sent = local_server.requests_for(GRAPHQL)
    assert len(sent) == 3
    assert len(local_server.requests_for(TOKEN)) == 1
    bodies = [r.json() for r in sent]
    assert [len(b["variables"]["queries"]) for b in bodies] == [20, 20, 5]
    first = bodies[0]
    assert first["query"] == nexar_query.MULTI_MATCH
    assert (
        "supMultiMatch(queries: $queries, country: $country, currency: $currency)"
        in (first["query"])
    )
    assert "sellers(authorizedOnly: $authorizedOnly)" in first["query"]
    assert first["variables"]["queries"][0] == {
        "mpn": MPNS_45[0],
        "manufacturer": "Panasonic",
        "reference": "q0",
        "limit": 3,
        "start": 0,
    }
    assert first["variables"]["queries"][1] == {
        "mpn": MPNS_45[1],
        "reference": "q1",
        "limit": 3,
        "start": 0,
    }
    assert {k: v for k, v in first["variables"].items() if k != "queries"} == {
        "country": "US",
        "currency": "USD",
        "authorizedOnly": True,
    }
    assert [q["mpn"] for b in bodies for q in b["variables"]["queries"]] == MPNS_45
    for request in sent:
        assert request.method == "POST"
        assert request.header("Authorization") == "Bearer tok-1"
        assert request.header("Content-Type") == "application/json"
    # the token request: client credentials with the supply scope, form-encoded
    token_body = local_server.requests_for(TOKEN)[0].body.decode()
    assert "grant_type=client_credentials" in token_body
    assert "scope=supply.domain" in token_body
    # answers split back per query, offers from many sellers with source "nexar"
    assert set(result) == set(queries)
    for query in queries:
        (part,) = result[query]
        assert part.mpn == query.mpn
        assert {o.source for o in part.offers} == {"nexar"}
    assert rig.provider.usage.requests == 3 and rig.provider.usage.parts_billed == 45


def test_batch_size_is_configurable_and_kept_under_100_parts(make_nexar, local_server):
    local_server.script(TOKEN, token_reply())
    script_answers(local_server, [MPNS_45[0:10], MPNS_45[10:20]], limit=10)
    rig = make_nexar(batch_size=50, parts_per_query=10)  # 50 x 10 > 100: 10 per request
    rig.provider.lookup([PartQuery(m) for m in MPNS_45[:20]])
    sizes = [len(r.json()["variables"]["queries"]) for r in local_server.requests_for(GRAPHQL)]
    assert sizes == [10, 10]


def test_token_is_kept_in_the_keyring_and_reused(make_nexar, local_server, memory_keyring):
    local_server.script(TOKEN, token_reply("tok-kept"))
    script_answers(local_server, [["ERJ-3EKF1001V"]], limit=3)
    script_answers(local_server, [["ERJ-3EKF3000V"]], limit=3)
    make_nexar().provider.lookup([PartQuery("ERJ-3EKF1001V")])
    stored = json.loads(memory_keyring.store[("opencircuit", "nexar.token")])
    assert stored["access_token"] == "tok-kept"
    assert stored["expires_at"] > stored["obtained_at"] + 86000

    make_nexar().provider.lookup([PartQuery("ERJ-3EKF3000V")])  # a new run
    assert len(local_server.requests_for(TOKEN)) == 1
    assert [r.header("Authorization") for r in local_server.requests_for(GRAPHQL)] == [
        "Bearer tok-kept",
        "Bearer tok-kept",
    ]


def test_cached_answers_need_no_request_and_no_token(make_nexar, local_server, memory_keyring):
    local_server.script(TOKEN, token_reply())
    script_answers(local_server, [["ERJ-3EKF1001V", "GRM188R61A226ME15D"]])
    queries = [PartQuery("ERJ-3EKF1001V"), PartQuery("GRM188R61A226ME15D")]
    first = make_nexar().provider.lookup(queries)
    # the stored token has expired since: a cached run must not ask for another one
    expired = OAuthToken("tok-old", expires_at=1.0, obtained_at=0.0)
    memory_keyring.store[("opencircuit", "nexar.token")] = expired.to_json()
    local_server.clear_log()
    again = make_nexar(mode=CacheMode.OFFLINE)
    cached = again.provider.lookup(queries)
    for query in queries:
        assert [
            (o.distributor, o.sku, o.price_breaks) for p in cached[query] for o in p.offers
        ] == [(o.distributor, o.sku, o.price_breaks) for p in first[query] for o in p.offers]
    assert local_server.requests == []
    assert again.provider.usage.requests == 0 and again.provider.usage.parts_billed == 0


def test_without_any_stored_token_a_cached_run_asks_for_none(make_nexar, local_server):
    """No keyring (CI): nothing stored between runs, yet cached and offline runs fetch no token."""
    local_server.script(TOKEN, token_reply())
    script_answers(local_server, [["ERJ-3EKF1001V"]])
    queries = [PartQuery("ERJ-3EKF1001V")]
    first = make_nexar().provider.lookup(queries)
    assert first[queries[0]]
    local_server.clear_log()
    for mode in (CacheMode.NORMAL, CacheMode.OFFLINE):
        rig = make_nexar(mode=mode)
        rig.tokens.clear("nexar")  # as if this were a new process without a keyring
        assert rig.provider.lookup(queries)[queries[0]]
    assert local_server.requests == []


def test_expired_token_is_renewed_once(make_nexar, local_server, memory_keyring):
    memory_keyring.store[("opencircuit", "nexar.token")] = OAuthToken("tok-old", 1.0).to_json()
    local_server.script(TOKEN, token_reply("tok-new"))
    local_server.script(GRAPHQL, Reply(200, body=load(INVALID_TOKEN_FILE)))
    script_answers(local_server, [["ERJ-3EKF1001V"]])
    result = make_nexar().provider.lookup([PartQuery("ERJ-3EKF1001V")])
    assert [p.mpn for p in result[PartQuery("ERJ-3EKF1001V")]] == ["ERJ-3EKF1001V"]
    assert [r.header("Authorization") for r in local_server.requests_for(GRAPHQL)] == [
        "Bearer tok-old",
        "Bearer tok-new",
    ]
    assert "tok-new" in memory_keyring.store[("opencircuit", "nexar.token")]


@pytest.mark.parametrize("status", [200, 401])
def test_rejected_token_refreshes_once_then_exit_4(make_nexar, local_server, status):
    local_server.set_fallback(TOKEN, token_reply())
    local_server.set_fallback(GRAPHQL, Reply(status, body=load(INVALID_TOKEN_FILE)))
    rig = make_nexar()
    with pytest.raises(AuthError) as caught:
        rig.provider.lookup([PartQuery("ERJ-3EKF1001V")])
    assert caught.value.exit_code == ExitCode.AUTH == 4
    assert "Token validation failed" in caught.value.message
    assert "NEXAR_CLIENT_ID" in (caught.value.hint or "")
    assert CLIENT_SECRET not in caught.value.message
    assert len(local_server.requests_for(GRAPHQL)) == 2
    assert len(local_server.requests_for(TOKEN)) == 2  # the first token, then one refresh


def test_missing_credentials_are_an_auth_error(make_nexar, local_server):
    with pytest.raises(AuthError, match="client_id and client_secret") as caught:
        make_nexar(credentials=False).provider.lookup([PartQuery("X")])
    assert caught.value.exit_code == 4
    assert local_server.requests == []


def test_part_limit_switches_nexar_off_for_the_run(make_nexar, local_server):
    local_server.script(TOKEN, token_reply())
    local_server.set_fallback(GRAPHQL, Reply(500, body=load(PART_LIMIT_FILE)))
    rig = make_nexar()
    with pytest.raises(QuotaExceededError) as caught:
        rig.provider.lookup([PartQuery(m) for m in MPNS_45])
    message = caught.value.message
    assert "part limit of 605" in message
    assert "switched off" in (caught.value.hint or "")
    assert caught.value.exit_code == ExitCode.PROVIDER
    with pytest.raises(QuotaExceededError):
        rig.provider.lookup([PartQuery("OTHER")])
    with pytest.raises(QuotaExceededError):
        rig.provider.search("resistor", SearchOptions())
    assert len(local_server.requests_for(GRAPHQL)) == 1  # nothing sent after the first answer


def test_part_limit_on_a_200_is_not_cached(make_nexar, local_server):
    local_server.set_fallback(TOKEN, token_reply())
    local_server.script(GRAPHQL, Reply(200, body=load(PART_LIMIT_FILE)))
    script_answers(local_server, [["ERJ-3EKF1001V"]])
    with pytest.raises(QuotaExceededError):
        make_nexar().provider.lookup([PartQuery("ERJ-3EKF1001V")])
    result = make_nexar().provider.lookup([PartQuery("ERJ-3EKF1001V")])  # next run: asks again
    assert result[PartQuery("ERJ-3EKF1001V")]
    assert len(local_server.requests_for(GRAPHQL)) == 2


def test_bad_arguments_are_reported_as_a_bug(make_nexar, local_server):
    local_server.set_fallback(TOKEN, token_reply())
    local_server.script(GRAPHQL, Reply(200, body=load(OUT_OF_RANGE_FILE)))
    with pytest.raises(NexarRequestError) as caught:
        make_nexar().provider.search("resistor", SearchOptions(limit=5))
    error = caught.value
    assert isinstance(error, ProviderError) and error.kind == "internal"
    assert "start must be between 0 and 1000" in error.message
    assert "limit must be between 0 and 100" in error.message
    assert "bug" in (error.hint or "")


def test_search_pages_filters_and_passes_parametric_filters(make_nexar, local_server):
    local_server.set_fallback(TOKEN, token_reply())
    item = load("mpn_Kemet_C0603C103K5RACTU.json")
    page = {"data": {"supSearch": {"hits": 3, "results": [{"part": p} for p in item["parts"]]}}}
    local_server.script(GRAPHQL, Reply(body=page))
    options = SearchOptions(
        limit=150, in_stock=True, manufacturer="Kemet", filters={"capacitance": "10nF"}
    )
    parts = make_nexar().provider.search("10nF 0603", options)
    (request,) = local_server.requests_for(GRAPHQL)  # hits=3: no second page
    body = request.json()
    assert body["query"] == nexar_query.SEARCH
    assert body["variables"] == {
        "q": "10nF 0603",
        "start": 0,
        "limit": 100,
        "filters": {"capacitance": ["10nF"], "manufacturer_id": ["Kemet"]},
        "inStockOnly": True,
        "country": "US",
        "currency": "USD",
        "authorizedOnly": True,
    }
    # the third recorded part has no seller with stock: --in-stock leaves it out
    assert [p.mpn for p in parts] == ["C0603C103K5RACTU", "C0603C103K5RAC-TU"]


def test_exact_search_uses_supsearchmpn(make_nexar, local_server):
    local_server.set_fallback(TOKEN, token_reply())
    local_server.script(GRAPHQL, Reply(body={"data": {"supSearchMpn": {"hits": 0, "results": []}}}))
    assert make_nexar().provider.search("LM358", SearchOptions(exact=True)) == []
    body = local_server.requests_for(GRAPHQL)[0].json()
    assert body["query"] == nexar_query.SEARCH_MPN
    assert body["variables"]["filters"] is None


def test_not_json_is_a_provider_error_and_not_cached(make_nexar, local_server):
    local_server.set_fallback(TOKEN, token_reply())
    local_server.script(GRAPHQL, Reply(200, body="<html>oops</html>"))
    with pytest.raises(ProviderError, match="not valid JSON"):
        make_nexar().provider.lookup([PartQuery("ERJ-3EKF1001V")])


def test_check_asks_for_no_part_and_bypasses_the_cache(make_nexar, local_server):
    local_server.set_fallback(TOKEN, token_reply())
    local_server.set_fallback(GRAPHQL, Reply(body={"data": {"supSearchMpn": {"hits": 1234}}}))
    rig = make_nexar()
    for _ in range(2):
        result = rig.provider.check()
        assert result.ok and "1234" in result.message
    requests = local_server.requests_for(GRAPHQL)
    assert len(requests) >= 2  # the second check was not answered from the cache
    assert requests[0].json()["query"] == nexar_query.CHECK
    assert "limit: 0" in nexar_query.CHECK
    assert rig.provider.usage.parts_billed == 0


def test_check_reports_rejected_credentials(make_nexar, local_server):
    local_server.set_fallback(TOKEN, Reply(400, body={"error": "invalid_client"}))
    result = make_nexar().provider.check()
    assert not result.ok and "invalid_client" in result.message


def test_graphql_validation_error_on_400_is_a_bug(make_nexar, local_server):
    local_server.set_fallback(TOKEN, token_reply())
    body = {"errors": [{"message": "The field `foo` does not exist on the type `SupPart`."}]}
    local_server.script(GRAPHQL, Reply(400, body=body))
    with pytest.raises(NexarRequestError, match="does not exist"):
        make_nexar().provider.lookup([PartQuery("ERJ-3EKF1001V")])


def test_an_edited_bom_asks_nexar_only_for_the_new_part(make_nexar, local_server):
    """Each query's share of a batch is cached on its own: inserting a line shifts every later
    batch, yet the next run sends (and is billed for) the new part number only."""
    local_server.script(TOKEN, token_reply())
    mpns = [f"RC0603FR-07{i:03d}RL" for i in range(25)]
    script_answers(local_server, [mpns[:20], mpns[20:]])
    first = make_nexar().provider.lookup([PartQuery(m) for m in mpns])
    assert len(local_server.requests_for(GRAPHQL)) == 2
    script_answers(local_server, [["NEW-1"]])
    edited = [*mpns[:7], "NEW-1", *mpns[7:]]
    rig = make_nexar()
    again = rig.provider.lookup([PartQuery(m) for m in edited])
    sent = local_server.requests_for(GRAPHQL)
    assert len(sent) == 3
    assert [q["mpn"] for q in sent[-1].json()["variables"]["queries"]] == ["NEW-1"]

    def offers(found):
        return [(o.distributor, o.sku, o.price_breaks, o.stock) for p in found for o in p.offers]

    for mpn in mpns:
        assert offers(again[PartQuery(mpn)]) == offers(first[PartQuery(mpn)])
    assert any(offers(again[PartQuery(m)]) for m in mpns)
    assert rig.provider.usage.requests == 1
