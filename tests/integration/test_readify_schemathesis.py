"""schemathesis drives Readify's live API through Mongrel2 (``python -m readify.api`` behind
conf/mongrel2.conf) from its own /openapi.json, with a valid key, so the authenticated endpoints are
exercised, with valid data and with invalid data: no answer may be a 5xx, and every answer must be one
the document describes (status, content type, headers, body schema); without the key each secured
endpoint must refuse.

Bounded: a few dozen generated requests per operation, well under a minute in all.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shared.models import User
from shared.store import open_store
from shared.users import create_user
from tests.integration.readify_api_support import RunningSuite, running_suite
from tests.pages import PASSWORD
from tests.readify_api import description

pytestmark = pytest.mark.integration
MAX_EXAMPLES = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningSuite, dict[str, str]]]:
    """The API running, a reader with a few links, and the headers of a script holding the reader's key."""
    with running_suite(tmp_path_factory.mktemp("schemathesis"), ["readify.api"]) as suite:
        store = open_store(url="", data_dir=suite.data_dir)
        try:
            user = User(username="fuzz")
            user.set_password(PASSWORD)
            assert create_user(store, user)
        finally:
            store.close()
        api = suite.client("readify.api")
        key = api.post("/tokens", json={"username": "fuzz", "password": PASSWORD}).json()["token"]
        headers = {"Host": suite.host("readify.api"), "Authorization": f"Token {key}"}
        for i in range(3):
            made = api.post("/links", json={"url": f"https://example.com/{i}", "tags": ["news"]}, headers=headers)
            assert made.status_code == 201
        yield suite, headers


def cases() -> list[Any]:
    """Each operation of the description with valid data, and with invalid data where it takes any."""
    found = []
    for path, item in description()["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            found.append(pytest.param(method.upper(), path, GenerationMode.POSITIVE, id=f"{method} {path} valid"))
            if operation["parameters"] or "requestBody" in operation or "parameters" in item:
                found.append(pytest.param(method.upper(), path, GenerationMode.NEGATIVE, id=f"{method} {path} invalid"))
    return found


@pytest.mark.parametrize(("method", "path", "mode"), cases())
def test_no_answer_is_a_server_error_or_breaks_the_description(live, method, path, mode):
    suite, headers = live
    described = schemathesis.openapi.from_dict(suite.client("readify.api").get("/openapi.json").json())
    operation = described[path][method]

    @given(case=operation.as_strategy(mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def call(case: Any) -> None:
        case.call_and_validate(base_url=f"http://127.0.0.1:{suite.port}", headers=headers, checks=CHECKS)

    call()
