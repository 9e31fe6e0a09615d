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
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
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

    @property
    def interactive_stdin(self) -> bool:
        return self.stdin_isatty if self.stdin_isatty is not None else self._isatty(self.stdin)

    @property
    def stderr_is_terminal(self) -> bool:
        return self.stderr_isatty if self.stderr_isatty is not None else self._isatty(self.stderr)

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
