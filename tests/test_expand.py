import pytest

from opencircuit_cli.expand import ExpansionError, expand


def test_plain_text_is_unchanged_and_references_nothing():
    result = expand("https://api.mouser.com", {})
    assert result.value == "https://api.mouser.com"
    assert result.variables == ()


def test_variable_is_replaced_and_recorded():
    result = expand("key-${KEY}-end", {"KEY": "abc"})
    assert result.value == "key-abc-end"
    assert result.variables == ("KEY",)


@pytest.mark.parametrize(
    ("text", "environ", "expected"),
    [
        ("${X:-fallback}", {}, "fallback"),
        ("${X:-fallback}", {"X": ""}, "fallback"),
        ("${X:-fallback}", {"X": "set"}, "set"),
        ("${X:-}", {}, ""),
        ("${X}", {"X": ""}, ""),
        ("${X:-a:-b}", {}, "a:-b"),
    ],
)
def test_defaults(text, environ, expected):
    assert expand(text, environ).value == expected


def test_double_dollar_is_a_literal_dollar_and_not_expanded():
    assert expand("pa$$word ${HOME_NOT_USED:-x}$$", {}).value == "pa$word x$"
    assert expand("$${NOT_A_VAR}", {}).value == "${NOT_A_VAR}"


def test_lone_dollar_is_kept():
    assert expand("costs $5 and $", {}).value == "costs $5 and $"


def test_unset_variable_without_default_names_the_variable():
    with pytest.raises(ExpansionError, match="MOUSER_API_KEY is not set"):
        expand("${MOUSER_API_KEY}", {})


@pytest.mark.parametrize("text", ["${UNCLOSED", "${1BAD}", "${}", "${A B}"])
def test_malformed_references_are_errors(text):
    with pytest.raises(ExpansionError):
        expand(text, {})


def test_value_with_toml_syntax_stays_one_string():
    evil = 'x"\n[providers.evil]\nenabled = true\n#'
    assert expand("${V}", {"V": evil}).value == evil
