"""Raw HTTP over sockets, for what a client library would hide: held requests, disconnects, exact bytes."""

from __future__ import annotations

import http.client
import socket

from brubeck.testing import CSRF_INPUT


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
