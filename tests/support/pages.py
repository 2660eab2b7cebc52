"""Reading the suite's pages, and what a visitor does on the account pages, with either test client.

In-process tests (``test_pages.py``, ``test_api.py``) drive a site with ``brubeck.testing.TestClient``; end-to-end tests
(``test_live.py``) reach it through Mongrel2 with requests (``SiteClient`` in tests/support/clients.py).
Both clients mix in :class:`AccountActions`, and the functions here read a response of either kind.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

from brubeck.testing import TestResponse

PASSWORD = "correct horse"
XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
NEW_KEY = re.compile(r'<code class="key">([^<]+)</code>')
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


def status_of(response: Any) -> int:
    """The status of a TestClient or a requests response."""
    return response.status if isinstance(response, TestResponse) else response.status_code


def set_cookies(response: Any) -> dict[str, str]:
    """Each Set-Cookie header of a response, by cookie name."""
    if isinstance(response, TestResponse):
        headers = response.headers.get_all("Set-Cookie")
    else:
        headers = response.raw.headers.getlist("Set-Cookie")
    return {header.split("=", 1)[0]: header for header in headers}


def with_query(path: str, params: dict[str, Any]) -> str:
    """``path?params``, encoded as a form would."""
    return f"{path}?{urlencode(params)}" if params else path


def with_token(key: str) -> dict[str, str]:
    """The headers of a script with only an API key: no cookies, no CSRF token."""
    return {"Authorization": f"Token {key}"}


class AccountActions:
    """What a visitor does on the account pages, for a client with ``get`` and ``post_form``."""

    get: Any
    post_form: Any

    def sign_up(self, username: str, password: str = PASSWORD, **fields: str) -> Any:
        """POST the create-account form; it must succeed."""
        response = self.post_form("/create", {"username": username, "password": password, **fields})
        assert status_of(response) == 302, response.text
        return response

    def log_in(self, username: str, password: str = PASSWORD, next_url: str = "") -> Any:
        """POST the login form."""
        return self.post_form("/login", {"username": username, "password": password, "next": next_url})

    def log_out(self) -> Any:
        """POST the logout button of the list page."""
        return self.post_form("/logout", {}, form_url="/")

    def new_token(self, name: str = "script") -> str:
        """A new API key, read from the page that shows it once."""
        response = self.post_form("/tokens", {"name": name})
        assert status_of(response) == 201, response.text
        keys = NEW_KEY.findall(response.text)
        assert len(keys) == 1, f"{len(keys)} new keys on the page"
        assert "it is not shown again" in response.text
        return str(keys[0])

    def assert_signed_out(self) -> None:
        """The list page sends this browser to the login page."""
        response = self.get("/")
        assert status_of(response) == 302
        assert response.headers["Location"].startswith("/login")

    def assert_signed_in_as(self, username: str) -> None:
        """The list page shows ``username`` as the one signed in."""
        response = self.get("/")
        assert status_of(response) == 200, response.text
        assert f'<span class="who">{username}</span>' in response.text


# -- reading pages ---------------------------------------------------------------------------------


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {name: value or "" for name, value in attrs}))


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


def text_box_value(page: str, name: str) -> str:
    """What a form's box of text (``<textarea>``) shows (unescaped)."""
    matches = re.findall(rf'<textarea id="f-{name}" name="{name}"[^>]*>([^<]*)</textarea>', page)
    assert len(matches) == 1, f"{len(matches)} text boxes named {name!r}"
    return unescape(matches[0])


def field_error(page: str, name: str) -> str | None:
    """The message shown right under the form input (or box of text) ``name``, or None.

    The message must sit in the field's own block, tied to the input by
    ``aria-describedby``, as shared/templates/forms.html renders it.
    """
    found = re.search(
        rf'<div class="field has-error">\s*<label for="f-{name}">[^<]*</label>\s*'
        rf'<(?:input|textarea) id="f-{name}" name="{name}"[^>]* aria-invalid="true" aria-describedby="e-{name}">'
        rf'(?:[^<]*</textarea>)?\s*<p class="error" id="e-{name}">([^<]*)</p>',
        page,
    )
    return unescape(found.group(1)) if found else None


MAX_PAGES = 50  # bound on every "follow the next link" walk
OLDER = re.compile(r'<a href="([^"]+)" rel="next">')


def follow_older(client: Any, path: str, read: Any) -> list[Any]:
    """Follow a list's "Older" links from ``path`` with ``client``: what ``read(page text)`` finds on each page."""
    found: list[Any] = []
    next_path: str | None = path
    while next_path:
        assert len(found) < MAX_PAGES, "the Older links never end"
        response = client.get(next_path)
        assert status_of(response) == 200, response.text
        found.append(read(response.text))
        older = OLDER.search(response.text)
        next_path = unescape(older.group(1)) if older else None
    return found


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


def bookmarklet(page: str) -> str:
    """The href of the page's bookmarklet (Listsurf's and Readify's)."""
    [anchor] = [a for a in elements(page, "a") if a.get("class") == "bookmarklet"]
    return anchor["href"]
