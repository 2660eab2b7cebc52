#!/usr/bin/env python
"""Hello world, behind Mongrel2.

Run Mongrel2 with demos/mongrel2.conf (see demos/README.md), then
``python -m demos.hello`` (from the project root) and open http://localhost:6767/.
"""

import os

from brubeck.connections import Mongrel2Connection
from brubeck.request_handling import Brubeck, WebMessageHandler


class DemoHandler(WebMessageHandler):
    def get(self):
        self.set_body("Hello world")
        return self.render()


config = {
    "msg_conn": Mongrel2Connection(
        os.environ.get("BRUBECK_PULL", "tcp://127.0.0.1:9999"), os.environ.get("BRUBECK_PUB", "tcp://127.0.0.1:9998")
    ),
    "handler_tuples": [(r"^/$", DemoHandler)],
}

app = Brubeck(**config)

if __name__ == "__main__":
    app.run()
