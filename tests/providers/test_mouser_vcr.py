"""MouserProvider through vcrpy cassettes built from recorded Mouser answers (record_mode none).

The cassettes (tests/fixtures/mouser/cassettes, written by make_cassettes.py) hold the requests
MouserProvider sends with the key scrubbed to `apiKey=REDACTED`; `filter_query_parameters`
scrubs the live request the same way before matching, and the body is matched too, so these
tests pin the request format as well as the parsing. Nothing reaches the network: vcrpy answers
inside urllib3, and the suite's socket guard refuses anything but 127.0.0.1 anyway.

requests-cache vs vcrpy (DESIGN §8, vcrpy issue 881): requests-cache reads
`response.raw._request_url`, which vcrpy's stub response lacks. These tests keep the real cached
session (so the cache path is exercised, e.g. "an error answer is never cached") and give the
stub class that attribute with `monkeypatch`; one test also runs with `CacheMode.DISABLED` (a
plain requests.Session), the other way around the issue.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import vcr
import yaml
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.stubs import VCRHTTPResponse

from opencircuit_cli.errors import AuthError, ExitCode
from opencircuit_cli.http.policy import CacheMode
from opencircuit_cli.models import PartQuery
from tests.providers.conftest import SENTINEL_KEY

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mouser"
CASSETTES = FIXTURES / "cassettes"
BASE_URL = "https://api.mouser.com/api/v1"

BEL = PartQuery("5MF 6-R", "Bel Fuse", sku="530-5MF6-R", distributor="mouser")
WURTH = PartQuery("696101000002", sku="710-696101000002", distributor="mouser")
NONE_SUCH = PartQuery("695120004001")

#: Mouser API keys are UUIDs.
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)

MOUSER_VCR = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode="none",
    match_on=("method", "scheme", "host", "port", "path", "query", "body"),
    filter_query_parameters=[("apiKey", "REDACTED")],
    filter_headers=[("Authorization", "REDACTED")],
)


@pytest.fixture(autouse=True)
def _vcr_with_requests_cache(monkeypatch):
    """vcrpy issue 881: requests-cache needs `raw._request_url` on vcrpy's stub response."""
    monkeypatch.setattr(VCRHTTPResponse, "_request_url", None, raising=False)


@pytest.fixture
def mouser(make_mouser):
    return make_mouser(BASE_URL)


@pytest.mark.parametrize("mode", [CacheMode.NORMAL, CacheMode.DISABLED])
def test_single_lookups_play_the_recorded_answers(make_mouser, mode):
    mouser = make_mouser(BASE_URL, mode=mode)  # DISABLED: a plain requests.Session
    with MOUSER_VCR.use_cassette("mouser_partnumber_lookup.yaml") as cassette:
        bel = mouser.provider.lookup([BEL])[BEL]
        wurth = mouser.provider.lookup([WURTH])[WURTH]
        none_such = mouser.provider.lookup([NONE_SUCH])[NONE_SUCH]
        assert cassette.all_played
    (part,) = bel
    assert part.mpn == "5MF 6-R"
    assert part.offers[0].stock == 6809
    assert [str(b.unit_price) for b in part.offers[0].price_breaks] == [
        "0.25",
        "0.227",
        "0.21",
        "0.189",
    ]
    assert [p.offers[0].sku for p in wurth] == ["710-696101000002"]
    assert none_such == []


def test_batched_lookup(mouser, make_mouser):
    with MOUSER_VCR.use_cassette("mouser_partnumber_batch.yaml") as cassette:
        result = mouser.provider.lookup([BEL, WURTH, NONE_SUCH])
        assert cassette.play_count == 1
    assert [p.mpn for p in result[BEL]] == ["5MF 6-R"]
    assert [p.mpn for p in result[WURTH]] == ["696101000002"]
    assert result[NONE_SUCH] == []
    # answered again by a new instance from the cache: the cassette is not played twice
    with MOUSER_VCR.use_cassette("mouser_partnumber_batch.yaml") as cassette:
        again = make_mouser(BASE_URL).provider.lookup([BEL, WURTH, NONE_SUCH])
        assert cassette.play_count == 0
    assert again[BEL][0].offers[0].price_breaks == result[BEL][0].offers[0].price_breaks


def test_a_request_not_in_the_cassette_fails_instead_of_going_out(mouser):
    with (
        MOUSER_VCR.use_cassette("mouser_partnumber_lookup.yaml"),
        pytest.raises(CannotOverwriteExistingCassetteException),
    ):
        mouser.provider.lookup([PartQuery("NOT-RECORDED")])


def test_invalid_key_is_an_auth_error_and_not_cached(make_mouser):
    query = PartQuery("5MF 6-R", sku="530-5MF6-R", distributor="mouser")
    with MOUSER_VCR.use_cassette("mouser_invalid_api_key.yaml") as cassette:
        for _ in range(2):  # a fresh instance each time: only the cache could save a request
            with pytest.raises(AuthError) as caught:
                make_mouser(BASE_URL).provider.lookup([query])
            assert caught.value.exit_code == ExitCode.AUTH
            assert "Invalid unique identifier." in caught.value.message
        assert cassette.play_count == 2, "the error answer must not be served from the cache"


def test_cassettes_hold_recorded_bodies_and_no_key():
    assert sorted(CASSETTES.glob("*.yaml"))
    for path in sorted(CASSETTES.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert SENTINEL_KEY not in text
        assert not UUID.search(text), f"{path.name} holds something that looks like an API key"
        assert set(re.findall(r"apiKey=([^&\s'\"]*)", text, re.IGNORECASE)) == {"REDACTED"}
        for interaction in yaml.safe_load(text)["interactions"]:
            body = interaction["response"]["body"]["string"]
            json.loads(body)  # a valid JSON answer
    # the single-lookup cassette plays the recorded files byte for byte
    lookup = yaml.safe_load((CASSETTES / "mouser_partnumber_lookup.yaml").read_text())
    bodies = [i["response"]["body"]["string"] for i in lookup["interactions"]]
    assert bodies == [
        (FIXTURES / name).read_text(encoding="utf-8")
        for name in (
            "v1_partnumber_530-5MF6-R__kicost.json",
            "v1_partnumber_710-696101000002__kicost.json",
            "v1_partnumber_no_results_695120004001__kicost.json",
        )
    ]


def test_cassettes_are_up_to_date():
    """make_cassettes.py would write exactly what is committed."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_cassettes", FIXTURES / "make_cassettes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, content in module.CASSETTES.items():
        assert yaml.safe_load((CASSETTES / name).read_text(encoding="utf-8")) == content, name
