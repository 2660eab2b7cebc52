"""AutoAPI: a JSON API for a model and a queryset, with paging and an OpenAPI description.

    class TodosAPI(AutoAPIBase):
        model = Todo            # a pydantic model with an ``id`` field
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

import copy
import functools
import re
from typing import Annotated, Any, ClassVar, NoReturn, Union

from pydantic import BaseModel, TypeAdapter, ValidationError, create_model

from .application import Brubeck
from .cursors import BadCursor, bad_cursor
from .exceptions import HTTPError
from .handlers import JSONMessageHandler
from .models import BrubeckModel
from .openapi import Operation, Parameter, PathItem, Reply, document
from .queryset import CURSORS, MAX_STAMP, AbstractQueryset, Result, parse_cursor
from .request import parse_json
from .responses import Response

__all__ = ["AutoAPIBase", "OpenAPIHandler", "openapi_document", "MULTIPLE_ITEM_SEP"]

MULTIPLE_ITEM_SEP = ","
DEFAULT_LIMIT = 50
MAX_LIMIT = 100
"""The most items in a page, in a batch, or named in one URL."""
COLLECTION_METHODS = "GET, HEAD, POST, OPTIONS"
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
FORM_FIELD = "data"
"""The form field whose value is the JSON body, in a form post."""
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
@functools.lru_cache(maxsize=32)
def _at_ids(model: type[BaseModel], api_id: str) -> type[BaseModel]:
    """``model`` as a write to its ids' URL takes it: the id may be left out (the URL gives it)."""
    field = copy.copy(model.model_fields[api_id])
    field.default, field.default_factory = None, None
    optional: Any = Union[field.annotation, None]  # noqa: UP007  # a type built at run time
    return create_model(  # type: ignore[no-any-return,call-overload]
        f"{model.__name__}AtIds", __base__=model, **{api_id: (optional, field)}
    )


def _id_adapter(model: type[BaseModel], api_id: str) -> TypeAdapter[Any]:
    field = model.model_fields[api_id]
    return TypeAdapter(Annotated[field.annotation, field])  # type: ignore[arg-type]  # a type built at run time


class AutoAPIBase(JSONMessageHandler):
    """List, read, create, update and delete ``model`` items kept by ``queries``, over JSON.

    Bodies are ``application/json``, or, as the original AutoAPI's demo page
    sent them, a form post (urlencoded or multipart) with the JSON in its
    ``data`` field; anything else gets 415.  An HTML form on another site
    cannot send JSON, so a JSON body needs no CSRF token (``csrf_protect`` is
    off), but a form post needs it, as every form does.  Items are sent
    through the model's JSON dump (``model_dump(mode="json")``), or, for a
    :class:`~brubeck.models.BrubeckModel`, its owner view (``to_owner_json()``):
    private fields never leave the server.
    """

    model: ClassVar[type[BaseModel]]
    queries: ClassVar[AbstractQueryset]
    csrf_protect = False

    @classmethod
    def register(cls, app: Brubeck, prefix: str | None = None) -> None:
        """Route ``{prefix}/`` and ``{prefix}/{ids}/`` to this API (``/<model name>`` by default).

        TypeError when the API cannot serve: ``model`` is not a pydantic model, ``queries`` not a
        queryset, or the model lacks the id field the queryset names (``api_id``).
        """
        cls._check_parts()
        prefix = (prefix or "/" + cls.model.__name__.lower()).rstrip("/")
        if not prefix.startswith("/"):
            raise ValueError(f"an API prefix is a path below /: {prefix!r}")
        if prefix in app.apis:
            raise ValueError(f"an API is already registered at {prefix}")
        if not app.apis:
            app.add_route_rule(r"/openapi\.json$", OpenAPIHandler)
        app.apis[prefix] = cls
        app.add_route_rule(re.escape(prefix) + "/?$", cls)
        app.add_route_rule(re.escape(prefix) + "/(?P<ids>[^/]+)/?$", cls)

    @classmethod
    def _check_parts(cls) -> None:
        """TypeError, saying what to fix, unless ``model`` and ``queries`` can serve together."""
        model, queries = getattr(cls, "model", None), getattr(cls, "queries", None)
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise TypeError(f"{cls.__name__}.model must be a pydantic model (a BaseModel subclass), not {model!r}")
        if not isinstance(queries, AbstractQueryset):
            raise TypeError(f"{cls.__name__}.queries must be a queryset (DictQueryset(), ...), not {queries!r}")
        if queries.api_id not in model.model_fields:
            raise TypeError(
                f"{cls.__name__}.model {model.__name__} has no {queries.api_id!r} field, which "
                f"{cls.__name__}.queries names as the id of items (its api_id)"
            )

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
    def before_method(self) -> None:
        """A form post needs the CSRF token (unless the app turned the protection off); a JSON body needs none."""
        if self.message.content_type in FORM_TYPES and self.application.csrf_protection:
            self.check_csrf()
        else:
            super().before_method()

    def read_json(self) -> Any:
        """The JSON body, or the JSON in the ``data`` field of a form post (400 without one)."""
        if self.message.content_type not in FORM_TYPES:
            return super().read_json()
        data = self.get_argument(FORM_FIELD, strip=False)
        if not data:
            raise HTTPError(
                400, f"Send the JSON in a form field named {FORM_FIELD}.", fields={FORM_FIELD: "Put the JSON here."}
            )
        return parse_json(data.encode("utf-8"))

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

    def _items_from_body(self, url_ids: list[Any] | None) -> tuple[list[BaseModel], bool]:
        """The validated items of the body, and whether it was a list; 400 (nothing saved) if any is invalid."""
        body = self.read_json()
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
        """What clients see of an item: a BrubeckModel's owner view, any other model's JSON dump."""
        item = self.model.model_validate(datum)
        return item.to_owner_json() if isinstance(item, BrubeckModel) else item.model_dump(mode="json")

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
    at_ids = _at_ids(model, api.queries.api_id)
    body_at_ids = {"oneOf": [at_ids, {"type": "array", "items": at_ids, "minItems": 1, "maxItems": MAX_LIMIT}]}
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
                    body=body_at_ids,
                    description=to_ids,
                    operation_id=f"upsert_{slug}",
                ),
                "put": Operation(
                    "Create or replace the items named in the URL",
                    writes,
                    body=body_at_ids,
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
