"""Readify's JSON API in this process: every endpoint, its credentials, paging, isolation and privacy, bad
input; every answer is checked against /openapi.json (tests/readify/api.py), which is checked too.

tests/readify/test_api_processes.py runs it as its own process behind Mongrel2, beside the pages and
Listsurf; tests/readify/test_api_schemathesis.py lets schemathesis loose on it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate

from brubeck.request_handling import Brubeck
from brubeck.timekeeping import curtime
from readify import links as readify_links
from readify import profiles
from readify.api.app import ENDPOINTS, create_app
from readify.api.handlers import MeHandler
from readify.app import create_app as create_readify
from readify.models import ReadifyLink
from readify.store import readify_links as stored_links
from shared.models import User
from shared.settings import Settings
from shared.store import Store, Unavailable
from shared.throttle import REFUSE_AFTER, LoginThrottle
from shared.users import create_user
from tests.readify.api import SITE, ApiClient, description
from tests.readify.pages import Reader
from tests.support.pages import PASSWORD, with_token

LINKS = 120


@pytest.fixture
def app(settings: Settings, store: Store) -> Brubeck:
    return create_app(settings, store)


@pytest.fixture
def anyone(app: Brubeck) -> ApiClient:
    """A script with no key."""
    return ApiClient(app)


@pytest.fixture
def reader(app: Brubeck, store: Store) -> Callable[[str], ApiClient]:
    """Factory: ``reader("bob")`` is a script with a key of a new account "bob" (made by POST /tokens)."""

    def new(username: str) -> ApiClient:
        user = User(username=username)
        user.set_password(PASSWORD)
        assert create_user(store, user)
        made = ApiClient(app).post("/tokens", json={"username": username, "password": PASSWORD})
        assert made.status == 201, made.text
        return ApiClient(app, made.json()["token"])

    return new


@pytest.fixture
def alice(reader: Callable[[str], ApiClient]) -> ApiClient:
    return reader("alice")


@pytest.fixture
def bob(reader: Callable[[str], ApiClient]) -> ApiClient:
    return reader("bob")


def save(client: ApiClient, url: str, **fields: Any) -> dict[str, Any]:
    """POST /links; the new link."""
    time.sleep(0.002)  # one a millisecond: lists are in the order of saving
    response = client.post("/links", json={"url": url, **fields})
    assert response.status == 201, response.text
    return response.json()


def stored(store: Store, owner: str = "alice") -> list[ReadifyLink]:
    """Every link of ``owner``, the trash's too, as stored."""
    live = readify_links.list_links(store, owner, limit=500).items
    return [*live, *readify_links.list_links(store, owner, limit=500, view="trash").items]


