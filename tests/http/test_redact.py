"""Secret names in every spelling, registered values in every encoding."""

from __future__ import annotations

import json
import logging
import threading
from urllib.parse import quote, quote_plus

import pytest

from opencircuit_cli.http.redact import (
    SECRET_PARAMETER_NAMES,
    RedactingFilter,
    Redactor,
    name_variants,
    split_words,
)

SECRET = "s3cr3t/+=Value&x"


def test_split_words_handles_camel_kebab_snake_and_acronyms() -> None:
    assert split_words("apiKey") == ["api", "key"]
    assert split_words("X-DIGIKEY-Client-Id") == ["x", "digikey", "client", "id"]
    assert split_words("client_secret") == ["client", "secret"]
    assert split_words("XMLHttpToken") == ["xml", "http", "token"]


def test_name_variants_cover_every_case_style() -> None:
    variants = name_variants("apiKey")
    for expected in (
        "apiKey", "apikey", "APIKEY", "Apikey", "api_key", "API_KEY",
        "api-key", "API-KEY", "Api-Key", "ApiKey",
    ):  # fmt: skip
        assert expected in variants
    client_id = name_variants("X-DIGIKEY-Client-Id")
    for expected in (
        "X-DIGIKEY-Client-Id", "x-digikey-client-id", "X-DIGIKEY-CLIENT-ID",
        "x_digikey_client_id", "xDigikeyClientId", "XDigikeyClientId", "X-Digikey-Client-Id",
    ):  # fmt: skip
        assert expected in client_id
    assert {"client_secret", "clientSecret", "ClientSecret", "client-secret", "CLIENT_SECRET"} <= (
        name_variants("client_secret")
    )


def test_customer_id_is_not_a_secret() -> None:
    redactor = Redactor()
    assert not redactor.is_secret_name("X-DIGIKEY-Customer-Id")
    assert "X-DIGIKEY-Customer-Id" not in redactor.secret_names
    for name in SECRET_PARAMETER_NAMES:
        assert name in redactor.secret_names


def test_redact_url_masks_secret_query_values_and_passwords() -> None:
    redactor = Redactor()
    url = "https://user:pw@api.mouser.com/api/v1/search?apiKey=abc123&q=LM358&API_KEY=x&monkey=1"
    assert redactor.redact_url(url) == (
        "https://user:***@api.mouser.com/api/v1/search?apiKey=***&q=LM358&API_KEY=***&monkey=1"
    )
    assert redactor.redact_url("https://example.com/p?q=1") == "https://example.com/p?q=1"


def test_redact_text_masks_registered_values_in_all_encodings() -> None:
    redactor = Redactor()
    redactor.add_secret(SECRET)
    text = " | ".join(
        [SECRET, quote(SECRET, safe=""), quote_plus(SECRET), json.dumps({"x": SECRET})]
    )
    redacted = redactor.redact_text(text)
    assert "s3cr3t" not in redacted
    assert redacted.count("***") == 4


def test_redact_text_masks_name_value_pairs_even_for_unknown_values() -> None:
    redactor = Redactor()
    text = 'GET /x?apikey=zzz&part=LM358 body {"client_secret": "qqq", "keyword": "kw"}'
    redacted = redactor.redact_text(text)
    assert "zzz" not in redacted and "qqq" not in redacted
    assert "part=LM358" in redacted and '"keyword": "kw"' in redacted


def test_short_and_empty_values_are_not_registered() -> None:
    redactor = Redactor()
    redactor.add_secret("")
    redactor.add_secret(None)
    redactor.add_secret("ab")
    assert not redactor.has_secrets
    assert redactor.redact_text("a b ab") == "a b ab"


def test_redact_bytes_and_json_bodies() -> None:
    redactor = Redactor()
    redactor.add_secret(SECRET)
    body = json.dumps({"outer": {"token": "unregistered", "note": SECRET, "keep": 1}}).encode()
    scrubbed = redactor.redact_body(body)
    assert json.loads(scrubbed) == {"outer": {"token": "***", "note": "***", "keep": 1}}
    assert redactor.redact_body(b"form=" + SECRET.encode()) == b"form=***"


def test_add_secret_is_thread_safe() -> None:
    redactor = Redactor()
    secrets = [f"secret-number-{i:03d}" for i in range(80)]

    def add(chunk: list[str]) -> None:
        for value in chunk:
            redactor.add_secret(value)

    threads = [threading.Thread(target=add, args=(secrets[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert redactor.redact_text(" ".join(secrets)) == " ".join(["***"] * 80)


def test_redacting_filter_scrubs_library_log_records(caplog: pytest.LogCaptureFixture) -> None:
    redactor = Redactor()
    redactor.add_secret(SECRET)
    logger = logging.getLogger("tests.redact.urllib3-like")
    logger.addFilter(RedactingFilter(redactor))
    try:
        with caplog.at_level(logging.DEBUG, logger=logger.name):
            logger.debug('"GET /search?apiKey=%s&q=1 HTTP/1.1" 200', quote_plus(SECRET))
            logger.debug("token=%s", "unregistered-token")
    finally:
        logger.filters.clear()
    text = caplog.text
    assert "s3cr3t" not in text and "unregistered-token" not in text
    assert "apiKey=***&q=1" in text
