"""Readify end to end: a reader's browser through Mongrel2, and the ``readify`` fixture (``python -m readify.web``
behind a fresh Mongrel2)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.readify.pages import ReadifyActions
from tests.support.clients import SiteClient
from tests.support.pages import PASSWORD
from tests.support.servers import Endpoint


class ReaderClient(ReadifyActions, SiteClient):
    """A Readify user's browser, through Mongrel2."""


def signed_up(readify: Endpoint, username: str) -> ReaderClient:
    """A client with a new account, logged in."""
    client = ReaderClient(readify.url)
    assert client.sign_up(username, PASSWORD).headers["Location"] == "/"
    return client


@pytest.fixture
def readify(site: Callable[..., Endpoint]) -> Endpoint:
    """Readify's pages behind a fresh Mongrel2, with a data folder of their own."""
    return site("readify", module="readify.web")
