"""The cached session: file permissions, secrets kept out of the file, concurrent writers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import types
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
import requests_cache

from opencircuit_cli.errors import ConfigError
from opencircuit_cli.http.cache_admin import CacheAdmin
from opencircuit_cli.http.policy import CacheMode
from opencircuit_cli.http.quota import QuotaLedger
from opencircuit_cli.http.redact import Redactor
from opencircuit_cli.http.session import build_session
from tests.http.conftest import Harness, limits
from tests.support.server import LocalServer, ReceivedRequest, Reply

REPO_ROOT = Path(__file__).resolve().parents[2]


def cache_files(cache_path: Path) -> list[Path]:
    return [p for p in cache_path.parent.iterdir() if p.name.startswith(cache_path.name)]


def cache_bytes(cache_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in cache_files(cache_path))


# -- files and permissions ------------------------------------------------------------------------


def test_default_cache_dir_is_created_private(isolated_home: Path, redactor: Redactor) -> None:
    session = build_session(None, CacheMode.NORMAL, redactor=redactor)
    try:
        cache_dir = isolated_home / "cache" / "opencircuit"
        db = cache_dir / "http_cache.sqlite"
        assert isinstance(session, requests_cache.CachedSession)
        assert db.is_file()
        assert cache_dir.stat().st_mode & 0o777 == 0o700
        assert db.stat().st_mode & 0o777 == 0o600
    finally:
        session.close()


def test_default_cache_dir_is_tightened_if_it_already_exists(
    isolated_home: Path, redactor: Redactor
) -> None:
    cache_dir = isolated_home / "cache" / "opencircuit"
    cache_dir.mkdir(mode=0o755)
    os.chmod(cache_dir, 0o755)
    build_session(None, CacheMode.NORMAL, redactor=redactor).close()
    assert cache_dir.stat().st_mode & 0o777 == 0o700


def test_custom_path_dirs_we_create_are_private_but_shared_dirs_are_left_alone(
    tmp_path: Path, redactor: Redactor, local_server: LocalServer
) -> None:
    nested = tmp_path / "a" / "b" / "http_cache.sqlite"
    session = build_session(nested, CacheMode.NORMAL, redactor=redactor)
    session.get(local_server.url("/x"))  # creates -wal and -shm
    for created in (tmp_path / "a", tmp_path / "a" / "b"):
        assert created.stat().st_mode & 0o777 == 0o700
    for file in cache_files(nested):
        assert file.stat().st_mode & 0o777 == 0o600, file.name
    assert len(cache_files(nested)) >= 2  # the WAL side files really existed
    session.close()

    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o755)
    build_session(shared / "c.sqlite", CacheMode.NORMAL, redactor=redactor).close()
    assert shared.stat().st_mode & 0o777 == 0o755
    assert (shared / "c.sqlite").stat().st_mode & 0o777 == 0o600


def test_a_directory_as_cache_path_gets_the_default_file_name(
    tmp_path: Path, redactor: Redactor
) -> None:
    build_session(tmp_path, CacheMode.NORMAL, redactor=redactor).close()
    assert (tmp_path / "http_cache.sqlite").is_file()


def test_disabled_mode_is_a_plain_session_and_writes_nothing(
    tmp_path: Path, redactor: Redactor
) -> None:
    path = tmp_path / "never" / "http_cache.sqlite"
    session = build_session(path, CacheMode.DISABLED, redactor=redactor)
    assert type(session) is requests.Session
    assert not path.parent.exists()


def test_unusable_cache_path_is_a_config_error(tmp_path: Path, redactor: Redactor) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ConfigError) as error:
        build_session(blocker / "http_cache.sqlite", CacheMode.NORMAL, redactor=redactor)
    assert error.value.key == "cache.path" and error.value.hint


# -- backends -------------------------------------------------------------------------------------


def test_redis_backend_without_the_package_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, redactor: Redactor
) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # import redis -> ImportError
    with pytest.raises(ConfigError) as error:
        build_session(
            None, CacheMode.NORMAL, backend="redis", redis_url="redis://x/0", redactor=redactor
        )
    assert error.value.key == "cache.backend"
    assert error.value.hint == (
        "pip install 'opencircuit-cli[redis]' or set cache.backend = \"sqlite\""
    )


def test_redis_backend_needs_a_url(monkeypatch: pytest.MonkeyPatch, redactor: Redactor) -> None:
    monkeypatch.setitem(sys.modules, "redis", types.ModuleType("redis"))
    with pytest.raises(ConfigError) as error:
        build_session(None, CacheMode.NORMAL, backend="redis", redactor=redactor)
    assert error.value.key == "cache.url"


def test_unknown_backend_is_a_config_error(redactor: Redactor) -> None:
    with pytest.raises(ConfigError) as error:
        build_session(None, CacheMode.NORMAL, backend="memcached", redactor=redactor)
    assert error.value.key == "cache.backend"


# -- secrets --------------------------------------------------------------------------------------


def _secret_calls(secret: str) -> list[tuple[str, str, dict[str, object]]]:
    return [
        (
            "GET",
            "/header",
            {
                "headers": {
                    "X-DIGIKEY-Client-Id": secret,
                    "Authorization": f"Bearer {secret}",
                    "X-DIGIKEY-Customer-Id": "0",
                }
            },
        ),
        ("GET", "/query", {"params": {"apiKey": secret, "q": "LM358-query"}}),
        ("POST", "/top", {"json": {"client_secret": secret, "Keywords": "LM358-top"}}),
        (
            "POST",
            "/nested",
            {
                "json": {
                    "SearchByKeywordRequest": {
                        "keyword": "LM358-nested",
                        "auth": {"token": secret},
                        "comment": f"value {secret} inside",
                    }
                }
            },
        ),
        ("GET", "/redirect", {"params": {"apiKey": secret}}),
    ]


def test_secrets_never_reach_the_cache_file_and_rotating_them_keeps_the_cache(
    local_server: LocalServer, make_client: Callable[..., Harness], redactor: Redactor
) -> None:
    first = "SENTINEL" + uuid.uuid4().hex
    redactor.add_secret(first)
    local_server.set_fallback(
        "/redirect", Reply(302, headers={"Location": f"/final?apiKey={first}&x=1"})
    )
    local_server.set_fallback(
        "/final", Reply(200, headers={"X-Echo": first}, body={"ok": True, "echo": first})
    )
    harness = make_client()
    provider = harness.client.for_provider(limits())
    for method, path, kwargs in _secret_calls(first):
        response = provider.request(method, local_server.url(path), **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 200 and not response.from_cache
    # The secret did go over the wire (redaction is for storage, not for the provider) ...
    assert local_server.requests_for("/query")[0].query["apiKey"] == [first]
    assert local_server.requests_for("/header")[0].header("X-DIGIKEY-Client-Id") == first
    assert first in local_server.requests_for("/nested")[0].body.decode()
    served = len(local_server.requests)
    assert served == 6  # five calls plus the redirect target

    # ... but never into the cache file: not while open (WAL) and not after closing.
    assert first.encode() not in cache_bytes(harness.cache_path)
    harness.client.close()
    stored = cache_bytes(harness.cache_path)
    assert first.encode() not in stored
    for marker in (b"LM358-query", b"LM358-top", b"LM358-nested"):
        assert marker in stored  # the grep does see plain text: entries are really there

    # A rotated secret still hits every entry: secrets are not part of the cache key.
    second = "ROTATED" + uuid.uuid4().hex
    redactor.add_secret(second)
    provider = make_client().client.for_provider(limits())
    for method, path, kwargs in _secret_calls(second):
        response = provider.request(method, local_server.url(path), **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 200 and response.from_cache, path
        assert first not in response.text
    assert len(local_server.requests) == served


def test_vary_on_a_credential_header_does_not_defeat_the_cache(
    local_server: LocalServer, make_client: Callable[..., Harness], redactor: Redactor
) -> None:
    local_server.set_fallback(
        "/v", Reply(200, headers={"Vary": "Authorization, Accept-Language"}, body={"v": 1})
    )
    first = make_client().client.for_provider(limits())
    first.request("GET", local_server.url("/v"), headers={"Authorization": "Bearer one-token"})
    again = make_client().client.for_provider(limits())
    response = again.request(
        "GET", local_server.url("/v"), headers={"Authorization": "Bearer other-token"}
    )
    assert response.from_cache
    assert response.headers["Vary"] == "Accept-Language"
    assert len(local_server.requests) == 1


# -- concurrency ----------------------------------------------------------------------------------


def test_two_processes_write_one_cache_file_at_the_same_time(
    tmp_path: Path, local_server: LocalServer, make_client: Callable[..., Harness]
) -> None:
    cache = tmp_path / "cache" / "http_cache.sqlite"
    ledger = tmp_path / "cache" / "ledger.sqlite"
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    processes = []
    for tag in ("a", "b"):
        ready = tmp_path / f"ready-{tag}"
        args = [str(cache), str(ledger), local_server.base_url, tag, "50", str(ready), str(go)]
        processes.append(
            (
                ready,
                subprocess.Popen(
                    [sys.executable, "-m", "tests.http._cache_writer", *args],
                    cwd=REPO_ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    deadline = time.monotonic() + 30
    while not all(ready.exists() for ready, _ in processes):
        assert time.monotonic() < deadline, "writers did not start"
        assert all(p.poll() is None for _, p in processes), processes[0][1].communicate()
        time.sleep(0.01)
    go.touch()
    for _, process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert json.loads(out.strip().splitlines()[-1]) == {"ok": 50, "misses": 50}
        assert "Traceback" not in err and "locked" not in err

    # Their requests really overlapped in time.
    def writer_of(request: ReceivedRequest) -> str:
        return request.json()["tag"] if request.method == "POST" else request.path.split("/")[2]

    stamps = {tag: [r.at for r in local_server.requests if writer_of(r) == tag] for tag in "ab"}
    assert len(stamps["a"]) == len(stamps["b"]) == 50
    assert min(stamps["a"]) < max(stamps["b"]) and min(stamps["b"]) < max(stamps["a"])
    assert len(local_server.requests) == 100

    stats = CacheAdmin(cache, {"writer": local_server.url("/item")}).stats()
    assert stats.entries == 100 and stats.per_provider == {"writer": 100}
    with QuotaLedger(ledger) as book:
        assert book.used_today("writer") == 100
        assert book.run_totals().runs == 2

    # Every entry is readable: an offline pass answers all 100 without the server.
    provider = make_client(CacheMode.OFFLINE).client.for_provider(limits("writer"))
    for tag in ("a", "b"):
        for i in range(50):
            if i % 2:
                body = {"tag": tag, "i": i}
                assert provider.request("POST", local_server.url("/item/post"), json=body).ok
            else:
                assert provider.request("GET", local_server.url(f"/item/{tag}/{i}")).ok
    assert len(local_server.requests) == 100
