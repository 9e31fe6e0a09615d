from pathlib import Path

import pytest

from opencircuit_cli.config import load, validate
from opencircuit_cli.config_render import effective_dict, render_example
from opencircuit_cli.errors import ConfigError, ExitCode
from opencircuit_cli.settings import MouserSettings

REPO = Path(__file__).resolve().parents[1]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def places(tmp_path):
    """The four config locations, each holding a different currency."""
    cli = write(tmp_path / "cli.toml", '[defaults]\ncurrency = "EUR"\n')
    env = write(tmp_path / "env.toml", '[defaults]\ncurrency = "GBP"\n')
    cwd = tmp_path / "work"
    write(cwd / "opencircuit.toml", '[defaults]\ncurrency = "JPY"\n')
    user = tmp_path / "userconf"
    write(user / "config.toml", '[defaults]\ncurrency = "CHF"\n')
    return cli, env, cwd, user


def test_precedence_cli_beats_env_beats_cwd_beats_user(places):
    cli, env, cwd, user = places
    environ = {"OPENCIRCUIT_CONFIG": str(env)}
    assert load(cli, environ, cwd, user).defaults.currency == "EUR"
    assert load(None, environ, cwd, user).defaults.currency == "GBP"
    assert load(None, {}, cwd, user).defaults.currency == "JPY"
    (cwd / "opencircuit.toml").unlink()
    assert load(None, {}, cwd, user).defaults.currency == "CHF"
    (user / "config.toml").unlink()
    config = load(None, {}, cwd, user)
    assert config.defaults.currency == "USD"
    assert config.source is None


def test_explicit_missing_file_is_an_error_naming_it(tmp_path):
    with pytest.raises(ConfigError) as info:
        load(tmp_path / "nope.toml", {}, tmp_path, tmp_path)
    assert "nope.toml" in str(info.value)
    assert info.value.exit_code == ExitCode.CONFIG


def test_invalid_toml_names_the_file_and_line(tmp_path):
    path = write(tmp_path / "bad.toml", "[defaults]\ncurrency = \n")
    with pytest.raises(ConfigError, match=r"bad\.toml: invalid TOML.*line 2"):
        load(path, {}, tmp_path, tmp_path)


def test_expansion_in_values_with_defaults_and_dollars():
    raw = {
        "providers": {
            "mouser": {
                "api_key": "${MY_KEY}",
                "base_url": "${MOUSER_URL:-http://127.0.0.1:9/api}",
            },
            "nexar": {"client_secret": "pa$$word"},
        },
        "cache": {"path": "${CACHE_ROOT:-/tmp}/c.sqlite"},
    }
    config = validate(raw, {"MY_KEY": "k123"}, source=None)
    mouser = config.provider("mouser")
    assert mouser.api_key == "k123"
    assert mouser.base_url == "http://127.0.0.1:9/api"
    assert config.provider("nexar").client_secret == "pa$word"
    assert config.cache.path == "/tmp/c.sqlite"
    assert config.env_refs["providers.mouser.api_key"] == ("MY_KEY",)


def test_unset_variable_is_exit_3_naming_key_and_variable(tmp_path):
    path = write(tmp_path / "c.toml", '[providers.mouser]\napi_key = "${MOUSER_KEY_TYPO}"\n')
    with pytest.raises(ConfigError) as info:
        load(path, {}, tmp_path, tmp_path)
    message = str(info.value)
    assert "providers.mouser.api_key" in message
    assert "MOUSER_KEY_TYPO" in message
    assert info.value.exit_code == 3


def test_toml_injection_through_environment_stays_a_string(tmp_path):
    path = write(tmp_path / "c.toml", '[providers.mouser]\napi_key = "${EVIL}"\n')
    evil = 'x"\n[providers.digikey]\nenabled = false\n[defaults]\ncurrency = "EUR"\n#'
    config = load(path, {"EVIL": evil}, tmp_path, tmp_path)
    assert config.provider("mouser").api_key == evil
    assert config.provider("digikey").enabled is True
    assert config.defaults.currency == "USD"


@pytest.mark.parametrize(
    ("toml", "key", "hint"),
    [
        ("[providers.mouser]\napi_kye = 'x'\n", "providers.mouser.api_kye", "api_key"),
        ("[providers.mouzer]\nenabled = true\n", "providers.mouzer", "mouser"),
        ("[defualts]\ncurrency = 'EUR'\n", "defualts", "defaults"),
        ("[cache]\nttl = 5\nbakend = 'redis'\n", "cache.bakend", "backend"),
    ],
)
def test_unknown_keys_are_rejected_with_a_hint(tmp_path, toml, key, hint):
    path = write(tmp_path / "c.toml", toml)
    with pytest.raises(ConfigError) as info:
        load(path, {}, tmp_path, tmp_path)
    assert key in str(info.value)
    assert hint in (info.value.hint or "")