def error_of(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """The JSON error of ``response``, checked for shape (and for naming ``field``)."""
    assert response.status == status, response.text
    assert response.headers["Content-Type"] == "application/json" and "Location" not in response.headers
    error = response.json()["error"]
    assert error["code"] == status and error["message"]
    if field is not None:
        assert field in error["fields"] and error["fields"][field], error
    return error


def walk(client: ApiClient, url: str) -> list[list[dict[str, Any]]]:
    """Every page from ``url`` on, following ``next``."""
    pages = []
    next_url: str | None = url
    while next_url:
        assert len(pages) <= LINKS
        response = client.get(next_url)
        assert response.status == 200, response.text
        pages.append(response.json()["items"])
        next_url = response.json()["next"]
        assert next_url is None or next_url.startswith(f"{SITE}/links?")
    return pages


# -- the description -------------------------------------------------------------------------------------


def test_openapi_json_is_valid_openapi_3_1_and_describes_every_route_and_method(anyone, app):
    response = anyone.get("/openapi.json")
    assert response.status == 200
    doc = response.json()
    validate(doc)
    assert doc["openapi"] == "3.1.0" and doc["servers"] == [{"url": SITE}]
    routed = {(endpoint.path, method.lower()) for endpoint in ENDPOINTS for method in endpoint.allowed_methods()}
    described = {(path, method) for path, item in doc["paths"].items() for method in item if method != "parameters"}
    assert described == routed - {(path, method) for path, method in routed if method in ("head", "options")}
    expected = {"/", "/links", "/links/check", "/links/{link_id}", "/links/{link_id}/refresh", "/tags", "/tags/{name}"}
    expected |= {"/me", "/tokens"}
    expected |= {"/import", "/import/{import_id}", "/export"}
    assert set(doc["paths"]) == expected | {"/openapi.json"}
    links = doc["paths"]["/links"]["get"]
    assert [p["name"] for p in links["parameters"]] == ["tag", "q", "liked", "archived", "since", "limit", "cursor"]
    limit = next(p for p in links["parameters"] if p["name"] == "limit")
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                assert operation["security"] == ([] if path in ("/", "/tokens", "/openapi.json") else [{"token": []}])
                assert "400" in operation["responses"]
    assert set(doc["components"]["schemas"]["Link"]["properties"]) == ReadifyLink.model_fields.keys() - {
        "owner",
        "deleted_at",
    }


def test_the_description_follows_the_configured_site_not_the_host_header(anyone, settings, store):
    response = anyone.get("/openapi.json", headers={"Host": "evil.example"})
    assert response.json()["servers"] == [{"url": SITE}]
    api = settings.site("readify-api")
    moved = replace(settings, sites={**settings.sites, "readify-api": replace(api, url="https://api.example")})
    elsewhere = create_app(moved, store)
    assert ApiClient(elsewhere).get("/openapi.json").json()["servers"] == [{"url": "https://api.example"}]


def test_the_index_says_where_things_are(anyone):
    index = anyone.get("/").json()
    assert index["links"] == f"{SITE}/links" and index["openapi"] == f"{SITE}/openapi.json"


# -- credentials ------------------------------------------------------------------------------------------


def secured_operations() -> list[tuple[str, str]]:
    return [
        (method, path)
        for path, item in description()["paths"].items()
        for method, operation in item.items()
        if method != "parameters" and operation["security"]
    ]


@pytest.mark.parametrize(("method", "path"), secured_operations())
@pytest.mark.parametrize("authorization", [None, "Token ", "Token not-a-key", "Basic YWxpY2U6Y29ycmVjdCBob3JzZQ=="])
def test_every_endpoint_but_the_open_ones_needs_a_valid_key_and_says_so_in_json(
    alice, anyone, store, method, path, authorization
):
    link = save(alice, "https://example.com/secret", title="Secret", tags=["news"])
    concrete = path.replace("{link_id}", link["id"]).replace("{name}", "news").replace("{import_id}", "0" * 24)
    headers = {"Authorization": authorization} if authorization else {}
    body = {"json": {"name": "x"} if "tags" in path else {"url": "https://example.com/x"}}
    before = stored(store)
    response = anyone.request(
        method.upper(), concrete, headers=headers, **(body if method in ("post", "patch") else {})
    )
    error_of(response, 401)
    assert response.headers["WWW-Authenticate"] == 'Token realm="api"'
    assert "Secret" not in response.text
    assert stored(store) == before


def test_a_session_cookie_signs_no_one_in(alice, app, settings, store):
    web = Reader(create_readify(settings, store))
    web.log_in("alice")
    assert web.cookies  # signed in on the pages...
    with_cookies = ApiClient(app)
    with_cookies.cookies = dict(web.cookies)
    error_of(with_cookies.get("/me"), 401)  # ...but not on the API
    error_of(with_cookies.post("/links", json={"url": "https://example.com/"}), 401)


def test_post_tokens_gives_a_key_that_works_here_and_on_listsurfs_api(alice, anyone, settings, store):
    made = anyone.post("/tokens", json={"username": " Alice ", "password": PASSWORD, "name": "my script"})
    assert made.status == 201 and made.headers["Cache-Control"] == "no-store"
    key = made.json()["token"]
    assert [t.name for t in store.tokens.for_owner("alice")][0] == "my script"
    assert ApiClient(anyone.app, key).get("/me").json()["username"] == "alice"

    save(ApiClient(anyone.app, key), "https://example.com/readify")
    create_listsurf = pytest.importorskip("listsurf.app").create_app  # the other site that shares the accounts
    listsurf = ApiClient(create_listsurf(settings, store))
    on_listsurf = listsurf.get("/api", headers=with_token(key))
    assert on_listsurf.status == 200 and on_listsurf.json()["items"] == []  # Listsurf's own links: none yet


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"username": "alice", "password": "wrong password"}, 401, None),
        ({"username": "nobody", "password": PASSWORD}, 401, None),
        ({"username": "alice"}, 400, "password"),
        ({"username": "alice", "password": PASSWORD, "admin": True}, 400, "admin"),
        ({"username": "alice", "password": 12345678}, 400, "password"),
        ({"username": ["alice"], "password": PASSWORD}, 400, "username"),
        ({"username": "alice", "password": PASSWORD, "name": ""}, 400, "name"),
    ],
)
def test_post_tokens_refuses_wrong_or_bad_credentials_and_makes_no_key(alice, anyone, store, body, status, field):
    before = store.tokens.for_owner("alice")
    error = error_of(anyone.post("/tokens", json=body), status, field)
    assert "token" not in error
    assert store.tokens.for_owner("alice") == before


