"""Locate, read, expand and validate the configuration.

Lookup order: `--config` > `OPENCIRCUIT_CONFIG` > `./opencircuit.toml` > the user config dir's
`config.toml`; with none of them, the built-in defaults. Every error names the file and the dotted
key path and exits with ExitCode.CONFIG.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from opencircuit_cli.errors import ConfigError
from opencircuit_cli.expand import ExpansionError, expand
from opencircuit_cli.settings import (
    PROVIDER_SETTINGS,
    SECTIONS,
    CacheSettings,
    CurrencySettings,
    DefaultsSettings,
    DistributorSettings,
    HttpSettings,
    ProviderSettings,
    QuoteSettings,
)

CONFIG_ENV = "OPENCIRCUIT_CONFIG"
LOCAL_NAME = "opencircuit.toml"


@dataclass(frozen=True)
class Candidate:
    path: Path
    how: str  # "--config", "$OPENCIRCUIT_CONFIG", "working directory", "user config"
    explicit: bool  # an explicit choice must exist; implicit ones are skipped when absent


@dataclass(frozen=True)
class Config:
    defaults: DefaultsSettings
    cache: CacheSettings
    http: HttpSettings
    quote: QuoteSettings
    currency: CurrencySettings
    providers: Mapping[str, ProviderSettings]
    distributors: Mapping[str, DistributorSettings]  # keys lower case
    source: Path | None
    env_refs: Mapping[str, tuple[str, ...]]  # dotted key -> environment variables it used
    warnings: tuple[str, ...]

    def provider(self, name: str) -> ProviderSettings:
        return self.providers[name]


def candidates(
    cli_path: Path | None, environ: Mapping[str, str], cwd: Path, user_config_dir: Path
) -> list[Candidate]:
    found: list[Candidate] = []
    if cli_path is not None:
        found.append(Candidate(cli_path, "--config", True))
    if environ.get(CONFIG_ENV):
        found.append(Candidate(Path(environ[CONFIG_ENV]), f"${CONFIG_ENV}", True))
    found.append(Candidate(cwd / LOCAL_NAME, "working directory", False))
    found.append(Candidate(user_config_dir / "config.toml", "user config", False))
    return found


def locate(chain: list[Candidate]) -> Path | None:
    for candidate in chain:
        if candidate.explicit:
            if not candidate.path.is_file():
                raise ConfigError(
                    f"config file not found (given by {candidate.how})",
                    source=str(candidate.path),
                    hint="check the path, or create one with: opencircuit config init PATH",
                )
            return candidate.path
        if candidate.path.is_file():
            return candidate.path
    return None


def read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the file: {exc.strerror}", source=str(path)) from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(
            "the file is not UTF-8 text", source=str(path), hint="save it as UTF-8"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", source=str(path)) from None


def load(
    cli_path: Path | None,
    environ: Mapping[str, str],
    cwd: Path,
    user_config_dir: Path,
    provider_settings: Mapping[str, type[ProviderSettings]] = PROVIDER_SETTINGS,
) -> Config:
    path = locate(candidates(cli_path, environ, cwd, user_config_dir))
    raw = read_toml(path) if path is not None else {}
    return validate(raw, environ, source=path, provider_settings=provider_settings)


def validate(
    raw: Mapping[str, Any],
    environ: Mapping[str, str],
    source: Path | None,
    provider_settings: Mapping[str, type[ProviderSettings]] = PROVIDER_SETTINGS,
) -> Config:
    builder = _Builder(environ, str(source) if source else "built-in defaults")
    allowed = [*SECTIONS, "providers", "distributors"]
    for key in raw:
        if key not in allowed:
            builder.unknown(key, key, allowed)
    sections = {
        name: builder.section(name, cls, raw.get(name, {})) for name, cls in SECTIONS.items()
    }
    raw_providers = builder.table("providers", raw.get("providers", {}))
    for name in raw_providers:
        if name not in provider_settings:
            builder.unknown(f"providers.{name}", name, list(provider_settings), what="provider")
    providers = {
        name: builder.section(f"providers.{name}", cls, raw_providers.get(name, {}))
        for name, cls in provider_settings.items()
    }
    for index, name in enumerate(sections["defaults"].providers):
        if name not in provider_settings:
            builder.unknown(
                f"defaults.providers[{index}]", name, list(provider_settings), what="provider"
            )
    raw_distributors = builder.table("distributors", raw.get("distributors", {}))
    distributors = {
        name.strip().lower(): builder.section(f"distributors.{name}", DistributorSettings, table)
        for name, table in raw_distributors.items()
    }
    return Config(
        defaults=sections["defaults"],
        cache=sections["cache"],
        http=sections["http"],
        quote=sections["quote"],
        currency=sections["currency"],
        distributors=MappingProxyType(distributors),
        providers=MappingProxyType(providers),
        source=source,
        env_refs=MappingProxyType(dict(builder.env_refs)),
        warnings=tuple(builder.warnings),
    )


class _Builder:
    """Builds settings dataclasses from raw tables, collecting env references and warnings."""

    def __init__(self, environ: Mapping[str, str], source: str) -> None:
        self.environ = environ
        self.source = source
        self.env_refs: dict[str, tuple[str, ...]] = {}
        self.warnings: list[str] = []

    def error(self, key: str, message: str, hint: str | None = None) -> ConfigError:
        return ConfigError(message, key=key, source=self.source, hint=hint)

    def unknown(self, key: str, name: str, allowed: list[str], what: str = "key") -> None:
        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(allowed)}"
        raise self.error(key, f"unknown {what} '{name}'", hint=hint)

    def table(self, key: str, value: Any) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.error(key, f"expected a table ([{key}]), got {_describe(value)}")
        return value

    def section(self, key: str, cls: type, raw: Any) -> Any:
        table = self.table(key, raw)
        specs = {f.name: f for f in fields(cls)}
        hints = typing.get_type_hints(cls)
        for name in table:
            if name not in specs:
                self.unknown(f"{key}.{name}", name, list(specs))
        values: dict[str, Any] = {}
        for name, spec in specs.items():
            dotted = f"{key}.{name}"
            given = name in table
            value = table[name] if given else _default_of(spec)
            if spec.metadata["secret"] and given and _is_literal(value):
                self.warnings.append(
                    f"{self.source}: {dotted} holds a literal secret; prefer "
                    f"'${{ENV_VAR}}' or `opencircuit auth login {key.split('.')[-1]}`"
                )
            values[name] = self.value(dotted, value, hints[name], spec.metadata)
        return cls(**values)

    def value(self, key: str, value: Any, expected: Any, meta: Mapping[str, Any]) -> Any:
        templated = isinstance(value, str) and "$" in value
        if isinstance(value, str):
            value = self.expand(key, value)
        elif isinstance(value, list):
            value = [
                self.expand(f"{key}[{i}]", v) if isinstance(v, str) else v
                for i, v in enumerate(value)
            ]
        value = _coerce(key, value, expected, templated, self.error, reveal=not meta["secret"])
        if meta["choices"] and value not in meta["choices"]:
            raise self.error(
                key,
                f"'{value}' is not one of: {', '.join(meta['choices'])}",
                hint=_suggest(str(value), meta["choices"]),
            )
        if meta["minimum"] is not None and value < meta["minimum"]:
            raise self.error(key, f"must be at least {meta['minimum']}, got {value}")
        if meta["pattern"] and not re.fullmatch(meta["pattern"], value):
            raise self.error(key, f"'{value}' does not look right (expected {meta['pattern']})")
        return value

    def expand(self, key: str, text: str) -> str:
        try:
            result = expand(text, self.environ)
        except ExpansionError as exc:
            raise self.error(key, str(exc)) from None
        if result.variables:
            self.env_refs[key] = result.variables
        return result.value


def _is_literal(value: Any) -> bool:
    return isinstance(value, str) and bool(value) and "${" not in value


def _default_of(spec: Any) -> Any:
    from dataclasses import MISSING

    return spec.default_factory() if spec.default is MISSING else spec.default


def _suggest(value: str, choices: tuple[str, ...]) -> str | None:
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


def _coerce(key: str, value: Any, expected: Any, templated: bool, error: Any, reveal: bool) -> Any:
    """Check the type; a string that came from `${VAR}` may be converted to the field's type."""

    def _describe(value: Any) -> str:
        return _describe_value(value, reveal)

    if expected is bool:
        if isinstance(value, bool):
            return value
        if templated and isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        raise error(key, f"expected true or false, got {_describe(value)}")
    if expected is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if templated and isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                pass
        raise error(key, f"expected a whole number, got {_describe(value)}")
    if expected is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if templated and isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise error(key, f"expected a number, got {_describe(value)}")
    if expected is str:
        if isinstance(value, str):
            return value
        raise error(key, f"expected a string, got {_describe(value)}")
    if typing.get_origin(expected) is dict:
        numbers = isinstance(value, dict) and all(
            isinstance(v, int | float) and not isinstance(v, bool) and v > 0 for v in value.values()
        )
        if numbers:
            return {str(k).upper(): float(v) for k, v in value.items()}
        raise error(key, f"expected a table of positive numbers, got {_describe(value)}")
    if typing.get_origin(expected) is list:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        raise error(key, f"expected a list of strings, got {_describe(value)}")
    raise TypeError(f"unsupported setting type {expected!r} for {key}")


def _describe(value: Any) -> str:
    return _describe_value(value, reveal=True)


def _describe_value(value: Any, reveal: bool) -> str:
    kinds = {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "list",
        dict: "table",
    }
    kind = kinds.get(type(value), type(value).__name__)
    shown = repr(value) if reveal and not isinstance(value, dict | list) else ""
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{kind} {shown}".strip()
