from dataclasses import dataclass

import pytest

from opencircuit_cli.errors import ConfigError
from opencircuit_cli.providers.base import ProviderSpec
from opencircuit_cli.providers.registry import Registry
from opencircuit_cli.settings import HttpProviderSettings, MouserSettings


@dataclass
class FakeEntryPoint:
    name: str
    value: str
    loaded: object

    def load(self):
        if isinstance(self.loaded, Exception):
            raise self.loaded
        return self.loaded


def fake_spec(name):
    return ProviderSpec(name, HttpProviderSettings, lambda deps: None, "fake")


def test_builtins_are_always_there_and_need_no_import_of_the_module():
    registry = Registry.discover(entry_points=[])
    assert registry.names() == ("mouser", "digikey", "nexar", "catalog")
    assert registry.get("mouser").settings_class is MouserSettings
    assert set(registry.settings_classes()) == {"mouser", "digikey", "nexar", "catalog"}


def test_entry_points_may_give_a_spec_or_a_callable_returning_specs():
    points = [
        FakeEntryPoint("one", "pkg:SPEC", fake_spec("tme")),
        FakeEntryPoint("two", "pkg:specs", lambda: [fake_spec("lcsc"), fake_spec("rs")]),
    ]
    registry = Registry.discover(entry_points=points)
    assert registry.names() == ("mouser", "digikey", "nexar", "catalog", "tme", "lcsc", "rs")
    assert registry.settings_classes()["tme"] is HttpProviderSettings
    assert registry.problems == ()


def test_a_broken_plugin_is_reported_not_fatal():
    points = [
        FakeEntryPoint("broken", "pkg:missing", ImportError("no module named pkg")),
        FakeEntryPoint("wrong", "pkg:thing", 42),
    ]
    registry = Registry.discover(entry_points=points)
    assert registry.names() == ("mouser", "digikey", "nexar", "catalog")
    assert len(registry.problems) == 2
    assert "broken" in registry.problems[0] and "ImportError" in registry.problems[0]


def test_two_providers_with_one_name_is_an_error():
    with pytest.raises(ConfigError, match="mouser"):
        Registry.discover([fake_spec("mouser")], entry_points=[])


def test_plugin_sections_are_validated_by_the_config(tmp_path):
    from opencircuit_cli.config import validate

    registry = Registry.discover([fake_spec("tme")], entry_points=[])
    config = validate(
        {"providers": {"tme": {"rate_limit": 100}}}, {}, None, registry.settings_classes()
    )
    assert config.provider("tme").rate_limit == 100
    with pytest.raises(ConfigError, match="tme"):
        validate({"providers": {"tme": {"rate_limit": 1}}}, {}, None)
