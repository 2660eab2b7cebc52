#!/usr/bin/env python
"""Pages rendered with Jinja2 templates from demos/templates/ (autoescaped).

Run Mongrel2 with demos/mongrel2.conf (see demos/README.md), then
``python -m demos.jinja2_demo`` (from the project root) and open http://localhost:6767/?name=Mingus.
The name comes from the query string and is HTML-escaped in the page; any
error (try http://localhost:6767/nowhere) is rendered by errors.html.
"""

import os

from brubeck.connections import Mongrel2Connection
from brubeck.request_handling import Brubeck
from brubeck.templating import Jinja2Rendering, load_jinja2_env

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


class DemoHandler(Jinja2Rendering):
    def get(self):
        name = self.get_argument("name", "dude")
        return self.render_template("success.html", name=name)


app = Brubeck(
    msg_conn=Mongrel2Connection(
        os.environ.get("BRUBECK_PULL", "tcp://127.0.0.1:9999"), os.environ.get("BRUBECK_PUB", "tcp://127.0.0.1:9998")
    ),
    handler_tuples=[(r"^/$", DemoHandler)],
    template_loader=load_jinja2_env(TEMPLATES),
    base_handler=Jinja2Rendering,  # so 404 and 405 pages use errors.html too
)

if __name__ == "__main__":
    app.run()