def test_post_tokens_wants_a_json_object(alice, anyone, store):
    error_of(anyone.post("/tokens", data={"username": "alice", "password": PASSWORD}), 415)
    error_of(anyone.post("/tokens", body=b"{", headers={"Content-Type": "application/json"}), 400)
    error_of(anyone.post("/tokens", json=["alice", PASSWORD]), 400)
    assert len(store.tokens.for_owner("alice")) == 1  # the fixture's


def test_post_tokens_is_throttled_like_the_login_form(alice, anyone, monkeypatch):
    monkeypatch.setattr(LoginThrottle, "wait", lambda self, verdict: None)
    for _ in range(REFUSE_AFTER):
        error_of(anyone.post("/tokens", json={"username": "alice", "password": "guess"}), 401)
    refused = anyone.post("/tokens", json={"username": "alice", "password": PASSWORD})  # even the right one
    error_of(refused, 429)
    assert int(refused.headers["Retry-After"]) > 0
    other_address = ApiClient(anyone.app)
    other_address.remote_addr = "192.0.2.7"
    assert other_address.post("/tokens", json={"username": "alice", "password": PASSWORD}).status == 201


def test_a_revoked_key_stops_working(alice, store):
    [made] = store.tokens.for_owner("alice")
    assert alice.get("/me").status == 200
    store.tokens.delete("alice", made.id)
    error_of(alice.get("/me"), 401)


# -- links ---------------------------------------------------------------------------------------------------


def test_a_link_is_saved_read_listed_changed_and_deleted(alice, store):
    created = alice.post(
        "/links", json={"url": "https://Example.org/Read", "title": " Worth  reading ", "tags": ["News", "py"]}
    )
    assert created.status == 201
    link = created.json()
    assert set(link) == {
        "id",
        "url",
        "title",
        "description",
        "tags",
        "liked",
        "archived",
        "private",
        "created_at",
        "updated_at",
    }
    assert (link["url"], link["title"], link["tags"]) == ("https://example.org/Read", "Worth reading", ["news", "py"])
    assert (link["liked"], link["archived"], link["private"]) == (False, False, True)  # the setting: private
    assert curtime() - 60_000 < link["created_at"] == link["updated_at"] <= curtime()
    assert created.headers["Location"] == f"{SITE}/links/{link['id']}"
    assert alice.get(f"/links/{link['id']}").json() == link
    assert alice.get("/links").json() == {"items": [link], "next": None}

    changed = alice.patch(f"/links/{link['id']}", json={"liked": True, "archived": True, "title": "Read"})
    assert changed.status == 200
    after = changed.json()
    assert (after["liked"], after["archived"], after["title"], after["tags"]) == (True, True, "Read", ["news", "py"])
    assert after["updated_at"] >= link["updated_at"] and after["created_at"] == link["created_at"]
    assert alice.patch(f"/links/{link['id']}", json={"url": "https://example.org/moved"}).json()["url"] == (
        "https://example.org/moved"
    )

    deleted = alice.delete(f"/links/{link['id']}")
    assert (deleted.status, deleted.body) == (204, b"")
    error_of(alice.get(f"/links/{link['id']}"), 404)
    error_of(alice.patch(f"/links/{link['id']}", json={"liked": False}), 404)
    error_of(alice.delete(f"/links/{link['id']}"), 404)
    assert alice.get("/links").json()["items"] == []
    [trashed] = stored(store)
    assert trashed.in_trash  # restorable from the trash page


