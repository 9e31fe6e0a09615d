"""`opencircuit auth login | logout | status`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from opencircuit_cli.cli.common import app_context, known_provider, wants_json

if TYPE_CHECKING:
    from opencircuit_cli.context import AppContext

app = typer.Typer(help="Store, remove and show provider credentials.", no_args_is_help=True)


@app.command("login")
def login_command(
    ctx: typer.Context,
    provider: Annotated[str, typer.Argument(help="mouser, digikey or nexar.")],
    with_token: Annotated[
        bool,
        typer.Option(
            "--with-token",
            help="Read the secret(s) from stdin, one line per field, in field order.",
        ),
    ] = False,
    field: Annotated[
        str | None, typer.Option("--field", help="Store only this field (e.g. client_secret).")
    ] = None,
    insecure_storage: Annotated[
        bool,
        typer.Option(
            "--insecure-storage",
            help="No keyring: store in a plaintext file readable only by you (0600).",
        ),
    ] = False,
    flow: Annotated[
        str | None,
        typer.Option(
            "--flow",
            help="digikey only: 'client_credentials' (no browser; fetches a token now) or "
            "'authorization_code' (browser login, for your own customer pricing).",
        ),
    ] = None,
) -> None:
    """Store a provider's credentials in the OS keyring (prompted, never as a flag value)."""
    from opencircuit_cli.errors import UsageError

    app_ctx = app_context(ctx)
    name = known_provider(provider, app_ctx.config.providers)
    store = app_ctx.secrets
    names = store.fields(name)
    if flow is not None:
        if name != "digikey":
            raise UsageError("--flow is only for `auth login digikey`")
        if flow not in ("client_credentials", "authorization_code"):
            raise UsageError(
                f"unknown --flow '{flow}'", hint="use client_credentials or authorization_code"
            )
        if field is None and not with_token:
            # Credentials already known (environment, keyring): only the login is needed.
            names = [n for n in names if not store.get(name, n).value]
    if field is not None:
        if field not in names:
            raise UsageError(
                f"{name} has no secret field '{field}'", hint=f"its fields: {', '.join(names)}"
            )
        names = [field]
    if not insecure_storage:
        store.require_keyring(name)
    values = _read_values(app_ctx, name, names, with_token)
    for field_name, value in zip(names, values, strict=True):
        where = store.store(name, field_name, value, insecure=insecure_storage)
        app_ctx.console.info(f"stored {name}.{field_name} in {where}")
        current = store.get(name, field_name)
        if current.kind in ("env", "config"):
            app_ctx.console.warn(
                f"{name}.{field_name} is also set by {current.where}, which takes precedence"
            )
    if insecure_storage and names:
        app_ctx.console.warn(
            f"{store.insecure_path} holds secrets in plain text; prefer the OS keyring "
            "or environment variables where you can"
        )
    if flow is not None:
        _digikey_login(app_ctx, flow)


