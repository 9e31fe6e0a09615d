"""Realistic Mouser Search API answers for any part numbers, and a standalone fake server.

The answers are built from a recorded real part (tests/fixtures/mouser, KiCost's cache of
530-5MF6-R), with the part numbers, stock and prices changed per requested number, so the parser
sees exactly the field names, types and price formats Mouser sends.

Used by the provider tests (as `local_server` replies) and by `bench/price_batch.py` (as
`FakeMouserServer`, which answers every request from its body). No pytest import: the benchmark
runs it outside pytest.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
import time
from collections import deque
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mouser"
TEMPLATE_FILE = "v1_partnumber_530-5MF6-R__kicost.json"
INVALID_KEY_FILE = "error_200_invalid_api_key__partdb_issue1017.json"
NO_RESULTS_FILE = "v1_partnumber_no_results_695120004001__kicost.json"

#: Mouser's answer past its call limit: HTTP 200, `Code: TooManyRequests`, no message. Shape as
#: quoted from live answers in the docstring of the InvenTree supplier-panel plugin's Mouser module.
TOO_MANY_REQUESTS_ANSWER: dict[str, Any] = {
    "Errors": [
        {
            "Id": 0,
            "Code": "TooManyRequests",
            "Message": None,
            "ResourceKey": None,
            "ResourceFormatString": None,
            "ResourceFormatString2": None,
            "PropertyName": None,
        }
    ],
    "SearchResults": None,
}


def load_recorded(name: str) -> dict[str, Any]:
    """A recorded body from tests/fixtures/mouser, decoded (a fresh copy each call)."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def invalid_key_answer() -> dict[str, Any]:
    return load_recorded(INVALID_KEY_FILE)


def _template() -> dict[str, Any]:
    return load_recorded(TEMPLATE_FILE)["SearchResults"]["Parts"][0]


def _factor(mpn: str) -> Decimal:
    """A stable price multiplier per part number (0.50 .. 4.49), so parts differ in price."""
    digest = int(hashlib.sha256(mpn.encode()).hexdigest()[:8], 16)
    return Decimal(50 + digest % 400) / 100


def fake_part(
    mpn: str,
    *,
    manufacturer: str = "Bel Fuse",
    sku: str | None = None,
    stock: int | None = None,
    template: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One `SearchResults.Parts` entry for `mpn`, shaped like the recorded part."""
    part = copy.deepcopy(dict(template or _template()))
    factor = _factor(f"{manufacturer}/{mpn}")
    compact = "".join(mpn.split()).upper()
    on_hand = stock if stock is not None else int(factor * 1000)
    part.update(
        {
            "ManufacturerPartNumber": mpn,
            "MouserPartNumber": sku or f"530-{compact}",
            "Manufacturer": manufacturer,
            "Availability": f"{on_hand} In Stock" if on_hand else "None",
            "ProductDetailUrl": (
                "https://www.mouser.com/ProductDetail/"
                f"{quote(manufacturer.replace(' ', '-'))}/{quote(compact)}"
            ),
        }
    )
    for price_break in part["PriceBreaks"]:
        amount = Decimal(price_break["Price"].lstrip("$")) * factor
        price_break["Price"] = f"${amount.quantize(Decimal('0.001'))}"
    return part


def answer(parts: list[dict[str, Any]], total: int | None = None) -> dict[str, Any]:
    """A success body around `parts`."""
    number = len(parts) if total is None else total
    return {"Errors": [], "SearchResults": {"NumberOfResult": number, "Parts": parts}}


def requested_numbers(request_body: Mapping[str, Any]) -> list[str]:
    """The "|"-joined part numbers of a part-number search request."""
    joined = request_body["SearchByPartRequest"]["mouserPartNumber"]
    return [number for number in joined.split("|") if number.strip()]


def partnumber_answer(
    request_body: Mapping[str, Any], *, missing: Collection[str] = ()
) -> dict[str, Any]:
    """One part per requested number, except those in `missing` (Mouser has no such part)."""
    parts = [fake_part(n) for n in requested_numbers(request_body) if n not in missing]
    return answer(parts)


def keyword_answer(request_body: Mapping[str, Any], *, total: int = 1000) -> dict[str, Any]:
    """A keyword-search page: parts `<KEYWORD>-<n>` for n in [startingRecord, +records)."""
    request = request_body["SearchByKeywordRequest"]
    start, records = int(request["startingRecord"]), int(request["records"])
    keyword = str(request["keyword"]).upper()
    numbers = range(start, min(start + records, total))
    return answer([fake_part(f"{keyword}-{n:04d}") for n in numbers], total=total)


# -- standalone server ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SeenRequest:
    path: str
    api_key: str | None
    body: Any


class FakeMouserServer:
    """A Mouser look-alike on 127.0.0.1 in a background thread, answering from request bodies.

    Counts requests; with `rate_limit_per_minute` it refuses calls beyond the limit in any
    60-second window the way Mouser does (HTTP 200 + `TooManyRequests`) and counts refusals.
    With `api_key` set, any other key gets the recorded invalid-key answer.
    """

    def __init__(
        self,
        *,
        rate_limit_per_minute: float | None = None,
        api_key: str | None = None,
        missing: Collection[str] = (),
    ) -> None:
        self.rate_limit_per_minute = rate_limit_per_minute
        self.api_key = api_key
        self.missing = frozenset(missing)
        self._lock = threading.Lock()
        self._seen: list[SeenRequest] = []
        self._window: deque[float] = deque()
        self.refused = 0
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self.port = int(self._httpd.server_address[1])
        self.base_url = f"http://127.0.0.1:{self.port}/api/v1"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def __enter__(self) -> FakeMouserServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def requests(self) -> list[SeenRequest]:
        with self._lock:
            return list(self._seen)

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self._seen)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def respond(self, path: str, api_key: str | None, body: Any) -> dict[str, Any]:
        """The answer to one request (also recorded and rate-checked)."""
        with self._lock:
            self._seen.append(SeenRequest(path, api_key, body))
            if self._over_limit():
                self.refused += 1
                return copy.deepcopy(TOO_MANY_REQUESTS_ANSWER)
        if self.api_key is not None and api_key != self.api_key:
            return invalid_key_answer()
        if path.endswith("/search/partnumber"):
            return partnumber_answer(body, missing=self.missing)
        if path.endswith("/search/keyword"):
            return keyword_answer(body)
        return {"Message": "No HTTP resource was found that matches the request URI."}

    def _over_limit(self) -> bool:
        if self.rate_limit_per_minute is None:
            return False
        now = time.monotonic()
        while self._window and now - self._window[0] >= 60.0:
            self._window.popleft()
        if len(self._window) >= self.rate_limit_per_minute:
            return True
        self._window.append(now)
        return False


def _handler_for(server: FakeMouserServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            split = urlsplit(self.path)
            key = (parse_qs(split.query).get("apiKey") or [None])[0]
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = None
            if not isinstance(body, dict):
                reply: dict[str, Any] = {"Message": "The request is invalid."}
                status = 400
            else:
                try:
                    reply, status = server.respond(split.path, key, body), 200
                except (KeyError, TypeError, ValueError):
                    reply, status = {"Message": "The request is invalid."}, 400
            payload = json.dumps(reply).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler
