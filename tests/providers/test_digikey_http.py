"""DigikeyProvider and DigikeyAuth over real sockets: a local token + API server on 127.0.0.1,
a real cached HttpClient, the in-memory keyring (tests/conftest.py)."""

from __future__ import annotations

import _thread
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from opencircuit_cli.config import validate
from opencircuit_cli.errors import (
    AuthError,
    ExitCode,
    QuotaExceededError,
    RateLimitedError,
    UsageError,
)
from opencircuit_cli.http.client import HttpClient
from opencircuit_cli.http.policy import CacheMode, HttpPolicy
from opencircuit_cli.http.quota import QuotaLedger
from opencircuit_cli.http.redact import Redactor
from opencircuit_cli.http.session import build_session
from opencircuit_cli.http.stats import RunStats
from opencircuit_cli.models import PartQuery
from opencircuit_cli.oauth import OAuthToken, TokenCache
from opencircuit_cli.providers.base import ProviderDeps, SearchOptions, provider_limits
from opencircuit_cli.providers.digikey import DigikeyProvider
from opencircuit_cli.providers.digikey_auth import (
    DigikeyAuth,
    api_root,
    code_from_redirect,
    local_callback,
    login_authorization_code,
    token_endpoint,
)
from opencircuit_cli.secrets import SecretStore, SecretValue
from opencircuit_cli.settings import DigikeySettings
from tests.support.server import Reply

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "digikey"
TOKEN = "/v1/oauth2/token"
KEYWORD = "/products/v4/search/keyword"

CLIENT_ID = "SENTINEL-CLIENT-ID-4c2a91"
CLIENT_SECRET = "SENTINEL-CLIENT-SECRET-88b0d3"
ACCESS_1 = "SENTINEL-ACCESS-1-e01f"
ACCESS_2 = "SENTINEL-ACCESS-2-a77c"
REFRESH_1 = "SENTINEL-REFRESH-1-93d2"
REFRESH_2 = "SENTINEL-REFRESH-2-5be1"
SENTINELS = (CLIENT_ID, CLIENT_SECRET, ACCESS_1, ACCESS_2, REFRESH_1, REFRESH_2)

FAST_POLICY = HttpPolicy(
    connect_timeout=2.0,
    read_timeout=5.0,
    max_retries=2,
    backoff_base=0.01,
    backoff_max=0.05,
    breaker_threshold=50,
)


def details_path(part: str) -> str:
    return f"/products/v4/search/{part}/productdetails"


def recorded(name: str):
    return json.loads((FIXTURES / "v4" / f"dpn_{name}_US_en_USD_US_v4.json").read_text())


def recorded_error(name: str):
    return json.loads((FIXTURES / "errors" / name).read_text())


def token_reply(access: str, refresh: str | None = None, expires_in: int = 599) -> Reply:
    body: dict = {"access_token": access, "expires_in": expires_in, "token_type": "Bearer"}
    if refresh:
        body |= {"refresh_token": refresh, "refresh_token_expires_in": 7776000}
    return Reply(body=body)


def form(request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.body.decode()).items()}


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class Rig:
    provider: DigikeyProvider
    auth: DigikeyAuth
    tokens: TokenCache
    client: HttpClient
    redactor: Redactor


@pytest.fixture
def make_digikey(tmp_path, local_server) -> Iterator[Callable[..., Rig]]:
    """One rig per "run": a new HttpClient and TokenCache; keyring and cache file are shared."""
    cache_dir = tmp_path / "cache"
    opened: list[tuple[HttpClient, QuotaLedger]] = []

    def factory(clock: Clock | None = None, mode: CacheMode = CacheMode.NORMAL, **settings) -> Rig:
        redactor = Redactor()
        session = build_session(cache_dir / "http_cache.sqlite", mode, redactor=redactor)
        ledger = QuotaLedger(cache_dir / "ledger.sqlite")
        client = HttpClient(
            session, FAST_POLICY, mode, ledger, RunStats(), redactor, warn=lambda _: None
        )
        opened.append((client, ledger))
        config = DigikeySettings(
            base_url=local_server.base_url,
            token_url=local_server.url(TOKEN),
            rate_limit=60_000,
            daily_quota=0,
            **settings,
        )
        http = client.for_provider(provider_limits("digikey", config))
        values = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}

        def secret(field: str) -> SecretValue:
            redactor.add_secret(values[field])
            return SecretValue("digikey", field, values[field], "env", "environment")

        store = SecretStore(validate({}, {}, None), {}, tmp_path / "credentials.toml")
        tokens = TokenCache(store, on_secret=redactor.add_secret)
        auth = DigikeyAuth(config, secret, tokens, clock=clock or Clock())
        deps = ProviderDeps(
            config, secret, http, "USD", "US", cache_dir, tokens=tokens, verbose=True
        )
        return Rig(DigikeyProvider(deps, auth=auth), auth, tokens, client, redactor)

    yield factory
    for client, ledger in opened:
        client.close()
        ledger.close()