def test_saving_a_saved_url_again_answers_that_link_updated(alice):
    first = save(alice, "https://example.com/a", title="A", tags=["x"])
    again = alice.post("/links", json={"url": "https://example.com/a", "tags": ["y"]})
    assert again.status == 200 and "Location" not in again.headers
    assert again.json()["id"] == first["id"] and again.json()["tags"] == ["x", "y"] and again.json()["title"] == "A"
    alice.delete(f"/links/{first['id']}")
    restored = alice.post("/links", json={"url": "https://example.com/a"})
    assert (restored.status, restored.json()["id"]) == (200, first["id"])  # out of the trash again


def test_a_new_link_without_private_follows_the_readers_setting(alice, store):
    assert alice.get("/me").json()["new_links_private"] is True  # a new account's
    assert save(alice, "https://example.com/a")["private"] is True
    assert save(alice, "https://example.com/b", private=False)["private"] is False
    profiles.set_new_links_private(store, "alice", False)
    assert alice.get("/me").json()["new_links_private"] is False
    assert save(alice, "https://example.com/c")["private"] is False
    assert save(alice, "https://example.com/d", private=True)["private"] is True
    again = alice.post("/links", json={"url": "https://example.com/a", "title": "A"})
    assert (again.status, again.json()["private"]) == (200, True)  # a saved link keeps its own flag


def test_saving_a_private_link_again_keeps_it_private_unless_told(alice):
    first = save(alice, "https://example.com/p", private=True)
    assert alice.post("/links", json={"url": "https://example.com/p", "tags": ["x"]}).json()["private"] is True
    assert alice.post("/links", json={"url": "https://example.com/p", "private": False}).json()["private"] is False
    assert alice.get(f"/links/{first['id']}").json()["private"] is False


def test_notes_are_saved_changed_and_searched_with_their_line_breaks(alice, store):
    link = save(alice, "https://example.com/n", title="Noted", description="First line\r\nsecond line\u200b ")
    assert link["description"] == "First line\nsecond line"
    assert [item["id"] for item in alice.get("/links?q=second+fir").json()["items"]] == [link["id"]]
    changed = alice.patch(f"/links/{link['id']}", json={"description": "Other\n\nwords"})
    assert changed.status == 200 and changed.json()["description"] == "Other\n\nwords"
    assert alice.get("/links?q=second").json()["items"] == []
    again = alice.post("/links", json={"url": "https://example.com/n", "title": "Renamed"})
    assert again.json()["description"] == "Other\n\nwords"  # notes left out: kept
    error = error_of(alice.patch(f"/links/{link['id']}", json={"description": "x" * 10_001}), 400, "description")
    assert error["fields"]["description"] == "Use at most 10,000 characters."
    assert [(item.title, item.description) for item in stored(store)] == [("Renamed", "Other\n\nwords")]


def test_filters_tag_search_liked_and_archived(alice):
    python = save(alice, "https://example.com/py", title="Python tips", tags=["python", "tips"])
    news = save(alice, "https://example.com/news", title="Daily news", tags=["news", "tips"])
    old = save(alice, "https://example.com/old", title="Old python", tags=["python"])
    alice.patch(f"/links/{news['id']}", json={"liked": True})
    alice.patch(f"/links/{old['id']}", json={"archived": True})

    def listed(query: str) -> list[str]:
        response = alice.get(f"/links?{query}")
        assert response.status == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert listed("") == [old["id"], news["id"], python["id"]]
    assert listed("tag=tips") == [news["id"], python["id"]]
    assert listed("tag=python&tag=Tips") == [python["id"]]  # every tag given
    assert listed("q=pyth") == [old["id"], python["id"]]
    assert listed("q=daily+news") == [news["id"]]
    assert listed("liked=true") == [news["id"]] and listed("liked=false") == [old["id"], python["id"]]
    assert listed("archived=true") == [old["id"]] and listed("archived=false&tag=python") == [python["id"]]
    assert listed("tag=nothing") == []


@pytest.mark.parametrize("words", ['"', "b*", "NEAR(a b)", "-x", "AND OR NOT", "'", "%00", "%E2%80%AE", "^x", "{a}:b"])
def test_any_search_words_are_words_never_an_error(alice, words):
    save(alice, "https://example.com/a", title="Nothing like it")
    response = alice.get(f"/links?q={words}")
    assert response.status == 200 and response.json()["items"] == []


