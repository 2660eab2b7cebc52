#!/usr/bin/env python
"""Pages rendered with Tornado's templates from demos/templates/tornado/ (autoescaped).

Run Mongrel2 with demos/mongrel2.conf (see demos/README.md), then
``python -m demos.tornado_demo`` (from the project root) and open
http://localhost:6767/?name=Mingus.  success.html extends base.html
(``{% extends %}`` and ``{% block %}``); Tornado escapes every
``{{ ... }}``.  Errors (try http://localhost:6767/nowhere) are rendered by
tornado/errors.html.
"""

import os

from brubeck.connections import Mongrel2Connection
from brubeck.request_handling import Brubeck
from brubeck.templating import TornadoRendering, load_tornado_env

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates", "tornado")


class DemoHandler(TornadoRendering):
    def get(self):
        name = self.get_argument("name", "dude")
        context = {"name": name}
        return self.render_template("success.html", **context)


app = Brubeck(
    msg_conn=Mongrel2Connection(
        os.environ.get("BRUBECK_PULL", "tcp://127.0.0.1:9999"), os.environ.get("BRUBECK_PUB", "tcp://127.0.0.1:9998")
    ),
    handler_tuples=[(r"^/$", DemoHandler)],
    template_loader=load_tornado_env(TEMPLATES),
    base_handler=TornadoRendering,  # so 404 and 405 pages use tornado/errors.html too
)

if __name__ == "__main__":
    app.run()
