"""AutoAPI: a JSON API for a model and a queryset, with paging and an OpenAPI description.

    class TodosAPI(AutoAPIBase):
        model = Todo            # a BrubeckModel with an ``id`` field
        queries = DictQueryset()

    app.register_api(TodosAPI)  # /todo/ and /todo/<ids>/, plus /openapi.json

Collection ``/todo/``: ``GET`` pages through the items (``limit``, ``after``,
``since``), ``POST`` creates one item (an object) or a batch (a list).  Items
``/todo/<id>/`` or ``/todo/<id>,<id>/``: ``GET`` reads, ``POST`` or ``PUT``
upserts, ``DELETE`` deletes.  One item answers ``{"data": item}``; several
answer ``{"data": [...], "statuses": [{"id", "status"}...]}`` with 200, 201,
404 when every item got that status and 207 when they differ.  Errors are the
framework's ``{"error": {"code", "message", "fields"}}``.
"""

from __future__ import annotations

import functools
import re
from typing import Annotated, Any, ClassVar, NoReturn

from pydantic import TypeAdapter, ValidationError

from .cursors import BadCursor, bad_cursor
from .exceptions import HTTPError
from .models import BrubeckModel
from .openapi import Operation, Parameter, PathItem, Reply, document
from .queryset import CURSORS, MAX_STAMP, AbstractQueryset, Result, parse_cursor
from .request_handling import Brubeck, JSONMessageHandler
from .responses import Response

__all__ = ["AutoAPIBase", "OpenAPIHandler", "openapi_document", "MULTIPLE_ITEM_SEP"]

MULTIPLE_ITEM_SEP = ","
DEFAULT_LIMIT = 50
MAX_LIMIT = 100
"""The most items in a page, in a batch, or named in one URL."""
COLLECTION_METHODS = "GET, HEAD, POST, OPTIONS"
_CODES = {
    AbstractQueryset.MSG_OK: 200,
    AbstractQueryset.MSG_UPDATED: 200,
    AbstractQueryset.MSG_CREATED: 201,
    AbstractQueryset.MSG_NOTFOUND: 404,
}


def _overall(codes: list[int]) -> int:
    """The one code all items got, or 207 (Multi-Status) when they differ."""
    return codes[0] if len(set(codes)) == 1 else 207


def _field_errors(error: ValidationError, prefix: str = "") -> dict[str, str]:
    """``{"text": "String should have at least 1 character"}``; ``prefix`` names the item of a batch."""
    fields = {}
    for problem in error.errors():
        fields[".".join([prefix, *map(str, problem["loc"])]).strip(".") or "body"] = problem["msg"]
    return fields


@functools.cache
def _id_adapter(model: type[BrubeckModel], api_id: str) -> TypeAdapter[Any]:
    field = model.model_fields[api_id]
    return TypeAdapter(Annotated[field.annotation, field])  # type: ignore[arg-type]  # a type built at run time