def test_pages_cover_every_link_once_newest_first_and_next_keeps_the_filters(alice, store):
    base = curtime() - 3_600_000
    for i in range(LINKS):
        link = ReadifyLink.model_validate(
            {
                "id": ReadifyLink.new_id(),
                "owner": "alice",
                "url": f"https://example.com/{i}",
                "tags": ["even"] if i % 2 == 0 else [],
                "created_at": base + i // 4,  # ties across page boundaries
                "updated_at": base + i // 4,
            }
        )
        assert stored_links(store).add(link)
    newest_first = readify_links.list_links(store, "alice", limit=500).items
    everything = [link.id for link in newest_first]
    assert len(everything) == LINKS

    pages = walk(alice, "/links")
    assert [len(page) for page in pages] == [50, 50, 20]
    assert [item["id"] for page in pages for item in page] == everything
    assert [len(page) for page in walk(alice, "/links?limit=200")] == [LINKS]
    assert [len(page) for page in walk(alice, "/links?limit=1")] == [1] * LINKS

    first = alice.get("/links?tag=even&limit=25&liked=false").json()["next"]
    assert first.startswith(f"{SITE}/links?tag=even&liked=false&limit=25&cursor=")
    evens = walk(alice, "/links?tag=even&limit=25&liked=false")
    assert [len(page) for page in evens] == [25, 25, 10]
    assert [item["id"] for page in evens for item in page] == [link.id for link in newest_first if link.tags]


@pytest.mark.parametrize("host", ["api.readify.localhost:6767", "127.0.0.1:6767", "evil.example", "evil.example/x?"])
def test_next_is_on_the_configured_site_whatever_the_host_header(alice, host):
    for i in range(3):
        save(alice, f"https://example.com/{i}")
    next_url = alice.get("/links?limit=1", headers={"Host": host}).json()["next"]
    assert next_url.startswith(f"{SITE}/links?limit=1&cursor=")


def test_since_lists_changes_last_first_with_tombstones_for_deletions(alice, store):
    a, b, c = (save(alice, f"https://example.com/{n}", title=n) for n in "abc")
    cut = c["updated_at"]
    time.sleep(0.002)
    alice.patch(f"/links/{a['id']}", json={"liked": True})
    time.sleep(0.002)
    alice.delete(f"/links/{b['id']}")
    time.sleep(0.002)
    readify_links.delete_for_good(store, "alice", c["id"])  # as the trash's "delete for good" does
    changes = alice.get(f"/links?since={cut}").json()
    assert changes["next"] is None
    items = changes["items"]
    assert [item["id"] for item in items] == [c["id"], b["id"], a["id"]]
    assert items[0] == {"id": c["id"], "deleted": True, "updated_at": items[0]["updated_at"]}
    assert items[1] == {"id": b["id"], "deleted": True, "updated_at": items[1]["updated_at"]}
    assert items[2]["liked"] is True and items[2]["updated_at"] > cut
    paged = walk(alice, f"/links?since={cut}&limit=1")
    assert [item["id"] for page in paged for item in page] == [c["id"], b["id"], a["id"]]
    assert alice.get("/links?since=0&limit=1").json()["next"].startswith(f"{SITE}/links?since=0&limit=1&cursor=")
    assert alice.get(f"/links?since={curtime() + 60_000}").json() == {"items": [], "next": None}


# -- isolation and privacy -------------------------------------------------------------------------------


def test_another_readers_link_is_not_found_and_stays_unchanged(alice, bob, store):
    bobs = save(bob, "https://bob.example/private", title="Bob's secret", tags=["bob"], private=True)
    before = stored(store, "bob")
    for response in [
        alice.get(f"/links/{bobs['id']}"),
        alice.patch(f"/links/{bobs['id']}", json={"title": "mine now", "private": False}),
        alice.delete(f"/links/{bobs['id']}"),
    ]:
        assert "Bob" not in error_of(response, 404)["message"] and "secret" not in response.text
    assert stored(store, "bob") == before
    assert bob.get(f"/links/{bobs['id']}").json() == bobs


