"""API keys open the APIs only (issue "Hardening, second round", item 3): with nothing but an
``Authorization: Token`` header a page sees nobody, so a leaked key cannot mint another key, change the
profile or sign the owner out; the API still takes the key.
"""

from __future__ import annotations

from brubeck.request_handling import Brubeck
from brubeck.testing import TestClient
from shared import tokens
from shared.store import Store
from tests.listsurf.pages import Browser
from tests.support.pages import status_of


def key_holder(app: Brubeck, key: str, client_class: type[TestClient] = Browser) -> TestClient:
    """A client that has the key and nothing else (no session cookie)."""
    client = client_class(app)
    client.headers["Authorization"] = f"Token {key}"
    return client


def test_a_key_does_not_sign_in_to_listsurfs_pages(alice: Browser, app: Brubeck, store: Store) -> None:
    holder = key_holder(app, alice.new_token("leaked"))
    for path in ("/", "/tokens", "/add_item"):
        response = holder.get(path)
        assert status_of(response) == 302 and response.headers["Location"].startswith("/login"), path
    minted = holder.post("/tokens", data={"name": "minted"})  # no CSRF token: the page form refuses it
    assert status_of(minted) in (302, 403)
    assert [token.name for token in tokens.list_tokens(store, "alice")] == ["leaked"]
    assert holder.get("/api").status == 200  # the API takes it
