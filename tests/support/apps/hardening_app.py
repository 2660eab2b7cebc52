"""A Brubeck app for the hardening tests: routes that take, refuse or report what the client sent.

Run as ``python -m tests.support.apps.hardening_app`` with BRUBECK_PULL/BRUBECK_PUB
set, and MONGREL2_CHROOT naming Mongrel2's work folder (where its upload files are).
"""

import hashlib
import json
import os

from brubeck.connections import Mongrel2Connection
from brubeck.request_handling import Brubeck, WebMessageHandler, http_response

UPLOAD_LIMIT = 1024 * 1024


class ReadyHandler(WebMessageHandler):
    def get(self):
        self.set_body("ready")


class FormHandler(WebMessageHandler):
    """A page with a form: its POST needs a CSRF token (the 403 of the issue)."""

    def get(self):
        self.set_body("form")

    def post(self):
        self.set_body("posted")


class UploadHandler(WebMessageHandler):
    """Takes bodies up to UPLOAD_LIMIT, streamed to a file by Mongrel2."""

    csrf_protect = False
    max_upload_size = UPLOAD_LIMIT

    def post(self):
        body = self.message.body
        self.headers["X-Body-Length"] = str(len(body))
        self.headers["X-Body-Sha256"] = hashlib.sha256(body).hexdigest()
        self.set_body("stored")


def echo(application, message):
    """A function route that does not take uploads."""
    return http_response(message.body, headers={"X-Body-Length": str(len(message.body))})


def headers(application, message):
    """The User-Agent and the cookie ``x`` as the handler read them."""
    found = {"user-agent": message.headers.get("user-agent"), "x": message.cookies.get("x")}
    return http_response(json.dumps(found), headers={"Content-Type": "application/json"})


def make_app() -> Brubeck:
    app = Brubeck(
        msg_conn=Mongrel2Connection(
            os.environ["BRUBECK_PULL"], os.environ["BRUBECK_PUB"], chroot=os.environ.get("MONGREL2_CHROOT", ".")
        ),
        handler_tuples=[(r"^/$", ReadyHandler), (r"^/form$", FormHandler), (r"^/upload$", UploadHandler)],
        cookie_secret="hardening-app-secret",
    )
    app.add_route_rule(r"^/echo$", echo, method="POST")
    app.add_route_rule(r"^/headers$", headers, method="GET")
    return app


if __name__ == "__main__":
    make_app().run()