def test_private_links_never_show_in_another_readers_results(alice, bob):
    save(bob, "https://shared.example/page", title="Bob private words", tags=["shared"], private=True)
    save(bob, "https://bob.example/public", title="Bob public words", tags=["shared"])
    mine = save(alice, "https://alice.example/", title="Alice words", tags=["shared"])
    for query in ["", "?q=bob", "?q=words", "?tag=shared", "?since=0", "?liked=false", "?archived=false"]:
        items = alice.get(f"/links{query}").json()["items"]
        assert [item["id"] for item in items] in ([mine["id"]], []), query
        assert "Bob" not in str(items)
    assert alice.get("/links/check?url=https://shared.example/page").json() == {"saved": False, "link": None}
    assert alice.get("/tags").json() == {"items": [{"name": "shared", "count": 1}]}
    assert alice.get("/me").json()["username"] == "alice"


def test_renaming_or_removing_a_tag_touches_the_readers_own_links_only(alice, bob, store):
    save(alice, "https://example.com/a", tags=["news"])
    bobs = save(bob, "https://example.com/b", tags=["news"])
    assert alice.patch("/tags/news", json={"name": "daily"}).json() == {"name": "daily", "changed": 1}
    assert alice.delete("/tags/daily").status == 204
    assert bob.get(f"/links/{bobs['id']}").json() == bobs
    error_of(alice.patch("/tags/news", json={"name": "x"}), 404)  # Alice has no "news" any more; Bob's stays
    assert bob.get("/tags").json() == {"items": [{"name": "news", "count": 1}]}


# -- bad input ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "url"),
        ({"url": ""}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "ftp://example.com/file"}, "url"),
        ({"url": "https://exa mple.com/"}, "url"),
        ({"url": "example.com/a"}, "url"),  # the API takes absolute URLs only, as its description says
        ({"url": "https://example.com/ "}, "url"),
        ({"url": "https://user:pw@example.com/"}, "url"),
        ({"url": 5}, "url"),
        ({"url": "https://e.com/", "title": "x" * 501}, "title"),
        ({"url": "https://e.com/", "title": None}, "title"),
        ({"url": "https://e.com/", "description": "x" * 10_001}, "description"),
        ({"url": "https://e.com/", "description": ["notes"]}, "description"),
        ({"url": "https://e.com/", "tags": "a, b"}, "tags"),
        ({"url": "https://e.com/", "tags": ["a/b"]}, "tags"),
        ({"url": "https://e.com/", "tags": ["x" * 51]}, "tags"),
        ({"url": "https://e.com/", "tags": [f"t{i}" for i in range(21)]}, "tags"),
        ({"url": "https://e.com/", "tags": [1]}, "tags"),
        ({"url": "https://e.com/", "private": "true"}, "private"),
        ({"url": "https://e.com/", "private": 1}, "private"),
        ({"url": "https://e.com/", "liked": True}, "liked"),  # set by PATCH, not here
        ({"url": "https://e.com/", "owner": "bob"}, "owner"),
        ({"url": "https://e.com/", "id": "0" * 24}, "id"),
    ],
)
def test_a_bad_new_link_is_a_400_naming_the_field_and_saves_nothing(alice, store, body, field):
    error = error_of(alice.post("/links", json=body), 400, field)
    assert error["fields"][field][0].isupper() and error["fields"][field].endswith(".")  # for people
    assert stored(store) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "form"),
        ({"liked": "yes"}, "liked"),
        ({"archived": None}, "archived"),
        ({"url": "mailto:alice@example.com"}, "url"),
        ({"tags": ["fine", "not fine!"]}, "tags"),
        ({"title": "ok", "created_at": 0}, "created_at"),
        ({"liked": True, "deleted": True}, "deleted"),
    ],
)
def test_a_bad_change_is_a_400_and_changes_nothing(alice, store, body, field):
    link = save(alice, "https://example.com/a", title="A", tags=["x"])
    before = stored(store)
    error_of(alice.patch(f"/links/{link['id']}", json=body), 400, field)
    assert stored(store) == before


