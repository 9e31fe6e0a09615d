"""Which providers exist: the built-ins plus those registered through the entry-point group
`opencircuit.providers`. Nothing registers itself by being imported.

An entry point loads either a `ProviderSpec` or a callable returning an iterable of them. Tests
(and embedding programs) pass extra specs to `Registry.discover`, which treats them exactly like
entry points, so the real wiring is exercised without installing a package.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import import_module
from typing import Any

from opencircuit_cli.errors import ConfigError
from opencircuit_cli.providers.base import Provider, ProviderDeps, ProviderSpec
from opencircuit_cli.settings import (
    PROVIDER_SETTINGS,
    CatalogSettings,
    DigikeySettings,
    MouserSettings,
    NexarSettings,
    ProviderSettings,
)

ENTRY_POINT_GROUP = "opencircuit.providers"


def _lazy(module: str, attribute: str) -> Any:
    """A factory that imports the provider module only when the provider is first used."""

    def factory(deps: ProviderDeps) -> Provider:
        return getattr(import_module(module), attribute)(deps)

    return factory


BUILTIN_PROVIDERS: tuple[ProviderSpec, ...] = (
    ProviderSpec(
        "mouser",
        MouserSettings,
        _lazy("opencircuit_cli.providers.mouser", "MouserProvider"),
        "Mouser Search API (API key)",
    ),
    ProviderSpec(
        "digikey",
        DigikeySettings,
        _lazy("opencircuit_cli.providers.digikey", "DigikeyProvider"),
        "DigiKey Product Information API v4 (OAuth)",
    ),
    ProviderSpec(
        "nexar",
        NexarSettings,
        _lazy("opencircuit_cli.providers.nexar", "NexarProvider"),
        "Nexar / Octopart supply API (GraphQL, OAuth client credentials)",
    ),
    ProviderSpec(
        "catalog",
        CatalogSettings,
        _lazy("opencircuit_cli.providers.catalog", "CatalogProvider"),
        "Local catalogs: price lists, stock lists, the JLC/LCSC library (offline)",
    ),
)


class Registry:
    def __init__(self, specs: Iterable[ProviderSpec], problems: Iterable[str] = ()) -> None:
        self._specs: dict[str, ProviderSpec] = {}
        self.problems: tuple[str, ...] = tuple(problems)
        for spec in specs:
            if spec.name in self._specs:
                raise ConfigError(
                    f"two providers are registered as '{spec.name}'",
                    hint="uninstall one of the plugins that provide it",
                )
            self._specs[spec.name] = spec

    @classmethod
    def discover(
        cls, extra: Iterable[ProviderSpec] = (), *, entry_points: Iterable[Any] | None = None
    ) -> Registry:
        specs = list(BUILTIN_PROVIDERS)
        problems: list[str] = []
        if entry_points is None:
            from importlib.metadata import entry_points as find

            entry_points = find(group=ENTRY_POINT_GROUP)
        for entry_point in entry_points:
            try:
                specs.extend(_as_specs(entry_point.load()))
            except Exception as exc:  # a broken plugin must not break the tool
                problems.append(
                    f"provider plugin '{entry_point.name}' ({entry_point.value}) could not be "
                    f"loaded: {type(exc).__name__}: {exc}"
                )
        specs.extend(extra)
        return cls(specs, problems)

    def get(self, name: str) -> ProviderSpec | None:
        return self._specs.get(name)

    def names(self) -> tuple[str, ...]:
        return tuple(self._specs)

    def settings_classes(self) -> Mapping[str, type[ProviderSettings]]:
        """Every `[providers.<name>]` section the config may have: built-in schema + plugins.

        DigiKey and Nexar have settings before they have an implementation, so a config written
        for them today stays valid.
        """
        classes: dict[str, type[ProviderSettings]] = dict(PROVIDER_SETTINGS)
        for name, spec in self._specs.items():
            classes[name] = spec.settings_class
        return classes


def _as_specs(loaded: Any) -> list[ProviderSpec]:
    if isinstance(loaded, ProviderSpec):
        return [loaded]
    if callable(loaded):
        produced = loaded()
        items = [produced] if isinstance(produced, ProviderSpec) else list(produced)
        if all(isinstance(item, ProviderSpec) for item in items):
            return items
    raise TypeError("expected a ProviderSpec or a callable returning ProviderSpecs")
