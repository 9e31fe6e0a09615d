"""The real entry point: exit codes and which stream each message goes to."""

import json
import stat
from pathlib import Path

from opencircuit_cli import __version__
from tests.support.cli import REPO, invoke, run_subprocess

SENTINEL = "SENTINEL-5f3c9a1e-secret-value"


def test_version_and_help_exit_0_on_stdout():
    out = invoke("--version")
    assert (out.exit_code, out.stdout.strip()) == (0, f"opencircuit {__version__}")
    out = invoke("--help")
    assert out.exit_code == 0
    assert "auth" in out.stdout and "config" in out.stdout


def test_bad_flag_is_usage_error_2_on_stderr():
    out = invoke("--no-such-flag", "config", "show")
    assert out.exit_code == 2
    assert out.stdout == ""
    assert "No such option" in out.stderr


def test_conflicting_cache_flags_are_usage_error():
    out = invoke("--offline", "--no-cache", "config", "show")
    assert out.exit_code == 2
    assert "exclude each other" in out.stderr


def test_missing_config_file_is_exit_3_naming_it(tmp_path):
    out = invoke("--config", str(tmp_path / "missing.toml"), "config", "show")
    assert out.exit_code == 3
    assert "missing.toml" in out.stderr
    assert out.stdout == ""