class AutoAPIBase(JSONMessageHandler):
    """List, read, create, update and delete ``model`` items kept by ``queries``, over JSON.

    Bodies must be ``application/json`` (anything else gets 415): an HTML
    form cannot send that across sites, so the API needs no CSRF token and
    ``csrf_protect`` is off.  Items are sent through the model's owner view
    (``to_owner_json()``): private fields never leave the server.
    """

    model: ClassVar[type[BrubeckModel]]
    queries: ClassVar[AbstractQueryset]
    csrf_protect = False

    @classmethod
    def register(cls, app: Brubeck, prefix: str | None = None) -> None:
        """Route ``{prefix}/`` and ``{prefix}/{ids}/`` to this API (``/<model name>`` by default)."""
        prefix = (prefix or "/" + cls.model.__name__.lower()).rstrip("/")
        if not prefix.startswith("/"):
            raise ValueError(f"an API prefix is a path below /: {prefix!r}")
        if cls.queries.api_id not in cls.model.model_fields:
            raise TypeError(f"{cls.model.__name__} has no {cls.queries.api_id!r} field")
        if prefix in app.apis:
            raise ValueError(f"an API is already registered at {prefix}")
        if not app.apis:
            app.add_route_rule(r"/openapi\.json", OpenAPIHandler)
        app.apis[prefix] = cls
        app.add_route_rule(re.escape(prefix) + "/?", cls)
        app.add_route_rule(re.escape(prefix) + "/(?P<ids>[^/]+)/?", cls)

    # -- HTTP methods ----------------------------------------------------------------------------
    def get(self, ids: str | None = None) -> Response:
        """A page of items, one item, or several."""
        if ids is None:
            return self._page()
        keys = self._parse_ids(ids)
        if MULTIPLE_ITEM_SEP not in ids:
            return self._one(self.queries.read_one(keys[0]))
        return self._many(self.queries.read_many(keys), keys)

    def post(self, ids: str | None = None) -> Response:
        """Create (or replace) the item or list of items of the body; with ids, upsert those."""
        keys = None if ids is None else self._parse_ids(ids)
        items, batch = self._items_from_body(keys)
        if not batch:
            return self._one(self.queries.create_one(items[0]))
        return self._many(self.queries.create_many(items), [getattr(item, self.queries.api_id) for item in items])

    def put(self, ids: str | None = None) -> Response:
        """Upsert the items named in the URL."""
        if ids is None:
            self._refuse_collection("PUT")
        return self.post(ids)

    def delete(self, ids: str | None = None) -> Response:
        """Delete the items named in the URL (never every item at once)."""
        if ids is None:
            self._refuse_collection("DELETE")
        keys = self._parse_ids(ids)
        if MULTIPLE_ITEM_SEP not in ids:
            return self._one(self.queries.destroy_one(keys[0]))
        return self._many(self.queries.destroy_many(keys), keys)

    # -- requests --------------------------------------------------------------------------------
    @property
    def _name(self) -> str:
        return self.model.__name__.lower()

    def _refuse_collection(self, method: str) -> NoReturn:
        """405: ``method`` works on items named by id, not on the whole collection."""
        raise HTTPError(
            405,
            f"{method} needs the ids in the URL: {method} {self.message.path.rstrip('/')}/<id>/.",
            headers={"Allow": COLLECTION_METHODS},
        )

    def _parse_ids(self, ids: str) -> list[Any]:
        """The ids of the URL, validated as the model's id field."""
        parts = ids.split(MULTIPLE_ITEM_SEP)
        if len(parts) > MAX_LIMIT:
            raise HTTPError(400, f"Name at most {MAX_LIMIT} ids in one request.")
        adapter = _id_adapter(self.model, self.queries.api_id)
        keys = []
        for part in parts:
            try:
                keys.append(adapter.validate_strings(part))
            except ValidationError as error:
                raise HTTPError(
                    400, f"Not a valid {self._name} id: {part!r}.", fields={"id": error.errors()[0]["msg"]}
                ) from None
        return keys

    def _query_argument(self, name: str) -> str | None:
        values = self.message.query_arguments.get(name)
        return values[-1] if values else None

    def _number(self, name: str, low: int, high: int) -> int | None:
        """The query argument ``name`` as a whole number from ``low`` to ``high`` (``None`` if absent)."""
        raw = self._query_argument(name)
        if raw is None:
            return None
        if not (raw.isascii() and raw.isdigit() and len(raw) <= len(str(high)) and low <= int(raw) <= high):
            message = f"{name} must be a whole number from {low} to {high}."
            raise HTTPError(400, message, fields={name: message})
        return int(raw)

    def _items_from_body(self, url_ids: list[Any] | None) -> tuple[list[BrubeckModel], bool]:
        """The validated items of the body, and whether it was a list; 400 (nothing saved) if any is invalid."""
        if self.message.content_type != "application/json":
            raise HTTPError(415, "Send the body as JSON, with Content-Type: application/json.")
        body = self.message.json
        batch = isinstance(body, list)
        objects = body if batch else [body]
        if not isinstance(body, (dict, list)) or not 1 <= len(objects) <= MAX_LIMIT:
            raise HTTPError(400, f"Send a JSON object, or a list of 1 to {MAX_LIMIT} of them.")
        if url_ids is not None and len(url_ids) != len(objects):
            raise HTTPError(400, f"Send one item for each id in the URL ({len(url_ids)} ids, {len(objects)} items).")
        items, errors = [], {}
        for index, data in enumerate(objects):
            prefix = str(index) if batch else ""
            if not isinstance(data, dict):
                errors[prefix] = "must be a JSON object"  # only a list can hold a non-object here
                continue
            if url_ids is not None:
                data = self._with_url_id(data, url_ids[index], prefix)
            try:
                items.append(self.model.model_validate(data))
            except ValidationError as error:
                errors.update(_field_errors(error, prefix))
        if errors:
            message = "Some items are not valid: none was saved." if batch else f"The {self._name} is not valid."
            raise HTTPError(400, message, fields=errors)
        return items, batch

    def _with_url_id(self, data: dict[str, Any], url_id: Any, prefix: str) -> dict[str, Any]:
        """``data`` with the URL's id; 400 if the body has another."""
        api_id = self.queries.api_id
        if api_id not in data:
            return {**data, api_id: url_id}
        try:
            same = _id_adapter(self.model, api_id).validate_python(data[api_id]) == url_id
        except ValidationError:
            same = False
        if not same:
            raise HTTPError(
                400,
                "The id in the body does not match the URL.",
                fields={".".join(filter(None, [prefix, api_id])): f"expected {url_id}"},
            )
        return data

    # -- responses -------------------------------------------------------------------------------
    def _view(self, datum: dict[str, Any]) -> dict[str, Any]:
        return self.model.model_validate(datum).to_owner_json()

    def _reply(self, status_code: int, body: dict[str, Any]) -> Response:
        self.set_body(body)
        return self.render(status_code=status_code)

    def _page(self) -> Response:
        limit = self._number("limit", 1, MAX_LIMIT) or DEFAULT_LIMIT
        since = self._number("since", 0, MAX_STAMP)
        after = self._query_argument("after")
        if after is not None:
            try:
                parse_cursor(after)
            except BadCursor:
                raise bad_cursor("after") from None
        items, cursor = self.queries.read_page(limit, after, since)
        return self._reply(200, {"data": [self._view(datum) for datum in items], "next": cursor})

    def _one(self, result: Result) -> Response:
        status, datum = result
        if status == AbstractQueryset.MSG_NOTFOUND:
            raise HTTPError(404, f"No {self._name} has the id {datum}.")
        return self._reply(_CODES[status], {"data": self._view(datum)})

    def _many(self, results: list[Result], ids: list[Any]) -> Response:
        adapter = _id_adapter(self.model, self.queries.api_id)
        codes = [_CODES[status] for status, _ in results]
        return self._reply(
            _overall(codes),
            {
                "data": [self._view(datum) for status, datum in results if status != AbstractQueryset.MSG_NOTFOUND],
                "statuses": [
                    {"id": adapter.dump_python(item_id, mode="json"), "status": code}
                    for item_id, code in zip(ids, codes, strict=True)
                ],
            },
        )


