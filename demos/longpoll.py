#!/usr/bin/env python
"""Long-polling: hold many requests open, then answer them all with one reply.

Run Mongrel2 with demos/mongrel2.conf (see demos/README.md), then
``python -m demos.longpoll`` (from the project root).  In a few terminals run

    curl http://localhost:6767/poll

and each waits.  Then release them all at once:

    curl -d message=tick http://localhost:6767/release

Every waiting curl prints ``tick``: Mongrel2 got one reply naming all their
connections (up to 128 per frame), so a thousand waiters cost the handler a
dict entry each, not a greenlet.  ``/waiting`` says how many are held;
a waiter not released within ``LONGPOLL_TIMEOUT`` seconds (default 30)
gets an empty 204 and should poll again.
"""

import json
import os

from brubeck.connections import Mongrel2Connection
from brubeck.request_handling import Brubeck, WebMessageHandler, http_response

ROOM, KEY = "demo", "tick"
TIMEOUT = float(os.environ.get("LONGPOLL_TIMEOUT", "30"))


class PollHandler(WebMessageHandler):
    def get(self):
        return self.hold(ROOM, KEY, timeout=TIMEOUT)


app = Brubeck(
    msg_conn=Mongrel2Connection(
        os.environ.get("BRUBECK_PULL", "tcp://127.0.0.1:9999"), os.environ.get("BRUBECK_PUB", "tcp://127.0.0.1:9998")
    ),
    handler_tuples=[(r"^/poll$", PollHandler)],
)


@app.add_route(r"^/release$", method="POST")
def release(application, message):
    """Answer every waiter with the posted ``message`` (one bulk reply)."""
    text = (message.arguments.get("message") or [message.body.decode("utf-8", "replace") or "tick"])[-1]
    reply = http_response(text, 200, "OK", {"Content-Type": "text/plain; charset=utf-8"})
    released = application.release(ROOM, KEY, reply)
    return http_response(json.dumps({"released": released}), 200, "OK", {"Content-Type": "application/json"})


@app.add_route(r"^/waiting$", method="GET")
def waiting(application, message):
    """How many requests are held right now."""
    held = len(application.waiting_room(ROOM))
    return http_response(json.dumps({"waiting": held}), 200, "OK", {"Content-Type": "application/json"})


@app.add_route(r"^/$", method="GET")
def index(application, message):
    return (
        "<h1>Long-poll demo</h1><p><code>curl http://localhost:6767/poll</code> waits; "
        "<code>curl -d message=tick http://localhost:6767/release</code> answers every waiter.</p>"
    )


if __name__ == "__main__":
    app.run()
