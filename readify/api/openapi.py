"""``/openapi.json``: the OpenAPI 3.1 description of the endpoints an app routes, made from their
declarations (operations.py) and the pydantic models they check requests with and answer through."""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from brubeck.request_handling import Brubeck
from shared.web import SiteApp

from .operations import Endpoint, Operation, Reply
from .schema import Error

REF = "#/components/schemas/{model}"
INVALID = Reply("A query parameter or a field of the body is not valid: error.fields says what is wrong", Error)
UNAUTHORIZED = Reply("No valid `Authorization: Token <key>` header", Error, {"WWW-Authenticate": '`Token realm="api"`'})
UNAVAILABLE = Reply("The database cannot be reached: try again after Retry-After seconds", Error, {"Retry-After": "s"})
NOT_JSON = Reply("The body is not sent as application/json", Error)
SECURITY = {
    "token": {
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
    return _document(endpoints(app), app.site.url)


def all_replies(operation: Operation) -> dict[int, Reply]:
    """An operation's answers, with those every operation of its kind may give."""
    replies = {400: INVALID, **operation.replies}
    if operation.auth:
        replies.update({401: UNAUTHORIZED, 503: UNAVAILABLE})
    if operation.body is not None:
        replies[415] = NOT_JSON
    return dict(sorted(replies.items()))


@functools.cache
def _document(handlers: tuple[type[Endpoint], ...], site_url: str) -> dict[str, Any]:
    operations = [operation for handler in handlers for operation in handler.operations.values()]
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(Error, "serialization")]
    for operation in operations:
        if operation.body is not None:
            models.append((operation.body, "validation"))
        models += [(reply.model, "serialization") for reply in all_replies(operation).values() if reply.model]
    refs, top = models_json_schema(list(dict.fromkeys(models)), ref_template=REF)
    paths: dict[str, Any] = {}
    for handler in handlers:
        item: dict[str, Any] = {}
        if handler.path_patterns:
            item["parameters"] = [_path_parameter(handler, name) for name in handler.path_patterns]
        for method, operation in handler.operations.items():
            item[method] = _operation(handler, method, operation, refs)
        paths[handler.path] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Readify API",
            "version": "1.0.0",
            "description": "Your Readify links, tags and profile as JSON. Times are milliseconds since the epoch. "
            'Errors are `{"error": {"code", "message", "fields"}}`.',
        },
        "servers": [{"url": site_url}],
        "paths": paths,
        "components": {"schemas": top.get("$defs", {}), "securitySchemes": SECURITY},
    }


def _operation(
    handler: type[Endpoint], method: str, operation: Operation, refs: dict[Any, dict[str, Any]]
) -> dict[str, Any]:
    slug = "_".join(part.strip("{}") for part in handler.path.split("/") if part) or "index"
    described: dict[str, Any] = {"operationId": f"{method}_{slug.replace('.', '_')}", "summary": operation.summary}
    if operation.description:
        described["description"] = operation.description
    described["parameters"] = _query_parameters(operation.query)
    if operation.body is not None:
        schema = refs[(operation.body, "validation")]
        described["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
    described["responses"] = {str(status): _response(reply, refs) for status, reply in all_replies(operation).items()}
    described["security"] = [{"token": []}] if operation.auth else []
    return described


def _response(reply: Reply, refs: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    response: dict[str, Any] = {"description": reply.description}
    if reply.headers:
        response["headers"] = {
            name: {"description": text, "required": True, "schema": {"type": "string"}}
            for name, text in reply.headers.items()
        }
    if reply.model is not None:
        response["content"] = {"application/json": {"schema": refs[(reply.model, "serialization")]}}
    return response


def _path_parameter(handler: type[Endpoint], name: str) -> dict[str, Any]:
    schema = handler.path_schemas.get(name) or {"type": "string", "pattern": f"^{handler.path_patterns[name]}$"}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """Each field of a query model as a parameter (a list field repeats: ``tag=a&tag=b``)."""
    properties = model.model_json_schema()["properties"] if model.model_fields else {}
    parameters = []
    for name, field in model.model_fields.items():
        schema = {key: value for key, value in properties[name].items() if key not in ("title", "description")}
        branches = [branch for branch in schema.pop("anyOf", []) if branch != {"type": "null"}]
        if len(branches) == 1:
            schema.update(branches[0])
        if schema.get("default", "") is None:
            del schema["default"]
        parameter = {"name": name, "in": "query", "required": field.is_required(), "schema": schema}
        if field.description:
            parameter["description"] = field.description
        if schema.get("type") == "array":
            parameter.update(style="form", explode=True)
        parameters.append(parameter)
    return parameters
