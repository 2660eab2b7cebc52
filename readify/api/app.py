"""Readify's API: routes and application (its pages are another process, readify.web)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from brubeck.request_handling import Brubeck
from brubeck.responses import Response
from shared.api import TokenAPIHandler
from shared.store import Store
from shared.web import make_app

from .handlers import (
    IndexHandler,
    LinkCheckHandler,
    LinkHandler,
    LinksHandler,
    MeHandler,
    OpenAPIHandler,
    TagHandler,
    TagsHandler,
    TokensHandler,
)
from .operations import Endpoint

SITE = "readify-api"
ENDPOINTS: list[type[Endpoint]] = [
    IndexHandler,
    LinksHandler,
    LinkCheckHandler,  # before /links/<id>
    LinkHandler,
    TagsHandler,
    TagHandler,
    MeHandler,
    TokensHandler,
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


def create_app(settings: dict[str, Any] | None = None, db: Store | None = None) -> Brubeck:
    """Readify's API, for Mongrel2 and the suite's database unless ``settings`` and ``db`` say otherwise.

    Tests: ``create_app({"cookie_secret": "x"}, db)`` (see listsurf.app.create_app).
    """
    config = {"site_title": "Readify API", "base_handler": NoSuchEndpoint, "template_loader": None, **(settings or {})}
    routes = [(endpoint.route(), endpoint) for endpoint in ENDPOINTS]
    return make_app(SITE, routes, Path(__file__).resolve().parent, settings=config, db=db)
