"""The one place that writes to the terminal: results to stdout, everything else to stderr."""

from __future__ import annotations

import json
from functools import cached_property
from typing import TYPE_CHECKING, Any

from opencircuit_cli.environment import Environment

if TYPE_CHECKING:
    from rich.console import Console as RichConsole


class Console:
    def __init__(self, env: Environment, *, no_color: bool = False, quiet: bool = False) -> None:
        self._env = env
        self._no_color = no_color or "NO_COLOR" in env.environ
        self.quiet = quiet

    def _rich(self, stream: Any, *, soft_wrap: bool) -> RichConsole:
        from rich.console import Console as RichConsole

        return RichConsole(
            file=stream,
            no_color=self._no_color,
            highlight=False,
            soft_wrap=soft_wrap,
            emoji=False,
        )

    @cached_property
    def out(self) -> RichConsole:
        return self._rich(self._env.out_stream(), soft_wrap=False)

    @cached_property
    def err(self) -> RichConsole:
        """Messages are never hard-wrapped, so paths and hints stay greppable."""
        return self._rich(self._env.err_stream(), soft_wrap=True)

    def result(self, renderable: Any) -> None:
        self.out.print(renderable)

    def result_text(self, text: str) -> None:
        self._env.out_stream().write(text if text.endswith("\n") else text + "\n")
        self._env.out_stream().flush()

    def json(self, document: Any) -> None:
        self.result_text(json.dumps(document, indent=2, ensure_ascii=False, default=str))

    def info(self, message: str) -> None:
        if not self.quiet:
            self.err.print(message, markup=False)

    def warn(self, message: str) -> None:
        self.err.print(f"warning: {message}", style="yellow", markup=False)

    def error(self, message: str, hint: str | None = None) -> None:
        self.err.print(f"error: {message}", style="bold red", markup=False)
        if hint:
            self.err.print(f"  hint: {hint}", markup=False)

    def raw_err(self, text: str) -> None:
        self._env.err_stream().write(text if text.endswith("\n") else text + "\n")
        self._env.err_stream().flush()
