"""How an endpoint is declared: its path, and for each method what it takes and answers.

The API's handlers check requests against their :class:`Operation` (authentication, query string,
body) before the method runs, and /openapi.json is made from the same declarations, so the two
cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel

from brubeck.responses import Response
from shared.api import TokenAPIHandler, parse_query

from .schema import NoQuery

M = TypeVar("M", bound=BaseModel)
_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Reply:
    """One documented answer: what it means, its JSON body's model (None: no body), its headers."""

    description: str
    model: type[BaseModel] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    """Header name to what it holds."""


@dataclass(frozen=True)
class Operation:
    """One method of an endpoint."""

    summary: str
    replies: dict[int, Reply]
    query: type[BaseModel] = NoQuery
    body: type[BaseModel] | None = None
    auth: bool = True
    description: str = ""


class Endpoint(TokenAPIHandler):
    """A handler of the API: ``path`` (``{name}`` for each part of ``path_patterns``) and its
    ``operations`` by method; the query and the body are checked before the method runs."""

    path: ClassVar[str]
    path_patterns: ClassVar[dict[str, str]] = {}
    path_schemas: ClassVar[dict[str, dict[str, Any]]] = {}
    """How /openapi.json describes a part of the path (default: a string matching its pattern)."""
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
        if operation.auth and not self.current_user:
            self.auth_error()  # raises the 401
        self._inputs = {operation.query: parse_query(self.message.query_arguments, operation.query)}
        if operation.body is not None:
            self._inputs[operation.body] = self.json_body(operation.body)
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