def test_changing_the_url_to_another_saved_link_is_a_409_and_changes_nothing(alice, store):
    first = save(alice, "https://example.com/a")
    second = save(alice, "https://example.com/b")
    before = stored(store)
    error = error_of(
        alice.patch(f"/links/{second['id']}", json={"url": "https://example.com/a", "liked": True}), 409, "url"
    )
    assert first["id"] in error["message"]
    assert stored(store) == before


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({"Content-Type": "application/x-www-form-urlencoded"}, b"url=https%3A%2F%2Fe.com%2F", 415),
        ({"Content-Type": "text/plain"}, b'{"url": "https://e.com/"}', 415),
        ({}, b'{"url": "https://e.com/"}', 415),
        ({"Content-Type": "application/json"}, b'{"url": ', 400),
        ({"Content-Type": "application/json"}, b'["https://e.com/"]', 400),
        ({"Content-Type": "application/json"}, b'"https://e.com/"', 400),
        ({"Content-Type": "application/json"}, b"", 400),
        ({"Content-Type": "application/json"}, b'{"url": "https://e.com/\xff"}', 400),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(alice, store, method, headers, body, status):
    link = save(alice, "https://example.com/a")
    before = stored(store)
    path = "/links" if method == "POST" else f"/links/{link['id']}"
    error_of(alice.request(method, path, headers=headers, body=body), status)
    assert stored(store) == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=abc", "limit"),
        ("limit=-5", "limit"),
        ("limit=1.5", "limit"),
        ("limit=+5", "limit"),
        ("limit=%205", "limit"),
        ("limit=%D9%A3", "limit"),  # an Arabic-Indic three: digits are ASCII only
        ("limit=", "limit"),
        ("limit=5&limit=6", "limit"),
        ("since=yesterday", "since"),
        ("since=-1", "since"),
        ("since=1234567890123456", "since"),
        ("since=%EF%BC%91", "since"),  # a fullwidth one
        ("since=0&tag=news", "since"),
        ("since=0&q=x", "since"),
        ("cursor=garbage!!", "cursor"),
        ("cursor=MTIzOmFiYw", "cursor"),  # base64 of "123:abc": well encoded, not a cursor
        ("cursor=", "cursor"),  # empty: no cursor of ours either (found by schemathesis)
        ("liked=yes", "liked"),
        ("archived=1", "archived"),
        ("tag=a/b", "tag"),
        ("q=" + "x" * 201, "q"),
        ("page=2", "page"),
        ("user=bob", "user"),
    ],
)
def test_a_bad_query_is_a_400_naming_the_parameter(alice, query, field):
    save(alice, "https://example.com/a")
    error_of(alice.get(f"/links?{query}"), 400, field)


@pytest.mark.parametrize("path", ["/tags", "/me", "/links/check?url=e.com&x=1", "/openapi.json"])
def test_endpoints_without_parameters_refuse_unknown_ones(alice, path):
    error_of(alice.get(path + ("&" if "?" in path else "?") + "debug=1"), 400, "debug")


def test_unknown_paths_and_methods_answer_json(alice, anyone):
    for client in (alice, anyone):
        for path in [
            "/nothing",
            "/links/not-an-id",
            "/links/" + "0" * 25,
            "/api/links",
            "/links/check/x",
            "/openapi_json",
        ]:
            response = client.get(path)
            assert (response.status, response.headers["Content-Type"]) == (404, "application/json")
            assert "no such endpoint" in response.json()["error"]["message"]
    response = alice.request("PUT", "/links", json={"url": "https://e.com/"})
    assert (response.status, response.headers["Allow"]) == (405, "GET, HEAD, POST, OPTIONS")
    assert response.headers["Cache-Control"] == alice.get("/nothing").headers["Cache-Control"] == "no-store"
    assert response.json()["error"]["code"] == 405
    assert alice.get("/links/" + "0" * 24).status == 404


def test_a_full_list_is_a_403_and_saves_nothing(alice, app, store, monkeypatch):
    save(alice, "https://example.com/a")
    monkeypatch.setattr(app, "config", replace(app.config, links_per_account=1))
    error = error_of(alice.post("/links", json={"url": "https://example.com/b"}), 403)
    assert "at most 1 links" in error["message"]
    assert [link.url for link in stored(store)] == ["https://example.com/a"]
    assert alice.post("/links", json={"url": "https://example.com/a", "tags": ["x"]}).status == 200  # saved already


