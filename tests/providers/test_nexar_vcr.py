"""NexarProvider through vcrpy cassettes made of recorded Nexar answers (record_mode none).

The cassettes (tests/fixtures/nexar/cassettes, written by make_cassettes.py) hold the requests
NexarProvider sends, matched on method, URL and body, so these tests pin the GraphQL document
and variables as well as the parsing. Credentials in the token request are scrubbed to REDACTED
(`filter_post_data_parameters`) before matching; the bearer token is never part of a cassette.
vcrpy issue 881 (requests-cache vs vcrpy's stub response) is handled as in test_mouser_vcr.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import vcr
import yaml
from vcr.stubs import VCRHTTPResponse

from opencircuit_cli.errors import AuthError, QuotaExceededError
from opencircuit_cli.http.policy import CacheMode
from opencircuit_cli.models import PartQuery
from opencircuit_cli.oauth import OAuthToken
from tests.providers.test_nexar_http import CLIENT_ID, CLIENT_SECRET, make_nexar  # noqa: F401

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "nexar"
CASSETTES = FIXTURES / "cassettes"
BASE_URL = "https://api.nexar.com/graphql"
TOKEN_URL = "https://identity.nexar.com/connect/token"

NEXAR_VCR = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode="none",
    match_on=("method", "scheme", "host", "port", "path", "query", "body"),
    filter_headers=[("Authorization", "REDACTED")],
    filter_post_data_parameters=[("client_id", "REDACTED"), ("client_secret", "REDACTED")],
)

ADAFRUIT = PartQuery("4062")
KEMET = PartQuery("C0603C103K5RACTU", "Kemet")
NONE_SUCH = PartQuery("SN74LS00N", "Texas Instrumentos")


@pytest.fixture(autouse=True)
def _vcr_with_requests_cache(monkeypatch):
    monkeypatch.setattr(VCRHTTPResponse, "_request_url", None, raising=False)


@pytest.fixture
def stored_token(memory_keyring):
    """A valid token in the keyring, so the data calls need no token request."""
    token = OAuthToken("stored-token-value", expires_at=4_102_444_800.0, obtained_at=0.0)
    memory_keyring.store[("opencircuit", "nexar.token")] = token.to_json()


def nexar(make_nexar, mode=CacheMode.NORMAL):  # noqa: F811
    rig = make_nexar(mode=mode, base_url=BASE_URL, token_url=TOKEN_URL)
    return rig.provider


@pytest.mark.usefixtures("stored_token")
@pytest.mark.parametrize("mode", [CacheMode.NORMAL, CacheMode.DISABLED])
def test_batched_lookup_plays_the_recorded_items(make_nexar, mode):  # noqa: F811
    with NEXAR_VCR.use_cassette("nexar_multi_match.yaml") as cassette:
        result = nexar(make_nexar, mode).lookup([ADAFRUIT, KEMET, NONE_SUCH])
        assert cassette.play_count == 1
    assert [len(p.offers) for p in result[ADAFRUIT]] == [6]
    # "C0603C103K5RAC TU" is the same MPN (white space ignored); "-TU" is a near miss, last
    assert [p.mpn for p in result[KEMET]] == [
        "C0603C103K5RACTU",
        "C0603C103K5RAC TU",
        "C0603C103K5RAC-TU",
    ]
    assert result[NONE_SUCH] == []
    if mode is CacheMode.NORMAL:  # a second run is answered by the cache
        with NEXAR_VCR.use_cassette("nexar_multi_match.yaml") as cassette:
            again = nexar(make_nexar).lookup([ADAFRUIT, KEMET, NONE_SUCH])
            assert cassette.play_count == 0
        assert (
            again[ADAFRUIT][0].offers[0].price_breaks == result[ADAFRUIT][0].offers[0].price_breaks
        )


@pytest.mark.usefixtures("stored_token")
def test_part_limit_answer(make_nexar):  # noqa: F811
    provider = nexar(make_nexar)
    with NEXAR_VCR.use_cassette("nexar_part_limit.yaml") as cassette:
        with pytest.raises(QuotaExceededError, match="part limit of 605"):
            provider.lookup([PartQuery("ERJ-3EKF1001V")])
        with pytest.raises(QuotaExceededError):
            provider.lookup([PartQuery("ERJ-3EKF1001V")])
        assert cassette.play_count == 1


@pytest.mark.usefixtures("stored_token")
def test_invalid_token_refreshes_once_then_fails(make_nexar):  # noqa: F811
    with NEXAR_VCR.use_cassette("nexar_invalid_token.yaml") as cassette:
        with pytest.raises(AuthError, match="Token validation failed") as caught:
            nexar(make_nexar).lookup([PartQuery("ERJ-3EKF1001V")])
        assert cassette.all_played
    assert caught.value.exit_code == 4


def test_cassettes_hold_recorded_bodies_and_no_secret():
    for path in sorted(CASSETTES.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        for secret in (CLIENT_ID, CLIENT_SECRET, "stored-token-value"):
            assert secret not in text
        for interaction in yaml.safe_load(text)["interactions"]:
            json.loads(interaction["response"]["body"]["string"])
    played = yaml.safe_load((CASSETTES / "nexar_multi_match.yaml").read_text())
    items = json.loads(played["interactions"][0]["response"]["body"]["string"])["data"]
    recorded = json.loads((FIXTURES / "mpn_Kemet_C0603C103K5RACTU.json").read_text())
    assert {**items["supMultiMatch"][1], "reference": recorded["reference"]} == recorded


def test_cassettes_are_up_to_date():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_cassettes", FIXTURES / "make_cassettes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, content in module.CASSETTES.items():
        assert yaml.safe_load((CASSETTES / name).read_text(encoding="utf-8")) == content, name
