"""schemathesis drives Readify's live API through Mongrel2 (``python -m readify.api`` behind
conf/mongrel2.conf) from its own /openapi.json, with a valid key, so the authenticated endpoints are
exercised, with valid data (at random ids and names, and at the reader's own links and tags) and with
invalid data, under every check schemathesis has: no answer may be a 5xx, every answer must be one the
document describes (status, content type, headers, body schema), what the schemas allow must be accepted
and what they refuse refused with a 4xx; without the key each secured endpoint must refuse.

The one rule the document can only say in words, ``since`` not with the filters, is kept by
:func:`within_the_rules` before each request.  Bounded: 30 generated requests per case, under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import given
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.parameters import ParameterLocation

from shared.models import User
from shared.store import open_store
from shared.users import create_user
from tests.readify.api import description
from tests.readify.page_server import page_server
from tests.support.fuzzing import FUZZ
from tests.support.pages import PASSWORD
from tests.support.running_suite import FETCHER, RunningSuite, running_suite

pytestmark = pytest.mark.integration
load_all_checks()
ALL_CHECKS = CHECKS.get_all()
FILTERS = ("tag", "q", "liked", "archived")


@dataclass
class Live:
    """The API running, and a reader's key and things of theirs to aim at."""

    suite: RunningSuite
    headers: dict[str, str]
    links: dict[str, str]
    """A link id of the reader's for each method on /links/{link_id} (DELETE takes one for good)."""
    tags: dict[str, str]
    """Likewise a tag for each method on /tags/{name}, on a link of its own."""
    import_id: str
    """An import of the reader's, for /import/{import_id}."""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("schemathesis")
    with page_server() as pages, running_suite(folder, ["readify.api", *FETCHER]) as suite:
        store = open_store(None, suite.data_dir)
        try:
            user = User(username="fuzz")
            user.set_password(PASSWORD)
            assert create_user(store, user)
        finally:
            store.close()
        api = suite.client("readify.api")
        key = api.post("/tokens", json={"username": "fuzz", "password": PASSWORD}).json()["token"]
        headers = {"Host": suite.host("readify.api"), "Authorization": f"Token {key}"}

        def saved(url: str, tag: str) -> str:
            made = api.post("/links", json={"url": url, "tags": [tag]}, headers=headers)
            assert made.status_code == 201
            return str(made.json()["id"])

        links = {method: saved(f"https://example.com/link/{method}", "news") for method in ("GET", "PATCH", "DELETE")}
        links["POST"] = saved(f"{pages}/og", "news")  # refreshed: a page the fetcher can read
        tags = {method: f"tag-{method.lower()}" for method in ("PATCH", "DELETE")}
        for method, tag in tags.items():
            saved(f"https://example.com/tag/{method}", tag)
        bookmarks = {"file": ("b.html", b"<!DOCTYPE NETSCAPE-Bookmark-file-1><DL><p></DL>", "text/html")}
        started = api.post("/import", files=bookmarks, headers=headers)
        assert started.status_code == 202
        yield Live(suite, headers, links, tags, started.json()["id"])


def cases() -> list[Any]:
    """Each operation of the description with valid data (also aimed at the reader's own link or tag
    when it names one in its path), and with invalid data where it takes any."""
    found = []
    for path, item in description()["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            found.append(pytest.param(method.upper(), path, GenerationMode.POSITIVE, False, id=f"{method} {path}"))
            if "parameters" in item:
                found.append(
                    pytest.param(method.upper(), path, GenerationMode.POSITIVE, True, id=f"{method} {path} own")
                )
            if operation["parameters"] or "requestBody" in operation or "parameters" in item:
                found.append(
                    pytest.param(method.upper(), path, GenerationMode.NEGATIVE, False, id=f"{method} {path} bad")
                )
    return found


@pytest.mark.parametrize(("method", "path", "mode", "own"), cases())
def test_no_answer_is_a_server_error_or_breaks_the_description(live, method, path, mode, own):
    described = schemathesis.openapi.from_dict(live.suite.client("readify.api").get("/openapi.json").json())
    operation = described[path][method]
    aim = None
    if own:
        if "{import_id}" in path:
            aim = {"import_id": live.import_id}
        else:
            aim = {"link_id": live.links[method]} if "{link_id}" in path else {"name": live.tags[method]}

    @given(case=operation.as_strategy(mode, path_parameters=aim))
    @FUZZ
    def call(case: Any) -> None:
        within_the_rules(case)
        base_url = f"http://127.0.0.1:{live.suite.port}"
        case.call_and_validate(base_url=base_url, headers=credentials(case, live.headers), checks=ALL_CHECKS)

    call()


def credentials(case: Any, headers: dict[str, str]) -> dict[str, str]:
    """What every request carries: the Host, and the reader's key unless the case's headers are the invalid
    part (a missing or malformed ``Authorization``, which the key must not mend: it must be refused)."""
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER):
        return {name: value for name, value in headers.items() if name != "Authorization"}
    return headers


def within_the_rules(case: Any) -> None:
    """A valid GET /links asking for ``since`` leaves the filters out, as its description says."""
    query = case.query or {}
    if case.meta.generation.mode.is_positive and "since" in query:
        case.query = {name: value for name, value in query.items() if name not in FILTERS}
