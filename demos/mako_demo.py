#!/usr/bin/env python
"""Pages rendered with Mako templates from demos/templates/mako/ (escaped).

Run Mongrel2 with demos/mongrel2.conf (see demos/README.md), then
``python -m demos.mako_demo`` (from the project root) and open
http://localhost:6767/?name=Mingus.  success.html inherits base.html
(``<%inherit>`` and ``<%block>``); every ``${...}`` is HTML-escaped, since
``load_mako_env`` turns Mako's ``h`` filter on.  Errors (try
http://localhost:6767/nowhere) are rendered by mako/errors.html.
"""

import os

from brubeck.connections import Mongrel2Connection
from brubeck.request_handling import Brubeck, WebMessageHandler
from brubeck.templating import MakoRendering, load_mako_env

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates", "mako")


class DemoHandler(WebMessageHandler, MakoRendering):
    def get(self):
        name = self.get_argument("name", "dude")
        context = {"name": name}
        return self.render_template("success.html", **context)


app = Brubeck(
    msg_conn=Mongrel2Connection(
        os.environ.get("BRUBECK_PULL", "tcp://127.0.0.1:9999"), os.environ.get("BRUBECK_PUB", "tcp://127.0.0.1:9998")
    ),
    handler_tuples=[(r"^/$", DemoHandler)],
    template_loader=load_mako_env(TEMPLATES),
    base_handler=MakoRendering,  # so 404 and 405 pages use mako/errors.html too
)

if __name__ == "__main__":
    app.run()
