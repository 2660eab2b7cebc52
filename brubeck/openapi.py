"""OpenAPI 3.1 documents, built from a description of each operation and the pydantic models it uses.

    LIST = Operation(
        "A page of todos",
        {200: Reply("The page", TodoPage), 400: Reply("A bad argument", Error)},
        query=PageQuery,  # each field of the model is a query parameter
    )
    SAVE = Operation("Save a todo", {201: Reply("Saved", Todo)}, body=Todo, security=["token"])
    document("Todos", [PathItem("/todos", {"get": LIST, "post": SAVE})], security_schemes={"token": {...}})

A schema is a pydantic model or a JSON schema as a dict, in which a model may stand wherever a schema
may (``{"type": "array", "items": Todo}``).  Every model is described once, under
``components/schemas``, and referred to: as it validates where it is taken (bodies, parameters), as it
serialises where it is sent (replies).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

__all__ = ["Operation", "Parameter", "PathItem", "Reply", "Schema", "document", "query_parameters"]

Schema = type[BaseModel] | dict[str, Any]
"""A pydantic model, or a JSON schema (a dict) in which models may stand for schemas."""
REF = "#/components/schemas/{model}"
_TEXTS = ("title", "description")


@dataclass(frozen=True)
class Parameter:
    """A parameter of the path, the query or the headers (a path parameter is always required)."""

    name: str
    schema: Schema
    where: Literal["path", "query", "header"] = "query"
    description: str = ""
    required: bool = False


@dataclass(frozen=True)
class Reply:
    """One answer: what it means, its body's schema (None: no body), its headers (name: meaning), and the body's
    media type (JSON unless said)."""

    description: str
    schema: Schema | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    media_type: str = "application/json"


@dataclass(frozen=True)
class Operation:
    """One method on one path: its answers by status, what it takes (``query``: a model whose fields are
    the query parameters; ``parameters``: others; ``body``: the body, of ``body_type``), and the security
    schemes any one of which it needs (none: open).  ``operation_id`` defaults to the method and the path's
    words."""

    summary: str
    replies: Mapping[int, Reply]
    query: type[BaseModel] | None = None
    parameters: Sequence[Parameter] = ()
    body: Schema | None = None
    security: Sequence[str] = ()
    description: str = ""
    operation_id: str = ""
    body_type: str = "application/json"


@dataclass(frozen=True)
class PathItem:
    """A path (``{name}`` for each path parameter), its operations by method, the parameters they share."""

    path: str
    operations: Mapping[str, Operation]
    parameters: Sequence[Parameter] = ()


def document(
    title: str,
    paths: Iterable[PathItem],
    *,
    version: str = "1.0.0",
    description: str = "",
    servers: Sequence[str] = (),
    security_schemes: Mapping[str, dict[str, Any]] | None = None,
    schemas: Mapping[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``paths``; ``schemas`` adds named component schemas of one's own."""
    items = list(paths)
    wanted = {(model, mode) for schema, mode in _schemas(items) for model in _models(schema)}
    ordered = sorted(wanted, key=_model_order)
    refs, top = models_json_schema(ordered, ref_template=REF)
    resolve = _Resolver(refs)
    info: dict[str, Any] = {"title": title, "version": version}
    if description:
        info["description"] = description
    built: dict[str, Any] = {"openapi": "3.1.0", "info": info}
    if servers:
        built["servers"] = [{"url": url} for url in servers]
    built["paths"] = {item.path: resolve.path_item(item) for item in items}
    components: dict[str, Any] = {"schemas": {**top.get("$defs", {}), **(schemas or {})}}
    if security_schemes:
        components["securitySchemes"] = dict(security_schemes)
    built["components"] = components
    return built


def query_parameters(model: type[BaseModel]) -> list[Parameter]:
    """Each field of ``model`` as a query parameter, described as the model validates it (a list field
    repeats: ``tag=a&tag=b``)."""
    properties = model.model_json_schema()["properties"] if model.model_fields else {}
    parameters = []
    for name, model_field in model.model_fields.items():
        schema = {key: value for key, value in properties[name].items() if key not in _TEXTS}
        branches = [branch for branch in schema.pop("anyOf", []) if branch != {"type": "null"}]
        if len(branches) == 1:  # an optional value: the parameter is left out, never null
            schema.update(branches[0])
        if schema.get("default", "") is None:
            del schema["default"]
        parameters.append(Parameter(name, schema, "query", model_field.description or "", model_field.is_required()))
    return parameters


