"""OAuth 2 tokens for DigiKey and Nexar: requested with httpx (never through the HTTP cache),
kept between runs, reused until shortly before they expire.

A token is stored as ONE value (`<provider>.token`, JSON with the access token, its expiry and the
refresh token), so a rotated refresh token replaces the old one in a single write: there is no
moment where the store holds a new access token with an old refresh token or the reverse. Where
it goes: the OS keyring; the 0600 credentials file when the user chose `--insecure-storage`;
otherwise (no keyring, e.g. CI) only memory, so each run asks for one token.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from opencircuit_cli.errors import AuthError, NetworkError, ProviderError
from opencircuit_cli.secrets import mask

if TYPE_CHECKING:
    from opencircuit_cli.secrets import SecretStore

TOKEN_FIELD = "token"
EXPIRY_MARGIN = 120.0  # seconds before expiry at which a token counts as expired


@dataclass(frozen=True)
class OAuthToken:
    access_token: str
    expires_at: float  # epoch seconds
    token_type: str = "Bearer"
    refresh_token: str | None = None
    refresh_expires_at: float | None = None
    obtained_at: float = 0.0  # when this token (and its refresh token) arrived
    flow: str = "client_credentials"

    def usable(self, now: float, margin: float = EXPIRY_MARGIN) -> bool:
        return bool(self.access_token) and now < self.expires_at - margin

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> OAuthToken | None:
        try:
            data = json.loads(text)
            return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
        except (ValueError, TypeError):
            return None

    def __repr__(self) -> str:  # tracebacks and logs must not show the token
        return f"OAuthToken({mask(self.access_token)!r}, expires_at={self.expires_at:.0f})"


def parse_token_response(
    body: Mapping[str, Any], now: float, flow: str = "client_credentials"
) -> OAuthToken:
    """An RFC 6749 token response (`access_token`, `expires_in`, optional `refresh_token` and
    DigiKey's `refresh_token_expires_in`). Pure."""
    access = body.get("access_token")
    if not isinstance(access, str) or not access:
        raise ValueError("no access_token in the token response")
    expires_in = float(body.get("expires_in") or 0) or 3600.0
    refresh = body.get("refresh_token") or None
    refresh_in = body.get("refresh_token_expires_in")
    return OAuthToken(
        access_token=access,
        expires_at=now + expires_in,
        token_type=str(body.get("token_type") or "Bearer"),
        refresh_token=refresh if isinstance(refresh, str) else None,
        refresh_expires_at=now + float(refresh_in) if refresh_in else None,
        obtained_at=now,
        flow=flow,
    )


class TokenCache:
    """Where a provider's token lives between runs (see the module docstring). Thread-safe."""

    def __init__(
        self,
        secrets: SecretStore,
        *,
        on_secret: Callable[[str], None] = lambda value: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secrets = secrets
        self._on_secret = on_secret
        self._clock = clock
        self._memory: dict[str, OAuthToken] = {}
        self._lock = threading.Lock()

    def load(self, provider: str) -> OAuthToken | None:
        with self._lock:
            if provider in self._memory:
                return self._memory[provider]
        stored = self._secrets.stored(provider, TOKEN_FIELD)
        token = OAuthToken.from_json(stored.value) if stored.value else None
        if token is not None:
            self._register(token)
            with self._lock:
                self._memory[provider] = token
        return token

    def save(self, provider: str, token: OAuthToken) -> str:
        """Keep `token` for later runs in one write; returns where it went."""
        self._register(token)
        with self._lock:
            self._memory[provider] = token
        insecure = self._secrets.uses_insecure_file(provider)
        if not insecure and self._secrets.keyring() is None:
            return "memory (no keyring: a new token is requested each run)"
        return self._secrets.store(provider, TOKEN_FIELD, token.to_json(), insecure=insecure)

    def clear(self, provider: str) -> list[str]:
        with self._lock:
            self._memory.pop(provider, None)
        return self._secrets.delete(provider, TOKEN_FIELD)

    def _register(self, token: OAuthToken) -> None:
        self._on_secret(token.access_token)
        if token.refresh_token:
            self._on_secret(token.refresh_token)


def request_token(
    provider: str,
    token_url: str,
    form: Mapping[str, str],
    *,
    timeout: float = 30.0,
    flow: str = "client_credentials",
    clock: Callable[[], float] = time.time,
) -> OAuthToken:
    """POST a token request (form-encoded) with httpx. Errors quote the server's own text."""
    import httpx

    try:
        response = httpx.post(
            token_url, data=dict(form), timeout=timeout, headers={"Accept": "application/json"}
        )
    except httpx.TimeoutException:
        raise NetworkError(
            provider,
            f"the token endpoint did not answer within {timeout:g} s",
            hint="check the network, or providers.<name>.token_url",
        ) from None
    except httpx.HTTPError as exc:
        raise NetworkError(
            provider,
            f"cannot reach the token endpoint ({type(exc).__name__})",
            hint="check the network, or providers.<name>.token_url",
        ) from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code in (400, 401, 403):
        detail = body.get("error_description") or body.get("error") or body.get("ErrorMessage")
        raise AuthError(
            f"{provider}: the token request was refused (HTTP {response.status_code}"
            + (f": {detail}" if detail else "")
            + ")",
            provider=provider,
            hint=f"check the {provider} client id and secret, or run "
            f"`opencircuit auth login {provider}` again",
        )
    if response.status_code >= 300:
        raise ProviderError(
            provider, f"token endpoint answered HTTP {response.status_code}", hint="try again later"
        )
    try:
        return parse_token_response(body, clock(), flow)
    except ValueError as exc:
        raise ProviderError(provider, f"unexpected token response: {exc}") from None
