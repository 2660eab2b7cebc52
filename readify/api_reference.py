"""``/api``: Readify's API reference, a page made on the server from the API's OpenAPI document (no script)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from brubeck.responses import Response

from .api.app import ENDPOINTS
from .api.openapi import description_of
from .pages import ReadifyPage

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Field:
    """A parameter or a field of a body: its name, type, whether it must be given, what it is."""

    name: str
    kind: str
    required: bool
    description: str


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    description: str
    needs_key: bool
    parameters: tuple[Field, ...]
    body: tuple[Field, ...]
    replies: tuple[tuple[str, str], ...]


def _kind(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list of {_kind(schema.get('items', {}))}"
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        return " or ".join(_kind(option) for option in options)
    return str(schema.get("format") or schema.get("type") or "value")


def _description(schema: dict[str, Any]) -> str:
    items = schema.get("items", {}) if isinstance(schema.get("items"), dict) else {}
    return str(schema.get("description") or items.get("description") or "")


def _body(document: dict[str, Any], operation: dict[str, Any]) -> tuple[Field, ...]:
    content: dict[str, Any] = operation.get("requestBody", {}).get("content", {})
    media: dict[str, Any] = next(iter(content.values()), {})
    schema: dict[str, Any] = media.get("schema", {})
    if "$ref" in schema:
        schema = document["components"]["schemas"][_kind(schema)]
    required = set(schema.get("required", ()))
    return tuple(
        Field(name, _kind(field), name in required, _description(field))
        for name, field in schema.get("properties", {}).items()
    )


def reference(document: dict[str, Any]) -> list[Operation]:
    """Every operation of an OpenAPI document, in its order, as the page lists them."""
    found = []
    for path, item in document["paths"].items():
        shared = item.get("parameters", [])
        for method in [m for m in METHODS if m in item]:
            operation = item[method]
            parameters = tuple(
                Field(p["name"], _kind(p.get("schema", {})), bool(p.get("required")), _description(p.get("schema", {})))
                for p in [*shared, *operation.get("parameters", [])]
            )
            replies = tuple((status, reply["description"]) for status, reply in operation["responses"].items())
            found.append(
                Operation(
                    method.upper(),
                    path,
                    operation.get("summary", ""),
                    operation.get("description", ""),
                    bool(operation.get("security")),
                    parameters,
                    _body(document, operation),
                    replies,
                )
            )
    return found


@functools.cache
def _operations(api_url: str) -> tuple[Operation, ...]:
    return tuple(reference(description_of(tuple(ENDPOINTS), api_url)))


class ApiReferenceHandler(ReadifyPage):
    """``/api``: every endpoint of Readify's API, what it takes and what it answers (anyone may read it)."""

    def get(self) -> Response:
        api_url = self.application.config.site("readify-api").url
        return self.render_template("api_reference.html", api_url=api_url, operations=_operations(api_url))
