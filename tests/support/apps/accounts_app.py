"""The shared accounts on their own: a site of nothing but the account pages and a home page behind the
login, so that tests of ``shared`` need no site of the suite (the default ``app`` of tests/support/inprocess.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from brubeck.auth import web_authenticated
from brubeck.responses import Response
from shared.accounts import account_routes
from shared.settings import Settings, Site
from shared.store import Store
from shared.web import PageHandler, SiteApp, make_app

SITE = Site("accounts", "http://accounts.localhost:6767", "tcp://127.0.0.1:1", "tcp://127.0.0.1:2")
TEMPLATES = Path(__file__).resolve().parent / "templates"


class HomeHandler(PageHandler):
    """``/``: who is signed in."""

    @web_authenticated
    def get(self) -> Response:
        return self.render_template("home.html")


def create_app(settings: Settings, store: Store) -> SiteApp:
    """The accounts site on ``settings`` and ``store`` (its sockets would open only in ``run()``)."""
    settings = replace(settings, sites={**settings.sites, SITE.name: SITE})
    return make_app(settings, SITE.name, "Accounts", [(r"/$", HomeHandler), *account_routes()], TEMPLATES, store)
