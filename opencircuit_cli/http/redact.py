"""Keep secrets out of logs, tracebacks and the cache.

Two complementary defences:

* by *name*: query parameters, headers and JSON keys that carry credentials (`apiKey`,
  `Authorization`, `client_secret`, ...) in every spelling a provider might use;
* by *value*: the literal secrets this run loaded (`Redactor.add_secret`), wherever they show up,
  including their URL-encoded and JSON-escaped forms. This catches what no name list can
  (a nested JSON field, a redirect `Location` header, an exception text).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus, unquote_plus, urlsplit, urlunsplit

MASK = "***"

#: Names whose values are credentials. `X-DIGIKEY-Customer-Id` is deliberately absent: it is an
#: account number that changes the prices DigiKey returns, so it must stay part of the cache key.
SECRET_PARAMETER_NAMES: tuple[str, ...] = (
    "apiKey",
    "api_key",
    "key",
    "Authorization",
    "Proxy-Authorization",
    "X-DIGIKEY-Client-Id",
    "X-API-Key",
    "X-Auth-Token",
    "client_id",
    "client_secret",
    "client_assertion",
    "access_token",
    "refresh_token",
    "id_token",
    "token",
    "password",
    "code",
    "Cookie",
    "Set-Cookie",
)

_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def split_words(name: str) -> list[str]:
    """`X-DIGIKEY-Client-Id` -> [x, digikey, client, id]; `apiKey` -> [api, key]."""
    words: list[str] = []
    for part in _SEPARATORS.split(name):
        words.extend(word.lower() for word in _WORDS.findall(part))
    return words


def name_variants(name: str) -> frozenset[str]:
    """Every spelling of `name` a provider might use.

    requests-cache compares parameter and header names case-sensitively, so `apiKey`, `apikey`,
    `API_KEY`, `api-key` and `ApiKey` must all be listed for all of them to be redacted.
    """
    words = split_words(name)
    variants = {name, name.lower(), name.upper(), name.capitalize()}
    if not words:
        return frozenset(variants)
    styles = (
        [w.lower() for w in words],
        [w.upper() for w in words],
        [w.capitalize() for w in words],
        [words[0].lower(), *(w.capitalize() for w in words[1:])],
    )
    for separator in ("_", "-", ""):
        for style in styles:
            variants.add(separator.join(style))
    return frozenset(variants)


def expand_names(names: Iterable[str]) -> frozenset[str]:
    """The union of `name_variants` over `names`."""
    expanded: set[str] = set()
    for name in names:
        expanded |= name_variants(name)
    return frozenset(expanded)


def _encoded_forms(value: str) -> set[str]:
    return {
        value,
        quote(value, safe=""),
        quote(value),
        quote_plus(value),
        json.dumps(value)[1:-1],
    }


class Redactor:
    """Secret names plus the literal secret values registered during this run. Thread-safe.

    Values shorter than `min_secret_length` are ignored: masking every "a" would destroy the text
    and such a value is no credential anyway.
    """

    def __init__(
        self, names: Iterable[str] = SECRET_PARAMETER_NAMES, *, min_secret_length: int = 4
    ) -> None:
        self._names = expand_names(names)
        self._names_lower = frozenset(n.lower() for n in self._names)
        self._min_length = min_secret_length
        self._lock = threading.Lock()
        self._values: frozenset[str] = frozenset()
        # Patterns are rebuilt under the lock and swapped in whole: readers never lock.
        self._text_pattern: re.Pattern[str] | None = None
        self._bytes_pattern: re.Pattern[bytes] | None = None
        alternatives = "|".join(re.escape(n) for n in sorted(self._names, key=len, reverse=True))
        self._pair_pattern = re.compile(
            rf"(?<![\w.-])({alternatives})(=)([^&\s\"'<>,;]+)"
            rf"|(\"(?:{alternatives})\"\s*:\s*\")((?:[^\"\\]|\\.)*)(\")",
            re.IGNORECASE,
        )

    @property
    def secret_names(self) -> frozenset[str]:
        """Every case variant of every secret name (for requests-cache `ignored_parameters`)."""
        return self._names

    @property
    def has_secrets(self) -> bool:
        return bool(self._values)

    def is_secret_name(self, name: str) -> bool:
        return name.lower() in self._names_lower

    def add_secret(self, value: str | None) -> None:
        """Register a secret value loaded at run time (API key, token, client secret)."""
        if not value or len(value) < self._min_length:
            return
        with self._lock:
            if value in self._values:
                return
            values = self._values | {value}
            forms: set[str] = set()
            for secret in values:
                forms |= {f for f in _encoded_forms(secret) if len(f) >= self._min_length}
            ordered = sorted(forms, key=len, reverse=True)
            self._text_pattern = re.compile("|".join(re.escape(f) for f in ordered))
            self._bytes_pattern = re.compile(
                b"|".join(re.escape(f.encode("utf-8")) for f in ordered)
            )
            self._values = values

    def redact_url(self, url: str) -> str:
        """Mask the values of secret query parameters and any password in the URL."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return self.redact_text(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, host = netloc.rpartition("@")
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{MASK}@{host}"
        pieces = []
        for piece in parts.query.split("&") if parts.query else []:
            name, sep, _value = piece.partition("=")
            if sep and self.is_secret_name(unquote_plus(name)):
                piece = f"{name}={MASK}"
            pieces.append(piece)
        return urlunsplit((parts.scheme, netloc, parts.path, "&".join(pieces), parts.fragment))

    def redact_values(self, text: str) -> str:
        """Mask the registered secret values only (no name-based masking)."""
        pattern = self._text_pattern
        return pattern.sub(MASK, text) if pattern is not None else text

    def redact_text(self, text: str) -> str:
        """Mask every registered secret value and every `secret_name=value` pair in `text`."""
        return self._pair_pattern.sub(self._mask_pair, self.redact_values(text))

    def redact_bytes(self, data: bytes) -> bytes:
        """Mask every registered secret value (and its encoded forms) in raw bytes."""
        pattern = self._bytes_pattern
        return pattern.sub(MASK.encode(), data) if pattern is not None else data

    def redact_json(self, value: Any) -> Any:
        """Deep copy of a decoded JSON document with secret-named keys masked at any depth."""
        if isinstance(value, dict):
            return {
                k: (MASK if isinstance(k, str) and self.is_secret_name(k) else self.redact_json(v))
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.redact_json(v) for v in value]
        if isinstance(value, str):
            return self.redact_text(value)
        return value

    def redact_body(self, body: bytes) -> bytes:
        """`body` with secrets masked: JSON by key name and by value, anything else by value."""
        if not body:
            return body
        stripped = body.lstrip()
        if stripped[:1] in (b"{", b"["):
            try:
                document = json.loads(body)
            except ValueError:
                pass
            else:
                return json.dumps(self.redact_json(document)).encode("utf-8")
        return self.redact_bytes(body)

    @staticmethod
    def _mask_pair(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return f"{match.group(1)}{match.group(2)}{MASK}"
        return f"{match.group(4)}{MASK}{match.group(6)}"


class RedactingFilter(logging.Filter):
    """A logging filter that passes each record's final text through `Redactor.redact_text`.

    Attach it to the handler of `--verbose` output: libraries such as urllib3 and requests-cache
    log full URLs (query string included) at DEBUG.
    """

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self._redactor.redact_text(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True
