"""Credential lookup and storage.

Lookup order, first hit wins: (1) the config value after `${VAR}` expansion (normally an
environment variable), (2) the OS keyring (service `opencircuit`, user `<provider>.<field>`),
(3) the plaintext file written only by `auth login --insecure-storage`. Every answer carries its
source so `auth status` can say where a credential came from. Values never appear in messages.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from opencircuit_cli.config import Config
from opencircuit_cli.errors import KeyringUnavailableError

KEYRING_SERVICE = "opencircuit"
INSECURE_FILE_NAME = "credentials.toml"


def mask(value: str | None) -> str:
    """`abcd…wxyz` for long secrets; short ones reveal almost nothing."""
    if not value:
        return ""
    if len(value) >= 20:
        return f"{value[:4]}…{value[-4:]}"
    if len(value) >= 12:
        return f"{value[:2]}…{value[-2:]}"
    return "****"


def secret_fields(settings_class: type) -> list[str]:
    return [f.name for f in fields(settings_class) if f.metadata.get("secret")]


def env_var_names(settings_class: type) -> list[str]:
    """The environment variables the defaults read for a provider's secrets (`${VAR:-}`)."""
    names = []
    for spec in fields(settings_class):
        default = spec.default
        if spec.metadata.get("secret") and isinstance(default, str) and default.startswith("${"):
            names.append(default.removeprefix("${").split(":-")[0].rstrip("}"))
    return names


@dataclass(frozen=True)
class SecretValue:
    provider: str
    field: str
    value: str | None
    kind: str  # "env", "config", "keyring", "file" or "none"
    where: str  # human-readable source, e.g. "environment variable MOUSER_API_KEY"

    @property
    def masked(self) -> str:
        return mask(self.value)

    def __repr__(self) -> str:  # a stray repr() or traceback must not show the value
        return f"SecretValue({self.provider}.{self.field}, {self.kind}, {self.masked!r})"


KeyringLoader = Callable[[], Any]


def load_keyring(environ: Mapping[str, str] | None = None) -> Any | None:
    """The usable keyring backend, or None (headless Linux without a Secret Service, CI).

    A backend chosen by the user (`PYTHON_KEYRING_BACKEND` or keyringrc.cfg) is always honoured
    through keyring's own detection. Otherwise, on Linux, the only backends that can work talk
    to the D-Bus session bus, so without one there is no keyring and `keyring` is not even
    imported (importing it costs ~90 ms; its full detection another ~60 ms, most of it the
    macOS backend probing for frameworks with ldconfig and gcc), which keeps `auth status`
    inside its start-up budget. With a bus, only the Linux backends are probed.
    """
    environ = os.environ if environ is None else environ
    linux = sys.platform.startswith("linux")
    if linux and not _keyring_configured(environ):
        if not _dbus_session_bus(environ):
            return None
        import keyring

        backend = _best_linux_backend()
        if backend is None:
            return None
        keyring.set_keyring(backend)
        return backend
    import keyring
    from keyring.backends import chainer, fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    return backend


def _keyring_configured(environ: Mapping[str, str]) -> bool:
    """keyring's own choice applies: an environment variable or its Linux config file."""
    if environ.get("PYTHON_KEYRING_BACKEND"):
        return True
    config_home = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return (Path(config_home) / "python_keyring" / "keyringrc.cfg").is_file()


def _dbus_session_bus(environ: Mapping[str, str]) -> bool:
    if environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return True
    return Path(f"/run/user/{os.getuid()}/bus").exists()


def _best_linux_backend() -> Any | None:
    from keyring.backends import SecretService, kwallet, libsecret

    classes = (SecretService.Keyring, libsecret.Keyring, kwallet.DBusKeyring)
    viable = [cls() for cls in classes if cls.viable]
    return max(viable, key=lambda backend: backend.priority, default=None)


