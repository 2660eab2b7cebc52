#!/usr/bin/env python
"""Hello world over plain HTTP, no Mongrel2: a Brubeck app is a WSGI callable.

Either let Brubeck serve it with its coroutine library's WSGI server:

    BRUBECK_WSGI_PORT=6767 python -m demos.wsgi

or hand ``app`` to any WSGI server, for example:

    gunicorn -k gevent -b 127.0.0.1:6767 demos.wsgi:app

then open http://localhost:6767/.
"""

import os

from brubeck.connections import WSGIConnection
from brubeck.request_handling import Brubeck, WebMessageHandler


class DemoHandler(WebMessageHandler):
    def get(self):
        self.set_body("Hello world")
        return self.render()


app = Brubeck(
    msg_conn=WSGIConnection(int(os.environ.get("BRUBECK_WSGI_PORT", "6767"))),
    handler_tuples=[(r"^/$", DemoHandler)],
)

if __name__ == "__main__":
    app.run()
