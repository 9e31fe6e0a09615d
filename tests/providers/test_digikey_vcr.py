"""DigikeyProvider through vcrpy cassettes built from recorded DigiKey answers (record_mode none).

The cassettes (tests/fixtures/digikey/cassettes, written by make_cassettes.py) pin the request
format (path, locale headers) as well as the parsing. The test starts with a usable token in the
keyring, so no token call is made (token endpoints are never recorded). requests-cache vs vcrpy:
see test_mouser_vcr.py (vcrpy issue 881).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import vcr
from vcr.stubs import VCRHTTPResponse

from opencircuit_cli.config import validate
from opencircuit_cli.errors import AuthError
from opencircuit_cli.http.client import HttpClient
from opencircuit_cli.http.policy import CacheMode, HttpPolicy
from opencircuit_cli.http.redact import Redactor
from opencircuit_cli.http.session import build_session
from opencircuit_cli.http.stats import RunStats
from opencircuit_cli.models import PartQuery
from opencircuit_cli.oauth import OAuthToken, TokenCache
from opencircuit_cli.providers.base import ProviderDeps, provider_limits
from opencircuit_cli.providers.digikey import DigikeyProvider
from opencircuit_cli.secrets import SecretStore, SecretValue
from opencircuit_cli.settings import DigikeySettings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "digikey"
CASSETTES = FIXTURES / "cassettes"
ACCESS = "SENTINEL-VCR-ACCESS-5d10"
CLIENT_ID = "SENTINEL-VCR-CLIENT-ID-9e44"


def _recorded_headers_sent(live, recorded) -> None:
    """Every header in the cassette is sent with that value (User-Agent and friends may vary)."""
    for name, value in recorded.headers.items():
        assert live.headers.get(name) == value, f"{name}: {live.headers.get(name)!r} != {value!r}"


DIGIKEY_VCR = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode="none",
    filter_headers=[("Authorization", "REDACTED"), ("X-DIGIKEY-Client-Id", "REDACTED")],
)
DIGIKEY_VCR.register_matcher("recorded_headers", _recorded_headers_sent)
DIGIKEY_VCR.match_on = ("method", "scheme", "host", "port", "path", "query", "recorded_headers")


@pytest.fixture(autouse=True)
def _vcr_with_requests_cache(monkeypatch):
    monkeypatch.setattr(VCRHTTPResponse, "_request_url", None, raising=False)


@pytest.fixture
def provider(tmp_path, memory_keyring):
    token = OAuthToken(ACCESS, time.time() + 3600, obtained_at=time.time())
    memory_keyring.store[("opencircuit", "digikey.token")] = token.to_json()
    redactor = Redactor()
    session = build_session(tmp_path / "http_cache.sqlite", CacheMode.NORMAL, redactor=redactor)
    client = HttpClient(
        session,
        HttpPolicy(max_retries=0),
        CacheMode.NORMAL,
        None,
        RunStats(),
        redactor,
        warn=lambda _: None,
    )
    settings = DigikeySettings(rate_limit=60_000)
    http = client.for_provider(provider_limits("digikey", settings))

    def secret(field: str) -> SecretValue:
        return SecretValue("digikey", field, CLIENT_ID, "env", "environment")

    store = SecretStore(validate({}, {}, None), {}, tmp_path / "credentials.toml")
    tokens = TokenCache(store, on_secret=redactor.add_secret)
    deps = ProviderDeps(settings, secret, http, "USD", "US", tmp_path, tokens=tokens)
    yield DigikeyProvider(deps, workers=1)  # vcrpy stubs are not safe across threads
    client.close()


def test_recorded_productdetails(provider):
    queries = [PartQuery("BC847BLT1G"), PartQuery("KA78L05AMTF"), PartQuery("NO-SUCH-PART")]
    with DIGIKEY_VCR.use_cassette("digikey_productdetails.yaml", allow_playback_repeats=False) as c:
        result = provider.lookup(queries)
        assert c.all_played
    (bc847,) = result[queries[0]]
    assert [o.sku for o in bc847.offers][:3] == [
        "BC847BLT1GOSTR-ND",
        "BC847BLT1GOSCT-ND",
        "BC847BLT1GOSDKR-ND",
    ]
    (ka78,) = result[queries[1]]
    assert ka78.lifecycle == "obsolete"
    assert result[queries[2]] == []


def test_recorded_not_subscribed(provider):
    with DIGIKEY_VCR.use_cassette("digikey_not_subscribed.yaml"), pytest.raises(AuthError) as e:
        provider.lookup([PartQuery("BC847BLT1G")])
    assert "You are not subscribed to this API" in e.value.message
    assert e.value.exit_code == 4


def test_cassettes_hold_no_credentials():
    for path in sorted(CASSETTES.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert "Bearer" not in text and ACCESS not in text and CLIENT_ID not in text
        assert "REDACTED" in text
