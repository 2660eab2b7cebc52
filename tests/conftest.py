"""The test suite's root: what every test shares.

The test process itself is not monkey-patched (pytest and Playwright run real threads); the handler
processes it starts are, as in production, unless a test asks otherwise. Fixtures live in
``tests/support/`` and are loaded here as plugins; a test that starts a real server is marked
``integration`` (left out of ``make test-fast``).
"""

from __future__ import annotations

import os

import pytest

from tests.support.sites import present

_PATCH_SETTING = os.environ.get("BRUBECK_MONKEY_PATCH")
os.environ["BRUBECK_MONKEY_PATCH"] = "0"
import brubeck.auth  # noqa: E402  (imported first here, so that it does not patch this process)

if _PATCH_SETTING is None:
    del os.environ["BRUBECK_MONKEY_PATCH"]
else:
    os.environ["BRUBECK_MONKEY_PATCH"] = _PATCH_SETTING

SITE_FIXTURES = ["tests.listsurf.live", "tests.readify.live"]
"""Fixture modules of the sites that other folders' tests use too (each loaded when its site is here)."""

pytest_plugins = [
    "tests.support.servers",
    "tests.support.inprocess",
    "tests.support.stores",
    "tests.support.chats",
    "tests.support.chromium",
    "tests.support.mail",
    *[module for module in SITE_FIXTURES if present(module)],
]


@pytest.fixture(autouse=True)
def cheap_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Passwords hashed in this process use bcrypt's cheapest cost (the processes tests start get
    BRUBECK_BCRYPT_ROUNDS=4)."""
    monkeypatch.setattr(brubeck.auth, "BCRYPT_ROUNDS", 4)


SERVER_FIXTURES = {"mongrel2", "redis_url", "redis_server"}
"""Fixtures that start a real server: a test using one (directly or through another fixture) is an
integration test."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that starts a real server ``integration``, and every test in Chromium ``browser``
    too; ``make test-fast`` leaves both out."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if SERVER_FIXTURES & used:
            item.add_marker(pytest.mark.integration)
        if "chromium" in used:
            item.add_marker(pytest.mark.browser)
    # The tests that wait longest first, so that no worker is left with a long one at the end while the
    # others are idle: the bring-up (a whole suite under supervisord), then the other end-to-end tests.
    items.sort(key=lambda item: (item.path.parent.name != "suite", item.get_closest_marker("integration") is None))