@pytest.mark.parametrize(
    ("toml", "key", "fragment"),
    [
        ("[providers.mouser]\nrate_limit = 'fast'\n", "providers.mouser.rate_limit", "number"),
        ("[providers.mouser]\nenabled = 'yes'\n", "providers.mouser.enabled", "true or false"),
        ("[cache]\nttl = 1.5\n", "cache.ttl", "whole number"),
        ("[cache]\nttl = true\n", "cache.ttl", "whole number"),
        ("[cache]\nbackend = 'memcached'\n", "cache.backend", "not one of"),
        ("[defaults]\ncurrency = 'euro'\n", "defaults.currency", "does not look right"),
        ("[defaults]\nproviders = ['mouser', 'digkey']\n", "defaults.providers[1]", "digkey"),
        ("[http]\nread_timeout = 0\n", "http.read_timeout", "at least"),
        ("providers = 3\n", "providers", "table"),
    ],
)
def test_type_errors_name_the_key_path(tmp_path, toml, key, fragment):
    path = write(tmp_path / "c.toml", toml)
    with pytest.raises(ConfigError) as info:
        load(path, {}, tmp_path, tmp_path)
    assert key in str(info.value)
    assert fragment in str(info.value)


def test_type_error_on_a_secret_does_not_show_the_value(tmp_path):
    path = write(tmp_path / "c.toml", "[providers.mouser]\napi_key = 123456789\n")
    with pytest.raises(ConfigError) as info:
        load(path, {}, tmp_path, tmp_path)
    assert "123456789" not in str(info.value)


def test_values_from_variables_are_converted_to_the_setting_type():
    raw = {"providers": {"mouser": {"daily_quota": "${Q}", "enabled": "${ON:-false}"}}}
    mouser = validate(raw, {"Q": "250"}, source=None).provider("mouser")
    assert mouser.daily_quota == 250
    assert mouser.enabled is False


def test_literal_string_is_not_converted():
    with pytest.raises(ConfigError, match="whole number"):
        validate({"providers": {"mouser": {"daily_quota": "250"}}}, {}, source=None)


def test_literal_secret_draws_a_warning_but_works():
    config = validate({"providers": {"mouser": {"api_key": "LITERALKEY1234567890"}}}, {}, None)
    assert config.provider("mouser").api_key == "LITERALKEY1234567890"
    assert any("providers.mouser.api_key" in w and "literal" in w for w in config.warnings)


def test_secret_defaults_read_the_environment_without_any_config_file(tmp_path):
    config = load(None, {"MOUSER_API_KEY": "from-env"}, tmp_path, tmp_path)
    assert config.provider("mouser").api_key == "from-env"
    assert isinstance(config.provider("mouser"), MouserSettings)


def test_shipped_example_is_the_rendered_schema_and_is_valid():
    shipped = (REPO / "config.example.toml").read_text(encoding="utf-8")
    assert shipped == render_example(), "regenerate config.example.toml from render_example()"
    config = load(REPO / "config.example.toml", {}, REPO, REPO)
    assert config.provider("digikey").flow == "client_credentials"


def test_effective_dict_masks_secrets():
    config = validate({}, {"MOUSER_API_KEY": "abcdefghijklmnopqrstuvwxyz"}, None)
    shown = effective_dict(config)
    assert shown["providers"]["mouser"]["api_key"] == "abcd…wxyz"
    assert "abcdefghijklmnopqrstuvwxyz" not in repr(shown)


def test_distributor_costs_and_currency_rates():
    raw = {
        "distributors": {"Mouser": {"shipping": 7.99, "free_shipping_over": 50}},
        "currency": {"rates": {"eur": 1.08, "GBP": 1}},
        "quote": {"boards": 10, "prefer": ["mouser"]},
    }
    config = validate(raw, {}, None)
    assert config.distributors["mouser"].shipping == 7.99
    assert config.distributors["mouser"].free_shipping_over == 50.0
    assert config.currency.rates == {"EUR": 1.08, "GBP": 1.0}
    assert (config.quote.boards, config.quote.prefer) == (10, ["mouser"])


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"distributors": {"mouser": {"shiping": 1}}}, "distributors.mouser.shiping"),
        ({"currency": {"rates": {"EUR": "x"}}}, "currency.rates"),
        ({"currency": {"rates": {"EUR": 0}}}, "currency.rates"),
        ({"quote": {"boards": 0}}, "quote.boards"),
    ],
)
def test_quote_sections_are_validated(raw, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        validate(raw, {}, None)
