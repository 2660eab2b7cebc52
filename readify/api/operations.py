"""How an endpoint is declared: its path, and for each method what it takes and answers.

The API's handlers check requests against their operations (authentication, query string, body) before
the method runs, and /openapi.json is made from the same declarations, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel

from brubeck.openapi import Operation, Reply
from brubeck.responses import Response
from shared.api import TokenAPIHandler, parse_query

from .schema import Error, NoQuery

M = TypeVar("M", bound=BaseModel)
_PARAMETER = re.compile(r"\{(\w+)\}")
TOKEN = "token"
"""The security scheme of /openapi.json that an operation needing a key names."""
INVALID = Reply("A query parameter or a field of the body is not valid: error.fields says what is wrong", Error)
UNAUTHORIZED = Reply("No valid `Authorization: Token <key>` header", Error, {"WWW-Authenticate": '`Token realm="api"`'})
UNAVAILABLE = Reply("The database cannot be reached: try again after Retry-After seconds", Error, {"Retry-After": "s"})
NOT_JSON = Reply("The body is not sent as application/json", Error)


def operation(
    summary: str,
    replies: Mapping[int, Reply],
    *,
    query: type[BaseModel] = NoQuery,
    body: type[BaseModel] | dict[str, Any] | None = None,
    auth: bool = True,
    description: str = "",
    body_type: str = "application/json",
) -> Operation:
    """An operation of the API: its own answers and those every operation of its kind may give; it needs a
    key unless ``auth`` is False.  ``body`` is a model of the JSON body, or the schema of a ``body_type``'s."""
    every = {400: INVALID, **replies}
    if auth:
        every.update({401: UNAUTHORIZED, 503: UNAVAILABLE})
    if body is not None:
        every.setdefault(415, NOT_JSON)
    security = [TOKEN] if auth else []
    return Operation(
        summary, every, query=query, body=body, security=security, description=description, body_type=body_type
    )


class Endpoint(TokenAPIHandler):
    """A handler of the API: ``path`` (``{name}`` for each part of ``path_patterns``) and its
    ``operations`` by method; the query and the body are checked before the method runs."""

    path: ClassVar[str]
    path_patterns: ClassVar[dict[str, str]] = {}
    path_schemas: ClassVar[dict[str, Any]] = {}
    """The type a part of the path is described as in /openapi.json (default: a string matching its pattern)."""
    operations: ClassVar[dict[str, Operation]]

    _inputs: dict[type[BaseModel], BaseModel]

    @classmethod
    def route(cls) -> str:
        """The path as the router's pattern (its text matched as it is)."""
        parts = _PARAMETER.split(cls.path)  # text, name, text, name... text
        pattern = "".join(
            f"(?P<{part}>{cls.path_patterns[part]})" if index % 2 else re.escape(part)
            for index, part in enumerate(parts)
        )
        return pattern + "$"

    def prepare(self) -> Response | None:
        method = "get" if self.message.method == "HEAD" else self.message.method.lower()
        operation = self.operations.get(method)
        if operation is None:  # OPTIONS
            return None
        if operation.security and not self.current_user:
            self.auth_error()  # raises the 401
        query, body = operation.query or NoQuery, operation.body
        self._inputs = {query: parse_query(self.message.query_arguments, query)}
        if body is not None and not isinstance(body, dict):
            self._inputs[body] = self.json_body(body)
        return None

    def inputs(self, model: type[M]) -> M:
        """The checked query or body of this request, as ``model`` (one its operation declares)."""
        found = self._inputs.get(model)
        if not isinstance(found, model):
            raise TypeError(f"{type(self).__name__}.{self.message.method} declares no {model.__name__}")
        return found

    def reply(self, status: int, body: dict[str, Any] | None = None) -> Response:
        """Answer ``status`` with ``body`` (none for 204)."""
        self.set_body(b"" if body is None else body, status_code=status)
        return self.render()
