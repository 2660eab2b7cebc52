"""Listsurf's routes and application."""

from __future__ import annotations

from pathlib import Path

from shared.accounts import account_routes
from shared.bookmarks.pages import bookmark_routes
from shared.settings import Settings
from shared.store import Store
from shared.web import SiteApp, make_app

from .handlers import (
    AddItemHandler,
    ApiHandler,
    ApiNotFoundHandler,
    DeleteItemHandler,
    EditItemHandler,
    ListHandler,
)
from .imports import BOOKMARKS

ROUTES = [
    (r"/$", ListHandler),
    (r"/add_item$", AddItemHandler),
    (r"/edit_item/(?P<link_id>[0-9a-f]{24})$", EditItemHandler),
    (r"/delete_item/(?P<link_id>[^/]+)$", DeleteItemHandler),
    *bookmark_routes(BOOKMARKS),
    (r"/api$", ApiHandler),
    (r"/api/.*", ApiNotFoundHandler),
    *account_routes(),
]
TEMPLATES = Path(__file__).resolve().parent / "templates"


def create_app(settings: Settings, store: Store | None = None) -> SiteApp:
    """Listsurf on ``settings``, with ``store`` (default: the one the settings name, opened now).

    Tests: ``create_app(settings, store)`` with settings and a store of their own.
    """
    app = make_app(settings, "listsurf", "Listsurf", ROUTES, TEMPLATES, store)
    app.api_example = f"{app.site.url}/api"
    return app
