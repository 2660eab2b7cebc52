"""WSGI: the app as a WSGI callable, and Brubeck's own WSGI server (``WSGIConnection``).

``Brubeck.__call__`` answers WSGI requests through :func:`respond`, so any
WSGI server can serve an app (``gunicorn -k gevent module:app``);
``WSGIConnection(port)`` serves it with the coroutine library's own server,
on loopback unless told otherwise.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from typing import Any

from . import concurrency
from .request import Request
from .responses import Response
from .types import Application

log = logging.getLogger("brubeck.connections")


def request_from_environ(environ: dict[str, Any]) -> Request:
    """The request of a WSGI environ, its whole body read."""
    headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = environ[key]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    return Request(
        method=environ.get("REQUEST_METHOD", "GET"),
        path=environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace"),
        query_string=environ.get("QUERY_STRING", ""),
        headers=headers,
        body=body,
        version=environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
        scheme=environ.get("wsgi.url_scheme", "http"),
        remote_addr=headers.get("x-forwarded-for", environ.get("REMOTE_ADDR", "")).split(",")[0].strip(),
    )


def respond(app: Application, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """Answer one WSGI request with ``app``."""
    try:
        request = request_from_environ(environ)
    except (ValueError, OSError):
        response = Response("Bad request", 400, headers={"Content-Type": "text/plain; charset=utf-8"})
    else:
        response = app.handle(request) or Response(b"", 204)
        if request.method == "HEAD":
            start_response(response.status_line, response.header_lines())
            return [b""]
    start_response(response.status_line, response.header_lines())
    return [response.body]


if concurrency.NAME == "gevent":
    import gevent
    import gevent.pywsgi

    class _WSGIHandler(gevent.pywsgi.WSGIHandler):  # type: ignore[misc]
        def handle_one_request(self) -> Any:
            result = super().handle_one_request()
            if result is True:  # keep-alive: a client whose next request is already here must not starve the others
                gevent.sleep(0)
            return result

    class _WSGIServer(gevent.pywsgi.WSGIServer):  # type: ignore[misc]
        """pywsgi sends the headers and the body in two writes: with Nagle's
        algorithm on, the body waits for the client's delayed ACK (40 ms)."""

        handler_class = _WSGIHandler

        def handle(self, sock: Any, address: Any) -> None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().handle(sock, address)

    def serve(app: Callable[..., Any], host: str, port: int) -> None:
        """Serve a WSGI callable until the process is stopped."""
        _WSGIServer((host, port), app, log=None).serve_forever()

else:
    import eventlet
    import eventlet.wsgi

    def serve(app: Callable[..., Any], host: str, port: int) -> None:
        """Serve a WSGI callable until the process is stopped."""
        eventlet.wsgi.server(eventlet.listen((host, port)), app, log_output=False)


class WSGIConnection:
    """Serve the app over plain HTTP with the coroutine library's WSGI server."""

    def __init__(self, port: int = 6767, host: str = "127.0.0.1") -> None:
        self.port = port
        self.host = host

    def process_messages(self, app: Callable[..., Any]) -> None:
        log.info("Serving WSGI on http://%s:%d/", self.host, self.port)
        serve(app, self.host, self.port)
