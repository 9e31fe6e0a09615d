import stat

import pytest

from opencircuit_cli.config import validate
from opencircuit_cli.errors import ExitCode, KeyringUnavailableError
from opencircuit_cli.secrets import SecretStore, env_var_names, mask, secret_fields

SENTINEL = "SENTINEL-5f3c9a1e-secret-value"


def make_store(tmp_path, environ=None, keyring_loader=None, seen=None):
    environ = environ or {}
    config = validate({}, environ, source=None)
    kwargs = {}
    if keyring_loader is not None:
        kwargs["keyring_loader"] = keyring_loader
    if seen is not None:
        kwargs["on_secret"] = seen.append
    return SecretStore(config, environ, tmp_path / "conf" / "credentials.toml", **kwargs)


def test_mask_never_shows_most_of_a_secret():
    assert mask("abcdefghijklmnopqrstuvwxyz") == "abcd…wxyz"
    assert mask("abcdefghijklm") == "ab…lm"
    assert mask("short") == "****"
    assert mask("") == ""
    assert mask(None) == ""


def test_secret_fields_and_env_names_come_from_the_schema(tmp_path):
    from opencircuit_cli.settings import DigikeySettings, MouserSettings, NexarSettings

    assert secret_fields(MouserSettings) == ["api_key"]
    assert secret_fields(DigikeySettings) == ["client_id", "client_secret"]
    assert env_var_names(NexarSettings) == ["NEXAR_CLIENT_ID", "NEXAR_CLIENT_SECRET"]
    assert make_store(tmp_path).fields("digikey") == ["client_id", "client_secret"]


def test_environment_beats_keyring(tmp_path, memory_keyring):
    memory_keyring.set_password("opencircuit", "mouser.api_key", "from-keyring")
    store = make_store(tmp_path, {"MOUSER_API_KEY": "from-env"})
    found = store.get("mouser", "api_key")
    assert found.value == "from-env"
    assert found.kind == "env"
    assert "MOUSER_API_KEY" in found.where


def test_keyring_round_trip_with_in_memory_backend(tmp_path, memory_keyring):
    store = make_store(tmp_path)
    assert store.get("mouser", "api_key").kind == "none"
    where = store.store("mouser", "api_key", SENTINEL, insecure=False)
    assert "keyring" in where
    assert memory_keyring.store[("opencircuit", "mouser.api_key")] == SENTINEL
    found = store.get("mouser", "api_key")
    assert (found.value, found.kind) == (SENTINEL, "keyring")
    assert store.delete("mouser", "api_key") == ["keyring"]
    assert store.get("mouser", "api_key").value is None


def test_secret_repr_is_masked(tmp_path):
    store = make_store(tmp_path, {"MOUSER_API_KEY": SENTINEL})
    assert SENTINEL not in repr(store.get("mouser", "api_key"))


def test_found_secrets_are_reported_for_redaction(tmp_path):
    seen: list[str] = []
    store = make_store(tmp_path, {"NEXAR_CLIENT_SECRET": SENTINEL}, seen=seen)
    store.get("nexar", "client_secret")
    store.get("nexar", "client_id")
    assert seen == [SENTINEL]


def test_no_keyring_is_an_auth_error_naming_the_variables(tmp_path):
    store = make_store(tmp_path, keyring_loader=lambda: None)
    assert store.get("digikey", "client_id").kind == "none"
    with pytest.raises(KeyringUnavailableError) as info:
        store.store("digikey", "client_id", SENTINEL, insecure=False)
    assert info.value.exit_code == ExitCode.AUTH
    assert "DIGIKEY_CLIENT_ID" in info.value.hint
    assert "DIGIKEY_CLIENT_SECRET" in info.value.hint
    assert "--insecure-storage" in info.value.hint
    assert SENTINEL not in str(info.value)


def test_insecure_storage_writes_a_0600_file_and_is_found_last(tmp_path, memory_keyring):
    store = make_store(tmp_path, keyring_loader=lambda: None)
    where = store.store("mouser", "api_key", SENTINEL, insecure=True)
    path = tmp_path / "conf" / "credentials.toml"
    assert str(path) in where
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    found = store.get("mouser", "api_key")
    assert (found.value, found.kind) == (SENTINEL, "file")
    assert "insecure" in found.where
    store.store("digikey", "client_id", "other", insecure=True)
    assert store.delete("mouser", "api_key") == [f"plaintext file {path}"]
    assert SENTINEL not in path.read_text()
    assert store.get("digikey", "client_id").value == "other"


def test_keyring_wins_over_insecure_file(tmp_path, memory_keyring):
    store = make_store(tmp_path)
    store.store("mouser", "api_key", "in-file", insecure=True)
    store.store("mouser", "api_key", "in-keyring", insecure=False)
    assert store.get("mouser", "api_key").value == "in-keyring"


def test_literal_config_value_is_reported_as_config(tmp_path):
    config = validate({"providers": {"mouser": {"api_key": "literal-value"}}}, {}, source=None)
    store = SecretStore(config, {}, tmp_path / "c.toml")
    assert store.get("mouser", "api_key").kind == "config"


def test_headless_linux_without_session_bus_has_no_keyring(tmp_path, monkeypatch):
    from opencircuit_cli import secrets

    monkeypatch.setattr(secrets.sys, "platform", "linux")
    monkeypatch.setattr(secrets, "_dbus_session_bus", lambda environ: False)
    assert secrets.load_keyring({"XDG_CONFIG_HOME": str(tmp_path)}) is None


def test_a_keyring_chosen_by_the_user_is_honoured(tmp_path, monkeypatch, memory_keyring):
    from opencircuit_cli import secrets

    monkeypatch.setattr(secrets.sys, "platform", "linux")
    monkeypatch.setattr(secrets, "_dbus_session_bus", lambda environ: False)
    environ = {"PYTHON_KEYRING_BACKEND": "tests.support.memory_keyring.MemoryKeyring"}
    assert secrets.load_keyring(environ) is memory_keyring
    rc = tmp_path / "python_keyring" / "keyringrc.cfg"
    rc.parent.mkdir()
    rc.write_text("[backend]\ndefault-keyring=tests.support.memory_keyring.MemoryKeyring\n")
    assert secrets.load_keyring({"XDG_CONFIG_HOME": str(tmp_path)}) is memory_keyring
