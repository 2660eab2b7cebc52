#!/usr/bin/env python
"""Routes that are plain functions instead of handler classes.

Run Mongrel2 with demos/mongrel2.conf (see demos/README.md), then
``python -m demos.functions`` (from the project root) and open http://localhost:6767/brubeck.
A route function receives the application and the request, plus any URL
groups, and returns a response (or a string, served as HTML).
"""

import os

from brubeck.connections import Mongrel2Connection
from brubeck.request_handling import Brubeck, http_response

app = Brubeck(
    msg_conn=Mongrel2Connection(
        os.environ.get("BRUBECK_PULL", "tcp://127.0.0.1:9999"), os.environ.get("BRUBECK_PUB", "tcp://127.0.0.1:9998")
    )
)


@app.add_route("^/brubeck", method="GET")
def take_five(application, message):
    return http_response("Take five!", 200, "OK", {})


@app.add_route("^/brubeck", method="POST")
def take_five_posted(application, message):
    return http_response(f"Took {len(message.body)} bytes.", 200, "OK", {"Content-Type": "text/plain"})


@app.add_route("^/$", method=["GET", "HEAD"])
def index(application, message):
    return '<a href="/brubeck">Take five</a>'


if __name__ == "__main__":
    app.run()
