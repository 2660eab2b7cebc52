"""Headless Chromium for the browser tests: Debian's Chromium driven by Playwright, offline.

The ``chromium`` fixture is one browser for each test worker; ``open_page`` gives a page of a fresh
context that may reach nothing but the site under test (what it tried to fetch elsewhere is in
``page.elsewhere``). Outside CI a missing Chromium or Playwright skips these tests; with CI=true it fails them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.servers import IN_CI, ROOT, require_binary

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--host-resolver-rules=MAP *.localhost 127.0.0.1",  # the sites' names, whatever this machine's resolver says
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
TIMEOUT_MS = 10_000
PHONE = {"width": 390, "height": 844}


def open_page(browser: Any, base_url: str, **context_options: Any) -> Any:
    """A fresh browser context's page that refuses to reach anything but the site."""
    context = browser.new_context(base_url=base_url, **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    elsewhere: list[str] = []

    def route(request_route):
        if request_route.request.url.startswith(base_url + "/"):
            request_route.continue_()
        else:
            elsewhere.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.elsewhere = elsewhere  # type: ignore[attr-defined]
    return page


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Headless Chromium, launched once for the test worker; each test opens its own contexts."""
    if sync_playwright is None:
        message = "Playwright for Python is not installed (pip install playwright)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    require_binary(CHROMIUM, "chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000)
        yield browser
        browser.close()
