"""A service for tests/brubeck/test_service.py: echoes its arguments, with this process's id.

Addresses and passphrase from SERVICE_ADDR, SERVICE_RESPONSE_ADDR, SERVICE_PASSPHRASE.
``/echo`` answers at once, ``/slow`` after ``delay`` seconds (an argument).
"""

from __future__ import annotations

import logging
import os

from brubeck.request_handling import Brubeck
from brubeck.responses import Response
from brubeck.service import ServiceConnection, ServiceMessageHandler, coro_sleep


class EchoHandler(ServiceMessageHandler):
    def request(self) -> Response:
        coro_sleep(float(self.message.get_argument("delay", 0)))
        self.add_to_payload("echo", self.message.get_argument("text", ""))
        self.add_to_payload("pid", os.getpid())
        self.set_status(200, "Echoed")
        self.headers = {"METHOD": "response"}  # type: ignore[assignment]
        return self.render()


app = Brubeck(
    msg_conn=ServiceConnection(
        os.environ["SERVICE_ADDR"], os.environ["SERVICE_RESPONSE_ADDR"], os.environ["SERVICE_PASSPHRASE"]
    ),
    handler_tuples=[(r"^/echo$", EchoHandler), (r"^/slow$", EchoHandler)],
    log_level=logging.INFO,
)

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    app.run()
