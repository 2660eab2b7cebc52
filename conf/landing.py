"""``python -m conf.landing``: the landing page at http://localhost:PORT/, one line and one link per site.

A handler serves it, rather than Mongrel2 alone, so that it carries the suite's security headers
(Content-Security-Policy, frame protection, nosniff): Mongrel2 sends its static files with none. Its
stylesheet is a static file (conf/static/), as the policy allows no inline style.
"""

from __future__ import annotations

from pathlib import Path

from brubeck.request_handling import Brubeck, WebMessageHandler
from brubeck.responses import Response
from brubeck.templating import Jinja2Rendering
from conf.bringup import landing_page
from conf.settings import Deployment, deployment
from shared.web import configure_logging, mongrel2_connection, template_env

TEMPLATES = Path(__file__).resolve().parent / "templates"


class LandingHandler(Jinja2Rendering, WebMessageHandler):
    """``/``: the page made once at start-up; any other path, an error page in the same style."""

    page = ""

    def get(self) -> Response:
        self.set_body(self.page)
        return self.render()


def create_app(where: Deployment) -> Brubeck:
    """The landing page's app for the deployment ``where``, for Mongrel2 (its sockets open in ``run()``)."""
    LandingHandler.page = landing_page(where)
    return Brubeck(
        msg_conn=mongrel2_connection(where.site("landing")),
        handler_tuples=[(r"/$", LandingHandler)],
        base_handler=LandingHandler,
        template_loader=template_env(TEMPLATES),
    )


if __name__ == "__main__":
    where = deployment()
    configure_logging(where.log_level)
    create_app(where).run()
