"""AppContext: everything a command needs, built lazily from the global flags. No globals.

Commands ask for `ctx.config`, `ctx.secrets`, `ctx.http` only when they need them, so `--help`
and `--version` never read a file or import a network library.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from opencircuit_cli.config import Config
from opencircuit_cli.console import Console
from opencircuit_cli.environment import Environment
from opencircuit_cli.errors import UsageError
from opencircuit_cli.http.paths import CACHE_FILE_NAME, LEDGER_FILE_NAME

if TYPE_CHECKING:
    from opencircuit_cli.http.client import HttpClient
    from opencircuit_cli.http.quota import QuotaLedger
    from opencircuit_cli.http.redact import Redactor
    from opencircuit_cli.http.stats import RunStats
    from opencircuit_cli.oauth import TokenCache
    from opencircuit_cli.providers.registry import Registry
    from opencircuit_cli.secrets import SecretStore


@dataclass(frozen=True)
class GlobalOptions:
    config_path: Path | None = None
    json: bool = False
    no_color: bool = False
    quiet: bool = False
    verbose: bool = False
    offline: bool = False
    refresh: bool = False
    no_cache: bool = False
    providers: tuple[str, ...] | None = None
    currency: str | None = None
    no_input: bool = False


class AppContext:
    def __init__(self, env: Environment, options: GlobalOptions) -> None:
        if sum((options.offline, options.refresh, options.no_cache)) > 1:
            raise UsageError(
                "--offline, --refresh and --no-cache exclude each other",
                hint="choose one of them",
            )
        self.env = env
        self.options = options
        self.console = Console(env, no_color=options.no_color, quiet=options.quiet)
        self._log_handler: logging.Handler | None = None
        if options.verbose:
            self._enable_verbose_log()

    @property
    def interactive(self) -> bool:
        """Prompts are allowed: a terminal on stdin, no --no-input and not in CI."""
        return not self.options.no_input and not self.env.in_ci and self.env.interactive_stdin

    @cached_property
    def redactor(self) -> Redactor:
        from opencircuit_cli.http.redact import Redactor

        return Redactor()

    @cached_property
    def registry(self) -> Registry:
        from opencircuit_cli.providers.registry import Registry

        registry = Registry.discover(self.env.plugins)
        for problem in registry.problems:
            self.console.warn(problem)
        return registry

    @cached_property
    def config(self) -> Config:
        from opencircuit_cli import config as config_module

        loaded = config_module.load(
            self.options.config_path,
            self.env.environ,
            self.env.working_dir(),
            self.env.user_config_dir(),
            self.registry.settings_classes(),
        )
        for warning in loaded.warnings:
            self.console.warn(warning)
        return loaded

    @cached_property
    def secrets(self) -> SecretStore:
        from opencircuit_cli.secrets import INSECURE_FILE_NAME, SecretStore, load_keyring

        return SecretStore(
            self.config,
            self.env.environ,
            self.env.user_config_dir() / INSECURE_FILE_NAME,
            keyring_loader=lambda: load_keyring(self.env.environ),
            on_secret=self.redactor.add_secret,
        )

    @property
    def currency(self) -> str:
        return self.options.currency or self.config.defaults.currency

    @cached_property
    def tokens(self) -> TokenCache:
        from opencircuit_cli.oauth import TokenCache

        return TokenCache(self.secrets, on_secret=self.redactor.add_secret)

    def cache_path(self) -> Path:
        """The cache database; `cache.path` may name the file or a directory to hold it."""
        configured = self.config.cache.path
        if not configured:
            return self.env.user_cache_dir() / CACHE_FILE_NAME
        path = Path(configured).expanduser()
        return path / CACHE_FILE_NAME if path.is_dir() else path

    def cache_dir(self) -> Path:
        """Where the cache and the quota ledger live."""
        return self.cache_path().parent

    @cached_property
    def ledger(self) -> QuotaLedger:
        from opencircuit_cli.http.quota import QuotaLedger

        return QuotaLedger(self.cache_dir() / LEDGER_FILE_NAME)

    @cached_property
    def run_stats(self) -> RunStats:
        from opencircuit_cli.http.stats import RunStats

        return RunStats()

    @cached_property
    def http(self) -> HttpClient:
        from opencircuit_cli.http.client import HttpClient
        from opencircuit_cli.http.policy import CacheMode, HttpPolicy
        from opencircuit_cli.http.session import build_session

        mode = CacheMode.NORMAL
        if self.options.offline:
            mode = CacheMode.OFFLINE
        elif self.options.refresh:
            mode = CacheMode.REFRESH
        elif self.options.no_cache:
            mode = CacheMode.DISABLED
        settings = self.config.http
        policy = HttpPolicy(
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            max_retries=settings.max_retries,
            breaker_threshold=settings.breaker_threshold,
        )
        session = build_session(
            self.cache_path(),
            mode,
            backend=self.config.cache.backend,
            redis_url=self.config.cache.url,
            default_ttl=self.config.cache.ttl,
            redactor=self.redactor,
        )
        return HttpClient(
            session,
            policy,
            mode,
            self.ledger,
            self.run_stats,
            self.redactor,
            warn=self.console.warn,
        )

    def _enable_verbose_log(self) -> None:
        from opencircuit_cli.http.redact import RedactingFilter

        handler = logging.StreamHandler(self.env.err_stream())
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        handler.addFilter(RedactingFilter(self.redactor))
        logger = logging.getLogger("opencircuit")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        self._log_handler = handler

    def close(self) -> None:
        """Record this run's cache statistics, release files and detach the log handler."""
        if "http" in self.__dict__:
            self.http.close()
        if "ledger" in self.__dict__:
            if "run_stats" in self.__dict__:
                hits, misses = self.run_stats.hits(), self.run_stats.misses()
                if any(hits.values()) or any(misses.values()):
                    self.ledger.record_run(hits, misses)
            self.ledger.close()
        if self._log_handler is not None:
            logging.getLogger("opencircuit").removeHandler(self._log_handler)
            self._log_handler = None
