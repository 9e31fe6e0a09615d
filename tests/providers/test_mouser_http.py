"""MouserProvider over a real socket: local_server on 127.0.0.1 and a real cached HttpClient."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from opencircuit_cli.errors import (
    AuthError,
    ExitCode,
    HttpStatusError,
    ProviderError,
    RateLimitedError,
)
from opencircuit_cli.models import PartQuery
from opencircuit_cli.providers.base import SearchOptions
from opencircuit_cli.providers.mouser import MAX_PART_NUMBERS_PER_REQUEST
from tests.providers.conftest import SENTINEL_KEY
from tests.support.fake_mouser import (
    TOO_MANY_REQUESTS_ANSWER,
    answer,
    fake_part,
    invalid_key_answer,
    keyword_answer,
    load_recorded,
)
from tests.support.server import Reply

PARTNUMBER = "/api/v1/search/partnumber"
KEYWORD = "/api/v1/search/keyword"
BEL = "v1_partnumber_530-5MF6-R__kicost.json"
WURTH = "v1_partnumber_710-696101000002__kicost.json"
NO_RESULTS = "v1_partnumber_no_results_695120004001__kicost.json"


@pytest.fixture
def mouser(make_mouser, local_server):
    return make_mouser(local_server.url("/api/v1"))


def recorded_parts(*names: str) -> list[dict]:
    return [p for n in names for p in load_recorded(n)["SearchResults"]["Parts"]]


def sent_numbers(request) -> list[str]:
    return request.json()["SearchByPartRequest"]["mouserPartNumber"].split("|")


def assert_auth_hint(error: AuthError) -> None:
    assert error.exit_code == ExitCode.AUTH == 4
    assert error.provider == "mouser"
    assert "MOUSER_API_KEY" in error.hint
    assert "opencircuit auth login mouser" in error.hint
    assert SENTINEL_KEY not in error.message and SENTINEL_KEY not in error.hint


# -- batching and splitting -------------------------------------------------------------------


def test_25_mpns_take_exactly_3_requests(mouser, local_server):
    local_server.set_fallback(PARTNUMBER, Reply(body=load_recorded(NO_RESULTS)))
    mpns = [f"MPN-{i:02d}" for i in range(25)]
    queries = [PartQuery(m) for m in mpns]
    result = mouser.provider.lookup(queries)

    requests = local_server.requests_for(PARTNUMBER)
    assert len(requests) == 3
    assert [len(sent_numbers(r)) for r in requests] == [10, 10, 5]
    assert MAX_PART_NUMBERS_PER_REQUEST == 10
    assert [n for r in requests for n in sent_numbers(r)] == mpns
    for request in requests:
        assert request.method == "POST"
        assert request.query["apiKey"] == [SENTINEL_KEY]
        assert request.header("Content-Type") == "application/json"
        body = request.json()
        assert body == {
            "SearchByPartRequest": {
                "mouserPartNumber": "|".join(sent_numbers(request)),
                "partSearchOptions": "Exact",
            }
        }
    assert set(result) == set(queries)
    assert all(parts == [] for parts in result.values())


def test_identical_queries_are_sent_once(mouser, local_server):
    local_server.set_fallback(PARTNUMBER, Reply(body=load_recorded(NO_RESULTS)))
    queries = [
        PartQuery("LM358"),
        PartQuery("lm358"),
        PartQuery(" LM 358 "),
        PartQuery("LM358", manufacturer="TI"),
        PartQuery("anything", sku="530-5MF6-R", distributor="mouser"),
        PartQuery("other", sku="530-5mf6-r", distributor="Mouser"),
        PartQuery("NE555", sku="595-NE555P", distributor="digikey"),  # not a Mouser SKU
    ]
    result = mouser.provider.lookup(queries)
    (request,) = local_server.requests_for(PARTNUMBER)
    assert sent_numbers(request) == ["LM358", "530-5MF6-R", "NE555"]
    assert set(result) == set(queries)

    # the same provider instance remembers every answer, hits and misses alike
    mouser.provider.lookup([PartQuery("lm358"), PartQuery("NE555")])
    assert len(local_server.requests_for(PARTNUMBER)) == 1
    assert mouser.secret_lookups == ["api_key"]  # the key is looked up once per instance


def test_answers_are_split_back_per_query(mouser, local_server):
    local_server.script(PARTNUMBER, Reply(body=answer(recorded_parts(BEL, WURTH))))
    bel = PartQuery("5MF 6-R")
    wurth_by_sku = PartQuery("696101000002", sku="710-696101000002", distributor="mouser")
    missing = PartQuery("695120004001")
    result = mouser.provider.lookup([bel, wurth_by_sku, missing])

    (request,) = local_server.requests_for(PARTNUMBER)
    assert sent_numbers(request) == ["5MF 6-R", "710-696101000002", "695120004001"]
    assert [p.mpn for p in result[bel]] == ["5MF 6-R"]
    assert [p.offers[0].sku for p in result[wurth_by_sku]] == ["710-696101000002"]
    assert result[missing] == []


def test_manufacturer_in_query_and_makers_sharing_an_mpn(mouser, local_server):
    parts = [
        fake_part("LM358", manufacturer="Texas Instruments", sku="595-LM358P"),
        fake_part("LM358", manufacturer="onsemi", sku="863-LM358"),
        fake_part("LM358", manufacturer="STMicroelectronics", sku="511-LM358"),
    ]
    local_server.script(PARTNUMBER, Reply(body=answer(parts)))
    any_maker = PartQuery("LM358")
    ti = PartQuery("LM358", manufacturer="TI")
    result = mouser.provider.lookup([any_maker, ti])

    assert len(local_server.requests_for(PARTNUMBER)) == 1
    assert [p.manufacturer for p in result[any_maker]] == [
        "Texas Instruments",
        "onsemi",
        "STMicroelectronics",
    ]
    assert [p.offers[0].sku for p in result[ti]] == ["595-LM358P"]


def test_concurrent_lookups_of_one_mpn_send_one_request(mouser, local_server):
    local_server.set_fallback(PARTNUMBER, Reply(body=answer([fake_part("LM358")]), delay=0.2))
    results: list[list] = []
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            results.append(mouser.provider.lookup([PartQuery("LM358")])[PartQuery("LM358")])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not errors
    assert len(local_server.requests_for(PARTNUMBER)) == 1
    assert [len(r) for r in results] == [1] * 6


def test_a_new_instance_is_answered_from_the_cache(make_mouser, local_server):
    local_server.script(PARTNUMBER, Reply(body=answer(recorded_parts(BEL))))
    first = make_mouser(local_server.url("/api/v1"))
    query = PartQuery("530-5MF6-R", sku="530-5MF6-R", distributor="mouser")
    fresh = first.provider.lookup([query])[query][0]
    second = make_mouser(local_server.url("/api/v1"))
    cached = second.provider.lookup([query])[query][0]
    assert len(local_server.requests_for(PARTNUMBER)) == 1
    # a cached answer keeps the time it was fetched (requests-cache stamps it at storing)
    fetched = fresh.offers[0].fetched_at
    assert abs((cached.offers[0].fetched_at - fetched).total_seconds()) < 1
    same_time = replace(cached, offers=(replace(cached.offers[0], fetched_at=fetched),))
    assert same_time == fresh


# -- errors -----------------------------------------------------------------------------------


def test_missing_key_is_an_auth_error_before_any_request(make_mouser, local_server):
    rig = make_mouser(local_server.url("/api/v1"), key=None)
    with pytest.raises(AuthError) as caught:
        rig.provider.lookup([PartQuery("LM358")])
    assert_auth_hint(caught.value)
    assert local_server.requests == []


def test_invalid_key_in_a_200_is_an_auth_error_and_never_cached(make_mouser, local_server):
    local_server.set_fallback(PARTNUMBER, Reply(body=invalid_key_answer()))
    rig = make_mouser(local_server.url("/api/v1"))
    with pytest.raises(AuthError) as caught:
        rig.provider.lookup([PartQuery("LM358")])
    assert_auth_hint(caught.value)
    assert "Invalid unique identifier." in caught.value.message
    assert "environment variable MOUSER_API_KEY" in caught.value.message

    with pytest.raises(AuthError):  # same instance: the failure was not memoised
        rig.provider.lookup([PartQuery("LM358")])
    with pytest.raises(AuthError):  # new instance, same cache: not served from the cache
        make_mouser(local_server.url("/api/v1")).provider.lookup([PartQuery("LM358")])
    assert len(local_server.requests_for(PARTNUMBER)) == 3


def test_too_many_requests_is_retried_after_a_pause(mouser, local_server):
    busy = Reply(body=TOO_MANY_REQUESTS_ANSWER)
    local_server.script(PARTNUMBER, busy, busy, Reply(body=answer(recorded_parts(BEL))))
    query = PartQuery("5MF 6-R")
    result = mouser.provider.lookup([query])
    assert [p.mpn for p in result[query]] == ["5MF 6-R"]
    assert len(local_server.requests_for(PARTNUMBER)) == 3
    assert mouser.http.limiter.paused_until > 0  # everyone paused, not only this thread


def test_too_many_requests_gives_up_with_rate_limited_error(mouser, local_server):
    local_server.set_fallback(PARTNUMBER, Reply(body=TOO_MANY_REQUESTS_ANSWER))
    with pytest.raises(RateLimitedError) as caught:
        mouser.provider.lookup([PartQuery("LM358")])
    assert caught.value.exit_code == ExitCode.PROVIDER
    assert "TooManyRequests" in caught.value.message
    assert "30 calls a minute" in caught.value.hint
    assert len(local_server.requests_for(PARTNUMBER)) == 4  # 1 + 3 pauses
    # none of them was cached
    local_server.set_fallback(PARTNUMBER, Reply(body=answer(recorded_parts(BEL))))
    assert mouser.provider.lookup([PartQuery("5MF 6-R")])[PartQuery("5MF 6-R")]


@pytest.mark.parametrize("status", [429, 503])
def test_http_429_and_503_are_retried(mouser, local_server, status):
    local_server.script(
        PARTNUMBER,
        Reply(status, headers={"Retry-After": "0"}, body="slow down"),
        Reply(status, body="slow down"),
        Reply(body=answer(recorded_parts(BEL))),
    )
    result = mouser.provider.lookup([PartQuery("5MF 6-R")])
    assert len(result[PartQuery("5MF 6-R")]) == 1
    assert len(local_server.requests_for(PARTNUMBER)) == 3


def test_malformed_json_names_mouser_and_is_not_cached(mouser, local_server):
    truncated = json.dumps(answer(recorded_parts(BEL)))[:300]
    local_server.script(
        PARTNUMBER,
        Reply(body=truncated.encode(), headers={"Content-Type": "application/json"}),
        Reply(body=answer(recorded_parts(BEL))),
    )
    with pytest.raises(ProviderError) as caught:
        mouser.provider.lookup([PartQuery("5MF 6-R")])
    assert caught.value.provider == "mouser"
    assert "Mouser" in caught.value.message
    assert "not valid JSON" in caught.value.message
    assert mouser.provider.lookup([PartQuery("5MF 6-R")])[PartQuery("5MF 6-R")]
    assert len(local_server.requests_for(PARTNUMBER)) == 2


def test_other_errors_in_a_200_carry_mousers_message(mouser, local_server):
    body = {
        "Errors": [{"Id": 0, "Code": "InvalidCharacters", "Message": None, "PropertyName": None}],
        "SearchResults": None,
    }
    local_server.script(PARTNUMBER, Reply(body=body), Reply(body=load_recorded(NO_RESULTS)))
    with pytest.raises(ProviderError) as caught:
        mouser.provider.lookup([PartQuery("LM358µ")])
    assert not isinstance(caught.value, AuthError)
    assert "InvalidCharacters" in caught.value.message
    mouser.provider.lookup([PartQuery("LM358µ")])
    assert len(local_server.requests_for(PARTNUMBER)) == 2


@pytest.mark.parametrize("status", [401, 403])
def test_http_401_403_are_auth_errors(mouser, local_server, status):
    local_server.script(PARTNUMBER, Reply(status, body={"Message": "Authorization denied."}))
    with pytest.raises(AuthError) as caught:
        mouser.provider.lookup([PartQuery("LM358")])
    assert_auth_hint(caught.value)
    assert str(status) in caught.value.message


@pytest.mark.parametrize("status", [400, 404, 500])
def test_other_http_errors_carry_the_status(mouser, local_server, status):
    local_server.script(PARTNUMBER, Reply(status, body={"Message": "The request is invalid."}))
    with pytest.raises(HttpStatusError) as caught:
        mouser.provider.lookup([PartQuery("LM358")])
    assert caught.value.status == status
    assert f"HTTP {status}" in caught.value.message
    assert "The request is invalid." in caught.value.message
    assert len(local_server.requests_for(PARTNUMBER)) == 1  # not worth retrying


@pytest.mark.parametrize("register", [True, False], ids=["registered", "unregistered"])
def test_the_api_key_never_reaches_the_cache_files(make_mouser, local_server, register):
    local_server.set_fallback(PARTNUMBER, Reply(body=answer(recorded_parts(BEL))))
    local_server.set_fallback(KEYWORD, Reply(body=answer(recorded_parts(WURTH), total=1)))
    rig = make_mouser(local_server.url("/api/v1"), register_secret=register)
    rig.provider.lookup([PartQuery("5MF 6-R"), PartQuery("XYZ")])
    rig.provider.search("fuse", SearchOptions(limit=5))
    make_mouser(local_server.url("/api/v1")).provider.lookup([PartQuery("5MF 6-R")])  # a hit
    assert local_server.requests[0].query["apiKey"] == [SENTINEL_KEY]
    rig.client.close()
    files = [p for p in Path(rig.cache_dir).rglob("*") if p.is_file()]
    assert any(p.name.startswith("http_cache.sqlite") for p in files)
    for path in files:
        assert SENTINEL_KEY.encode() not in path.read_bytes(), path


# -- keyword search -----------------------------------------------------------------------------


def keyword_pages(keyword: str, total: int, *pages: tuple[int, int]) -> list[Reply]:
    return [
        Reply(
            body=keyword_answer(
                {"SearchByKeywordRequest": {"keyword": keyword, "records": n, "startingRecord": s}},
                total=total,
            )
        )
        for s, n in pages
    ]


def sent_keyword(request) -> dict:
    return request.json()["SearchByKeywordRequest"]


def test_keyword_search_pages_by_50(mouser, local_server):
    local_server.script(KEYWORD, *keyword_pages("lm358", 1000, (0, 50), (50, 50), (100, 20)))
    parts = mouser.provider.search("lm358", SearchOptions(limit=120))
    requests = local_server.requests_for(KEYWORD)
    assert [sent_keyword(r) for r in requests] == [
        {"keyword": "lm358", "records": 50, "startingRecord": 0, "searchOptions": "None"},
        {"keyword": "lm358", "records": 50, "startingRecord": 50, "searchOptions": "None"},
        {"keyword": "lm358", "records": 20, "startingRecord": 100, "searchOptions": "None"},
    ]
    assert all(r.query["apiKey"] == [SENTINEL_KEY] for r in requests)
    assert len(parts) == 120
    assert parts[0].mpn == "LM358-0000" and parts[-1].mpn == "LM358-0119"


def test_keyword_search_stops_at_number_of_results(mouser, local_server):
    local_server.script(KEYWORD, *keyword_pages("fuse", 60, (0, 50), (50, 50)))
    parts = mouser.provider.search("fuse", SearchOptions(limit=120))
    assert [sent_keyword(r)["startingRecord"] for r in local_server.requests_for(KEYWORD)] == [
        0,
        50,
    ]
    assert len(parts) == 60


def test_keyword_search_single_page_when_fewer_results(mouser, local_server):
    local_server.script(KEYWORD, *keyword_pages("fuse", 7, (0, 50)))
    assert len(mouser.provider.search("fuse", SearchOptions(limit=120))) == 7
    assert len(local_server.requests_for(KEYWORD)) == 1


@pytest.mark.parametrize(
    ("in_stock", "rohs", "expected"),
    [(True, False, "InStock"), (False, True, "Rohs"), (True, True, "RohsAndInStock")],
)
def test_keyword_search_options(mouser, local_server, in_stock, rohs, expected):
    local_server.script(KEYWORD, *keyword_pages("fuse", 3, (0, 10)))
    mouser.provider.search("fuse", SearchOptions(limit=10, in_stock=in_stock, rohs=rohs))
    (request,) = local_server.requests_for(KEYWORD)
    assert sent_keyword(request)["searchOptions"] == expected


def test_keyword_search_manufacturer_filter(mouser, local_server):
    parts = [
        fake_part("LM358", manufacturer="Texas Instruments"),
        fake_part("LM358A", manufacturer="onsemi"),
        fake_part("LM358B", manufacturer="Burr-Brown"),
    ]
    local_server.script(KEYWORD, Reply(body=answer(parts)))
    found = mouser.provider.search("lm358", SearchOptions(limit=10, manufacturer="TI"))
    assert [p.mpn for p in found] == ["LM358", "LM358B"]


def test_exact_search_uses_the_partnumber_endpoint(mouser, local_server):
    local_server.script(PARTNUMBER, Reply(body=answer(recorded_parts(BEL))))
    found = mouser.provider.search("5MF 6-R", SearchOptions(exact=True))
    (request,) = local_server.requests_for(PARTNUMBER)
    assert request.json()["SearchByPartRequest"] == {
        "mouserPartNumber": "5MF 6-R",
        "partSearchOptions": "Exact",
    }
    assert [p.mpn for p in found] == ["5MF 6-R"]
    assert local_server.requests_for(KEYWORD) == []


def test_empty_search_sends_nothing(mouser, local_server):
    assert mouser.provider.search("  ", SearchOptions()) == []
    assert mouser.provider.search("lm358", SearchOptions(limit=0)) == []
    assert mouser.provider.lookup([]) == {}
    assert local_server.requests == []


# -- check ---------------------------------------------------------------------------------------


def test_check_ok(mouser, local_server):
    local_server.script(KEYWORD, *keyword_pages("resistor", 250, (0, 1)))
    result = mouser.provider.check()
    assert result.ok
    assert "environment variable MOUSER_API_KEY" in result.message
    (request,) = local_server.requests_for(KEYWORD)
    assert sent_keyword(request)["records"] == 1


def test_check_invalid_key(mouser, local_server):
    local_server.script(KEYWORD, Reply(body=invalid_key_answer()))
    result = mouser.provider.check()
    assert not result.ok
    assert "Invalid unique identifier." in result.message
    assert SENTINEL_KEY not in result.message


def test_check_without_key(make_mouser, local_server):
    result = make_mouser(local_server.url("/api/v1"), key=None).provider.check()
    assert not result.ok
    assert "no Mouser API key" in result.message
    assert local_server.requests == []


def test_check_is_never_answered_from_the_cache(mouser, local_server):
    """The cache key ignores apiKey, so a cached success must not vouch for another key."""
    local_server.script(
        KEYWORD, *keyword_pages("resistor", 250, (0, 1)), Reply(body=invalid_key_answer())
    )
    assert mouser.provider.check().ok
    assert not mouser.provider.check().ok
    assert len(local_server.requests_for(KEYWORD)) == 2


def test_check_reports_an_unreachable_server(make_mouser):
    from tests.support.server import unused_port

    rig = make_mouser(f"http://127.0.0.1:{unused_port()}/api/v1")
    result = rig.provider.check()
    assert not result.ok
    assert "mouser" in result.message


def test_an_edited_bom_re_asks_only_for_the_new_part_numbers(make_mouser):
    """Each part number's share of a batch is cached on its own: inserting one line into a BOM
    shifts every later batch, yet the next run sends one request, for the new number only."""
    from opencircuit_cli.http.policy import CacheMode
    from tests.support.fake_mouser import FakeMouserServer

    mpns = [f"MPN-{i:02d}" for i in range(25)]
    with FakeMouserServer() as server:
        first = make_mouser(server.base_url).provider.lookup([PartQuery(m) for m in mpns])
        assert server.request_count == 3
        edited = [*mpns[:5], "NEW-99", *mpns[5:]]
        again = make_mouser(server.base_url).provider.lookup([PartQuery(m) for m in edited])
        assert server.request_count == 4
        assert server.requests[-1].body["SearchByPartRequest"]["mouserPartNumber"] == "NEW-99"

        def offers(found):
            return [(o.sku, o.price_breaks, o.stock) for p in found for o in p.offers]

        for mpn in mpns:
            assert offers(again[PartQuery(mpn)]) == offers(first[PartQuery(mpn)])
            assert offers(again[PartQuery(mpn)])
        offline = make_mouser(server.base_url, mode=CacheMode.OFFLINE).provider
        subset = [PartQuery(m) for m in ("MPN-03", "NEW-99", "MPN-24")]
        assert all(offline.lookup(subset)[q] for q in subset)
        assert server.request_count == 4