def stored_token(memory_keyring) -> OAuthToken:
    token = OAuthToken.from_json(memory_keyring.store[("opencircuit", "digikey.token")])
    assert token is not None
    return token


def store_login(memory_keyring, access: str, refresh: str, expires_at: float) -> None:
    token = OAuthToken(
        access,
        expires_at,
        refresh_token=refresh,
        obtained_at=expires_at - 1800,
        flow="authorization_code",
    )
    memory_keyring.store[("opencircuit", "digikey.token")] = token.to_json()


# -- client credentials ---------------------------------------------------------------------------


def test_client_credentials_happy_path(make_digikey, local_server, memory_keyring):
    local_server.script(TOKEN, token_reply(ACCESS_1))
    local_server.script(details_path("BC847BLT1G"), Reply(body=recorded("BC847BLT1G")))
    rig = make_digikey(customer_id="1234567")
    query = PartQuery("BC847BLT1G", "onsemi")
    (part,) = rig.provider.lookup([query])[query]
    assert [o.packaging for o in part.offers] == ["Tape & Reel", "Cut Tape", "Digi-Reel", "Bulk"]

    (token_request,) = local_server.requests_for(TOKEN)
    assert form(token_request) == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    (data,) = local_server.requests_for(details_path("BC847BLT1G"))
    assert data.method == "GET"
    assert data.header("Authorization") == f"Bearer {ACCESS_1}"
    assert data.header("X-DIGIKEY-Client-Id") == CLIENT_ID
    assert data.header("X-DIGIKEY-Locale-Site") == "US"
    assert data.header("X-DIGIKEY-Locale-Language") == "en"
    assert data.header("X-DIGIKEY-Locale-Currency") == "USD"
    assert data.header("X-DIGIKEY-Customer-Id") == "1234567"
    assert stored_token(memory_keyring).access_token == ACCESS_1


def test_token_is_reused_by_the_next_run(make_digikey, local_server):
    local_server.script(TOKEN, token_reply(ACCESS_1))
    local_server.set_fallback(details_path("BC847BLT1G"), Reply(body=recorded("BC847BLT1G")))
    local_server.set_fallback(details_path("KA78L05AMTF"), Reply(body=recorded("KA78L05AMTF")))
    clock = Clock()
    make_digikey(clock).provider.lookup([PartQuery("BC847BLT1G")])
    clock.now += 300  # well inside the 599 s
    make_digikey(clock, mode=CacheMode.REFRESH).provider.lookup([PartQuery("KA78L05AMTF")])
    assert len(local_server.requests_for(TOKEN)) == 1
    assert (
        local_server.requests_for(details_path("KA78L05AMTF"))[0].header("Authorization")
        == f"Bearer {ACCESS_1}"
    )


def test_expired_token_is_replaced(make_digikey, local_server, memory_keyring):
    local_server.script(TOKEN, token_reply(ACCESS_1), token_reply(ACCESS_2))
    local_server.set_fallback(details_path("BC847BLT1G"), Reply(body=recorded("BC847BLT1G")))
    clock = Clock()
    make_digikey(clock).provider.lookup([PartQuery("BC847BLT1G")])
    clock.now += 599 - 60  # inside the safety margin before expiry
    make_digikey(clock, mode=CacheMode.REFRESH).provider.lookup([PartQuery("BC847BLT1G")])
    assert len(local_server.requests_for(TOKEN)) == 2
    assert (
        local_server.requests_for(details_path("BC847BLT1G"))[-1].header("Authorization")
        == f"Bearer {ACCESS_2}"
    )
    assert stored_token(memory_keyring).access_token == ACCESS_2


