"""Brubeck's hello world (``/``) and JSON hello (``/json``), behind Mongrel2 or under gevent's WSGI server.

``python -m bench.servers.brubeck_hello mongrel2 PULL_ADDR PUB_ADDR``
``python -m bench.servers.brubeck_hello wsgi PORT``
"""

import sys

from brubeck.connections import Mongrel2Connection, WSGIConnection
from brubeck.request_handling import Brubeck, JSONMessageHandler, WebMessageHandler
from brubeck.responses import Response


class HelloHandler(WebMessageHandler):
    def get(self) -> Response:
        self.set_body("Hello world")
        return self.render()


class JSONHelloHandler(JSONMessageHandler):
    def get(self) -> Response:
        self.add_to_payload("message", "Hello world")
        return self.render()


def main(argv: list[str]) -> None:
    msg_conn: Mongrel2Connection | WSGIConnection
    if len(argv) == 3 and argv[0] == "mongrel2":
        msg_conn = Mongrel2Connection(argv[1], argv[2])
    elif len(argv) == 2 and argv[0] == "wsgi":
        msg_conn = WSGIConnection(int(argv[1]), "127.0.0.1")
    else:
        sys.exit(__doc__)
    Brubeck(msg_conn=msg_conn, handler_tuples=[(r"^/$", HelloHandler), (r"^/json$", JSONHelloHandler)]).run()


if __name__ == "__main__":
    main(sys.argv[1:])
