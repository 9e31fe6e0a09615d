"""AppContext wiring of config, secrets and the HTTP layer, exercised over a real socket."""

import io
import json

import pytest

from opencircuit_cli.context import AppContext, GlobalOptions
from opencircuit_cli.environment import Environment
from opencircuit_cli.errors import OfflineMissError
from opencircuit_cli.http.policy import ProviderLimits
from tests.support.cli import invoke

SENTINEL = "SENTINEL-5f3c9a1e-secret-value"


def make_context(tmp_path, monkeypatch, **options):
    monkeypatch.setenv("MOUSER_API_KEY", SENTINEL)
    stderr = io.StringIO()
    env = Environment(stdout=io.StringIO(), stderr=stderr, cwd=tmp_path)
    return AppContext(env, GlobalOptions(**options)), stderr


def mouser_http(ctx):
    settings = ctx.config.provider("mouser")
    return ctx.http.for_provider(
        ProviderLimits("mouser", settings.rate_limit, settings.daily_quota, settings.cache_ttl)
    )


def send_secret_three_ways(http, url, key):
    return http.request(
        "POST",
        url,
        params={"apiKey": key},
        headers={"Authorization": f"Bearer {key}"},
        json={"apiKey": key, "SearchByPartRequest": {"mouserPartNumber": "LM358"}},
    )


def test_verbose_log_and_cache_file_never_hold_the_secret(tmp_path, monkeypatch, local_server):
    ctx, stderr = make_context(tmp_path, monkeypatch, verbose=True)
    key = ctx.secrets.get("mouser", "api_key").value
    assert key == SENTINEL
    http = mouser_http(ctx)
    first = send_secret_three_ways(http, local_server.url("/search"), key)
    second = send_secret_three_ways(http, local_server.url("/search"), key)
    assert first.status_code == second.status_code == 200
    assert len(local_server.requests_for("/search")) == 1, "second call must be a cache hit"
    received = local_server.requests_for("/search")[0]
    assert received.query["apiKey"] == [SENTINEL], "the real request still carries the key"
    ctx.close()
    log = stderr.getvalue()
    assert "POST" in log and "/search" in log
    assert SENTINEL not in log
    for path in ctx.cache_dir().iterdir():
        assert SENTINEL.encode() not in path.read_bytes(), path


def test_run_statistics_reach_cache_stats(tmp_path, monkeypatch, local_server):
    ctx, _ = make_context(tmp_path, monkeypatch)
    http = mouser_http(ctx)
    for _ in range(3):
        http.request("GET", local_server.url("/part"), params={"q": "LM358"})
    ctx.close()
    assert len(local_server.requests_for("/part")) == 1
    out = invoke("--json", "cache", "stats")
    assert out.exit_code == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["last_run"]["hits"] == 2
    assert doc["last_run"]["misses"] == 1
    assert doc["providers"]["mouser"]["calls_today"] == 1
    assert doc["entries"] == 1
    assert doc["other_entries"] == 1  # served by 127.0.0.1, not mouser's configured base URL


def test_offline_flag_turns_a_miss_into_an_error(tmp_path, monkeypatch, local_server):
    ctx, _ = make_context(tmp_path, monkeypatch, offline=True)
    with pytest.raises(OfflineMissError, match="mouser"):
        mouser_http(ctx).request("GET", local_server.url("/never"))
    assert local_server.requests_for("/never") == []
    ctx.close()


def test_cache_clear_for_one_provider(tmp_path, monkeypatch, local_server):
    config = tmp_path / "opencircuit.toml"
    config.write_text(
        f'[providers.mouser]\nbase_url = "{local_server.url("/api")}"\nrate_limit = 6000\n'
    )
    ctx, _ = make_context(tmp_path, monkeypatch)
    http = mouser_http(ctx)
    http.request("GET", local_server.url("/api/a"))
    http.request("GET", local_server.url("/api/b"))
    http.request("GET", local_server.url("/elsewhere"))
    ctx.close()
    doc = json.loads(invoke("cache", "stats", "--json").stdout)
    assert (doc["entries"], doc["providers"]["mouser"]["entries"]) == (3, 2)
    out = invoke("cache", "clear", "mouser")
    assert out.exit_code == 0
    assert "deleted 2 cached answers of mouser" in out.stderr
    doc = json.loads(invoke("cache", "stats", "--json").stdout)
    assert (doc["entries"], doc["providers"]["mouser"]["entries"]) == (1, 0)
    assert invoke("cache", "clear").exit_code == 0
    assert json.loads(invoke("cache", "stats", "--json").stdout)["entries"] == 0


def test_cache_path_may_name_a_directory(tmp_path, monkeypatch):
    shared = tmp_path / "shared-cache"
    shared.mkdir()
    (tmp_path / "opencircuit.toml").write_text(f'[cache]\npath = "{shared}"\n')
    ctx, _ = make_context(tmp_path, monkeypatch)
    assert ctx.cache_path() == shared / "http_cache.sqlite"
    assert ctx.cache_dir() == shared


def test_cache_stats_refuses_a_redis_backend_clearly(tmp_path):
    (tmp_path / "opencircuit.toml").write_text('[cache]\nbackend = "redis"\n')
    out = invoke("cache", "stats")
    assert out.exit_code == 2
    assert "redis" in out.stderr and "SQLite" in out.stderr
