"""Fixtures for the sites' page tests, run in this process: ``create_app(settings=..., db=...)`` on a
store in the test's own folder, driven by ``brubeck.testing.TestClient``.

``store`` is the site's database, ``browser()`` a new browser (no cookies), ``visitor`` one,
``alice`` one signed up as "alice".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from brubeck.request_handling import Brubeck
from brubeck.testing import TestClient
from listsurf.app import create_app
from shared.store import Store, open_store
from tests.support.listsurf_pages import Browser

COOKIE_SECRET = "in-process-test-secret"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """The site's database: the embedded store in the test's folder."""
    opened = open_store(url="", data_dir=tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def app(store: Store) -> Brubeck:
    """Listsurf on ``store``."""
    return create_app(settings={"cookie_secret": COOKIE_SECRET}, db=store)


@pytest.fixture
def client_class() -> type[TestClient]:
    """The browser class of the site's tests (a site's test module overrides it with ``app``)."""
    return Browser


@pytest.fixture
def browser(app: Brubeck, client_class: type[TestClient]) -> Callable[..., Any]:
    """Factory: ``browser(remote_addr="127.0.0.1")`` is a new browser (``client_class``) on the site."""

    def new(remote_addr: str = "127.0.0.1") -> Any:
        return client_class(app, remote_addr=remote_addr)

    return new


@pytest.fixture
def visitor(browser: Callable[..., Browser]) -> Browser:
    """A browser that is not signed in."""
    return browser()


@pytest.fixture
def signed_up(browser: Callable[..., Browser]) -> Callable[[str], Browser]:
    """Factory: ``signed_up("bob")`` is a new browser with a new account, signed in."""

    def sign_up(username: str) -> Browser:
        client = browser()
        assert client.sign_up(username).headers["Location"] == "/"
        return client

    return sign_up


@pytest.fixture
def alice(signed_up: Callable[[str], Browser]) -> Browser:
    """A browser signed up as "alice"."""
    return signed_up("alice")
