#!/usr/bin/env python
"""URL groups become handler arguments: named groups by keyword, others by position.

Run Mongrel2 with demos/mongrel2.conf (see demos/README.md), then
``python -m demos.urlargs`` (from the project root) and open http://localhost:6767/class/alice,
http://localhost:6767/fun/bob or http://localhost:6767/sum/2/3.
"""

import os

from brubeck.connections import Mongrel2Connection
from brubeck.request_handling import Brubeck, WebMessageHandler, http_response


class NameHandler(WebMessageHandler):
    default_content_type = "text/plain; charset=utf-8"

    def get(self, name):
        self.set_body(f"Class: hello, {name}!")
        return self.render()


class SumHandler(WebMessageHandler):
    default_content_type = "text/plain; charset=utf-8"

    def get(self, first, second):
        self.set_body(f"{first} + {second} = {int(first) + int(second)}")
        return self.render()


def fun_hello(application, message, name):
    return http_response(f"Function: hello, {name}!", 200, "OK", {"Content-Type": "text/plain; charset=utf-8"})


app = Brubeck(
    msg_conn=Mongrel2Connection(
        os.environ.get("BRUBECK_PULL", "tcp://127.0.0.1:9999"), os.environ.get("BRUBECK_PUB", "tcp://127.0.0.1:9998")
    ),
    handler_tuples=[
        (r"^/class/(?P<name>\w+)$", NameHandler),
        (r"^/sum/(\d+)/(\d+)$", SumHandler),
    ],
)
app.add_route_rule(r"^/fun/(\w+)$", fun_hello, method="GET")


@app.add_route(r"^/$", method="GET")
def index(application, message):
    links = ", ".join(f'<a href="{path}">{path}</a>' for path in ("/class/alice", "/fun/bob", "/sum/2/3"))
    return f"Try {links}."


if __name__ == "__main__":
    app.run()
