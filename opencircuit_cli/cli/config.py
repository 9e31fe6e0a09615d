"""`opencircuit config path | show | init`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from opencircuit_cli.cli.common import app_context, wants_json

app = typer.Typer(
    help="Show where the configuration comes from, show it, or write a starter.",
    no_args_is_help=True,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print as JSON.")]


@app.command("path")
def path_command(ctx: typer.Context, json_output: JsonFlag = False) -> None:
    """Print the config file in use (or where `config init` would write one)."""
    from opencircuit_cli import config as config_module

    app_ctx = app_context(ctx)
    env, options = app_ctx.env, app_ctx.options
    chain = config_module.candidates(
        options.config_path, env.environ, env.working_dir(), env.user_config_dir()
    )
    used = config_module.locate(chain)
    if wants_json(app_ctx, json_output):
        app_ctx.console.json(
            {
                "schema": "opencircuit.config-path/1",
                "path": str(used) if used else None,
                "candidates": [
                    {
                        "path": str(c.path),
                        "how": c.how,
                        "exists": c.path.is_file(),
                        "used": c.path == used,
                    }
                    for c in chain
                ],
            }
        )
        return
    app_ctx.console.result_text(str(used or env.user_config_dir() / "config.toml"))
    if used is None:
        app_ctx.console.info(
            "no config file found: built-in defaults are in use "
            "(`opencircuit config init` writes one at the path above)"
        )
    for c in chain:
        state = "used" if c.path == used else ("exists" if c.path.is_file() else "missing")
        app_ctx.console.info(f"  {c.how:<20} {c.path}  ({state})")


@app.command("show")
def show_command(ctx: typer.Context, json_output: JsonFlag = False) -> None:
    """Print the effective configuration, secrets masked."""
    from opencircuit_cli.config_render import effective_dict, render_effective

    app_ctx = app_context(ctx)
    config = app_ctx.config
    if wants_json(app_ctx, json_output):
        app_ctx.console.json(
            {
                "schema": "opencircuit.config/1",
                "source": str(config.source) if config.source else None,
                "config": effective_dict(config),
            }
        )
        return
    app_ctx.console.result_text(render_effective(config))


@app.command("init")
def init_command(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(help="Where to write (default: the user config file).", dir_okay=False),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing file (kept as .bak).")
    ] = False,
) -> None:
    """Write a commented starter configuration with every setting and its default."""
    from opencircuit_cli.atomic import write_text
    from opencircuit_cli.config_render import render_example
    from opencircuit_cli.errors import UsageError

    app_ctx = app_context(ctx)
    target = path or app_ctx.env.user_config_dir() / "config.toml"
    if target.exists():
        if not force:
            raise UsageError(
                f"{target} already exists; nothing was written",
                hint="use --force to replace it (the old file is kept as .bak)",
            )
        backup = target.with_name(target.name + ".bak")
        backup.write_bytes(target.read_bytes())
        app_ctx.console.info(f"kept the previous file as {backup}")
    write_text(target, render_example())
    app_ctx.console.info(f"wrote {target}")
