"""Listsurf's JSON API and paging, in this process: /api, its credentials, cursor, limit and since, and the
list page's "Older" links over the same 120 links.

tests/listsurf/test_live.py walks the API and the pages once behind Mongrel2.
"""

from __future__ import annotations

from html import unescape

import pytest

from brubeck.timekeeping import curtime
from tests.listsurf.pages import API_KEYS, ids, newest_first, store_links
from tests.support.pages import OLDER, XSS, with_token

LINKS = 120
SAME_MS = 4  # links share a timestamp in fours, so page boundaries fall inside a tie


@pytest.fixture
def many(alice, signed_up, store):
    """120 of Alice's links (even ones titled "even ...") and a few newer ones of Bob's."""
    base = curtime() - 3_600_000
    links = store_links(
        store,
        "alice",
        [
            (f"https://example.com/item/{i}", f"{'even' if i % 2 == 0 else 'odd'} item {i:03}", base + i // SAME_MS)
            for i in range(LINKS)
        ],
    )
    signed_up("bob")
    store_links(store, "bob", [(f"https://bob.example.com/{i}", "bob", base + 10_000 + i) for i in range(3)])
    return links


def error_of(response, status: int) -> dict:
    """The API's JSON error body, checked for shape."""
    assert response.status == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert "Location" not in response.headers
    error = response.json()["error"]
    assert error["code"] == status and error["message"]
    return error


# -- credentials ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("authorization", [None, "Token ", "Token not-a-key", "Basic YWxpY2U6Y29ycmVjdCBob3JzZQ=="])
def test_api_without_valid_credentials_is_a_json_401_not_a_redirect(alice, visitor, authorization):
    alice.add("https://example.com/private", "Private")
    response = visitor.get("/api", headers={"Authorization": authorization} if authorization else {})
    error = error_of(response, 401)
    assert "fields" not in error
    assert response.headers["WWW-Authenticate"] == 'Token realm="api"'
    assert "Private" not in response.text


def test_api_answers_with_a_session_cookie_or_a_token(alice, signed_up, visitor):
    alice.add("https://example.com/one", "One")
    alice.add("https://example.com/two", XSS)

    by_cookie = alice.api()
    assert by_cookie.status == 200
    assert by_cookie.headers["Content-Type"] == "application/json"
    body = by_cookie.json()
    assert set(body) == {"num_items", "items", "next"}
    assert (body["num_items"], body["next"]) == (2, None)
    assert [set(item) for item in body["items"]] == [API_KEYS, API_KEYS]
    assert [(item["url"], item["title"]) for item in body["items"]] == [
        ("https://example.com/two", XSS),
        ("https://example.com/one", "One"),
    ]
    now = curtime()
    for item in body["items"]:
        assert now - 60_000 < item["created_at"] <= item["updated_at"] <= now
    assert [item["id"] for item in body["items"]] == alice.ids_on("/")

    key = alice.new_token()
    by_token = visitor.get("/api", headers=with_token(key))
    assert by_token.status == 200
    assert by_token.headers["Content-Type"] == "application/json"
    assert by_token.json() == body

    bob_key = signed_up("bob").new_token()
    assert visitor.get("/api", headers=with_token(bob_key)).json() == {"num_items": 0, "items": [], "next": None}

    token_id = alice.get("/tokens").text.split('action="/tokens/', 1)[1].split("/revoke", 1)[0]
    assert alice.post_form(f"/tokens/{token_id}/revoke", {}, form_url="/tokens").status == 302
    error_of(visitor.get("/api", headers=with_token(key)), 401)


# -- bad parameters ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "-5"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"since": "yesterday"}, "since"),
        ({"since": "-1"}, "since"),
        ({"cursor": "garbage!!"}, "cursor"),
        ({"cursor": "MTIzOmFiYw"}, "cursor"),  # base64 of "123:abc": well encoded, not a cursor
        ({"cursor": "é"}, "cursor"),
    ],
)
def test_bad_limit_since_or_cursor_is_a_400_naming_the_field(alice, params, field):
    alice.add("https://example.com/", "Unchanged")
    before = alice.stored()
    error = error_of(alice.api(**params), 400)
    assert list(error["fields"]) == [field]
    assert error["fields"][field]
    assert alice.stored() == before


