"""Every error the tool raises on purpose, and the exit code each one maps to.

`cli/app.py` is the only place these become exit codes; everything below the CLI raises them
and never prints. Messages say what happened and to what; `hint` says what to do next.
Messages must never contain a secret value.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # success; a search with no hits is a success
    UNEXPECTED = 1  # a bug: traceback only with --verbose, never with local variables
    USAGE = 2  # bad flags, or a missing answer in non-interactive mode
    CONFIG = 3  # unreadable TOML, unknown key, unset ${VAR} without default
    AUTH = 4  # no credentials, or credentials rejected
    PROVIDER = 5  # no enabled provider could answer (offline miss, all down, quota spent)
    INCOMPLETE = 6  # result written but some lines unpriced / short, or price found no offer
    INPUT = 7  # BOM file unreadable or no usable columns
    INTERRUPTED = 130  # Ctrl-C; no partial output file is left behind


class OpenCircuitError(Exception):
    """Base of all expected errors. `hint` is the "what to do next" line shown under the message."""

    exit_code: ExitCode = ExitCode.UNEXPECTED
    kind = "error"  # short machine-readable class, for the `errors` list of JSON documents

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(OpenCircuitError):
    exit_code = ExitCode.USAGE


class ConfigError(OpenCircuitError):
    """A configuration problem; `key` is the dotted key path (`providers.mouser.rate_limit`)."""

    exit_code = ExitCode.CONFIG

    def __init__(
        self,
        message: str,
        *,
        key: str | None = None,
        source: str | None = None,
        hint: str | None = None,
    ) -> None:
        where = " ".join(part for part in (source, f"[{key}]" if key else None) if part)
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.key = key
        self.source = source


class AuthError(OpenCircuitError):
    exit_code = ExitCode.AUTH
    kind = "auth"

    def __init__(self, message: str, *, provider: str | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.provider = provider


class KeyringUnavailableError(AuthError):
    """No usable OS keyring backend (headless Linux, CI)."""


class ProviderError(OpenCircuitError):
    """A provider could not answer. Carries the provider name so results can list it in `errors`."""

    exit_code = ExitCode.PROVIDER
    kind = "provider"

    def __init__(self, provider: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"{provider}: {message}", hint=hint)
        self.provider = provider


class NetworkError(ProviderError):
    kind = "network"


class ProviderTimeoutError(NetworkError):
    kind = "timeout"


class HttpStatusError(ProviderError):
    """The provider answered with an HTTP error status that retrying will not fix."""

    kind = "http"

    def __init__(self, provider: str, status: int, message: str, *, hint: str | None = None):
        super().__init__(provider, message, hint=hint)
        self.status = status


class RateLimitedError(ProviderError):
    kind = "rate_limit"


class OfflineMissError(ProviderError):
    kind = "offline_miss"


class QuotaExceededError(ProviderError):
    kind = "quota"


class CircuitOpenError(ProviderError):
    kind = "circuit_open"


class IncompleteError(OpenCircuitError):
    exit_code = ExitCode.INCOMPLETE


class InputError(OpenCircuitError):
    exit_code = ExitCode.INPUT
