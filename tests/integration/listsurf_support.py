"""Helpers for the Listsurf tests: a logged-in client, page parsing, the store, paging.

The fixtures built on them (``listsurf``, ``alice``, ``data_dir``, ``store``)
are in tests/integration/conftest.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import requests

from shared import db_conn
from shared.models import Link
from tests.conftest import Endpoint, SiteClient

XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
PASSWORD = "correct horse"
MAX_PAGES = 50  # bound on every "follow the next link" walk
LINK_ID = re.compile(r'action="/delete_item/([0-9a-f]{24})"')
OLDER = re.compile(r'<a href="([^"]+)" rel="next">')
NEW_KEY = re.compile(r'<code class="key">([^<]+)</code>')
API_KEYS = {"id", "url", "title", "created_at", "updated_at"}
# Tags whose attribute makes the browser fetch something.
RESOURCE_ATTRIBUTES = {
    "script": "src",
    "link": "href",
    "img": "src",
    "iframe": "src",
    "embed": "src",
    "source": "src",
    "audio": "src",
    "video": "src",
    "object": "data",
    "track": "src",
}


class Surfer(SiteClient):
    """A Listsurf user's browser: knows the site's forms."""

    def add(self, url: str, title: str = "") -> requests.Response:
        """POST the add-a-link form."""
        return self.post_form("/add_item", {"url": url, "title": title})

    def get_as(self, host: str, path: str, **kwargs: Any) -> requests.Response:
        """GET with another Host header, still sending this browser's cookies.

        (requests matches cookies against the Host header once it is set.)
        """
        cookies = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return self.get(path, headers={"Host": host, "Cookie": cookies}, **kwargs)

    def api(self, **params: Any) -> requests.Response:
        return self.get("/api", params=params)

    def stored(self) -> list[dict[str, Any]]:
        """Every link of this user, newest first, as the API gives them."""
        response = self.api(limit=200)
        assert response.status_code == 200, response.text
        assert response.json()["next"] is None
        return response.json()["items"]

    def ids_on(self, path: str) -> list[str]:
        """The link ids listed on a page, top to bottom."""
        response = self.get(path)
        assert response.status_code == 200, response.text
        return LINK_ID.findall(response.text)

    def log_in(self, username: str, password: str, next_url: str = "") -> requests.Response:
        """POST the login form."""
        return self.post_form("/login", {"username": username, "password": password, "next": next_url})

    def new_token(self, name: str = "script") -> str:
        """A new API key, read from the page that shows it once."""
        response = self.post_form("/tokens", {"name": name})
        assert response.status_code == 201, response.text
        keys = NEW_KEY.findall(response.text)
        assert len(keys) == 1, f"{len(keys)} new keys on the page"
        assert "it is not shown again" in response.text
        return keys[0]


def signed_up(endpoint: Endpoint, username: str) -> Surfer:
    """A client with a new account, logged in."""
    client = Surfer(endpoint.url)
    response = client.sign_up(username, PASSWORD)
    assert response.headers["Location"] == "/"
    return client


def assert_signed_out(client: SiteClient) -> None:
    """The list page sends a signed-out browser to the login page."""
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def assert_signed_in_as(client: SiteClient, username: str) -> None:
    """The list page shows ``username`` as the one signed in."""
    response = client.get("/")
    assert response.status_code == 200, response.text
    assert f'<span class="who">{username}</span>' in response.text


# -- reading pages ---------------------------------------------------------------------------------


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def set_cookies(response: requests.Response) -> dict[str, str]:
    """Each Set-Cookie header of a response, by cookie name."""
    headers = response.raw.headers.getlist("Set-Cookie")
    return {header.split("=", 1)[0]: header for header in headers}


def elements(page: str, tag: str) -> list[dict[str, str]]:
    """The (unescaped) attributes of every ``tag`` element on the page."""
    parser = _Elements()
    parser.feed(page)
    return [attrs for name, attrs in parser.found if name == tag]


def input_value(page: str, name: str) -> str:
    """The value a form input shows (unescaped)."""
    matches = [attrs.get("value", "") for attrs in elements(page, "input") if attrs.get("name") == name]
    assert len(matches) == 1, f"{len(matches)} inputs named {name!r}"
    return matches[0]


def field_error(page: str, name: str) -> str | None:
    """The message shown right under the form input ``name``, or None.

    The message must sit in the field's own block, tied to the input by
    ``aria-describedby``, as shared/templates/forms.html renders it.
    """
    found = re.search(
        rf'<div class="field has-error">\s*<label for="f-{name}">[^<]*</label>\s*'
        rf'<input id="f-{name}" name="{name}"[^>]* aria-invalid="true" aria-describedby="e-{name}">\s*'
        rf'<p class="error" id="e-{name}">([^<]*)</p>',
        page,
    )
    return unescape(found.group(1)) if found else None


def fetched_resources(page: str) -> list[str]:
    """Every address the page makes a browser fetch (scripts, styles, images, frames...)."""
    parser = _Elements()
    parser.feed(page)
    addresses = [attrs.get(RESOURCE_ATTRIBUTES[tag], "") for tag, attrs in parser.found if tag in RESOURCE_ATTRIBUTES]
    addresses += re.findall(r"url\(\s*['\"]?([^'\")]+)", page)
    return addresses


def assert_self_contained(page: str) -> None:
    """No script at all, and nothing fetched from anywhere but this site."""
    assert "<script" not in page.lower()
    for address in fetched_resources(page):
        assert address.startswith("/") and not address.startswith("//"), address


def assert_escaped(page: str) -> None:
    """The XSS title is on the page, escaped, and never raw."""
    assert XSS not in page
    assert "<script" not in page.lower()
    assert XSS_ESCAPED in page


# -- the store and paging --------------------------------------------------------------------------


def store_links(data_dir: Path, owner: str, rows: Iterable[tuple[str, str, int]]) -> list[Link]:
    """Save ``(url, title, updated_at)`` rows for ``owner`` straight into the site's store."""
    db = db_conn.connect(url="", data_dir=data_dir)
    links = []
    for url, title, updated_at in rows:
        draft = Link(id="pending", owner=owner, url=url, title=title, created_at=updated_at, updated_at=updated_at)
        links.append(draft.model_copy(update={"id": Link.id_for(owner, draft.url)}))
    db.links.insert_many([link.to_document() for link in links])
    return links


def newest_first(links: Iterable[Link]) -> list[str]:
    """Link ids in the order the site must list them."""
    return [link.id for link in sorted(links, key=lambda link: (link.updated_at, link.id), reverse=True)]


def html_pages(client: Surfer, path: str = "/") -> list[list[str]]:
    """Follow the list page's "Older" links from ``path``: the link ids of each page."""
    pages: list[list[str]] = []
    next_path: str | None = path
    while next_path:
        assert len(pages) < MAX_PAGES, "the Older links never end"
        response = client.get(next_path)
        assert response.status_code == 200, response.text
        pages.append(LINK_ID.findall(response.text))
        older = OLDER.search(response.text)
        next_path = unescape(older.group(1)) if older else None
    return pages


def api_pages(client: requests.Session, url: str, **request: Any) -> list[list[dict[str, Any]]]:
    """Follow the API's ``next`` URLs, as given, from ``url``: the items of each page."""
    pages: list[list[dict[str, Any]]] = []
    next_url: str | None = url
    while next_url:
        assert len(pages) < MAX_PAGES, "the API's next URLs never end"
        response = client.get(next_url, allow_redirects=False, timeout=15, **request)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["num_items"] == len(body["items"])
        pages.append(body["items"])
        next_url = body["next"]
    return pages
