"""Listsurf end to end: a user's browser through Mongrel2, and its fixtures.

``listsurf`` runs the site behind a fresh Mongrel2 with its embedded database in ``data_dir``;
``live_store`` opens that database for the test; ``live_alice`` is a browser signed up to it as "alice".
Reading pages is tests/support/pages.py and tests/listsurf/pages.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from shared.store import Store, open_store
from tests.listsurf.pages import ListsurfActions
from tests.support.clients import SiteClient
from tests.support.pages import PASSWORD
from tests.support.servers import Endpoint

__all__ = ["PASSWORD", "Surfer", "signed_up"]


class Surfer(ListsurfActions, SiteClient):
    """A Listsurf user's browser, through Mongrel2."""

    def get_as(self, host: str, path: str, **kwargs: Any) -> requests.Response:
        """GET with another Host header, still sending this browser's cookies.

        (requests matches cookies against the Host header once it is set.)
        """
        cookies = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return self.get(path, headers={"Host": host, "Cookie": cookies}, **kwargs)


def signed_up(endpoint: Endpoint, username: str) -> Surfer:
    """A client with a new account, logged in."""
    client = Surfer(endpoint.url)
    response = client.sign_up(username, PASSWORD)
    assert response.headers["Location"] == "/"
    return client


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The data folder of the ``listsurf`` fixture's site."""
    return tmp_path / "listsurf-data"


@pytest.fixture
def listsurf(site: Callable[..., Endpoint], data_dir: Path) -> Endpoint:
    """Listsurf behind a fresh Mongrel2, storing into ``data_dir``."""
    return site("listsurf", data_dir=data_dir)


@pytest.fixture
def live_store(listsurf: Endpoint, data_dir: Path) -> Iterator[Store]:
    """The ``listsurf`` fixture's database, through a connection of the test's own."""
    opened = open_store(url="", data_dir=data_dir)
    yield opened
    opened.close()


@pytest.fixture
def live_alice(listsurf: Endpoint) -> Surfer:
    """A browser signed up to ``listsurf`` as "alice"."""
    return signed_up(listsurf, "alice")
