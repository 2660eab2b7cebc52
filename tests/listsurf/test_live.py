"""Listsurf end to end: ``python -m listsurf`` behind a real Mongrel2, one walk per promise (links added, listed,
searched, paged and deleted; the API with a token and its errors; escaping and headers; the Host header;
static files served by Mongrel2 alone).  Every case of each is in test_pages.py and test_api.py, in process.
"""

from __future__ import annotations

import pytest
import requests

from brubeck.timekeeping import curtime
from tests.listsurf.live import Surfer
from tests.listsurf.pages import bookmarklet_for, ids, listed, newest_first, store_links
from tests.support.pages import XSS, assert_escaped, bookmarklet
from tests.support.servers import ROOT

pytestmark = pytest.mark.integration
PAGE_SIZE = 50


def stored_rows(count: int) -> list[tuple[str, str, int]]:
    """``count`` links saved an hour ago, a millisecond apart."""
    base = curtime() - 3_600_000
    return [(f"https://example.com/item/{i}", f"item {i:03}", base + i) for i in range(count)]


def test_links_are_added_listed_searched_paged_and_deleted(live_alice, live_store):
    older = store_links(live_store, "alice", stored_rows(PAGE_SIZE))
    added = live_alice.add("Example.org/Fresh", "Fresh one")
    assert (added.status_code, added.headers["Location"]) == (303, "/")

    first = listed(live_alice.get("/").text)[0]
    assert first == {
        "href": "https://example.org/Fresh",
        "title": "Fresh one",
        "host": "example.org",
        "when": "just now",
    }
    pages = live_alice.html_pages("/")
    assert [len(page) for page in pages] == [PAGE_SIZE, 1]  # the oldest link on the "Older" page
    assert pages[1] == newest_first(older)[-1:]
    assert [item["title"] for item in listed(live_alice.get("/?q=fresh").text)] == ["Fresh one"]

    [fresh] = live_alice.ids_on("/?q=fresh")
    deleted = live_alice.post_form(f"/delete_item/{fresh}", {}, form_url="/")
    assert (deleted.status_code, deleted.headers["Location"]) == (303, "/")
    assert live_alice.ids_on("/?q=fresh") == []
    assert live_alice.post_form(f"/delete_item/{fresh}", {}, form_url="/").status_code == 404


def test_the_api_pages_with_a_token_and_answers_errors_in_json(live_alice, listsurf, live_store):
    links = store_links(live_store, "alice", stored_rows(60))
    script = Surfer(listsurf.url)  # no cookies: only the key
    script.headers["Authorization"] = f"Token {live_alice.new_token()}"

    first = script.api(limit=25).json()
    assert first["next"].startswith(f"http://listsurf.localhost:{listsurf.port}/api?limit=25&cursor=")  # configured
    assert ids(script.api_pages(listsurf.url + "/api?limit=25")) == newest_first(links)

    bad = script.api(limit=0)
    assert (bad.status_code, bad.headers["Content-Type"]) == (400, "application/json")
    assert list(bad.json()["error"]["fields"]) == ["limit"]
    unknown = script.get("/api/links/1")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, 404)
    anonymous = requests.get(listsurf.url + "/api", allow_redirects=False, timeout=15)
    assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (401, 401)
    assert anonymous.headers["WWW-Authenticate"] == 'Token realm="api"'
    assert "Location" not in anonymous.headers


def test_pages_escape_what_was_typed_and_follow_the_host_header(live_alice, listsurf):
    assert live_alice.add("https://example.com/x", XSS).status_code == 303
    page = live_alice.get("/")
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert_escaped(page.text)

    # Absolute URLs come from the configured site (SUITE_PORT is this Mongrel2's port), never the Host header.
    configured = f"http://listsurf.localhost:{listsurf.port}"
    assert bookmarklet(live_alice.get("/add_item").text) == bookmarklet_for(configured)
    spoofed = live_alice.get_as("xlistsurf.localhost", "/add_item")
    assert bookmarklet(spoofed.text) == bookmarklet_for(configured)


def test_static_files_are_served_by_mongrel2_not_python(listsurf, live_alice):
    css = live_alice.get("/static/site.css")
    assert css.status_code == 200
    assert css.headers["Content-Type"] == "text/css"
    assert css.content == (ROOT / "listsurf" / "static" / "site.css").read_bytes()
    assert "Mongrel2" in css.headers["Server"]
    assert "X-Content-Type-Options" not in css.headers  # every Brubeck response carries it
    assert "Set-Cookie" not in css.headers

    missing = live_alice.get("/static/nothing-here.css")
    assert missing.status_code == 404
    assert "X-Content-Type-Options" not in missing.headers

    page = live_alice.get("/")  # while Python's answers do carry the header
    assert page.headers["X-Content-Type-Options"] == "nosniff"

    [handler] = listsurf.processes  # with the Python process gone, Mongrel2 still serves the file
    handler.terminate()
    handler.wait(10)
    assert live_alice.get("/static/site.css").content == css.content
