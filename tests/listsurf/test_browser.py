"""Listsurf in headless Chromium, behind Mongrel2: sign up, add a link, see it, log out.

Screenshots of the list (desktop and a 390px-wide phone) go to tests/artifacts/.
Outside CI a missing Chromium or Playwright skips these tests; with CI=true it fails them.
"""

from __future__ import annotations

import re

from tests.listsurf.live import PASSWORD
from tests.support.chromium import ARTIFACTS, PHONE, open_page

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - depends on the machine
    pass


def sign_up(page: Page, username: str) -> None:
    page.goto("/create")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Your links")).to_be_visible()


def add_link(page: Page, url: str, title: str) -> None:
    page.get_by_role("link", name="Add a link").click()
    expect(page.get_by_role("heading", name="Add a link")).to_be_visible()
    page.get_by_label("URL").fill(url)
    page.get_by_label("Title (optional)").fill(title)
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/$"))


def listed_titles(page: Page) -> list[str]:
    return page.locator("ol.links a.title").all_inner_texts()


def log_out(page: Page) -> None:
    page.get_by_role("button", name=re.compile("^Log out")).click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))


def test_sign_up_add_a_link_see_it_listed_and_log_out(chromium, listsurf):
    site = f"http://listsurf.localhost:{listsurf.port}"  # the configured address: absolute URLs point there
    page = open_page(chromium, site)
    sign_up(page, "alice")
    expect(page.get_by_text("Nothing saved yet.")).to_be_visible()

    add_link(page, "https://www.python.org/about/", "About Python")
    add_link(page, "docs.python.org/3/tutorial/", "")
    add_link(
        page,
        "https://example.com/a/very/long/path/that/keeps/going/and/going?with=query&and=more",
        "A rather long title that has to wrap on a narrow phone screen without breaking the layout",
    )
    assert listed_titles(page) == [
        "A rather long title that has to wrap on a narrow phone screen without breaking the layout",
        "https://docs.python.org/3/tutorial/",
        "About Python",
    ]
    first = page.locator("ol.links li").last
    expect(first.locator(".host")).to_have_text("www.python.org")
    expect(first.locator("time")).to_have_text("just now")
    # The stylesheet came from Mongrel2's /static/ and applies.
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(246, 247, 249)"

    # The bookmarklet, run on a page, opens the form pre-filled with that page's address and title.
    page.goto("/add_item")
    bookmarklet = page.get_by_role("link", name="Surf later").get_attribute("href")
    page.goto("/tokens")
    page.evaluate(bookmarklet.removeprefix("javascript:"))
    expect(page).to_have_url(re.compile(r"/add_item\?u="))
    expect(page.get_by_label("URL")).to_have_value(site + "/tokens")
    expect(page.get_by_label("Title (optional)")).to_have_value("API tokens · Listsurf")
    page.get_by_role("button", name="Save").click()
    assert listed_titles(page)[0] == "API tokens · Listsurf"

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "listsurf-list.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    page.screenshot(path=str(ARTIFACTS / "listsurf-list-phone.png"), full_page=True)

    log_out(page)
    assert page.elsewhere == []  # type: ignore[attr-defined]


def test_every_step_works_with_javascript_disabled(chromium, listsurf):
    page = open_page(chromium, listsurf.url, java_script_enabled=False)
    page.goto("/login")
    assert page.evaluate("document.readyState") == "complete"
    sign_up(page, "nojs")
    add_link(page, "https://example.org/no-script", "Saved without JavaScript")
    add_link(page, "https://example.org/other", "Another one")
    assert listed_titles(page) == ["Another one", "Saved without JavaScript"]

    page.get_by_role("searchbox", name="Search your links").fill("without")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/\?q=without$"))
    assert listed_titles(page) == ["Saved without JavaScript"]

    page.get_by_role("button", name="Delete Saved without JavaScript").click()
    expect(page).to_have_url(re.compile(r"/$"))
    assert listed_titles(page) == ["Another one"]

    page.get_by_role("link", name="Add a link").click()
    page.get_by_label("URL").fill("javascript:alert(1)")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#e-url")).to_have_text("Only http:// and https:// links can be saved.")

    log_out(page)
    assert page.elsewhere == []  # type: ignore[attr-defined]


def test_the_no_javascript_context_really_runs_no_scripts(chromium, listsurf):
    page = open_page(chromium, listsurf.url, java_script_enabled=False)
    page.goto("/login")
    page.locator("a.brand").evaluate("a => a.setAttribute('href', 'javascript:document.title=\"ran\"')")
    page.locator("a.brand").click()
    assert page.title() == "Log in · Listsurf"
