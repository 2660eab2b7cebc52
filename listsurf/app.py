"""Listsurf's routes and application."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from brubeck.request_handling import Brubeck
from shared.accounts import account_routes
from shared.store import Store
from shared.web import make_app

from .handlers import AddItemHandler, ApiHandler, ApiNotFoundHandler, DeleteItemHandler, ListHandler

ROUTES = [
    (r"/$", ListHandler),
    (r"/add_item$", AddItemHandler),
    (r"/delete_item/(?P<link_id>[^/]+)$", DeleteItemHandler),
    (r"/api$", ApiHandler),
    (r"/api/.*", ApiNotFoundHandler),
    *account_routes(),
]
TEMPLATES = Path(__file__).resolve().parent / "templates"


def create_app(settings: dict[str, Any] | None = None, db: Store | None = None) -> Brubeck:
    """Listsurf, for Mongrel2 and the suite's database unless ``settings`` and ``db`` say otherwise.

    ``settings`` overrides Brubeck settings (``cookie_secret``, ``site_title``...);
    ``db`` an open store (``shared.store.open_store(...)``).  Tests: ``create_app({"cookie_secret": "x"}, db)``.
    """
    return make_app("listsurf", ROUTES, TEMPLATES, settings={"site_title": "Listsurf", **(settings or {})}, db=db)
