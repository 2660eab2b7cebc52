"""API keys open the APIs only (issue "Hardening, second round", item 3): with nothing but an
``Authorization: Token`` header a page sees nobody, so a leaked key cannot mint another key, change the
profile or sign the owner out; the API still takes the key.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from brubeck.request_handling import Brubeck
from brubeck.testing import TestClient
from readify.app import create_app as create_readify
from shared import tokens
from shared.store import Store
from tests.support.inprocess import COOKIE_SECRET
from tests.support.listsurf_pages import Browser
from tests.support.pages import status_of
from tests.support.readify_pages import Reader


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


def test_a_key_cannot_change_readifys_settings_or_sign_the_owner_out(
    store: Store, browser: Callable[..., Browser]
) -> None:
    app = create_readify(settings={"cookie_secret": COOKIE_SECRET}, db=store)
    owner = Reader(app)
    assert owner.sign_up("alice").headers["Location"] == "/"
    key = owner.new_token("leaked")
    holder = key_holder(app, key, Reader)
    assert status_of(holder.get("/settings")) == 302
    for path in ("/settings", "/settings/tokens", "/logout"):
        assert status_of(holder.post(path, data={"name": "minted", "display_name": "pwned"})) in (302, 403), path
    assert [token.name for token in tokens.list_tokens(store, "alice")] == ["leaked"]
    assert status_of(owner.get("/")) == 200  # still signed in: the key did not sign the owner out


@pytest.mark.parametrize("scheme", ["Token", "token", "Bearer"])
def test_any_authorization_header_leaves_the_session_as_it_is(alice: Browser, scheme: str) -> None:
    alice.headers["Authorization"] = f"{scheme} not-a-key"
    assert status_of(alice.get("/")) == 200  # the page reads the session cookie, not the header
