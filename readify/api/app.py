"""Readify's API: routes and application (its pages are another process, readify.web)."""

from __future__ import annotations

from brubeck.responses import Response
from shared.api import TokenAPIHandler
from shared.settings import Settings
from shared.store import Store
from shared.web import SiteApp, make_app

from ..fetching import REPLY_ROUTE
from .handlers import (
    IndexHandler,
    LinkCheckHandler,
    LinkHandler,
    LinkRefreshHandler,
    LinksHandler,
    MeHandler,
    OpenAPIHandler,
    TagHandler,
    TagsHandler,
    TokensHandler,
)
from .imports import ExportHandler, ImportHandler, ImportsHandler
from .operations import Endpoint

SITE = "readify-api"
ENDPOINTS: list[type[Endpoint]] = [
    IndexHandler,
    LinksHandler,
    LinkCheckHandler,  # before /links/<id>
    LinkHandler,
    LinkRefreshHandler,
    TagsHandler,
    TagHandler,
    MeHandler,
    TokensHandler,
    ImportsHandler,
    ImportHandler,
    ExportHandler,
    OpenAPIHandler,
]


class NoSuchEndpoint(TokenAPIHandler):
    """What answers a path no endpoint has: a JSON 404."""

    def render_error(
        self, status_code: int, message: str | None = None, fields: dict[str, str] | None = None
    ) -> Response:
        if status_code == 404:
            message = "There is no such endpoint: /openapi.json lists them."
        return super().render_error(status_code, message, fields)


def create_app(settings: Settings, store: Store | None = None) -> SiteApp:
    """Readify's API on ``settings``, with ``store`` (default: the one the settings name, opened now)."""
    routes = [*((endpoint.route(), endpoint) for endpoint in ENDPOINTS), REPLY_ROUTE]
    return make_app(settings, SITE, "Readify API", routes, None, store, base_handler=NoSuchEndpoint)
