"""`${VAR}`, `${VAR:-default}` and `$$` expansion in configuration string values.

Expansion runs on values after TOML parsing, never on the file text, so an environment value
can never add keys or sections (no TOML injection): whatever the variable holds stays one string.
A `$` not followed by `{` or `$` is kept as it is, so passwords containing `$` survive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class ExpansionError(ValueError):
    """Raised with a message that names the variable; the caller adds the key path."""


@dataclass(frozen=True)
class Expanded:
    value: str
    variables: tuple[str, ...]  # names referenced, in order; empty when the value was literal


def _is_name(text: str) -> bool:
    return (
        bool(text)
        and (text[0].isalpha() or text[0] == "_")
        and all(ch.isalnum() or ch == "_" for ch in text)
    )


def expand(text: str, environ: Mapping[str, str]) -> Expanded:
    out: list[str] = []
    variables: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "$":
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1 : i + 2]
        if nxt == "$":
            out.append("$")
            i += 2
            continue
        if nxt != "{":
            out.append("$")
            i += 1
            continue
        end = text.find("}", i + 2)
        if end == -1:
            raise ExpansionError(
                f"unterminated '${{' in {text[i:]!r}; write '$$' for a literal '$'"
            )
        body = text[i + 2 : end]
        name, has_default, default = body.partition(":-")
        if not _is_name(name):
            raise ExpansionError(f"'${{{body}}}' is not a valid variable reference")
        variables.append(name)
        value = environ.get(name)
        if value is None or (has_default and value == ""):
            if not has_default:
                raise ExpansionError(
                    f"environment variable {name} is not set (use '${{{name}:-default}}' "
                    "for an optional value)"
                )
            value = default
        out.append(value)
        i = end + 1
    return Expanded("".join(out), tuple(variables))