def _digikey_login(app_ctx: AppContext, flow: str) -> None:
    """Get (and keep) a DigiKey token with the chosen flow."""
    import time

    from opencircuit_cli.providers.digikey_auth import DigikeyAuth, login_authorization_code
    from opencircuit_cli.settings import DigikeySettings

    settings = app_ctx.config.provider("digikey")
    assert isinstance(settings, DigikeySettings)
    store = app_ctx.secrets
    auth = DigikeyAuth(settings, lambda f: store.get("digikey", f), app_ctx.tokens)
    if flow == "client_credentials":
        app_ctx.tokens.clear("digikey")  # back from a browser login, if there was one
        token, where = auth.login_client_credentials()
    else:
        interactive = app_ctx.interactive

        def open_browser(url: str) -> bool:
            if not interactive:
                return False
            import webbrowser

            try:
                return webbrowser.open(url)
            except Exception:
                return False

        def ask(prompt: str) -> str:
            return str(typer.prompt(prompt, err=True))

        token, where = login_authorization_code(
            auth,
            settings,
            say=app_ctx.console.info,
            open_browser=open_browser,
            ask=ask if interactive else None,
        )
    minutes = max(0, int((token.expires_at - time.time()) // 60))
    app_ctx.console.info(
        f"digikey: {flow} token stored in {where}; the access token is valid for {minutes} min"
        + (
            " and is renewed with the refresh token (which DigiKey rotates on every use)"
            if token.refresh_token
            else " and is renewed automatically"
        )
    )


def _read_values(
    app_ctx: AppContext, provider: str, names: list[str], from_stdin: bool
) -> list[str]:
    from opencircuit_cli.errors import UsageError

    if from_stdin:
        lines = [
            line.strip() for line in app_ctx.env.in_stream().read().splitlines() if line.strip()
        ]
        if len(lines) != len(names):
            raise UsageError(
                f"--with-token expected {len(names)} non-empty line(s) on stdin "
                f"({', '.join(names)}), got {len(lines)}",
                hint=f"e.g. printf '%s\\n' \"$SECRET\" | opencircuit auth login {provider} "
                "--with-token",
            )
        return lines
    if not app_ctx.interactive:
        raise UsageError(
            f"cannot prompt for the {provider} credentials: no terminal (or --no-input / CI)",
            hint=f"pipe them with --with-token, or set "
            f"{' and '.join(app_ctx.secrets.env_vars(provider))}",
        )
    values = []
    for name in names:
        value = typer.prompt(
            f"{provider} {name}", hide_input=True, default="", show_default=False
        ).strip()
        if not value:
            raise UsageError(f"no {provider} {name} entered; nothing was stored")
        values.append(value)
    return values


@app.command("logout")
def logout_command(
    ctx: typer.Context,
    provider: Annotated[str, typer.Argument(help="mouser, digikey or nexar.")],
) -> None:
    """Remove a provider's stored credentials from the keyring and the plaintext file."""
    app_ctx = app_context(ctx)
    name = known_provider(provider, app_ctx.config.providers)
    store = app_ctx.secrets
    removed_any = False
    for field_name in store.fields(name):
        for where in store.delete(name, field_name):
            removed_any = True
            app_ctx.console.info(f"removed {name}.{field_name} from {where}")
        remaining = store.get(name, field_name)
        if remaining.value:
            app_ctx.console.warn(f"{name}.{field_name} is still provided by {remaining.where}")
    for where in app_ctx.tokens.clear(name):
        removed_any = True
        app_ctx.console.info(f"removed the stored {name} token from {where}")
    if not removed_any:
        app_ctx.console.info(f"no stored credentials for {name}")


@app.command("status")
def status_command(
    ctx: typer.Context,
    json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List every provider's credentials: where each comes from, masked."""
    app_ctx = app_context(ctx)
    report = _status_report(app_ctx)
    if wants_json(app_ctx, json_output):
        app_ctx.console.json(report)
        return
    _render_status(app_ctx, report)


def _status_report(app_ctx: AppContext) -> dict[str, Any]:
    store = app_ctx.secrets
    providers = []
    for name in app_ctx.config.providers:
        credentials = []
        for field_name in store.fields(name):
            secret = store.get(name, field_name)
            credentials.append(
                {
                    "field": field_name,
                    "present": bool(secret.value),
                    "source": secret.kind,
                    "where": secret.where,
                    "masked": secret.masked,
                }
            )
        providers.append(
            {
                "name": name,
                "enabled": app_ctx.config.provider(name).enabled,
                "credentials": credentials,
                "token": _token_report(app_ctx, name),
                "check": None,
            }
        )
    _live_checks(app_ctx, providers)
    backend = store.keyring()
    mode = store.insecure_file_mode()
    return {
        "schema": "opencircuit.auth-status/1",
        "keyring": type(backend).__module__ + "." + type(backend).__name__ if backend else None,
        "insecure_file": (
            {"path": str(store.insecure_path), "mode": f"{mode:04o}"} if mode is not None else None
        ),
        "providers": providers,
    }


def _token_report(app_ctx: AppContext, name: str) -> dict[str, Any] | None:
    """A stored OAuth token, described without its values: flow, expiry, refresh-token age."""
    import time
    from datetime import UTC, datetime

    token = app_ctx.tokens.load(name)
    if token is None:
        return None
    now = time.time()

    def iso(epoch: float | None) -> str | None:
        return None if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat()

    has_refresh = bool(token.refresh_token)
    return {
        "flow": token.flow,
        "expires_at": iso(token.expires_at),
        "expired": now >= token.expires_at,
        "has_refresh_token": has_refresh,
        "refresh_token_obtained_at": iso(token.obtained_at) if has_refresh else None,
        "refresh_token_age_days": (
            round((now - token.obtained_at) / 86400, 1)
            if has_refresh and token.obtained_at
            else None
        ),
        "refresh_token_expires_at": iso(token.refresh_expires_at) if has_refresh else None,
    }


def _live_checks(app_ctx: AppContext, providers: list[dict[str, Any]]) -> None:
    """One cheap request per provider that has all its credentials (skipped with --offline)."""
    if app_ctx.options.offline:
        return
    ready = [
        p["name"]
        for p in providers
        if p["enabled"]
        and app_ctx.registry.get(p["name"]) is not None
        and p["credentials"]  # a live check proves credentials; nothing to prove without any
        and all(c["present"] for c in p["credentials"])
    ]
    if not ready:
        return
    from concurrent.futures import ThreadPoolExecutor

    from opencircuit_cli.errors import OpenCircuitError
    from opencircuit_cli.providers.selection import build_provider

    def check(name: str) -> dict[str, Any]:
        try:
            result = build_provider(app_ctx, name).check()
        except OpenCircuitError as exc:
            return {"ok": False, "message": exc.message}
        return {"ok": result.ok, "message": result.message}

    with ThreadPoolExecutor(max_workers=len(ready)) as pool:
        outcomes = dict(zip(ready, pool.map(check, ready), strict=True))
    for provider in providers:
        provider["check"] = outcomes.get(provider["name"])


def _render_status(app_ctx: AppContext, report: dict[str, Any]) -> None:
    """gh-style plain lines: grep-friendly, and no table library on the start-up path."""
    lines = []
    for provider in report["providers"]:
        check = provider["check"]
        verdict = (
            "" if check is None else f"  ({'ok' if check['ok'] else 'FAILED'}: {check['message']})"
        )
        lines.append(provider["name"] + ("" if provider["enabled"] else "  (disabled)") + verdict)
        if not provider["credentials"]:
            lines.append("  no credentials needed")
            continue
        width = max(len(c["field"]) for c in provider["credentials"])
        for cred in provider["credentials"]:
            mark = "✓" if cred["present"] else "✗"
            value = cred["masked"] or "-"
            lines.append(f"  {mark} {cred['field']:<{width}}  {value:<12}  {cred['where']}")
        token = provider.get("token")
        if token:
            state = "expired" if token["expired"] else "expires"
            line = f"  token: {token['flow']}, access token {state} {token['expires_at']}"
            if token["has_refresh_token"]:
                age = token["refresh_token_age_days"]
                line += f"; refresh token {age if age is not None else '?'} days old"
            lines.append(line)
    app_ctx.console.result_text("\n".join(lines))
    if report["keyring"] is None:
        app_ctx.console.info(
            "keyring: none usable on this machine; use environment variables "
            "or `auth login PROVIDER --insecure-storage`"
        )
    if report["insecure_file"]:
        info = report["insecure_file"]
        app_ctx.console.warn(
            f"plaintext credentials file in use: {info['path']} (mode {info['mode']}); insecure"
        )
