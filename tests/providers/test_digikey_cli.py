"""`auth login digikey --flow ...`, `auth status` and `price` through the real CLI entry point,
against a local DigiKey (token + API) on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

from opencircuit_cli.oauth import OAuthToken
from tests.support.cli import invoke
from tests.support.server import Reply

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "digikey"
TOKEN = "/v1/oauth2/token"
CLIENT_ID = "SENTINEL-CLI-CLIENT-ID-0b6e"
CLIENT_SECRET = "SENTINEL-CLI-CLIENT-SECRET-2d9f"
ACCESS = "SENTINEL-CLI-ACCESS-71aa"
REFRESH = "SENTINEL-CLI-REFRESH-c3c3"
SENTINELS = (CLIENT_ID, CLIENT_SECRET, ACCESS, REFRESH)


def write_config(tmp_path: Path, local_server) -> Path:
    path = tmp_path / "opencircuit.toml"
    path.write_text(
        "[defaults]\n"
        'providers = ["digikey"]\n'
        "[providers.digikey]\n"
        f'base_url = "{local_server.base_url}"\n'
        f'token_url = "{local_server.url(TOKEN)}"\n'
        "daily_quota = 0\n",
        encoding="utf-8",
    )
    return path


def test_login_client_credentials_then_status_then_logout(tmp_path, local_server, memory_keyring):
    config = write_config(tmp_path, local_server)
    local_server.script(TOKEN, Reply(body={"access_token": ACCESS, "expires_in": 599}))
    out = invoke(
        "--config",
        str(config),
        "auth",
        "login",
        "digikey",
        "--flow",
        "client_credentials",
        "--with-token",
        input=f"{CLIENT_ID}\n{CLIENT_SECRET}\n",
    )
    assert out.exit_code == 0, out.stderr
    assert "client_credentials token stored in keyring" in out.stderr
    token = OAuthToken.from_json(memory_keyring.store[("opencircuit", "digikey.token")])
    assert token is not None and token.access_token == ACCESS

    status = invoke("--config", str(config), "--offline", "auth", "status", "--json")
    assert status.exit_code == 0, status.stderr
    (digikey,) = [p for p in json.loads(status.stdout)["providers"] if p["name"] == "digikey"]
    assert digikey["token"]["flow"] == "client_credentials"
    assert digikey["token"]["has_refresh_token"] is False
    text = invoke("--config", str(config), "--offline", "auth", "status")
    assert "token: client_credentials, access token" in text.stdout
    for sentinel in SENTINELS:
        assert sentinel not in status.stdout + text.stdout + out.stdout + out.stderr

    out = invoke("--config", str(config), "auth", "logout", "digikey")
    assert "removed the stored digikey token" in out.stderr
    assert ("opencircuit", "digikey.token") not in memory_keyring.store


def test_status_shows_a_browser_login_and_runs_a_live_check(tmp_path, local_server, memory_keyring):
    config = write_config(tmp_path, local_server)
    memory_keyring.store[("opencircuit", "digikey.client_id")] = CLIENT_ID
    memory_keyring.store[("opencircuit", "digikey.client_secret")] = CLIENT_SECRET
    import time

    now = time.time()
    login = OAuthToken(
        ACCESS,
        now + 1200,
        refresh_token=REFRESH,
        obtained_at=now - 3 * 86400,
        flow="authorization_code",
    )
    memory_keyring.store[("opencircuit", "digikey.token")] = login.to_json()
    body = json.loads((FIXTURES / "v4" / "v4_keyword_search_LM358__http200.json").read_text())
    local_server.set_fallback("/products/v4/search/keyword", Reply(body=body))
    out = invoke("--config", str(config), "--verbose", "auth", "status", "--json")
    assert out.exit_code == 0, out.stderr
    (digikey,) = [p for p in json.loads(out.stdout)["providers"] if p["name"] == "digikey"]
    assert digikey["token"]["flow"] == "authorization_code"
    assert digikey["token"]["refresh_token_age_days"] == 3.0
    assert digikey["check"]["ok"] is True, digikey["check"]
    assert "authorization_code" in digikey["check"]["message"]
    (sent,) = local_server.requests_for("/products/v4/search/keyword")
    assert sent.header("Authorization") == f"Bearer {ACCESS}"
    for sentinel in SENTINELS:
        assert sentinel not in out.stdout + out.stderr  # --verbose HTTP log included


def test_price_with_an_expired_login_that_digikey_refuses_exits_4(
    tmp_path, local_server, memory_keyring
):
    config = write_config(tmp_path, local_server)
    memory_keyring.store[("opencircuit", "digikey.client_id")] = CLIENT_ID
    memory_keyring.store[("opencircuit", "digikey.client_secret")] = CLIENT_SECRET
    login = OAuthToken(ACCESS, 1000.0, refresh_token=REFRESH, flow="authorization_code")
    memory_keyring.store[("opencircuit", "digikey.token")] = login.to_json()
    local_server.script(TOKEN, Reply(400, body={"error": "invalid_grant"}))
    out = invoke("--config", str(config), "--verbose", "price", "BC847BLT1G")
    assert out.exit_code == 4, (out.stdout, out.stderr)
    assert "auth login digikey --flow authorization_code" in out.stderr
    for sentinel in SENTINELS:
        assert sentinel not in out.stdout + out.stderr


def test_flow_is_only_for_digikey():
    out = invoke("auth", "login", "mouser", "--flow", "client_credentials")
    assert out.exit_code == 2 and "--flow" in out.stderr


def test_price_through_digikey_with_client_credentials(tmp_path, local_server, memory_keyring):
    config = write_config(tmp_path, local_server)
    memory_keyring.store[("opencircuit", "digikey.client_id")] = CLIENT_ID
    memory_keyring.store[("opencircuit", "digikey.client_secret")] = CLIENT_SECRET
    local_server.script(TOKEN, Reply(body={"access_token": ACCESS, "expires_in": 599}))
    body = json.loads((FIXTURES / "v4" / "dpn_BC847BLT1G_US_en_USD_US_v4.json").read_text())
    local_server.set_fallback("/products/v4/search/BC847BLT1G/productdetails", Reply(body=body))
    out = invoke("--config", str(config), "--json", "price", "BC847BLT1G", "--qty", "100")
    assert out.exit_code == 0, out.stderr
    doc = json.loads(out.stdout)
    (result,) = doc["results"]
    (part,) = result["parts"]
    assert part["mpn"] == "BC847BLT1G"
    skus = {o["sku"] for o in part["offers"]}
    assert {"BC847BLT1GOSCT-ND", "BC847BLT1GOSDKR-ND"} <= skus
    ct = next(o for o in part["offers"] if o["sku"] == "BC847BLT1GOSCT-ND")
    assert ct["unit_price"] == "0.0446" and ct["packaging"] == "Cut Tape"
    # a second run reuses the stored token and the cached answer: nothing more is sent
    again = invoke("--config", str(config), "--json", "price", "BC847BLT1G", "--qty", "100")
    assert again.exit_code == 0, again.stderr
    assert len(local_server.requests_for(TOKEN)) == 1
    assert len(local_server.requests_for("/products/v4/search/BC847BLT1G/productdetails")) == 1