# -- building ------------------------------------------------------------------------------------------------


def _schemas(items: list[PathItem]) -> Iterator[tuple[Any, JsonSchemaMode]]:
    """Every schema of ``items``, with the mode its models are described in."""
    for item in items:
        for parameter in item.parameters:
            yield parameter.schema, "validation"
        for operation in item.operations.values():
            for parameter in operation.parameters:
                yield parameter.schema, "validation"
            yield operation.body, "validation"
            for reply in operation.replies.values():
                yield reply.schema, "serialization"


def _is_model(schema: Any) -> bool:
    return isinstance(schema, type) and issubclass(schema, BaseModel)


def _models(schema: Any) -> Iterator[type[BaseModel]]:
    """The models standing in ``schema``."""
    if _is_model(schema):
        yield schema
    elif isinstance(schema, dict):
        for value in schema.values():
            yield from _models(value)
    elif isinstance(schema, list | tuple):
        for value in schema:
            yield from _models(value)


def _model_order(pair: tuple[type[BaseModel], JsonSchemaMode]) -> tuple[str, str, str]:
    model, mode = pair
    return model.__module__, model.__qualname__, mode


def _operation_id(method: str, path: str) -> str:
    words = [part.strip("{}").replace(".", "_") for part in path.split("/") if part]
    return f"{method}_{'_'.join(words) or 'index'}"


@dataclass(frozen=True)
class _Resolver:
    """Writes out the parts of a document, each model as a reference to its component."""

    refs: Mapping[tuple[Any, JsonSchemaMode], dict[str, Any]]

    def schema(self, schema: Any, mode: JsonSchemaMode) -> Any:
        if _is_model(schema):
            return self.refs[(schema, mode)]
        if isinstance(schema, dict):
            return {key: self.schema(value, mode) for key, value in schema.items()}
        if isinstance(schema, list | tuple):
            return [self.schema(value, mode) for value in schema]
        return schema

    def path_item(self, item: PathItem) -> dict[str, Any]:
        written: dict[str, Any] = {}
        if item.parameters:
            written["parameters"] = [self.parameter(parameter) for parameter in item.parameters]
        for method, operation in item.operations.items():
            written[method] = self.operation(method, item.path, operation)
        return written

    def operation(self, method: str, path: str, operation: Operation) -> dict[str, Any]:
        written: dict[str, Any] = {
            "operationId": operation.operation_id or _operation_id(method, path),
            "summary": operation.summary,
        }
        if operation.description:
            written["description"] = operation.description
        parameters = [*(query_parameters(operation.query) if operation.query else ()), *operation.parameters]
        written["parameters"] = [self.parameter(parameter) for parameter in parameters]
        if operation.body is not None:
            content = self.content(operation.body, operation.body_type, "validation")
            written["requestBody"] = {"required": True, "content": content}
        written["responses"] = {str(status): self.reply(reply) for status, reply in sorted(operation.replies.items())}
        written["security"] = [{name: []} for name in operation.security]
        return written

    def parameter(self, parameter: Parameter) -> dict[str, Any]:
        schema = self.schema(parameter.schema, "validation")
        written: dict[str, Any] = {
            "name": parameter.name,
            "in": parameter.where,
            "required": parameter.required or parameter.where == "path",
            "schema": schema,
        }
        if parameter.description:
            written["description"] = parameter.description
        if parameter.where == "query" and schema.get("type") == "array":
            written.update(style="form", explode=True)
        return written

    def reply(self, reply: Reply) -> dict[str, Any]:
        written: dict[str, Any] = {"description": reply.description}
        if reply.headers:
            written["headers"] = {
                name: {"description": meaning, "required": True, "schema": {"type": "string"}}
                for name, meaning in reply.headers.items()
            }
        if reply.schema is not None:
            written["content"] = self.content(reply.schema, reply.media_type, "serialization")
        return written

    def content(self, schema: Schema, media_type: str, mode: JsonSchemaMode) -> dict[str, Any]:
        return {media_type: {"schema": self.schema(schema, mode)}}
