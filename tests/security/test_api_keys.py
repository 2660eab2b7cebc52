"""API keys open the APIs only (issue "Hardening, second round", item 3): with nothing but an
``Authorization: Token`` header a page sees nobody, so a leaked key cannot mint another key, change the
profile or sign the owner out; the API still takes the key.
"""

from __future__ import annotations

import pytest

from tests.support.inprocess import AccountBrowser
from tests.support.pages import status_of


@pytest.mark.parametrize("scheme", ["Token", "token", "Bearer"])
def test_any_authorization_header_leaves_the_session_as_it_is(alice: AccountBrowser, scheme: str) -> None:
    alice.headers["Authorization"] = f"{scheme} not-a-key"
    assert status_of(alice.get("/")) == 200  # the page reads the session cookie, not the header
