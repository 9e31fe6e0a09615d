"""DigiKey OAuth 2: client credentials (no browser, the default) and the authorization-code flow.

Token calls go straight to DigiKey with httpx, never through the HTTP cache. Tokens are kept
through `oauth.TokenCache` (one keyring value per provider, registered with the redactor).

Which flow is used: a token stored by `auth login digikey --flow authorization_code` (it carries
`flow = "authorization_code"` and a refresh token) is used whatever `providers.digikey.flow`
says, because logging in is an explicit act; `auth logout digikey` returns to client
credentials. `flow = "authorization_code"` without such a token is an authentication error that
says what to run.

Refresh-token rotation. DigiKey issues a new refresh token with every refresh and the old one
stops working at once (DigiKey developer FAQ: "The Refresh Token expires in 90 Days, unless it
is exchanged for a new Access Token (and a new refresh token)"). So the dangerous moment is
between DigiKey's answer and our write of it: lose the answer there and the user is logged out.
The mechanism:

1. the refresh request AND the store write run together in a non-daemon worker thread. Ctrl-C
   (KeyboardInterrupt) is only ever delivered to the main thread, so it can interrupt the wait
   but not the worker; and the interpreter waits for non-daemon threads before it exits, so the
   rotated token is written before the process ends;
2. the token is written as ONE value (access + refresh + expiries, `TokenCache.save`), before
   anything uses the new access token: the store never holds a half-rotated pair;
3. a refresh that DigiKey refuses with `invalid_grant` looks at the token cache again: when it
   holds a different refresh token (another thread rotated it meanwhile), that one is tried once.
   Limitation: `TokenCache.load` answers from its in-process memory, so a rotation done by
   ANOTHER process during this run is not seen; that needs a "reload from the store" method in
   `oauth.TokenCache`.

Threads of one run share one `DigikeyAuth` lock: one token request at a time, and a 401 seen by
several threads renews the token once.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from opencircuit_cli.errors import AuthError, NetworkError, ProviderError, UsageError
from opencircuit_cli.oauth import OAuthToken, parse_token_response

if TYPE_CHECKING:
    from opencircuit_cli.oauth import TokenCache
    from opencircuit_cli.secrets import SecretValue
    from opencircuit_cli.settings import DigikeySettings

PROVIDER_NAME = "digikey"
CLIENT_CREDENTIALS = "client_credentials"
AUTHORIZATION_CODE = "authorization_code"
DEFAULT_BASE_URL = "https://api.digikey.com"
SANDBOX_BASE_URL = "https://sandbox-api.digikey.com"
TOKEN_PATH = "/v1/oauth2/token"
AUTHORIZE_PATH = "/v1/oauth2/authorize"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

CREDENTIALS_HINT = (
    "Set DIGIKEY_CLIENT_ID and DIGIKEY_CLIENT_SECRET, or run `opencircuit auth login digikey`. "
    "Apps and their credentials are at developer.digikey.com (Organization > Production Apps)."
)
LOGIN_HINT = (
    "Run `opencircuit auth login digikey --flow authorization_code` to log in again, or "
    "`opencircuit auth logout digikey` to go back to client credentials (no browser)."
)


# -- pure helpers ---------------------------------------------------------------------------------


def api_root(settings: DigikeySettings) -> str:
    """The API host: `base_url`, or the sandbox host when `sandbox = true` and base_url is the
    default (an explicit base_url, e.g. a test server, always wins)."""
    base = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
    if settings.sandbox and base == DEFAULT_BASE_URL:
        return SANDBOX_BASE_URL
    return base


def token_endpoint(settings: DigikeySettings) -> str:
    return settings.token_url or api_root(settings) + TOKEN_PATH


def authorize_endpoint(settings: DigikeySettings) -> str:
    return settings.authorize_url or api_root(settings) + AUTHORIZE_PATH


def new_state() -> str:
    """An unguessable `state` for one authorization request (CSRF protection)."""
    return secrets.token_urlsafe(24)


def authorize_url(settings: DigikeySettings, client_id: str, state: str) -> str:
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": settings.redirect_uri,
            "state": state,
        }
    )
    return f"{authorize_endpoint(settings)}?{query}"


@dataclass(frozen=True)
class LocalCallback:
    """Where to listen for the redirect: only a plain-http loopback redirect URI qualifies."""

    host: str
    port: int
    path: str


def local_callback(redirect_uri: str) -> LocalCallback | None:
    """The listener address when the registered redirect URI points at this machine over http.

    `https://localhost` (DigiKey's suggested default) would need a TLS certificate, so it takes
    the paste-the-URL route instead.
    """
    parts = urlsplit(redirect_uri)
    if parts.scheme != "http" or (parts.hostname or "") not in LOOPBACK_HOSTS:
        return None
    host = "127.0.0.1" if parts.hostname == "localhost" else (parts.hostname or "127.0.0.1")
    return LocalCallback(host, parts.port or 80, parts.path or "/")


def code_from_redirect(redirected_to: str, expected_state: str) -> str:
    """The authorization code from the URL the browser was sent to (or just its query).

    Raises AuthError when DigiKey reported an error, the code is missing, or `state` does not
    match the one this login sent (a forged or stale redirect).
    """
    text = redirected_to.strip()
    query = urlsplit(text).query if "://" in text or text.startswith("/") else text.lstrip("?")
    params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if "error" in params:
        said = params.get("error_description") or params["error"]
        raise AuthError(
            f"DigiKey did not authorize the app: {said}", provider=PROVIDER_NAME, hint=LOGIN_HINT
        )
    state = params.get("state")
    if not state or not secrets.compare_digest(state, expected_state):
        raise AuthError(
            "the redirect's `state` does not match this login (a stale or forged redirect); "
            "nothing was stored",
            provider=PROVIDER_NAME,
            hint="Start `opencircuit auth login digikey --flow authorization_code` again and use "
            "the URL it prints.",
        )
    code = params.get("code")
    if not code:
        raise AuthError(
            "the redirect carries no authorization code", provider=PROVIDER_NAME, hint=LOGIN_HINT
        )
    return code


def token_error_text(body: Any) -> str | None:
    """DigiKey's own words from a token error: OAuth (`error_description`/`error`) or gateway."""
    if not isinstance(body, Mapping):
        return None
    for keys in (("error_description", "error"), ("ErrorMessage", "ErrorDetails"), ("detail",)):
        said = [str(body[k]).strip() for k in keys if body.get(k)]
        if said:
            return ": ".join(dict.fromkeys(said))
    return None


# -- the local callback listener ---------------------------------------------------------------


def wait_for_callback(
    callback: LocalCallback,
    expected_state: str,
    *,
    timeout: float = 300.0,
    on_ready: Callable[[], None] = lambda: None,
) -> str:
    """Listen on 127.0.0.1 for the one redirect to `callback.path`; return its code.

    `on_ready` runs once the socket listens (open the browser there, so a fast redirect cannot
    arrive before the listener). Other paths (favicon) get a 404 and are ignored.
    """
    received: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # never print the code
            pass

        def do_GET(self) -> None:
            if urlsplit(self.path).path != callback.path:
                self.send_error(404)
                return
            received.append(self.path)
            body = b"<html><body>opencircuit: DigiKey login received. You can close this window."
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    try:
        server = HTTPServer((callback.host, callback.port), Handler)
    except OSError as exc:
        raise AuthError(
            f"cannot listen on {callback.host}:{callback.port} for DigiKey's redirect "
            f"({exc.strerror or type(exc).__name__})",
            provider=PROVIDER_NAME,
            hint="Free that port, or register another http://127.0.0.1:PORT/... redirect URI "
            "(providers.digikey.redirect_uri).",
        ) from None
    deadline = time.monotonic() + timeout
    try:
        server.timeout = 0.5
        on_ready()
        while not received and time.monotonic() < deadline:
            server.handle_request()
    finally:
        server.server_close()
    if not received:
        raise AuthError(
            f"no redirect from DigiKey within {timeout:.0f} s",
            provider=PROVIDER_NAME,
            hint=LOGIN_HINT,
        )
    return code_from_redirect(received[0], expected_state)


# -- tokens ------------------------------------------------------------------------------------


class DigikeyAuth:
    """Access tokens for DigiKey data calls. Thread-safe: one token request at a time."""

    def __init__(
        self,
        settings: DigikeySettings,
        secret: Callable[[str], SecretValue],
        tokens: TokenCache | None,
        *,
        clock: Callable[[], float] = time.time,
        timeout: float = 30.0,
    ) -> None:
        self._settings = settings
        self._secret = secret
        self._tokens = tokens
        self._clock = clock
        self._timeout = timeout
        self._lock = threading.RLock()
        self._memory: OAuthToken | None = None  # used when there is no TokenCache

    # -- public --------------------------------------------------------------------------------

    def access_token(self) -> str:
        """A usable access token: the stored one while it lasts, else a new or refreshed one."""
        with self._lock:
            token = self._load()
            if token is not None and token.usable(self._clock()):
                return token.access_token
            return self._renew(token).access_token

    def renew(self, rejected: str) -> str:
        """A new access token after DigiKey answered 401 to `rejected`.

        If another thread already replaced `rejected`, its token is returned (one renewal for
        many threads that hit the same expiry).
        """
        with self._lock:
            token = self._load()
            if token is not None and token.access_token != rejected and token.usable(self._clock()):
                return token.access_token
            return self._renew(token).access_token

    def flow(self) -> str:
        """The flow in use (see the module docstring)."""
        token = self._load()
        if token is not None and token.flow == AUTHORIZATION_CODE and token.refresh_token:
            return AUTHORIZATION_CODE
        return self._settings.flow

    def login_client_credentials(self) -> tuple[OAuthToken, str]:
        """Request and store a 2-legged token now; returns (token, where it was stored)."""
        with self._lock:
            token = self._request(self._client_credentials_form(), CLIENT_CREDENTIALS)
            return token, self._store(token)

    def authorize_url(self, state: str) -> str:
        return authorize_url(self._settings, self._client("client_id"), state)

    def exchange_code(self, code: str) -> tuple[OAuthToken, str]:
        """Trade an authorization code for access + refresh token and store them."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self._settings.redirect_uri,
            "client_id": self._client("client_id"),
            "client_secret": self._client("client_secret"),
        }
        with self._lock:
            return self._rotate(form)

    # -- internals -------------------------------------------------------------------------------

    def _load(self) -> OAuthToken | None:
        if self._tokens is None:
            return self._memory
        return self._tokens.load(PROVIDER_NAME)

    def _store(self, token: OAuthToken) -> str:
        if self._tokens is None:
            self._memory = token
            return "memory"
        return self._tokens.save(PROVIDER_NAME, token)

    def _renew(self, current: OAuthToken | None) -> OAuthToken:
        if current is not None and current.flow == AUTHORIZATION_CODE and current.refresh_token:
            return self._refresh(current)
        if self._settings.flow == AUTHORIZATION_CODE:
            raise AuthError(
                "providers.digikey.flow is 'authorization_code' but no DigiKey login is stored",
                provider=PROVIDER_NAME,
                hint=LOGIN_HINT,
            )
        token = self._request(self._client_credentials_form(), CLIENT_CREDENTIALS)
        self._store(token)
        return token

    def _refresh(self, current: OAuthToken) -> OAuthToken:
        try:
            return self._rotate(self._refresh_form(current))[0]
        except _InvalidGrant as refused:
            latest = self._load()
            if (
                latest is not None
                and latest.refresh_token
                and latest.refresh_token != current.refresh_token
            ):
                try:
                    return self._rotate(self._refresh_form(latest))[0]
                except _InvalidGrant:
                    pass
            raise AuthError(
                f"DigiKey refused the stored refresh token ({refused.text})",
                provider=PROVIDER_NAME,
                hint=LOGIN_HINT,
            ) from None

    def _rotate(self, form: Mapping[str, str]) -> tuple[OAuthToken, str]:
        """Request a token and store it in one non-daemon thread (see the module docstring);
        returns (token, where it was stored)."""
        outcome: list[tuple[OAuthToken, str] | BaseException] = []

        def work() -> None:
            try:
                token = self._request(form, AUTHORIZATION_CODE)
                outcome.append((token, self._store(token)))
            except BaseException as exc:  # handed to the waiting thread
                outcome.append(exc)

        worker = threading.Thread(target=work, name="digikey-token-rotation", daemon=False)
        worker.start()
        while worker.is_alive():
            worker.join(0.05)  # short waits: Ctrl-C stays responsive for the caller
        result = outcome[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def _client(self, field: str) -> str:
        value = self._secret(field).value
        if not value:
            raise AuthError(
                f"no DigiKey {field} is configured (providers.digikey.{field}, the environment "
                "and the OS keyring are empty)",
                provider=PROVIDER_NAME,
                hint=CREDENTIALS_HINT,
            )
        return value

    def _client_credentials_form(self) -> dict[str, str]:
        return {
            "grant_type": "client_credentials",
            "client_id": self._client("client_id"),
            "client_secret": self._client("client_secret"),
        }

    def _refresh_form(self, token: OAuthToken) -> dict[str, str]:
        return {
            "grant_type": "refresh_token",
            "refresh_token": token.refresh_token or "",
            "client_id": self._client("client_id"),
            "client_secret": self._client("client_secret"),
        }

    def _request(self, form: Mapping[str, str], flow: str) -> OAuthToken:
        """POST to the token endpoint with httpx; errors quote DigiKey's own text."""
        import httpx

        url = token_endpoint(self._settings)
        try:
            response = httpx.post(
                url,
                data=dict(form),
                timeout=self._timeout,
                headers={"Accept": "application/json"},
            )
        except httpx.TimeoutException:
            raise NetworkError(
                PROVIDER_NAME,
                f"the DigiKey token endpoint did not answer within {self._timeout:g} s",
                hint="Check the network, or providers.digikey.token_url.",
            ) from None
        except httpx.HTTPError as exc:
            raise NetworkError(
                PROVIDER_NAME,
                f"cannot reach the DigiKey token endpoint ({type(exc).__name__})",
                hint="Check the network, or providers.digikey.token_url.",
            ) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        said = token_error_text(body)
        status = response.status_code
        if status in (400, 401, 403):
            grant = form.get("grant_type")
            error = body.get("error") if isinstance(body, Mapping) else None
            if grant == "refresh_token" and error == "invalid_grant":
                raise _InvalidGrant(said or "invalid_grant")
            raise AuthError(
                f"DigiKey refused the token request (HTTP {status}"
                + (f": {said}" if said else "")
                + ")",
                provider=PROVIDER_NAME,
                hint=CREDENTIALS_HINT if grant == "client_credentials" else LOGIN_HINT,
            )
        if status >= 300 or not isinstance(body, Mapping):
            raise ProviderError(
                PROVIDER_NAME,
                f"the DigiKey token endpoint answered HTTP {status}"
                + (f": {said}" if said else ""),
                hint="Try again later.",
            )
        try:
            return parse_token_response(body, self._clock(), flow)
        except ValueError as exc:
            raise ProviderError(PROVIDER_NAME, f"unexpected token response: {exc}") from None


class _InvalidGrant(Exception):
    """DigiKey refused a refresh token (`invalid_grant`): used, expired or revoked."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def login_authorization_code(
    auth: DigikeyAuth,
    settings: DigikeySettings,
    *,
    say: Callable[[str], None],
    open_browser: Callable[[str], bool],
    ask: Callable[[str], str] | None,
    timeout: float = 300.0,
    state: str | None = None,
) -> tuple[OAuthToken, str]:
    """The browser login: authorize URL with a fresh `state`, the code via the local listener
    (loopback http redirect URI) or pasted by the user, `state` checked, code exchanged, tokens
    stored. `ask` is None when nobody can answer a prompt."""
    state = state or new_state()
    url = auth.authorize_url(state)
    callback = local_callback(settings.redirect_uri)

    def show() -> None:
        opened = open_browser(url)
        say(
            ("Opened your browser; if nothing appeared, open" if opened else "Open")
            + f" this URL and log in to DigiKey:\n{url}"
        )

    if callback is not None:
        code = wait_for_callback(callback, state, timeout=timeout, on_ready=show)
    else:
        if ask is None:
            raise UsageError(
                f"the DigiKey redirect URI {settings.redirect_uri} is not a local http address, "
                "so the redirected URL has to be pasted, and there is no terminal to paste into",
                hint="Run it in a terminal, or register http://127.0.0.1:8139/digikey/callback "
                "for your DigiKey app and set providers.digikey.redirect_uri to it.",
            )
        show()
        say(
            "After logging in, your browser is sent to "
            f"{settings.redirect_uri} (the page may not load: that is fine)."
        )
        code = code_from_redirect(ask("Paste the full URL from the address bar"), state)
    return auth.exchange_code(code)