def test_head_and_options_are_answered(alice, anyone):
    head = alice.head("/links")
    assert (head.status, head.body) == (200, b"")
    assert anyone.head("/links").status == 401
    options = anyone.options("/links/" + "0" * 24)
    assert (options.status, options.headers["Allow"]) == (204, "GET, HEAD, PATCH, DELETE, OPTIONS")


def test_while_the_database_is_away_the_api_answers_a_json_503(alice, store, monkeypatch):
    def away(*args: Any, **kwargs: Any) -> Any:
        raise Unavailable("the database is away")

    monkeypatch.setattr(stored_links(store), "page", away)
    response = alice.get("/links")
    error_of(response, 503)
    assert response.headers["Retry-After"] == "30"


# -- tags, the URL check, me ------------------------------------------------------------------------------


def test_tags_with_counts_rename_merge_and_remove(alice, store):
    a = save(alice, "https://example.com/a", tags=["news", "py"])
    b = save(alice, "https://example.com/b", tags=["python"])
    save(alice, "https://example.com/c", tags=["news"])
    assert alice.get("/tags").json()["items"] == [
        {"name": "news", "count": 2},
        {"name": "py", "count": 1},
        {"name": "python", "count": 1},
    ]
    merged = alice.patch("/tags/py", json={"name": "Python"})  # onto a tag in use: merged
    assert merged.json() == {"name": "python", "changed": 1}
    assert alice.get("/tags").json()["items"] == [{"name": "news", "count": 2}, {"name": "python", "count": 2}]
    assert alice.get(f"/links/{a['id']}").json()["tags"] == ["news", "python"]
    assert alice.delete("/tags/news").status == 204
    assert alice.get("/tags").json()["items"] == [{"name": "python", "count": 2}]
    assert alice.get(f"/links/{b['id']}").json()["tags"] == ["python"]
    error_of(alice.delete("/tags/news"), 404)
    error_of(alice.patch("/tags/nothing", json={"name": "x"}), 404)
    before = stored(store)
    for body, field in [
        ({"name": "a b"}, "name"),
        ({"name": " x"}, "name"),
        ({"name": ""}, "name"),
        ({"name": 3}, "name"),
        ({}, "name"),
    ]:
        error_of(alice.patch("/tags/python", json=body), 400, field)
    error_of(alice.patch("/tags/python", json={"name": "x", "also": "y"}), 400, "also")
    assert stored(store) == before


def test_check_says_whether_a_url_is_saved_and_as_which_link(alice):
    link = save(alice, "https://example.com/page?x=1")
    assert alice.get("/links/check?url=https://EXAMPLE.com/page%3Fx%3D1").json() == {"saved": True, "link": link}
    assert alice.get("/links/check?url=https://example.com/other").json() == {"saved": False, "link": None}
    alice.delete(f"/links/{link['id']}")
    assert alice.get("/links/check?url=https://example.com/page?x=1").json()["saved"] is False  # in the trash
    error_of(alice.get("/links/check?url=javascript:alert(1)"), 400, "url")
    error_of(alice.get("/links/check"), 400, "url")
    error_of(alice.get("/links/check?url="), 400, "url")


def test_me_is_the_account_and_its_profile(alice, store):
    profiles.save_profile(store, "alice", {"display_name": "Alice A.", "bio": "Reads", "email": "a@example.com"})
    me = alice.get("/me").json()
    assert (me["username"], me["display_name"], me["bio"], me["location"], me["website"]) == (
        "alice",
        "Alice A.",
        "Reads",
        "",
        "",
    )
    assert me["avatar_url"].startswith("https://www.gravatar.com/avatar/") and "email" not in me
    assert "password_hash" not in str(me)


def test_answers_are_checked_against_the_description_and_one_it_does_not_hold_fails(alice, monkeypatch):
    save(alice, "https://example.com/a")
    alice.get("/links")
    assert alice.checked == 2
    monkeypatch.setattr(MeHandler, "get", lambda self: self.reply(200, {"username": "alice"}))
    with pytest.raises(jsonschema.ValidationError, match="required"):
        alice.get("/me")
    monkeypatch.setattr(MeHandler, "get", lambda self: self.reply(418, {"error": {"code": 418, "message": "no"}}))
    with pytest.raises(AssertionError, match="not documented"):
        alice.get("/me")
