"""API keys open the APIs only (issue "Hardening, second round", item 3): with nothing but an
``Authorization: Token`` header a page sees nobody, so a leaked key cannot mint another key, change the
profile or sign the owner out; the API still takes the key.
"""

from __future__ import annotations

from brubeck.request_handling import Brubeck
from shared import tokens
from shared.store import Store
from tests.readify.pages import Reader
from tests.support.pages import status_of


def key_holder(app: Brubeck, key: str) -> Reader:
    """A client that has the key and nothing else (no session cookie)."""
    client = Reader(app)
    client.headers["Authorization"] = f"Token {key}"
    return client


def test_a_key_cannot_change_readifys_settings_or_sign_the_owner_out(app: Brubeck, store: Store) -> None:
    owner = Reader(app)
    assert owner.sign_up("alice").headers["Location"] == "/"
    key = owner.new_token("leaked")
    holder = key_holder(app, key)
    assert status_of(holder.get("/settings")) == 302
    for path in ("/settings", "/settings/tokens", "/logout"):
        assert status_of(holder.post(path, data={"name": "minted", "display_name": "pwned"})) in (302, 403), path
    assert [token.name for token in tokens.list_tokens(store, "alice")] == ["leaked"]
    assert status_of(owner.get("/")) == 200  # still signed in: the key did not sign the owner out
