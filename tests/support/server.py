"""A real HTTP server on 127.0.0.1 for fault tests: scripted replies per path, a request log.

Usage (the fixture is `local_server`)::

    def test_retry(local_server):
        local_server.script("/search", Reply(503), Reply(200, body={"ok": True}))
        url = local_server.url("/search")
        ...  # call the code under test with `url`
        assert len(local_server.requests_for("/search")) == 2

Each path has a FIFO queue of `Reply` objects. When a path's queue is empty the server answers
with that path's fallback (`set_fallback`) or, by default, HTTP 200 with the JSON document
`{"method", "path", "seq"}`, where `seq` numbers the requests the server has seen (1, 2, ...).
A reply can be delayed (read timeouts), and `drop=True` closes the connection without an answer.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Reply:
    """One scripted answer. A dict/list body is sent as JSON; str as UTF-8 text."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | str | Mapping[str, Any] | list[Any] | None = None
    delay: float = 0.0  # seconds to wait before answering (after the request is logged)
    drop: bool = False  # close the connection without answering


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    query: Mapping[str, list[str]]
    raw_query: str
    headers: Mapping[str, str]  # lower-cased names
    body: bytes
    at: float  # time.monotonic() when the request line and body had been read

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        return json.loads(self.body)


class LocalServer:
    """A ThreadingHTTPServer on 127.0.0.1:<free port>, serving from a background thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, deque[Reply]] = {}
        self._fallbacks: dict[str, Reply] = {}
        self._log: list[ReceivedRequest] = []
        self._httpd = _Server((HOST, 0), _Handler)
        self._httpd.owner = self
        self.port: int = self._httpd.server_address[1]
        self.base_url = f"http://{HOST}:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def script(self, path: str, *replies: Reply) -> None:
        """Queue replies for `path` (no query string), served in order."""
        with self._lock:
            self._queues.setdefault(path, deque()).extend(replies)

    def set_fallback(self, path: str, reply: Reply) -> None:
        """The reply for `path` once its queue is empty."""
        with self._lock:
            self._fallbacks[path] = reply

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._log)

    def requests_for(self, path: str) -> list[ReceivedRequest]:
        return [r for r in self.requests if r.path == path]

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    # -- used by the handler ---------------------------------------------------------------------

    def _record(self, request: ReceivedRequest) -> tuple[Reply, int]:
        with self._lock:
            self._log.append(request)
            seq = len(self._log)
            queue = self._queues.get(request.path)
            if queue:
                return queue.popleft(), seq
            fallback = self._fallbacks.get(request.path)
            if fallback is not None:
                return fallback, seq
        body = {"method": request.method, "path": request.path, "seq": seq}
        return Reply(200, body=body), seq


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    owner: LocalServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that gave up (read timeouts) leave broken pipes behind; that is the point.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY, Nagle's algorithm and
    # the client's delayed ACK add ~40 ms to every response.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        received = ReceivedRequest(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            raw_query=split.query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            at=time.monotonic(),
        )
        reply, _seq = self.server.owner._record(received)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.drop:
            self.close_connection = True
            return
        payload, content_type = _encode(reply.body)
        self.send_response(reply.status)
        names = {k.lower() for k in reply.headers}
        if "content-type" not in names and content_type:
            self.send_header("Content-Type", content_type)
        if "content-length" not in names:
            self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


def _encode(body: Any) -> tuple[bytes, str | None]:
    if body is None:
        return b"", None
    if isinstance(body, bytes):
        return body, "application/octet-stream"
    if isinstance(body, str):
        return body.encode("utf-8"), "text/plain; charset=utf-8"
    return json.dumps(body).encode("utf-8"), "application/json"


def unused_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (connecting to it is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A fresh `LocalServer` per test, shut down afterwards."""
    server = LocalServer()
    try:
        yield server
    finally:
        server.close()
