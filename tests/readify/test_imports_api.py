"""Readify's API for bookmark files, in this process: POST /import, GET /import/{id}, GET /export (each answer
checked against /openapi.json by the client)."""

from __future__ import annotations

import pytest

from readify.imports import SITE as IMPORTS
from shared.bookmarks.netscape import read_bookmarks
from shared.bookmarks.records import import_jobs
from tests.readify.api import SITE
from tests.readify.test_api import alice, anyone, app, bob, error_of, reader  # noqa: F401  (its fixtures)
from tests.support.bookmark_shapes import PINBOARD
from tests.support.imports import (
    finished,
    imports_settled,  # noqa: F401  (the fixture, used below)
)

pytestmark = pytest.mark.usefixtures("imports_settled")


def send(client, data: bytes, content_type: str = "text/html"):  # type: ignore[no-untyped-def]
    return client.post("/import", files={"file": ("pinboard.html", data, content_type)})


def test_a_file_posted_is_imported_in_the_background_and_followed_at_its_location(alice, store):  # noqa: F811
    started = send(alice, PINBOARD.encode())
    assert started.status == 202, started.text
    job = started.json()
    assert started.headers["Location"] == f"{SITE}/import/{job['id']}"
    assert job["state"] in ("queued", "running") and job["total"] == 3
    finished(store, job["id"])
    done = alice.get(started.headers["Location"]).json()
    assert (done["state"], done["done"], done["created"], done["skipped"]) == ("done", 3, 3, 0)
    assert {link["url"] for link in alice.get("/links").json()["items"]} >= {"https://pinboard.in/"}


def test_the_export_is_every_link_as_a_bookmark_file(alice, store):  # noqa: F811
    finished(store, send(alice, PINBOARD.encode()).json()["id"])
    response = alice.get("/export")
    assert response.status == 200 and "attachment; filename=" in response.headers["Content-Disposition"]
    back = {b.url: b for b in read_bookmarks(iter([response.body]))}
    assert back["https://pinboard.in/"].description == "Social bookmarking for introverts."
    assert (back["https://example.net/read"].private, back["https://example.net/read"].unread) == (True, False)


@pytest.mark.parametrize(("data", "field"), [(b"just text", "file"), (b"", "file")])
def test_what_is_not_a_bookmark_file_is_refused_in_json(alice, store, data, field):  # noqa: F811
    error_of(send(alice, data), 400, field)
    assert import_jobs(store).latest(IMPORTS, "alice", 5) == []


def test_a_body_that_is_not_a_form_is_refused(alice):  # noqa: F811
    error_of(alice.post("/import", json={"file": "x"}), 415)


def test_another_readers_import_is_not_found(alice, bob, store):  # noqa: F811
    job = send(alice, PINBOARD.encode()).json()
    error_of(bob.get(f"/import/{job['id']}"), 404)
    finished(store, job["id"])
