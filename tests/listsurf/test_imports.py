"""Importing and exporting bookmark files on Listsurf (URLs, titles and dates; no tags), in this process, and once
through Mongrel2.  Readify's tests (tests/readify/test_imports*.py) hold the machinery's every case."""

from __future__ import annotations

import re
import time

import pytest

from listsurf.bookmarks import exported
from listsurf.imports import BOOKMARKS, SITE
from listsurf.store import links
from shared.bookmarks.netscape import read_bookmarks
from shared.bookmarks.records import import_jobs
from shared.store import Store
from tests.listsurf.live import signed_up
from tests.support.bookmark_files import generated_file
from tests.support.bookmark_shapes import CHROMIUM, FIREFOX, PINBOARD, SHAARLI
from tests.support.imports import (
    finished,
    imported,
    imports_settled,  # noqa: F401  (the fixture, used below)
)
from tests.support.servers import Endpoint

pytestmark = pytest.mark.usefixtures("imports_settled")


def library(store: Store, owner: str) -> dict[str, tuple[str, int, int]]:
    """Each of the owner's links by URL: title, and dates in whole seconds (what a bookmark file carries)."""
    return {b.url: (b.title, (b.created_at or 0) // 1000, (b.updated_at or 0) // 1000) for b in exported(store, owner)}


def test_a_generated_file_round_trips_through_an_export_into_a_fresh_account(store):
    data = generated_file(3_000, seed=11)
    first = imported(BOOKMARKS, store, "alice", data)
    unique = {b.url for b in read_bookmarks(iter([data]))}
    assert (first.state, first.created, first.merged, first.skipped_count) == (
        "done",
        len(unique),
        3_000 - len(unique),
        0,
    )
    again = imported(BOOKMARKS, store, "bob", b"".join(BOOKMARKS.file(store, "alice")))
    assert (again.created, again.merged) == (len(unique), 0)
    assert library(store, "bob") == library(store, "alice")
    assert imported(BOOKMARKS, store, "alice", data).created == 0  # the same file again: all merged
    assert links(store).count("alice") == len(unique)


@pytest.mark.parametrize(
    ("shape", "created", "merged", "skipped"),
    [(FIREFOX, 3, 1, 2), (CHROMIUM, 3, 0, 1), (PINBOARD, 3, 0, 0), (SHAARLI, 2, 0, 1)],
    ids=["firefox", "chromium", "pinboard", "shaarli"],
)
def test_the_files_browsers_and_bookmark_sites_write_are_imported(store, shape, created, merged, skipped):
    job = imported(BOOKMARKS, store, "alice", shape.encode())
    assert (job.created, job.merged, job.skipped_count) == (created, merged, skipped)


def test_the_older_date_and_a_title_are_kept_on_a_merge(store):
    imported(BOOKMARKS, store, "alice", FIREFOX.encode())
    soup = {link.url: link for link in links(store).find_urls("alice", ["https://example.org/soup"])}
    assert (soup["https://example.org/soup"].title, soup["https://example.org/soup"].created_at) == (
        "Soup & bread",
        1_600_000_000_000,
    )


def test_the_pages_upload_follow_and_export(alice, store):
    token = alice.csrf_token("/import")
    response = alice.post("/import", data={"_csrf": token}, files={"file": ("c.html", CHROMIUM.encode(), "text/html")})
    assert response.status == 303 and re.fullmatch(r"/import/[0-9a-f]{24}", response.location)
    finished(store, response.location.rsplit("/", 1)[1])
    page = alice.get(response.location).text
    assert 'data-state="done"' in page and "chrome://settings/" in page  # the skipped one, named
    assert "東京 - Wikipedia 🗼" in alice.get("/").text
    export = alice.get("/export")
    assert re.fullmatch(
        r'attachment; filename="listsurf-bookmarks-\d{4}-\d{2}-\d{2}\.html"', export.headers["Content-Disposition"]
    )
    assert "TAGS=" not in export.text and len(list(read_bookmarks(iter([export.body])))) == 3


def test_a_file_that_is_not_bookmarks_is_refused_and_starts_nothing(alice, store):
    token = alice.csrf_token("/import")
    refused = alice.post("/import", data={"_csrf": token}, files={"file": ("x.csv", b"a,b\n", "text/csv")})
    assert refused.status == 400 and "not a bookmark file" in refused.text
    assert import_jobs(store).latest(SITE, "alice", 5) == []


@pytest.mark.integration
def test_an_import_through_mongrel2_reaches_done_and_its_links_are_listed(listsurf: Endpoint):
    surfer = signed_up(listsurf, "alice")
    token = surfer.csrf_token("/import")
    data = {"_csrf": token}
    response = surfer.post("/import", data=data, files={"file": ("p.html", PINBOARD.encode(), "text/html")})
    assert response.status_code == 303
    for _ in range(600):
        page = surfer.get(response.headers["Location"]).text
        if 'data-state="done"' in page:
            break
        time.sleep(0.05)
    assert 'data-state="done"' in page and 'data-done="3"' in page
    assert {item["url"] for item in surfer.stored()} >= {"https://pinboard.in/", "https://example.net/read"}
