"""Small helpers for the integration tests: waiting, raw HTTP over sockets."""

from __future__ import annotations

import http.client
import re
import socket
import time
from collections.abc import Callable

# The probe app's handlers raise exceptions carrying this; it must never reach a client.
PROBE_SECRET = "s3cret-dsn postgres://admin:hunter2@db.internal/prod"
CSRF_INPUT = re.compile(r'<input type="hidden" name="_csrf" value="([^"]+)">')


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    """Poll ``predicate`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def send_request(port: int, path: str, method: str = "GET", timeout: float = 15.0) -> socket.socket:
    """Open a connection and send one request without reading the answer."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n".encode("ascii"))
    return sock


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read one HTTP response from ``sock`` and close it: (status, headers, body)."""
    try:
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        sock.close()


def csrf_token(page: str) -> str:
    """The CSRF token in a form rendered with ``csrf_field()``."""
    found = CSRF_INPUT.search(page)
    assert found, "the page has no CSRF field"
    return found.group(1)
