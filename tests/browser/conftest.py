"""The browser tests' Chromium, one for each test module.

Outside CI a missing Chromium or Playwright skips these tests; with CI=true it fails them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import IN_CI, require_binary

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if sync_playwright is None:
        message = "Playwright for Python is not installed (pip install playwright)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    require_binary(CHROMIUM, "chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000)
        yield chromium
        chromium.close()
