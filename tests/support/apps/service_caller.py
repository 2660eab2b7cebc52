"""A caller app behind Mongrel2 for tests/brubeck/test_service.py: ``/call?delay=2`` calls the echo
service and waits; ``/ping`` answers at once."""

from __future__ import annotations

import os

from brubeck.connections import Mongrel2Connection
from brubeck.handlers import JSONMessageHandler, WebMessageHandler
from brubeck.request_handling import Brubeck
from brubeck.responses import Response
from brubeck.service import ServiceClientMixin

ADDR, RESPONSE_ADDR = os.environ["SERVICE_ADDR"], os.environ["SERVICE_RESPONSE_ADDR"]


class CallHandler(ServiceClientMixin, JSONMessageHandler):
    def get(self) -> Response:
        self.register_service(ADDR, RESPONSE_ADDR, os.environ["SERVICE_PASSPHRASE"])
        delay = self.get_argument("delay", "0")
        request = self.create_service_request("/slow", "request", {"text": f"waited {delay}", "delay": delay})
        response, _ = self.send_service_request(ADDR, request)
        self.add_to_payload("echo", response.body["echo"])
        return self.render()


class PingHandler(WebMessageHandler):
    def get(self) -> Response:
        self.set_body("pong")
        return self.render()


app = Brubeck(
    msg_conn=Mongrel2Connection(os.environ["BRUBECK_PULL"], os.environ["BRUBECK_PUB"]),
    handler_tuples=[(r"^/call$", CallHandler), (r"^/ping$", PingHandler)],
)

if __name__ == "__main__":
    app.run()