class SecretStore:
    def __init__(
        self,
        config: Config,
        environ: Mapping[str, str],
        insecure_path: Path,
        *,
        keyring_loader: KeyringLoader = load_keyring,
        on_secret: Callable[[str], None] = lambda value: None,
    ) -> None:
        self._config = config
        self._environ = environ
        self._insecure_path = insecure_path
        self._keyring_loader = keyring_loader
        self._keyring: Any = None
        self._keyring_loaded = False
        self._on_secret = on_secret

    @property
    def insecure_path(self) -> Path:
        return self._insecure_path

    def fields(self, provider: str) -> list[str]:
        return secret_fields(type(self._config.provider(provider)))

    def env_vars(self, provider: str) -> list[str]:
        return env_var_names(type(self._config.provider(provider)))

    def keyring(self) -> Any | None:
        if not self._keyring_loaded:
            self._keyring = self._keyring_loader()
            self._keyring_loaded = True
        return self._keyring

    def get(self, provider: str, field: str) -> SecretValue:
        found = self._lookup(provider, field)
        if found.value:
            self._on_secret(found.value)
        return found

    def _lookup(self, provider: str, field: str) -> SecretValue:
        key = f"providers.{provider}.{field}"
        value = getattr(self._config.provider(provider), field)
        if value:
            used = [v for v in self._config.env_refs.get(key, ()) if self._environ.get(v)]
            if used:
                return SecretValue(provider, field, value, "env", f"environment variable {used[0]}")
            return SecretValue(
                provider, field, value, "config", f"config file {self._config.source}"
            )
        found = self._stored(provider, field)
        return found if found.value else SecretValue(provider, field, None, "none", "not set")

    def stored(self, provider: str, field: str) -> SecretValue:
        """A value kept by opencircuit itself (e.g. an OAuth token): keyring, then the file."""
        found = self._stored(provider, field)
        if found.value:
            self._on_secret(found.value)
        return found

    def _stored(self, provider: str, field: str) -> SecretValue:
        value = self._keyring_get(provider, field)
        kind, where = "keyring", f"keyring ({KEYRING_SERVICE}/{provider}.{field})"
        if not value:
            found = self._read_insecure().get(provider, {}).get(field)
            value = found if isinstance(found, str) and found else None
            kind, where = "file", f"plaintext file {self._insecure_path} (insecure)"
        if not value:
            return SecretValue(provider, field, None, "none", "not stored")
        return SecretValue(provider, field, value, kind, where)

    def uses_insecure_file(self, provider: str) -> bool:
        """The user chose `--insecure-storage` for this provider."""
        return bool(self._read_insecure().get(provider))

    def _keyring_get(self, provider: str, field: str) -> str | None:
        backend = self.keyring()
        if backend is None:
            return None
        from keyring.errors import KeyringError

        try:
            return backend.get_password(KEYRING_SERVICE, f"{provider}.{field}")
        except KeyringError:
            return None

    def store(self, provider: str, field: str, value: str, *, insecure: bool) -> str:
        """Save a secret; returns where it went. Without a keyring and without `insecure`: error."""
        self._on_secret(value)
        if insecure:
            data = self._read_insecure()
            data.setdefault(provider, {})[field] = value
            self._write_insecure(data)
            return f"plaintext file {self._insecure_path} (mode 0600)"
        backend = self.require_keyring(provider)
        from keyring.errors import KeyringError

        try:
            backend.set_password(KEYRING_SERVICE, f"{provider}.{field}", value)
        except KeyringError as exc:
            raise KeyringUnavailableError(
                f"the OS keyring refused to store {provider}.{field}: {type(exc).__name__}",
                provider=provider,
                hint=self._no_keyring(provider).hint,
            ) from None
        return f"keyring ({KEYRING_SERVICE}/{provider}.{field})"

    def delete(self, provider: str, field: str) -> list[str]:
        """Remove a stored secret from the keyring and the plaintext file; returns where from."""
        removed = []
        backend = self.keyring()
        if backend is not None:
            from keyring.errors import KeyringError, PasswordDeleteError

            with contextlib.suppress(PasswordDeleteError, KeyringError):
                backend.delete_password(KEYRING_SERVICE, f"{provider}.{field}")
                removed.append("keyring")
        data = self._read_insecure()
        if field in data.get(provider, {}):
            del data[provider][field]
            if not data[provider]:
                del data[provider]
            self._write_insecure(data)
            removed.append(f"plaintext file {self._insecure_path}")
        return removed

    def require_keyring(self, provider: str) -> Any:
        backend = self.keyring()
        if backend is None:
            raise self._no_keyring(provider)
        return backend

    def _no_keyring(self, provider: str) -> KeyringUnavailableError:
        names = " and ".join(self.env_vars(provider)) or "the provider's settings"
        return KeyringUnavailableError(
            "no usable OS keyring on this machine (no Secret Service / Keychain / Credential "
            "Manager backend)",
            provider=provider,
            hint=f"set {names} in the environment instead (what CI does), or run "
            f"`opencircuit auth login {provider} --insecure-storage` to keep it in a file "
            "readable only by you",
        )

    def _read_insecure(self) -> dict[str, dict[str, Any]]:
        try:
            return tomllib.loads(self._insecure_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            return {}

    def _write_insecure(self, data: dict[str, dict[str, Any]]) -> None:
        import tomli_w

        from opencircuit_cli.atomic import write_private

        write_private(self._insecure_path, tomli_w.dumps(data))

    def insecure_file_mode(self) -> int | None:
        try:
            return self._insecure_path.stat().st_mode & 0o777
        except FileNotFoundError:
            return None