def test_unknown_key_is_exit_3_with_hint(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[providers.mouser]\nratelimit = 5\n")
    out = invoke("--config", str(path), "config", "show")
    assert out.exit_code == 3
    assert "providers.mouser.ratelimit" in out.stderr
    assert "did you mean 'rate_limit'" in out.stderr


def test_config_show_with_example_config_masks_secrets(monkeypatch):
    monkeypatch.setenv("MOUSER_API_KEY", SENTINEL)
    out = invoke("--config", str(REPO / "config.example.toml"), "config", "show")
    assert out.exit_code == 0
    assert "[providers.mouser]" in out.stdout
    assert SENTINEL not in out.stdout + out.stderr
    assert "SENT…alue" in out.stdout
    doc = json.loads(invoke("--json", "config", "show").stdout)
    assert doc["schema"] == "opencircuit.config/1"
    assert doc["config"]["providers"]["mouser"]["api_key"] == "SENT…alue"


def test_config_path_prints_the_file_in_use(tmp_path, isolated_home):
    out = invoke("config", "path")
    assert out.stdout.strip() == str(isolated_home / "config" / "opencircuit" / "config.toml")
    assert "built-in defaults" in out.stderr
    (tmp_path / "opencircuit.toml").write_text("")
    out = invoke("config", "path", "--json")
    doc = json.loads(out.stdout)
    assert doc["path"] == str(tmp_path / "opencircuit.toml")
    assert [c["how"] for c in doc["candidates"]] == ["working directory", "user config"]


def test_config_init_writes_and_refuses_to_overwrite(tmp_path):
    target = tmp_path / "new" / "config.toml"
    out = invoke("config", "init", str(target))
    assert out.exit_code == 0
    assert f"wrote {target}" in out.stderr
    assert target.read_text() == (REPO / "config.example.toml").read_text()
    target.write_text("# mine\n")
    out = invoke("config", "init", str(target))
    assert out.exit_code == 2
    assert "--force" in out.stderr
    assert target.read_text() == "# mine\n"
    out = invoke("config", "init", str(target), "--force")
    assert out.exit_code == 0
    assert (tmp_path / "new" / "config.toml.bak").read_text() == "# mine\n"
    assert target.read_text().startswith("# OpenCircuit configuration.")


def test_auth_login_with_token_then_status_and_logout(memory_keyring):
    out = invoke("auth", "login", "mouser", "--with-token", input=SENTINEL + "\n")
    assert out.exit_code == 0, out.stderr
    assert memory_keyring.store[("opencircuit", "mouser.api_key")] == SENTINEL
    assert SENTINEL not in out.stdout + out.stderr
    status = invoke("--offline", "auth", "status")
    assert status.exit_code == 0
    assert "SENT…alue" in status.stdout
    assert "keyring" in status.stdout
    assert SENTINEL not in status.stdout + status.stderr
    doc = json.loads(invoke("--offline", "auth", "status", "--json").stdout)
    mouser = next(p for p in doc["providers"] if p["name"] == "mouser")
    assert mouser["credentials"][0]["source"] == "keyring"
    assert [p["name"] for p in doc["providers"]] == ["mouser", "digikey", "nexar", "catalog"]
    out = invoke("auth", "logout", "mouser")
    assert out.exit_code == 0
    assert "removed mouser.api_key from keyring" in out.stderr
    assert ("opencircuit", "mouser.api_key") not in memory_keyring.store


def test_auth_status_names_environment_source(monkeypatch):
    monkeypatch.setenv("DIGIKEY_CLIENT_SECRET", SENTINEL)
    doc = json.loads(invoke("--json", "auth", "status").stdout)
    digikey = next(p for p in doc["providers"] if p["name"] == "digikey")
    secret = next(c for c in digikey["credentials"] if c["field"] == "client_secret")
    assert secret["source"] == "env"
    assert "DIGIKEY_CLIENT_SECRET" in secret["where"]
    assert SENTINEL not in json.dumps(doc)


def test_auth_login_without_terminal_is_usage_error_naming_alternatives():
    out = invoke("--no-input", "auth", "login", "nexar")
    assert out.exit_code == 2
    assert "--with-token" in out.stderr
    assert "NEXAR_CLIENT_ID" in out.stderr


def test_auth_login_with_token_needs_one_line_per_field():
    out = invoke("auth", "login", "digikey", "--with-token", input="only-one\n")
    assert out.exit_code == 2
    assert "expected 2" in out.stderr


def test_auth_login_unknown_provider_is_usage_error_with_hint():
    out = invoke("auth", "login", "mouzer", "--with-token", input="x\n")
    assert out.exit_code == 2
    assert "did you mean 'mouser'" in out.stderr


def test_subprocess_no_keyring_backend_exits_4_naming_variables(tmp_path):
    out = run_subprocess(
        "auth",
        "login",
        "mouser",
        "--with-token",
        keyring_file=tmp_path / "kr.json",
        input=SENTINEL + "\n",
        extra_env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    assert out.exit_code == 4
    assert "MOUSER_API_KEY" in out.stderr
    assert "--insecure-storage" in out.stderr
    assert out.stdout == ""
    assert SENTINEL not in out.stderr


def test_subprocess_insecure_storage_is_0600_and_status_says_so(tmp_path, isolated_home):
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    out = run_subprocess(
        "auth",
        "login",
        "mouser",
        "--with-token",
        "--insecure-storage",
        keyring_file=tmp_path / "kr.json",
        input=SENTINEL + "\n",
        extra_env=env,
    )
    assert out.exit_code == 0, out.stderr
    path = isolated_home / "config" / "opencircuit" / "credentials.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    status = run_subprocess(
        "--offline", "auth", "status", keyring_file=tmp_path / "kr.json", extra_env=env
    )
    assert status.exit_code == 0
    assert "insecure" in status.stdout + status.stderr
    assert str(path) in status.stderr
    assert SENTINEL not in status.stdout + status.stderr


def test_subprocess_keyring_login_persists_between_runs(tmp_path):
    keyring_file = tmp_path / "kr.json"
    out = run_subprocess(
        "auth", "login", "mouser", "--with-token", keyring_file=keyring_file, input=SENTINEL
    )
    assert out.exit_code == 0, out.stderr
    status = run_subprocess("--offline", "--json", "auth", "status", keyring_file=keyring_file)
    doc = json.loads(status.stdout)
    assert doc["providers"][0]["credentials"][0]["source"] == "keyring"
    assert SENTINEL not in status.stdout


def test_subprocess_bad_config_is_exit_3_on_stderr(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[providers.mouser]\napi_key = "${UNSET_VARIABLE_XYZ}"\n')
    out = run_subprocess("--config", str(path), "config", "show", keyring_file=tmp_path / "k")
    assert out.exit_code == 3
    assert "providers.mouser.api_key" in out.stderr
    assert "UNSET_VARIABLE_XYZ" in out.stderr
    assert out.stdout == ""
    assert "Traceback" not in out.stderr


def test_ctrl_c_exits_130_without_traceback(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    env = dict(os.environ, PYTHONPATH=str(REPO), NO_COLOR="1")
    env["PYTHON_KEYRING_BACKEND"] = "tests.support.memory_keyring.FileKeyring"
    env["OPENCIRCUIT_TEST_KEYRING"] = str(tmp_path / "kr.json")
    proc = subprocess.Popen(
        [sys.executable, "-m", "opencircuit_cli", "auth", "login", "mouser", "--with-token"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    wchan = Path(f"/proc/{proc.pid}/wchan")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # wait until it blocks reading stdin
        if wchan.exists() and "pipe_read" in wchan.read_text():
            break
        time.sleep(0.05)
    else:
        time.sleep(3)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert b"Traceback" not in stderr
    assert not (tmp_path / "kr.json").exists()
