"""Headless Chromium for the browser tests: Debian's Chromium driven by Playwright, offline.

``open_page`` gives a page of a fresh context that may reach nothing but the site under test
(what it tried to fetch elsewhere is in ``page.elsewhere``).  The ``browser`` fixture is in conftest.py.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import ROOT

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