class OpenAPIHandler(JSONMessageHandler):
    """``GET /openapi.json``: the OpenAPI 3.1 description of the app's registered APIs."""

    def get(self) -> Response:
        self.set_body(openapi_document(tuple(self.application.apis.items())))
        return self.render()


_ERROR = {"$ref": "#/components/schemas/AutoAPIError"}
_SCHEMAS = {
    "AutoAPIError": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "integer"},
                    "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            }
        },
    },
    "AutoAPIStatus": {
        "type": "object",
        "required": ["id", "status"],
        "properties": {"id": {}, "status": {"type": "integer", "enum": [200, 201, 404]}},
    },
}
_LIST_PARAMETERS = [
    Parameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        "query",
        "Items per page",
    ),
    Parameter("after", {"type": "string", "pattern": CURSORS.pattern}, "query", "The next cursor of the page before"),
    Parameter(
        "since",
        {"type": "integer", "minimum": 0, "maximum": MAX_STAMP},
        "query",
        "Only items written at or after this time (ms since the epoch)",
    ),
]


def _api_paths(prefix: str, api: type[AutoAPIBase]) -> list[PathItem]:
    """The collection's and the items' paths of the API at ``prefix``."""
    slug = prefix.strip("/").replace("/", "_")
    model = api.model
    one = {"type": "object", "required": ["data"], "properties": {"data": model}}
    many = {
        "type": "object",
        "required": ["data", "statuses"],
        "properties": {
            "data": {"type": "array", "items": model},
            "statuses": {"type": "array", "items": {"$ref": "#/components/schemas/AutoAPIStatus"}},
        },
    }
    page = {
        "type": "object",
        "required": ["data", "next"],
        "properties": {"data": {"type": "array", "items": model}, "next": {"type": ["string", "null"]}},
    }
    body = {"oneOf": [model, {"type": "array", "items": model, "minItems": 1, "maxItems": MAX_LIMIT}]}
    either = {"oneOf": [one, many]}
    writes = {
        200: Reply("Updated (or a batch all updated)", either),
        201: Reply("Created (or a batch all created)", either),
        207: Reply("A batch with both", many),
        400: Reply("Invalid body, id or JSON", _ERROR),
        415: Reply("The body is not application/json", _ERROR),
    }
    found = {
        200: Reply("Found", either),
        207: Reply("Some found", many),
        400: Reply("An invalid id", _ERROR),
        404: Reply("None found", {"oneOf": [_ERROR, many]}),
    }
    # Writes to ids: one item for each id, its id (if it has one) the URL's.
    to_ids = "Send one item for each id of the URL, in order; an item's id, if given, must be the URL's."
    ids = Parameter(
        "ids",
        {
            "type": "array",
            "items": _id_adapter(model, api.queries.api_id).json_schema(),
            "minItems": 1,
            "maxItems": MAX_LIMIT,
        },
        "path",
        f"One id, or several joined by {MULTIPLE_ITEM_SEP!r}",
    )
    return [
        PathItem(
            f"{prefix}/",
            {
                "get": Operation(
                    "A page of items, oldest write first",
                    {
                        200: Reply("A page; next is the cursor of the next page, or null", page),
                        400: Reply("Invalid limit, after or since", _ERROR),
                    },
                    parameters=_LIST_PARAMETERS,
                    operation_id=f"list_{slug}",
                ),
                "post": Operation(
                    "Create an item, or a batch (all or nothing)", writes, body=body, operation_id=f"create_{slug}"
                ),
            },
        ),
        PathItem(
            f"{prefix}/{{ids}}/",
            {
                "get": Operation("Read items by id", found, operation_id=f"read_{slug}"),
                "post": Operation(
                    "Create or replace the items named in the URL",
                    writes,
                    body=body,
                    description=to_ids,
                    operation_id=f"upsert_{slug}",
                ),
                "put": Operation(
                    "Create or replace the items named in the URL",
                    writes,
                    body=body,
                    description=to_ids,
                    operation_id=f"replace_{slug}",
                ),
                "delete": Operation("Delete items by id", found, operation_id=f"delete_{slug}"),
            },
            [ids],
        ),
    ]


@functools.lru_cache(maxsize=8)
def openapi_document(apis: tuple[tuple[str, type[AutoAPIBase]], ...]) -> dict[str, Any]:
    """The OpenAPI 3.1 document for ``(prefix, API class)`` pairs (do not change the dict: it is shared)."""
    paths = [path for prefix, api in apis for path in _api_paths(prefix, api)]
    return document("Brubeck AutoAPI", paths, schemas=_SCHEMAS)
