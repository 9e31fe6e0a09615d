import json

import pytest

from opencircuit_cli.config import validate
from opencircuit_cli.errors import AuthError
from opencircuit_cli.oauth import OAuthToken, TokenCache, parse_token_response, request_token
from opencircuit_cli.secrets import SecretStore
from tests.support.server import Reply

SENTINEL = "SENTINEL-ACCESS-TOKEN-7f1e"


def store(tmp_path, keyring_loader=None):
    kwargs = {"keyring_loader": keyring_loader} if keyring_loader else {}
    return SecretStore(validate({}, {}, None), {}, tmp_path / "credentials.toml", **kwargs)


def test_parse_token_response():
    token = parse_token_response(
        {
            "access_token": "a",
            "expires_in": 599,
            "refresh_token": "r",
            "refresh_token_expires_in": 7776000,
            "token_type": "Bearer",
        },
        now=1000.0,
    )
    assert (token.expires_at, token.refresh_token, token.refresh_expires_at) == (
        1599.0,
        "r",
        7777000.0,
    )
    assert token.usable(1000.0) and not token.usable(1500.0)
    with pytest.raises(ValueError):
        parse_token_response({"error": "x"}, now=0)


def test_token_round_trips_through_the_keyring_as_one_value(tmp_path, memory_keyring):
    seen = []
    cache = TokenCache(store(tmp_path), on_secret=seen.append)
    token = OAuthToken(SENTINEL, 2000.0, refresh_token="R1", obtained_at=1000.0)
    assert "keyring" in cache.save("digikey", token)
    raw = memory_keyring.store[("opencircuit", "digikey.token")]
    assert json.loads(raw)["refresh_token"] == "R1"
    fresh = TokenCache(store(tmp_path))
    assert fresh.load("digikey") == token
    assert SENTINEL in seen and "R1" in seen
    assert SENTINEL not in repr(token)
    assert fresh.clear("digikey") == ["keyring"]
    assert TokenCache(store(tmp_path)).load("digikey") is None


def test_without_a_keyring_tokens_live_in_memory_only(tmp_path):
    cache = TokenCache(store(tmp_path, keyring_loader=lambda: None))
    where = cache.save("nexar", OAuthToken("t", 2000.0))
    assert where.startswith("memory")
    assert cache.load("nexar").access_token == "t"
    assert not (tmp_path / "credentials.toml").exists()


def test_request_token_over_a_real_socket(local_server):
    local_server.script("/token", Reply(200, body={"access_token": SENTINEL, "expires_in": 86400}))
    token = request_token(
        "nexar",
        local_server.url("/token"),
        {"grant_type": "client_credentials", "client_id": "id"},
        clock=lambda: 5,
    )
    assert token.access_token == SENTINEL and token.expires_at == 86405
    sent = local_server.requests_for("/token")[0]
    assert b"grant_type=client_credentials" in sent.body


def test_refused_token_request_quotes_the_server(local_server):
    local_server.script(
        "/token", Reply(401, body={"error": "invalid_client", "error_description": "Bad client id"})
    )
    with pytest.raises(AuthError, match="Bad client id") as info:
        request_token("digikey", local_server.url("/token"), {"grant_type": "x"})
    assert info.value.exit_code == 4
