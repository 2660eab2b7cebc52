"""A Brubeck app for the integration tests: routes that fail, echo or check CSRF.

Run as ``python -m tests.support.apps.probe_app`` with BRUBECK_PULL/BRUBECK_PUB
set (the ``serve`` fixture does this).
"""

import hashlib
import os
import time

from brubeck import concurrency
from brubeck.connections import Mongrel2Connection
from brubeck.request_handling import Brubeck, JSONMessageHandler, WebMessageHandler, http_response

# The handlers raise exceptions carrying this; it must never reach a client.
PROBE_SECRET = "s3cret-dsn postgres://admin:hunter2@db.internal/prod"


class ReadyHandler(WebMessageHandler):
    def get(self):
        self.set_body("probe ready")
        return self.render()


class BoomHandler(WebMessageHandler):
    def get(self):
        raise RuntimeError(PROBE_SECRET)


class FormHandler(WebMessageHandler):
    def get(self):
        self.set_body(f"<form>{self.csrf_field()}</form>")
        return self.render()


class JSONEchoHandler(JSONMessageHandler):
    def post(self):
        self.add_to_payload("echo", self.message.json)
        return self.render()


class StreamHandler(WebMessageHandler):
    """``/stream?pieces=N``: N pieces of 10,000 bytes, made one by one (a sleep between: other requests run);
    ``&fail=K`` raises at piece K."""

    def get(self):
        count, fail = int(self.get_argument("pieces", "3")), int(self.get_argument("fail", "-1"))

        def pieces():
            for number in range(count):
                if number == fail:
                    raise RuntimeError(PROBE_SECRET)
                concurrency.sleep(0.01)
                yield str(number % 10).encode() * 10_000

        self.headers["Content-Type"] = "text/plain"
        return self.stream(pieces())


def boom(application, message):
    raise KeyError(PROBE_SECRET)


def echo(application, message):
    """Send the body back, with its SHA-256 and length in headers."""
    return http_response(
        message.body,
        200,
        "OK",
        {
            "Content-Type": "application/octet-stream",
            "X-Body-Sha256": hashlib.sha256(message.body).hexdigest(),
            "X-Body-Length": str(len(message.body)),
        },
    )


def sleep_a_second(application, message):
    """Block in the standard library's time.sleep: only monkey-patching keeps other requests going."""
    time.sleep(1)
    return http_response("slept", 200, "OK", {"Content-Type": "text/plain; charset=utf-8"})


def make_app() -> Brubeck:
    app = Brubeck(
        msg_conn=Mongrel2Connection(os.environ["BRUBECK_PULL"], os.environ["BRUBECK_PUB"]),
        handler_tuples=[
            (r"^/$", ReadyHandler),
            (r"^/boom$", BoomHandler),
            (r"^/json-echo$", JSONEchoHandler),
            (r"^/form$", FormHandler),
            (r"^/stream$", StreamHandler),
        ],
        cookie_secret="probe-app-secret",
    )
    app.add_route_rule(r"^/boom-fn$", boom, method="GET")
    app.add_route_rule(r"^/echo$", echo, method="POST")
    app.add_route_rule(r"^/concurrency$", lambda application, message: concurrency.NAME, method="GET")
    app.add_route_rule(r"^/sleep$", sleep_a_second, method="GET")
    return app


if __name__ == "__main__":
    make_app().run()
