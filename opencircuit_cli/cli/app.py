"""Root command: global flags, sub-command groups, and the ONLY place errors become exit codes."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from opencircuit_cli import __version__
from opencircuit_cli.cli import auth, cache, catalog, config, price, quote, search
from opencircuit_cli.errors import ExitCode, OpenCircuitError


class RootGroup(TyperGroup):
    """Maps every exception raised while a command runs to a message and an exit code.

    Usage errors (bad flags) are Typer's and exit 2; Ctrl-C is turned into exit 130 by Typer.
    """

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except OpenCircuitError as exc:
            raise typer.Exit(_report_known(ctx, exc)) from None
        except Exception as exc:
            raise typer.Exit(_report_bug(ctx, exc)) from None
        finally:
            app_ctx = ctx.obj
            close = getattr(app_ctx, "close", None)
            if close is not None:
                close()


def _report_known(ctx: Any, exc: OpenCircuitError) -> int:
    from opencircuit_cli.console import Console
    from opencircuit_cli.context import AppContext
    from opencircuit_cli.environment import Environment

    app_ctx = ctx.obj if isinstance(ctx.obj, AppContext) else None
    console = app_ctx.console if app_ctx else Console(Environment())
    message, hint = exc.message, exc.hint
    if app_ctx is not None and "redactor" in app_ctx.__dict__:
        message = app_ctx.redactor.redact_text(message)
        hint = app_ctx.redactor.redact_text(hint) if hint else hint
    console.error(message, hint)
    return int(exc.exit_code)


def _report_bug(ctx: Any, exc: Exception) -> int:
    from opencircuit_cli.console import Console
    from opencircuit_cli.context import AppContext
    from opencircuit_cli.environment import Environment

    app_ctx = ctx.obj if isinstance(ctx.obj, AppContext) else None
    console = app_ctx.console if app_ctx else Console(Environment())
    verbose = app_ctx is not None and app_ctx.options.verbose
    console.error(
        f"unexpected error ({type(exc).__name__}); this is a bug in opencircuit",
        hint=None if verbose else "run again with --verbose to see the traceback, and report it",
    )
    if verbose and app_ctx is not None:
        _print_traceback(app_ctx, exc)
    return int(ExitCode.UNEXPECTED)


def _print_traceback(app_ctx: Any, exc: BaseException) -> None:
    """Plain traceback (never local variables), scrubbed of every secret seen in this run."""
    text = "".join(traceback.format_exception(exc))
    if "redactor" in app_ctx.__dict__:
        text = app_ctx.redactor.redact_text(text)
    app_ctx.console.raw_err(text)


app = typer.Typer(
    cls=RootGroup,
    name="opencircuit",
    help="Find, price and quote electronic parts across distributors.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=False,
)
app.command("search")(search.search_command)
app.command("price")(price.price_command)
app.command("bom-quote")(quote.bom_quote_command)
app.add_typer(config.app, name="config")
app.add_typer(auth.app, name="auth")
app.add_typer(cache.app, name="cache")
app.add_typer(catalog.app, name="catalog")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"opencircuit {__version__}")
        raise typer.Exit()


def _split_providers(value: str | None) -> tuple[str, ...] | None:
    """Names only; whether they exist is checked against the registry when they are used."""
    if value is None:
        return None
    names = tuple(p.strip().lower() for p in value.split(",") if p.strip())
    if not names:
        raise typer.BadParameter("name at least one provider, e.g. --providers mouser,digikey")
    return names


@app.callback()
def root(
    ctx: typer.Context,
    config_path: Annotated[
        Path | None,
        typer.Option(
            "--config", help="Config file (default: lookup order in the README).", dir_okay=False
        ),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colours.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only results and errors.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log HTTP requests (secrets redacted).")
    ] = False,
    offline: Annotated[bool, typer.Option("--offline", help="Answer from the cache only.")] = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Ignore cached answers and overwrite them.")
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the cache.")
    ] = False,
    providers: Annotated[
        str | None, typer.Option("--providers", help="Comma-separated providers to query.")
    ] = None,
    currency: Annotated[str | None, typer.Option("--currency", help="ISO 4217 currency.")] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt; a missing answer is an error.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    from opencircuit_cli.context import AppContext, GlobalOptions
    from opencircuit_cli.environment import Environment

    if currency is not None and not (len(currency) == 3 and currency.isalpha()):
        raise typer.BadParameter(
            "expected a 3-letter ISO 4217 code such as EUR", param_hint="--currency"
        )
    env = ctx.obj if isinstance(ctx.obj, Environment) else Environment()
    options = GlobalOptions(
        config_path=config_path,
        json=json_output,
        no_color=no_color,
        quiet=quiet,
        verbose=verbose,
        offline=offline,
        refresh=refresh,
        no_cache=no_cache,
        providers=_split_providers(providers),
        currency=currency.upper() if currency else None,
        no_input=no_input,
    )
    ctx.obj = AppContext(env, options)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (`opencircuit`, `python -m opencircuit_cli`)."""
    command = typer.main.get_command(app)
    command.main(args=argv if argv is not None else sys.argv[1:], prog_name="opencircuit")
