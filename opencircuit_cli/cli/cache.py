"""`opencircuit cache stats | clear [PROVIDER]`."""

from __future__ import annotations

import typer

app = typer.Typer(help="Inspect or clear the HTTP cache.", no_args_is_help=True)
