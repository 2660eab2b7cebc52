"""Listsurf's routes and application."""

from __future__ import annotations

from pathlib import Path

from brubeck.request_handling import Brubeck
from shared.accounts import account_routes
from shared.web import make_app

from .handlers import AddItemHandler, ApiHandler, ApiNotFoundHandler, DeleteItemHandler, ListHandler

ROUTES = [
    (r"/", ListHandler),
    (r"/add_item", AddItemHandler),
    (r"/delete_item/(?P<link_id>[^/]+)", DeleteItemHandler),
    (r"/api", ApiHandler),
    (r"/api/.*", ApiNotFoundHandler),
    *account_routes(),
]


def create_app() -> Brubeck:
    """Listsurf, connected to Mongrel2 and the database."""
    return make_app("listsurf", ROUTES, Path(__file__).resolve().parent / "templates", site_title="Listsurf")
