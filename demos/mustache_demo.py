#!/usr/bin/env python
"""Pages rendered with Mustache templates from demos/templates/mustache/ (escaped).

Run Mongrel2 with demos/mongrel2.conf (see demos/README.md), then
``python -m demos.mustache_demo`` (from the project root) and open
http://localhost:6767/?name=Mingus.  ``render_template('success')`` reads
success.mustache, which includes the partial ``{{> take_five}}``, which
includes ``{{> nested_partial}}`` in turn.  ``{{name}}`` is HTML-escaped.
Errors (try http://localhost:6767/nowhere) are rendered by errors.mustache.
"""

import os

from brubeck.connections import Mongrel2Connection
from brubeck.request_handling import Brubeck
from brubeck.templating import MustacheRendering, load_mustache_env

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates", "mustache")


class DemoHandler(MustacheRendering):
    def get(self):
        name = self.get_argument("name", "dude")
        context = {"name": name}
        return self.render_template("success", **context)


app = Brubeck(
    msg_conn=Mongrel2Connection(
        os.environ.get("BRUBECK_PULL", "tcp://127.0.0.1:9999"), os.environ.get("BRUBECK_PUB", "tcp://127.0.0.1:9998")
    ),
    handler_tuples=[(r"^/$", DemoHandler)],
    template_loader=load_mustache_env(TEMPLATES),
    base_handler=MustacheRendering,  # so 404 and 405 pages use errors.mustache too
)

if __name__ == "__main__":
    app.run()
