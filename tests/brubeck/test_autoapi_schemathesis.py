"""schemathesis drives an AutoAPI (tests/support/apps/strict_autoapi_app.py) behind a real Mongrel2 from its own
/openapi.json, with valid and invalid data, under every check schemathesis has: no 5xx, every answer one
the document describes, what the schemas allow accepted and what they refuse refused with a 4xx.

The rule the document can only say in words, a write to ids sends one item for each, with that id, is
kept by :func:`within_the_rules` before each request.  Bounded: 30 generated requests per case.
"""

from __future__ import annotations

from itertools import cycle
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import given
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks

from tests.support.fuzzing import FUZZ

pytestmark = pytest.mark.integration
APP = "tests.support.apps.strict_autoapi_app"
OPERATIONS = [
    (method, path)
    for path, methods in [("/note/", ["GET", "POST"]), ("/note/{ids}/", ["GET", "POST", "PUT", "DELETE"])]
    for method in methods
]
load_all_checks()
ALL_CHECKS = CHECKS.get_all()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_answer_breaks_the_description(serve, method, path, mode):
    url = serve(APP, ready_path="/openapi.json").url
    described = schemathesis.openapi.from_dict(requests.get(f"{url}/openapi.json", timeout=10).json())

    @given(case=described[path][method].as_strategy(mode))
    @FUZZ
    def call(case: Any) -> None:
        within_the_rules(case)
        case.call_and_validate(base_url=url, checks=ALL_CHECKS)

    call()


def within_the_rules(case: Any) -> None:
    """A valid write to ids sends one item for each id of the URL, in order, with that id."""
    ids = (case.path_parameters or {}).get("ids")
    if not case.meta.generation.mode.is_positive or ids is None or case.method not in ("POST", "PUT"):
        return
    if isinstance(ids, str):  # sent as written in the URL
        ids = ids.split(",")
    items = case.body if isinstance(case.body, list) else [case.body]
    written = [{**item, "id": item_id} for item, item_id in zip(cycle(items), ids)]
    case.body = written[0] if len(ids) == 1 and not isinstance(case.body, list) else written