def test_client_credentials_401_gets_a_new_token_once(make_digikey, local_server):
    expired = recorded_error("error_401_ExpiredBearerToken-Type1__http401.json")
    local_server.script(TOKEN, token_reply(ACCESS_1), token_reply(ACCESS_2))
    local_server.script(
        details_path("BC847BLT1G"),
        Reply(401, body=expired),
        Reply(200, body=recorded("BC847BLT1G")),
    )
    (part,) = make_digikey().provider.lookup([PartQuery("BC847BLT1G")])[PartQuery("BC847BLT1G")]
    assert part.mpn == "BC847BLT1G"
    sent = [
        r.header("Authorization") for r in local_server.requests_for(details_path("BC847BLT1G"))
    ]
    assert sent == [f"Bearer {ACCESS_1}", f"Bearer {ACCESS_2}"]


# -- authorization code: refresh and rotation ------------------------------------------------------


def test_401_refreshes_retries_and_stores_the_rotated_refresh_token(
    make_digikey, local_server, memory_keyring
):
    clock = Clock()
    store_login(memory_keyring, ACCESS_1, REFRESH_1, clock.now + 1800)
    local_server.script(TOKEN, token_reply(ACCESS_2, REFRESH_2, 1800))
    local_server.script(
        details_path("BC847BLT1G"),
        Reply(401, body=recorded_error("error_401_ExpiredBearerToken-Type2__http401.json")),
        Reply(200, body=recorded("BC847BLT1G")),
    )
    rig = make_digikey(clock)
    (part,) = rig.provider.lookup([PartQuery("BC847BLT1G")])[PartQuery("BC847BLT1G")]
    assert part.mpn == "BC847BLT1G"
    (refresh,) = local_server.requests_for(TOKEN)
    assert form(refresh) == {
        "grant_type": "refresh_token",
        "refresh_token": REFRESH_1,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    assert (
        local_server.requests_for(details_path("BC847BLT1G"))[1].header("Authorization")
        == f"Bearer {ACCESS_2}"
    )
    token = stored_token(memory_keyring)
    assert (token.access_token, token.refresh_token, token.flow) == (
        ACCESS_2,
        REFRESH_2,
        "authorization_code",
    )
    assert rig.auth.flow() == "authorization_code"


def test_expired_login_is_refreshed_before_the_call(make_digikey, local_server, memory_keyring):
    clock = Clock()
    store_login(memory_keyring, ACCESS_1, REFRESH_1, clock.now - 10)
    local_server.script(TOKEN, token_reply(ACCESS_2, REFRESH_2, 1800))
    local_server.script(details_path("BC847BLT1G"), Reply(body=recorded("BC847BLT1G")))
    make_digikey(clock).provider.lookup([PartQuery("BC847BLT1G")])
    assert form(local_server.requests_for(TOKEN)[0])["refresh_token"] == REFRESH_1
    assert stored_token(memory_keyring).refresh_token == REFRESH_2


def test_second_401_is_an_auth_error_that_says_what_to_run(
    make_digikey, local_server, memory_keyring
):
    clock = Clock()
    store_login(memory_keyring, ACCESS_1, REFRESH_1, clock.now + 1800)
    local_server.script(TOKEN, token_reply(ACCESS_2, REFRESH_2, 1800))
    body = recorded_error("error_401_ExpiredBearerToken-Type1__http401.json")
    local_server.set_fallback(details_path("BC847BLT1G"), Reply(401, body=body))
    with pytest.raises(AuthError) as caught:
        make_digikey(clock).provider.lookup([PartQuery("BC847BLT1G")])
    error = caught.value
    assert error.exit_code == ExitCode.AUTH == 4
    assert "Bearer token is expired" in error.message
    assert "opencircuit auth login digikey --flow authorization_code" in error.hint
    assert len(local_server.requests_for(details_path("BC847BLT1G"))) == 2
    assert len(local_server.requests_for(TOKEN)) == 1
    assert not any(s in error.message + error.hint for s in SENTINELS)


def test_refused_refresh_token_asks_to_log_in_again(make_digikey, local_server, memory_keyring):
    clock = Clock()
    store_login(memory_keyring, ACCESS_1, REFRESH_1, clock.now - 10)
    local_server.script(
        TOKEN,
        Reply(400, body={"error": "invalid_grant", "error_description": "grant is invalid"}),
    )
    with pytest.raises(AuthError) as caught:
        make_digikey(clock).provider.lookup([PartQuery("BC847BLT1G")])
    assert "grant is invalid" in caught.value.message
    assert "auth login digikey --flow authorization_code" in caught.value.hint


@pytest.mark.parametrize(
    "name",
    [
        "error_401_NotSubscribed-Type2__http401.json",
        "error_401_InvalidClientId-Type1__http401.json",
        "v4_error_401_invalid_client_id_productdetails__digikey-api_issue53.json",
    ],
)
def test_a_401_no_token_can_fix_is_reported_at_once(make_digikey, local_server, name):
    body = recorded_error(name)
    local_server.script(TOKEN, token_reply(ACCESS_1))
    local_server.set_fallback(details_path("BC847BLT1G"), Reply(401, body=body))
    with pytest.raises(AuthError) as caught:
        make_digikey().provider.lookup([PartQuery("BC847BLT1G")])
    assert caught.value.exit_code == 4
    words = body.get("ErrorDetails") or body.get("detail")
    assert words in caught.value.message
    assert len(local_server.requests_for(details_path("BC847BLT1G"))) == 1
    assert len(local_server.requests_for(TOKEN)) == 1


def test_interrupted_refresh_still_leaves_the_user_logged_in(
    make_digikey, local_server, memory_keyring
):
    """Ctrl-C lands while DigiKey's rotated token is on its way: the old refresh token is
    already spent, so the new one must be stored anyway (non-daemon rotation thread)."""
    clock = Clock()
    store_login(memory_keyring, ACCESS_1, REFRESH_1, clock.now - 10)
    local_server.script(TOKEN, Reply(body=token_reply(ACCESS_2, REFRESH_2, 1800).body, delay=0.4))
    # DigiKey rotates: the spent refresh token would be refused from now on.
    local_server.set_fallback(TOKEN, Reply(400, body={"error": "invalid_grant"}))
    local_server.set_fallback(details_path("BC847BLT1G"), Reply(body=recorded("BC847BLT1G")))

    def interrupt_once_the_refresh_is_sent() -> None:
        deadline = time.monotonic() + 5
        while not local_server.requests_for(TOKEN) and time.monotonic() < deadline:
            time.sleep(0.01)
        _thread.interrupt_main()

    threading.Thread(target=interrupt_once_the_refresh_is_sent, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        make_digikey(clock).provider.lookup([PartQuery("BC847BLT1G")])
    local_server.clear_log()

    deadline = time.monotonic() + 5  # the rotation thread finishes on its own
    while stored_token(memory_keyring).refresh_token != REFRESH_2:
        assert time.monotonic() < deadline, "the rotated refresh token was lost"
        time.sleep(0.02)
    # The next run is still logged in: it uses the stored token, no new login needed.
    (part,) = make_digikey(clock, mode=CacheMode.REFRESH).provider.lookup(
        [PartQuery("BC847BLT1G")]
    )[PartQuery("BC847BLT1G")]
    assert part.mpn == "BC847BLT1G"
    assert not local_server.requests_for(TOKEN)
    assert (
        local_server.requests_for(details_path("BC847BLT1G"))[0].header("Authorization")
        == f"Bearer {ACCESS_2}"
    )


# -- authorization-code login ---------------------------------------------------------------------


def test_state_mismatch_is_rejected():
    with pytest.raises(AuthError, match="state"):
        code_from_redirect("https://localhost/?code=abc&state=forged", "expected")
    with pytest.raises(AuthError, match="did not authorize"):
        code_from_redirect("https://localhost/?error=access_denied&state=s", "s")
    assert code_from_redirect("https://localhost/?code=abc&state=s", "s") == "abc"
    assert code_from_redirect("code=abc&state=s", "s") == "abc"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def browser_follows(redirect_uri: str, state_from: Callable[[str], str]) -> Callable[[str], bool]:
    """A stand-in browser: DigiKey 'redirects' to the callback with a code and a state."""

    def open_browser(url: str) -> bool:
        state = state_from(parse_qs(url.split("?", 1)[1])["state"][0])
        threading.Thread(
            target=lambda: httpx.get(f"{redirect_uri}?code=THE-CODE&state={state}", timeout=5),
            daemon=True,
        ).start()
        return True

    return open_browser


def test_login_through_the_local_callback_listener(make_digikey, local_server, memory_keyring):
    redirect_uri = f"http://127.0.0.1:{free_port()}/digikey/callback"
    assert local_callback(redirect_uri) is not None
    local_server.script(TOKEN, token_reply(ACCESS_1, REFRESH_1, 1800))
    rig = make_digikey(redirect_uri=redirect_uri)
    said: list[str] = []
    token, where = login_authorization_code(
        rig.auth,
        rig.auth._settings,
        say=said.append,
        open_browser=browser_follows(redirect_uri, lambda state: state),
        ask=None,
        timeout=10,
    )
    assert "keyring" in where and token.refresh_token == REFRESH_1
    assert form(local_server.requests_for(TOKEN)[0]) == {
        "grant_type": "authorization_code",
        "code": "THE-CODE",
        "redirect_uri": redirect_uri,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    assert "/v1/oauth2/authorize?response_type=code" in said[0]
    assert stored_token(memory_keyring).flow == "authorization_code"


def test_listener_rejects_a_redirect_with_the_wrong_state(make_digikey, local_server):
    redirect_uri = f"http://127.0.0.1:{free_port()}/cb"
    rig = make_digikey(redirect_uri=redirect_uri)
    with pytest.raises(AuthError, match="state"):
        login_authorization_code(
            rig.auth,
            rig.auth._settings,
            say=lambda _: None,
            open_browser=browser_follows(redirect_uri, lambda state: "forged"),
            ask=None,
            timeout=10,
        )
    assert not local_server.requests_for(TOKEN)


def test_login_by_pasting_the_redirected_url(make_digikey, local_server, memory_keyring):
    local_server.script(TOKEN, token_reply(ACCESS_1, REFRESH_1, 1800))
    rig = make_digikey()  # redirect_uri https://localhost: no listener, paste
    shown: list[str] = []

    def ask(prompt: str) -> str:
        state = parse_qs(shown[0].rsplit("?", 1)[1])["state"][0]
        return f"https://localhost/?code=PASTED&state={state}"

    login_authorization_code(
        rig.auth, rig.auth._settings, say=shown.append, open_browser=lambda url: False, ask=ask
    )
    assert form(local_server.requests_for(TOKEN)[0])["code"] == "PASTED"
    assert stored_token(memory_keyring).refresh_token == REFRESH_1
    with pytest.raises(UsageError):
        login_authorization_code(
            rig.auth, rig.auth._settings, say=shown.append, open_browser=lambda u: False, ask=None
        )


# -- lookups, limits -------------------------------------------------------------------------------


def test_unknown_part_number_404_is_no_hit(make_digikey, local_server):
    local_server.script(TOKEN, token_reply(ACCESS_1))
    problem = {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "not found"}
    local_server.script(details_path("NOPE-123"), Reply(404, body=problem))
    assert make_digikey().provider.lookup([PartQuery("NOPE-123")]) == {PartQuery("NOPE-123"): []}


def test_identical_queries_are_sent_once_from_a_few_threads(make_digikey, local_server):
    local_server.script(TOKEN, token_reply(ACCESS_1))
    names = ["BC847BLT1G", "KA78L05AMTF", "SN6501DBVR", "MC7805CDTG", "FOD814ASD"]
    for name in names:
        local_server.set_fallback(details_path(name), Reply(body=recorded(name), delay=0.1))
    queries = [PartQuery(n) for n in names] + [PartQuery("bc847blt1g"), PartQuery("SN6501DBVR")]
    rig = make_digikey()
    started = time.monotonic()
    result = rig.provider.lookup(queries)
    assert time.monotonic() - started < 0.45  # 5 calls of 0.1 s, not in a row
    assert [len(result[q]) for q in queries] == [1] * 7
    assert sum(len(local_server.requests_for(details_path(n))) for n in names) == 5
    rig.provider.lookup(queries)  # same instance: nothing sent again
    assert len(local_server.requests) == 6  # 1 token + 5 parts


def test_digikey_part_number_query(make_digikey, local_server):
    local_server.script(TOKEN, token_reply(ACCESS_1))
    local_server.script(details_path("296-23541-ND"), Reply(body=recorded("296-23541-ND")))
    query = PartQuery("WHATEVER", sku="296-23541-ND", distributor="digikey")
    (part,) = make_digikey().provider.lookup([query])[query]
    assert part.mpn == "TMDSCNCD2808"


def test_429_with_retry_after_is_honoured(make_digikey, local_server):
    local_server.script(TOKEN, token_reply(ACCESS_1))
    local_server.script(
        details_path("BC847BLT1G"),
        Reply(429, headers={"Retry-After": "1", "X-RateLimit-Remaining": "0"}),
        Reply(200, body=recorded("BC847BLT1G")),
    )
    (part,) = make_digikey().provider.lookup([PartQuery("BC847BLT1G")])[PartQuery("BC847BLT1G")]
    first, second = local_server.requests_for(details_path("BC847BLT1G"))
    assert second.at - first.at >= 0.95
    assert part.mpn == "BC847BLT1G"


def test_daily_limit_switches_digikey_off_with_the_reset_time(make_digikey, local_server):
    local_server.script(TOKEN, token_reply(ACCESS_1))
    headers = {
        "X-RateLimit-Limit": "1000",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "3600",
    }
    local_server.script(
        details_path("BC847BLT1G"), Reply(body=recorded("BC847BLT1G"), headers=headers)
    )
    rig = make_digikey()
    assert rig.provider.lookup([PartQuery("BC847BLT1G")])[PartQuery("BC847BLT1G")]
    with pytest.raises(QuotaExceededError) as caught:
        rig.provider.lookup([PartQuery("KA78L05AMTF")])
    assert "daily limit is reached (0 of 1000 calls left); it resets at" in caught.value.message
    assert caught.value.exit_code == ExitCode.PROVIDER
    assert not local_server.requests_for(details_path("KA78L05AMTF"))


def test_429_with_a_long_retry_after_switches_digikey_off(make_digikey, local_server):
    local_server.script(TOKEN, token_reply(ACCESS_1))
    local_server.set_fallback(
        details_path("BC847BLT1G"), Reply(429, headers={"Retry-After": "7200"})
    )
    rig = make_digikey()
    for _ in range(2):
        with pytest.raises(QuotaExceededError, match="switched off for the rest of this run"):
            rig.provider.lookup([PartQuery("BC847BLT1G")])
    assert len(local_server.requests_for(details_path("BC847BLT1G"))) == 1
    with pytest.raises(QuotaExceededError, match=r"retry after 7200 s\); it resets at 20"):
        rig.provider.lookup([PartQuery("KA78L05AMTF")])


def test_per_minute_429_that_outlasts_the_retries_fails_only_that_call(make_digikey, local_server):
    local_server.script(TOKEN, token_reply(ACCESS_1))
    local_server.script(details_path("BC847BLT1G"), *[Reply(429, headers={"Retry-After": "0"})] * 3)
    local_server.script(details_path("KA78L05AMTF"), Reply(body=recorded("KA78L05AMTF")))
    rig = make_digikey()
    with pytest.raises(RateLimitedError):
        rig.provider.lookup([PartQuery("BC847BLT1G")])
    assert rig.provider.lookup([PartQuery("KA78L05AMTF")])[PartQuery("KA78L05AMTF")]


def test_sandbox_switches_the_host():
    assert api_root(DigikeySettings(sandbox=True)) == "https://sandbox-api.digikey.com"
    assert api_root(DigikeySettings()) == "https://api.digikey.com"
    assert token_endpoint(DigikeySettings(sandbox=True)) == (
        "https://sandbox-api.digikey.com/v1/oauth2/token"
    )
    explicit = DigikeySettings(sandbox=True, base_url="http://127.0.0.1:9")
    assert api_root(explicit) == "http://127.0.0.1:9"


def test_keyword_search_request_and_paging(make_digikey, local_server):
    local_server.script(TOKEN, token_reply(ACCESS_1))
    body = json.loads((FIXTURES / "v4" / "v4_keyword_search_LM358__http200.json").read_text())
    local_server.set_fallback(KEYWORD, Reply(body=body))
    parts = make_digikey().provider.search("LM358", SearchOptions(limit=60, in_stock=True))
    sent = local_server.requests_for(KEYWORD)
    assert sent[0].json() == {
        "Keywords": "LM358",
        "Limit": 50,
        "Offset": 0,
        "FilterOptionsRequest": {
            "MarketPlaceFilter": "ExcludeMarketPlace",
            "SearchOptions": ["InStock"],
        },
    }
    # the recorded page holds 25 products: paging goes on until 60 parts are collected
    assert [(r.json()["Limit"], r.json()["Offset"]) for r in sent] == [(50, 0), (35, 50), (10, 85)]
    assert parts[0].mpn == "LM358SNG" and len(parts) == 60


def test_check_reports_success(make_digikey, local_server):
    local_server.script(TOKEN, token_reply(ACCESS_1))
    body = json.loads((FIXTURES / "v4" / "v4_keyword_search_LM358__http200.json").read_text())
    local_server.set_fallback(KEYWORD, Reply(body=body))
    result = make_digikey().provider.check()
    assert result.ok and "client_credentials" in result.message and "133" in result.message


# -- secrets --------------------------------------------------------------------------------------


def test_no_secret_or_token_in_the_cache_or_verbose_log(
    make_digikey, local_server, memory_keyring, tmp_path, caplog
):
    clock = Clock()
    store_login(memory_keyring, ACCESS_1, REFRESH_1, clock.now + 1800)
    local_server.script(TOKEN, token_reply(ACCESS_2, REFRESH_2, 1800))
    local_server.script(
        details_path("BC847BLT1G"),
        Reply(401, body=recorded_error("error_401_ExpiredBearerToken-Type1__http401.json")),
        Reply(200, body=recorded("BC847BLT1G")),
    )
    body = json.loads((FIXTURES / "v4" / "v4_keyword_search_LM358__http200.json").read_text())
    local_server.set_fallback(KEYWORD, Reply(body=body))
    caplog.set_level(logging.DEBUG)
    rig = make_digikey(clock)
    rig.provider.lookup([PartQuery("BC847BLT1G")])
    rig.provider.search("LM358", SearchOptions(limit=5))
    rig.client.close()
    cache_files = list((tmp_path / "cache").glob("*"))
    assert cache_files
    for path in cache_files:
        data = path.read_bytes()
        for sentinel in SENTINELS:
            assert sentinel.encode() not in data, f"{sentinel} leaked into {path.name}"
    logged = caplog.text
    assert "productdetails" in logged
    for sentinel in SENTINELS:
        assert sentinel not in logged
        assert sentinel not in repr(stored_token(memory_keyring))


def test_many_threads_hitting_an_expired_token_renew_it_once(make_digikey, local_server):
    expired = recorded_error("error_401_ExpiredBearerToken-Type1__http401.json")
    names = ["BC847BLT1G", "KA78L05AMTF", "SN6501DBVR", "MC7805CDTG"]
    local_server.script(TOKEN, token_reply(ACCESS_1), token_reply(ACCESS_2))
    for name in names:
        local_server.script(
            details_path(name), Reply(401, body=expired, delay=0.05), Reply(body=recorded(name))
        )
    result = make_digikey().provider.lookup([PartQuery(n) for n in names])
    assert all(len(parts) == 1 for parts in result.values())
    assert len(local_server.requests_for(TOKEN)) == 2  # the first token and ONE renewal
