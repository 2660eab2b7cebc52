"""Fixtures for the sites' page tests, run in this process: ``create_app(settings, store)`` with settings
and a store in the test's own folder, driven by ``brubeck.testing.TestClient``.

``settings`` are the suite's defaults with the test's data folder, ``store`` the site's database,
``browser()`` a new browser (no cookies), ``visitor`` one, ``alice`` one signed up as "alice".  Each
site's tests give their ``app`` (and browser class, ``client_class``) in tests/<site>/conftest.py; elsewhere the
``app`` is the shared accounts on their own (tests/support/apps/accounts_app.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from brubeck.request_handling import Brubeck
from brubeck.testing import TestClient
from conf.settings import from_env
from shared.settings import Settings
from shared.store import Store, open_store
from tests.support.apps import accounts_app
from tests.support.pages import AccountActions
from tests.support.servers import NO_REDIS

COOKIE_SECRET = "in-process-test-secret"


def settings_for(data_dir: Path, environ: dict[str, str] | None = None, **changes: Any) -> Settings:
    """The suite's settings as ``environ`` (nothing but what it says) makes them, with a known cookie secret
    and service passphrase, and data in ``data_dir``, then ``changes`` to fields.  No service is called
    unless ``changes`` has ``services``, and no Redis answers unless ``environ`` has ``REDIS_URL``: a test in
    this process must not reach a suite running here."""
    given = {"COOKIE_SECRET": COOKIE_SECRET, "SERVICE_PASSPHRASE": "test", "SUITE_DATA_DIR": str(data_dir)}
    given["REDIS_URL"] = NO_REDIS
    given.update(environ or {})
    return replace(from_env(given), **{"services": {}, **changes})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The suite's defaults, with the test's folder for data."""
    return settings_for(tmp_path)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """The site's database: the embedded store in the test's folder."""
    opened = open_store(None, settings.data_dir)
    yield opened
    opened.close()


@pytest.fixture
def app(settings: Settings, store: Store) -> Brubeck:
    """The shared accounts on their own, on ``store``."""
    return accounts_app.create_app(settings, store)


class AccountBrowser(AccountActions, TestClient):
    """A browser that knows the account pages, in this process."""


@pytest.fixture
def client_class() -> type[TestClient]:
    """The browser class of the site's tests (a site's fixtures override it with ``app``)."""
    return AccountBrowser


@pytest.fixture
def browser(app: Brubeck, client_class: type[TestClient]) -> Callable[..., Any]:
    """Factory: ``browser(remote_addr="127.0.0.1")`` is a new browser (``client_class``) on the site."""

    def new(remote_addr: str = "127.0.0.1") -> Any:
        return client_class(app, remote_addr=remote_addr)

    return new


@pytest.fixture
def visitor(browser: Callable[..., Any]) -> Any:
    """A browser that is not signed in."""
    return browser()


@pytest.fixture
def signed_up(browser: Callable[..., Any]) -> Callable[[str], Any]:
    """Factory: ``signed_up("bob")`` is a new browser with a new account, signed in."""

    def sign_up(username: str) -> Any:
        client = browser()
        assert client.sign_up(username).headers["Location"] == "/"
        return client

    return sign_up


@pytest.fixture
def alice(signed_up: Callable[[str], Any]) -> Any:
    """A browser signed up as "alice"."""
    return signed_up("alice")
