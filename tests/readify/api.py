"""Readify's API for the tests: a client whose every answer is checked against /openapi.json.

:class:`ApiClient` drives the API in this process (tests/readify/test_api.py); :func:`check_answer`
holds an answer of either client (TestClient's or requests') to the document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema

from brubeck.request_handling import Brubeck
from brubeck.testing import TestClient, TestResponse
from readify.api.app import create_app
from readify.api.openapi import document
from readify.api.operations import Endpoint
from tests.support.inprocess import settings_for

HOST = "api.readify.localhost:6767"
SITE = f"http://{HOST}"


def description() -> dict[str, Any]:
    """/openapi.json as an app on the default settings serves it (made without a database)."""
    return document(create_app(settings_for(Path("unused")), object()))  # type: ignore[arg-type]


def token(key: str) -> dict[str, str]:
    return {"Authorization": f"Token {key}"}


def answer_schema(doc: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any] | None:
    """The documented body schema of that answer (None: no body); AssertionError when undocumented."""
    responses = doc["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path} answered {status}, not documented: {list(responses)}"
    content = responses[str(status)].get("content")
    return content[next(iter(content))]["schema"] if content else None


def check_answer(
    doc: dict[str, Any], path: str, method: str, status: int, headers: Any, body: bytes, parsed: Any
) -> None:
    """The answer is documented: its status, its documented headers, a JSON body that fits its schema."""
    schema = answer_schema(doc, path, method, status)
    documented = doc["paths"][path][method]["responses"][str(status)].get("headers", {})
    for name in documented:
        assert headers.get(name), f"{method.upper()} {path} {status} lacks {name}"
    if schema is None:
        assert body == b"", f"{method.upper()} {path} {status} has a body: {body[:200]!r}"
        return
    (media_type,) = doc["paths"][path][method]["responses"][str(status)]["content"]
    assert headers.get("Content-Type", "").split(";")[0] == media_type
    if media_type != "application/json":
        return
    jsonschema.validate(parsed, {**schema, "components": doc["components"]}, cls=jsonschema.Draft202012Validator)


class ApiClient(TestClient):
    """A script using the API in this process; each answer to a documented endpoint is checked against
    the document (``checked`` counts them)."""

    checked = 0

    def __init__(self, app: Brubeck, key: str | None = None) -> None:
        super().__init__(app, host=HOST, headers=token(key) if key else {})

    def request(self, method: str, url: str, **kwargs: Any) -> TestResponse:
        response = super().request(method, url, **kwargs)
        found = self.app.router.match(url.split("?")[0].removeprefix(SITE) or "/")
        handler = found.route.handler if found else None
        if method in ("GET", "POST", "PATCH", "DELETE") and isinstance(handler, type) and issubclass(handler, Endpoint):
            if method.lower() in handler.operations:
                json = response.headers.get("Content-Type") == "application/json"
                parsed = response.json() if response.body and json else None
                check_answer(
                    document(self.app),
                    handler.path,
                    method.lower(),
                    response.status,
                    response.headers,
                    response.body,
                    parsed,
                )
                self.checked += 1
        return response
