"""Turn the schema or a loaded Config back into TOML: the starter file and `config show`."""

from __future__ import annotations

import textwrap
import typing
from dataclasses import MISSING, fields
from typing import Any

from opencircuit_cli.config import Config
from opencircuit_cli.secrets import mask
from opencircuit_cli.settings import PROVIDER_SETTINGS, SECTIONS, DistributorSettings

HEADER = """\
# OpenCircuit configuration.
#
# Looked up in this order: --config PATH, $OPENCIRCUIT_CONFIG, ./opencircuit.toml, then the user
# config directory (`opencircuit config path` shows which one is used).
# String values may use ${VAR}, ${VAR:-default} and $$ (a literal $); they are expanded after the
# file is parsed. Keep secrets out of this file: reference an environment variable, or leave the
# value empty and store it with `opencircuit auth login PROVIDER` (OS keyring).
"""


def _toml_value(value: Any) -> str:
    import tomli_w

    if isinstance(value, dict):
        items = ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items())
        return f"{{ {items} }}" if items else "{}"
    return tomli_w.dumps({"v": value}).split("=", 1)[1].strip()


def _default(spec: Any) -> Any:
    return spec.default_factory() if spec.default is MISSING else spec.default


def ordered_fields(obj_or_cls: Any) -> list[Any]:
    """`enabled` first, then secrets, then the rest in declaration order."""
    specs = list(fields(obj_or_cls))
    return sorted(specs, key=lambda f: (f.name != "enabled", not f.metadata["secret"]))


def _section_lines(table: str, cls: type) -> list[str]:
    lines = ["", f"[{table}]"]
    if cls.__doc__:
        lines.insert(1, f"# {cls.__doc__.strip()}")
    for spec in ordered_fields(cls):
        doc = spec.metadata["doc"]
        if spec.metadata["choices"]:
            doc += f" One of: {', '.join(spec.metadata['choices'])}."
        lines += textwrap.wrap(doc, width=98, initial_indent="# ", subsequent_indent="# ")
        lines.append(f"{spec.name} = {_toml_value(_default(spec))}")
    return lines


def render_example() -> str:
    """The commented starter configuration: every setting with its default and documentation."""
    lines = [HEADER.rstrip("\n")]
    for name, cls in SECTIONS.items():
        lines += _section_lines(name, cls)
    for name, cls in PROVIDER_SETTINGS.items():
        lines += _section_lines(f"providers.{name}", cls)
    example = _section_lines("distributors.mouser", DistributorSettings)
    example[example.index("shipping = 0.0")] = "shipping = 7.99"
    example[example.index("free_shipping_over = 0.0")] = "free_shipping_over = 50.0"
    lines += ["", "# Per-distributor order costs, one table per distributor, for example:"]
    lines += [line if not line or line.startswith("#") else f"# {line}" for line in example[1:]]
    return "\n".join(lines) + "\n"


def effective_dict(config: Config) -> dict[str, Any]:
    """The effective configuration as plain data, secrets masked."""

    def as_dict(obj: Any) -> dict[str, Any]:
        hints = typing.get_type_hints(type(obj))
        out: dict[str, Any] = {}
        for spec in ordered_fields(obj):
            value = getattr(obj, spec.name)
            if spec.metadata["secret"]:
                value = mask(value)
            elif hints[spec.name] is float and float(value).is_integer():
                value = float(value)
            out[spec.name] = value
        return out

    data: dict[str, Any] = {name: as_dict(getattr(config, name)) for name in SECTIONS}
    data["providers"] = {name: as_dict(s) for name, s in config.providers.items()}
    data["distributors"] = {name: as_dict(s) for name, s in config.distributors.items()}
    return data


def render_effective(config: Config) -> str:
    import tomli_w

    source = str(config.source) if config.source else "built-in defaults (no config file found)"
    head = f"# effective configuration; read from: {source}\n# secrets are masked\n\n"
    return head + tomli_w.dumps(effective_dict(config))
