"""gevent's own WSGI server answering a bare WSGI hello world, with the headers Brubeck's hello world sends
(so that ``brubeck-wsgi`` against it measures the framework, not header bytes), and Nagle's algorithm off
as Brubeck's ``WSGIConnection`` turns it off: ``python -m bench.servers.gevent_wsgi_hello PORT``."""

import socket
import sys
from collections.abc import Callable, Iterable
from typing import Any

from gevent.pywsgi import WSGIServer  # its own sockets are gevent's: nothing here needs patching

HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("X-Content-Type-Options", "nosniff"),
    (
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Length", "11"),
]


def hello(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", HEADERS)
    return [b"Hello world"]


class Server(WSGIServer):  # type: ignore[misc]
    def handle(self, sock: Any, address: Any) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().handle(sock, address)


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        sys.exit(__doc__)
    Server(("127.0.0.1", int(argv[0])), hello, log=None).serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
