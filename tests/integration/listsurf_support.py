"""Listsurf end to end: a user's browser through Mongrel2.

The fixtures built on it (``listsurf``, ``alice``, ``data_dir``, ``store``) are in
tests/integration/conftest.py; reading pages is tests/pages.py and tests/listsurf_pages.py.
"""

from __future__ import annotations

from typing import Any

import requests

from tests.conftest import Endpoint, SiteClient
from tests.listsurf_pages import ListsurfActions
from tests.pages import PASSWORD

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
