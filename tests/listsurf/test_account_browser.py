"""The account pages in headless Chromium, through Mongrel2 (Listsurf's process, a real SMTP server): a
forgotten password reset by the mailed link, the password changed, the account deleted with its links.

Screenshots: tests/artifacts/account-*.png.
"""

from __future__ import annotations

import re

from listsurf.store import links
from shared.store import open_store
from tests.listsurf.live import PASSWORD
from tests.listsurf.test_browser import add_link, listed_titles, sign_up
from tests.support.chromium import ARTIFACTS, open_page

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - depends on the machine
    pass

NEW_PASSWORD = "a password of today"


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"account-{name}.png"), full_page=True)


def test_a_forgotten_password_is_reset_by_mail_then_the_account_is_deleted(chromium, site, smtp_server, tmp_path):
    data_dir = tmp_path / "listsurf-data"
    listsurf = site("listsurf", data_dir=data_dir, env={"SMTP_URL": smtp_server.url})
    page = open_page(chromium, listsurf.url, java_script_enabled=False)  # none is needed
    sign_up(page, "walter")
    add_link(page, "https://example.com/kept", "Kept until the end")
    page.get_by_role("link", name="Account").click()
    page.get_by_label("Email (optional)").fill("walter@example.com")
    page.get_by_label("Your password", exact=True).first.fill(PASSWORD)
    page.get_by_role("button", name="Change email").click()
    expect(page.get_by_role("status")).to_have_text("Your email address is changed.")
    shot(page, "page")
    page.get_by_role("button", name="Log out").click()

    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("walter@example.com")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("status")).to_contain_text("a mail with a link")
    [mail] = smtp_server.wait_for(1)
    link = re.search(r"http://\S+/reset/\S+", mail.get_payload(decode=True).decode()).group(0)
    page.goto(link.replace(link.split("/reset/")[0], listsurf.url))  # the configured host, reached on loopback
    page.get_by_label("New password").fill(NEW_PASSWORD)
    shot(page, "reset")
    page.get_by_role("button", name="Set the password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed.")

    page.goto("/account")
    page.get_by_label("Type your username to confirm").fill("walter")
    page.locator("#f-delete_password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()
    shot(page, "deleted")
    store = open_store(None, data_dir)
    try:
        assert store.users.get("walter") is None
        assert links(store).count("walter") == 0
    finally:
        store.close()
    page.goto("/login")
    page.get_by_label("Username").fill("walter")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    assert listed_titles(page) == []