def test_limit_bounds_are_1_and_200(many, alice):
    assert alice.api(limit=1).json()["num_items"] == 1
    assert alice.api(limit=200).json()["num_items"] == LINKS
    assert alice.api().json()["num_items"] == 50  # the default


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unknown_api_paths_are_a_json_404(alice, visitor, method):
    response = visitor.request(method, "/api/links/1", headers=with_token(alice.new_token()))
    assert response.status == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == 404


# -- paging ------------------------------------------------------------------------------------------------


def test_api_pages_hold_every_link_exactly_once_newest_first(many, alice):
    expected = newest_first(many)

    pages = alice.api_pages("/api")
    assert [len(page) for page in pages] == [50, 50, 20]
    assert ids(pages) == expected

    small = alice.api_pages("/api?limit=7")
    assert [len(page) for page in small] == [7] * 17 + [1]
    assert ids(small) == expected

    whole = alice.api_pages("/api?limit=200")
    assert len(whole) == 1 and ids(whole) == expected


@pytest.mark.parametrize("host", ["listsurf.localhost:6767", "127.0.0.1:6767", "evil.example", "evil.example/x?"])
def test_next_is_an_absolute_url_on_the_configured_site_whatever_the_host_header(many, alice, host):
    next_url = alice.get("/api?limit=10", headers={"Host": host}).json()["next"]
    assert next_url.startswith("http://listsurf.localhost:6767/api?limit=10&cursor=")


def test_since_returns_only_links_updated_after_that_time(many, alice):
    cut = sorted({link.updated_at for link in many})[20]
    expected = newest_first(link for link in many if link.updated_at > cut)
    assert len(expected) == LINKS - 21 * SAME_MS

    pages = alice.api_pages(f"/api?since={cut}&limit=25")
    assert ids(pages) == expected
    assert [len(page) for page in pages] == [25, 11]  # the next URL keeps since

    latest = max(link.updated_at for link in many)
    assert alice.api(since=latest).json() == {"num_items": 0, "items": [], "next": None}
    alice.add("https://example.com/item/3", "updated just now")  # an update counts as new for since
    [updated] = alice.api(since=latest).json()["items"]
    assert (updated["url"], updated["title"]) == ("https://example.com/item/3", "updated just now")


def test_a_token_client_can_walk_the_pages_too(many, alice, visitor):
    pages = visitor.api_pages("/api?limit=30", headers=with_token(alice.new_token()))
    assert ids(pages) == newest_first(many)


def test_list_page_older_links_cover_every_link_exactly_once_newest_first(many, alice):
    pages = alice.html_pages("/")
    assert [len(page) for page in pages] == [50, 50, 20]
    assert [item for page in pages for item in page] == newest_first(many)

    first = alice.get("/").text
    second = alice.get(unescape(OLDER.search(first).group(1))).text
    assert "« Newest" not in first
    assert '<a href="/">« Newest</a>' in second


def test_search_results_page_too_and_keep_the_search(many, alice):
    pages = alice.html_pages("/?q=even")
    assert [len(page) for page in pages] == [50, 10]
    assert [item for page in pages for item in page] == newest_first(
        link for link in many if link.title.startswith("even")
    )
    assert 'href="/?q=even&amp;before=' in alice.get("/?q=even").text


def test_a_broken_page_link_is_a_400_page(many, alice):
    broken = alice.get("/?before=not-a-cursor")
    assert broken.status == 400
    assert "That page link is broken." in broken.text
    assert broken.headers["Content-Type"] == "text/html; charset=utf-8"
