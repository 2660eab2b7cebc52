#!/usr/bin/env python
"""A Jinja2 page from a plain function route: no handler class at all.

Run Mongrel2 with demos/mongrel2.conf (see demos/README.md), then
``python -m demos.jinja2_noclasses`` (from the project root) and open
http://localhost:6767/?name=Mingus, or post the name:

    curl -d name=Mingus http://localhost:6767/

The route function gets the application and the request; it reads
``name`` with ``message.get_argument``, renders demos/templates/success.html
through ``application.render_template`` (autoescaped, so any name is safe)
and returns the response built by ``http_response``.  A pattern must match
the whole path, so ``^/`` is the front page only: other paths are 404s,
rendered by errors.html.
"""

import os

from brubeck.connections import Mongrel2Connection
from brubeck.request_handling import Brubeck, http_response
from brubeck.templating import load_jinja2_env

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")

app = Brubeck(
    msg_conn=Mongrel2Connection(
        os.environ.get("BRUBECK_PULL", "tcp://127.0.0.1:9999"), os.environ.get("BRUBECK_PUB", "tcp://127.0.0.1:9998")
    ),
    template_loader=load_jinja2_env(TEMPLATES),
)


@app.add_route("^/$", method=["GET", "POST"])
def index(application, message):
    name = message.get_argument("name", "dude")
    body = application.render_template("success.html", name=name)
    return http_response(body, 200, "OK", {})


if __name__ == "__main__":
    app.run()
