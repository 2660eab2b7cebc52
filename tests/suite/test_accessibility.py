"""axe-core (axe-playwright-python) on every page of every site, signed out and signed in, on a desktop and a
phone, in headless Chromium through the suite's Mongrel2: no serious or critical violation.

The pages are the ones a person reaches from each site's menus, with something on them (a saved link, a
tag, a chat room), found by the routes each site has (``PAGES``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.chromium import PHONE
from tests.support.pages import PASSWORD
from tests.support.running_suite import RunningSuite, running_suite
from tests.support.sites import present

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # pragma: no cover - depends on the machine
    pass

SITES = {
    "listsurf": "listsurf",
    "readify.web": "readify",
    "spotichat": "spotichat",
    "nojs": "nojs",
}
"""Each site's module, and its folder (the site runs when its folder is here)."""
SIGNED_OUT = ["/login", "/create", "/reset", "/no/such/page"]
SIGNED_IN = {
    "listsurf": ["/", "/add_item", "/tokens", "/account"],
    "readify.web": [
        "/",
        "/liked",
        "/archived",
        "/trash",
        "/add_item",
        "/edit_item/{link}",
        "/tags",
        "/settings",
        "/reader",
        "/reader?tag=news",
        "/account",
        "/tokens",
    ],
    "spotichat": ["/", "/rooms/4uLU6hMCjMI75M1A2tKUQC", "/account", "/tokens"],
    "nojs": ["/", "/rooms/lobby", "/account"],
}
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[RunningSuite]:
    modules = [module for module, folder in SITES.items() if present(folder)]
    with running_suite(tmp_path_factory.mktemp("axe"), modules, {"REDIS_URL": redis_url}) as running:
        yield running


def serious_violations(page: Any) -> list[str]:
    results = Axe().run(page).response
    assert (results["testEngine"]["name"], results["url"]) == ("axe-core", page.url)  # it ran, on this page
    found = results["violations"]
    return [
        f"{page.url} {violation['id']} ({violation['impact']}): {violation['help']}: "
        + "; ".join(node["html"][:120] for node in violation["nodes"][:3])
        for violation in found
        if violation["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_no_page_of_any_site_has_a_serious_accessibility_violation(chromium, suite, viewport):
    problems = []
    options = {"viewport": PHONE} if viewport == "phone" else {}
    landing = chromium.new_context(**options).new_page()
    for path in ("/", "/no/such/page"):
        landing.goto(f"http://{suite.host('conf.landing')}{path}")
        problems += serious_violations(landing)
    for module in [module for module in SITES if suite.of(module)]:
        base = f"http://{suite.host(module)}"
        context = chromium.new_context(base_url=base, **options)
        page = context.new_page()
        for path in SIGNED_OUT:
            page.goto(path)
            problems += serious_violations(page)
        username = f"{module.split('.')[0]}{viewport}"  # the accounts are the suite's: one a site
        page.goto("/create")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        link = ""
        if module == "readify.web":
            page.goto("/add_item")
            page.get_by_label("URL").fill("https://example.com/a")
            page.get_by_label("Tags (optional)").fill("news")
            page.get_by_label("Notes (optional)").fill("Two lines\nof notes")
            page.get_by_label(re.compile("^Private")).uncheck()  # on the public page too
            page.get_by_role("button", name="Save").click()
            link = page.locator("ol.links li").first.get_attribute("id").removeprefix("link-")
        for path in SIGNED_IN[module]:
            page.goto(path.format(link=link).replace("/reader", f"/{username}"))
            problems += serious_violations(page)
        context.close()
    assert problems == []
