"""The process environment, injected so tests need no terminal and touch no real user files."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

APP_NAME = "opencircuit"


@dataclass(frozen=True)
class Environment:
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    # None: the process's stream at the moment of use (so a test runner's swap is honoured)
    stdin: TextIO | None = None
    stdout: TextIO | None = None
    stderr: TextIO | None = None
    stdin_isatty: bool | None = None  # None: ask the stream
    stderr_isatty: bool | None = None
    cwd: Path | None = None
    config_dir: Path | None = None  # None: platformdirs (honours XDG_* on Linux)
    cache_dir: Path | None = None
    plugins: tuple[Any, ...] = ()  # extra ProviderSpecs, registered like entry-point plugins

    @staticmethod
    def _isatty(stream: TextIO) -> bool:
        try:
            return stream.isatty()
        except (AttributeError, ValueError):
            return False

    def in_stream(self) -> TextIO:
        return self.stdin or sys.stdin

    def out_stream(self) -> TextIO:
        return self.stdout or sys.stdout

    def err_stream(self) -> TextIO:
        return self.stderr or sys.stderr

    @property
    def interactive_stdin(self) -> bool:
        if self.stdin_isatty is not None:
            return self.stdin_isatty
        return self._isatty(self.in_stream())

    @property
    def stderr_is_terminal(self) -> bool:
        if self.stderr_isatty is not None:
            return self.stderr_isatty
        return self._isatty(self.err_stream())

    @property
    def in_ci(self) -> bool:
        return bool(self.environ.get("CI"))

    def working_dir(self) -> Path:
        return self.cwd or Path.cwd()

    def user_config_dir(self) -> Path:
        if self.config_dir is not None:
            return self.config_dir
        from platformdirs import user_config_path

        return user_config_path(APP_NAME)

    def user_cache_dir(self) -> Path:
        if self.cache_dir is not None:
            return self.cache_dir
        from platformdirs import user_cache_path

        return user_cache_path(APP_NAME)
