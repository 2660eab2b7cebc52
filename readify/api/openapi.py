"""``/openapi.json``: the OpenAPI 3.1 description of the endpoints an app routes, built by
:mod:`brubeck.openapi` from their declarations (operations.py) and the pydantic models they check
requests with and answer through (schema.py)."""

from __future__ import annotations

import functools
from typing import Any

from pydantic import TypeAdapter

from brubeck.openapi import Parameter, PathItem
from brubeck.openapi import document as openapi_document
from brubeck.request_handling import Brubeck
from shared.web import SiteApp

from .operations import TOKEN, Endpoint

DESCRIPTION = (
    "Your Readify links, tags and profile as JSON. Times are milliseconds since the epoch. "
    'Errors are `{"error": {"code", "message", "fields"}}`.'
)
SECURITY = {
    TOKEN: {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Authorization: Token <key>`, a key from POST /tokens or a site's tokens page; "
        "a key works on every site's API of the suite.",
    }
}


def endpoints(app: Brubeck) -> tuple[type[Endpoint], ...]:
    """The endpoints ``app`` routes, in routing order."""
    handlers = (route.handler for route in app.router.routes)
    return tuple(handler for handler in handlers if isinstance(handler, type) and issubclass(handler, Endpoint))


def document(app: SiteApp) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``app``'s endpoints (do not change it: it is shared)."""
    return description_of(endpoints(app), app.site.url)


@functools.cache
def description_of(handlers: tuple[type[Endpoint], ...], site_url: str) -> dict[str, Any]:
    """The OpenAPI document of ``handlers`` served at ``site_url`` (made once; do not change it)."""
    paths = [PathItem(handler.path, handler.operations, _path_parameters(handler)) for handler in handlers]
    return openapi_document(
        "Readify API",
        paths,
        description=DESCRIPTION,
        servers=[site_url],
        security_schemes=SECURITY,
    )


def _path_parameters(handler: type[Endpoint]) -> list[Parameter]:
    """Each part of the path: of its type in ``path_schemas``, or a string matching its pattern."""
    return [
        Parameter(name, _path_schema(handler, name, pattern), "path") for name, pattern in handler.path_patterns.items()
    ]


def _path_schema(handler: type[Endpoint], name: str, pattern: str) -> dict[str, Any]:
    described = handler.path_schemas.get(name)
    return TypeAdapter(described).json_schema() if described else {"type": "string", "pattern": f"^{pattern}$"}
