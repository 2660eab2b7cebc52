"""Readify in headless Chromium, behind Mongrel2: sign up, save a page with tags through the bookmarklet,
like it, filter by its tag, archive it, find it under Archived, delete and restore it, see the profile; notes
written, shown line by line, searched and edited; new links private until the setting says otherwise.

Screenshots go to tests/artifacts/readify-*.png.
"""

from __future__ import annotations

import re

from tests.support.chromium import ARTIFACTS, PHONE, open_page

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - depends on the machine
    pass


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"readify-{name}.png"), full_page=True)


def titles(page: Page) -> list[str]:
    return page.locator("ol.links a.title").all_inner_texts()


def press(page: Page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()


def sign_up(page: Page, username: str) -> None:
    page.goto("/create")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your reading list")).to_be_visible()


def test_a_page_saved_by_the_bookmarklet_is_liked_tagged_archived_trashed_restored_and_public(chromium, readify):
    site = f"http://readify.localhost:{readify.port}"
    page = open_page(chromium, site)
    sign_up(page, "alice")
    shot(page, "empty")

    # The bookmarklet, run on a page of the site, opens the add form pre-filled with that page.
    page.goto("/add_item")
    bookmarklet = page.get_by_role("main").get_by_role("link", name="Readify", exact=True).get_attribute("href")
    assert bookmarklet and bookmarklet.startswith(f"javascript:location.href='{site}/add_item?url='")
    page.goto("/tags")
    page.evaluate(bookmarklet.removeprefix("javascript:"))
    expect(page).to_have_url(re.compile(r"/add_item\?url="))
    expect(page.get_by_label("URL")).to_have_value(site + "/tags")
    expect(page.get_by_label("Title (optional)")).to_have_value("Tags · Readify")
    page.get_by_label("Tags (optional)").fill("Reading, tools")
    expect(page.get_by_label(re.compile("^Private"))).to_be_checked()  # new links are private, unless unticked
    page.get_by_label(re.compile("^Private")).uncheck()
    shot(page, "add")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/$"))
    for n, (url, title, tags) in enumerate(
        [("https://example.com/essay", "A long essay on reading", "reading essays"), ("example.org/n", "News", "news")]
    ):
        page.goto("/add_item")
        page.get_by_label("URL").fill(url)
        page.get_by_label("Title (optional)").fill(title)
        page.get_by_label("Tags (optional)").fill(tags)
        page.get_by_label(re.compile("^Private")).set_checked(n == 1)
        page.get_by_role("button", name="Save").click()
    assert titles(page) == ["News", "A long essay on reading", "Tags · Readify"]

    press(page, "Like Tags · Readify")
    expect(page.get_by_role("button", name="Unlike Tags · Readify", exact=True)).to_be_visible()
    page.get_by_role("link", name="Liked", exact=True).click()
    assert titles(page) == ["Tags · Readify"]
    page.goto("/")
    shot(page, "dashboard")

    page.locator("li", has_text="Tags · Readify").get_by_role("link", name="tools").click()
    expect(page).to_have_url(re.compile(r"/\?tag=tools$"))
    assert titles(page) == ["Tags · Readify"]
    press(page, "Archive Tags · Readify")
    expect(page).to_have_url(re.compile(r"/\?tag=tools$"))  # back where the button was
    assert titles(page) == []
    page.get_by_role("link", name="Archived", exact=True).click()
    assert titles(page) == ["Tags · Readify"]

    press(page, "Delete Tags · Readify")
    assert titles(page) == []
    page.get_by_role("link", name="Trash", exact=True).click()
    assert titles(page) == ["Tags · Readify"]
    expect(page.locator("ol.links .meta")).to_contain_text("deleted just now")
    shot(page, "trash")
    press(page, "Restore Tags · Readify")
    assert titles(page) == []
    page.get_by_role("link", name="Archived", exact=True).click()
    assert titles(page) == ["Tags · Readify"]

    page.goto("/settings")
    page.get_by_label("Display name").fill("Alice Reader")
    page.get_by_label("Bio").fill("I read the long ones.")
    page.get_by_label("Location").fill("Lisbon")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status")).to_have_text("Your profile is saved.")
    shot(page, "settings")
    page.get_by_role("link", name="Your public page", exact=True).click()
    expect(page.get_by_role("heading", name="Alice Reader")).to_be_visible()
    assert titles(page) == ["A long essay on reading", "Tags · Readify"]  # the private one is not there
    shot(page, "profile")

    page.goto("/tags")
    shot(page, "tags")

    # A refused form says what is wrong beside each field and keeps what was typed.
    page.goto("/add_item")
    page.get_by_label("URL").fill("javascript:alert(1)")
    page.get_by_label("Tags (optional)").fill("ok, not/ok")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#e-url")).to_have_text("Only http:// and https:// links can be saved.")
    expect(page.get_by_label("Tags (optional)")).to_have_value("ok, not/ok")
    shot(page, "add-refused")

    # Another reader saves one of alice's public links to their own Readify from her profile.
    press(page, "Log out alice")
    sign_up(page, "bob")
    page.goto("/alice")
    assert titles(page) == ["A long essay on reading", "Tags · Readify"]
    shot(page, "profile-visitor")
    press(page, "Save A long essay on reading to my Readify")
    expect(page.get_by_role("heading", name="Alice Reader")).to_be_visible()  # still on her profile
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_text("Saved in your Readify")).to_have_count(1)
    shot(page, "profile-saved")
    page.goto("/")
    assert titles(page) == ["A long essay on reading"]

    page.goto("/")
    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    shot(page, "phone")
    # Long words (a name, a web address, a search) wrap on a phone instead of widening the page.
    page.goto("/settings")
    page.get_by_label("Display name").fill("B" * 80)
    page.get_by_label("Location").fill("L" * 100)
    page.get_by_label("Website").fill("https://example.com/" + "w" * 200)
    page.get_by_role("button", name="Save profile").click()
    page.get_by_label("Name", exact=True).fill("N" * 80)
    page.get_by_role("button", name="Create a token").click()
    for path in ["/bob", "/?q=" + "q" * 200, "/settings"]:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    shot(page, "phone-long-words")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(251, 248, 243)"  # our CSS
    # Only Gravatar's pictures come from elsewhere; nothing else was fetched off the site.
    assert all(url.startswith("https://www.gravatar.com/avatar/") for url in page.elsewhere)  # type: ignore[attr-defined]


def test_every_button_and_link_of_a_row_is_a_target_of_24_px_on_a_phone(chromium, readify):
    page = open_page(chromium, f"http://readify.localhost:{readify.port}", viewport=PHONE)
    sign_up(page, "tapper")
    page.goto("/add_item")
    page.get_by_label("URL").fill("https://example.com/a")
    page.get_by_role("button", name="Save").click()
    targets = page.locator("ol.links .actions button, ol.links .actions a")
    sizes = [targets.nth(i).bounding_box() for i in range(targets.count())]
    assert len(sizes) == 4 and all(box and box["width"] >= 24 and box["height"] >= 24 for box in sizes), sizes


def test_notes_are_written_shown_line_by_line_searched_edited_and_public(chromium, readify):
    page = open_page(chromium, f"http://readify.localhost:{readify.port}")
    sign_up(page, "noter")
    page.goto("/add_item")
    page.get_by_label("URL").fill("https://example.com/book")
    page.get_by_label("Title (optional)").fill("A book")
    page.get_by_label("Notes (optional)").fill("Chapter 3 first.\nThen the <appendix>.")
    page.get_by_label(re.compile("^Private")).uncheck()
    shot(page, "notes-add")
    page.get_by_role("button", name="Save").click()
    notes = page.locator("ol.links .notes")
    expect(notes).to_have_text("Chapter 3 first.\nThen the <appendix>.")
    page.wait_for_load_state("load")  # innerText follows the layout: the stylesheet's white-space must be in
    assert notes.inner_text() == "Chapter 3 first.\nThen the <appendix>."  # rendered on two lines, as text

    page.get_by_label("Search your links").fill("append")
    page.get_by_role("button", name="Search").click()
    assert titles(page) == ["A book"]
    shot(page, "notes-search")

    page.get_by_role("link", name="Edit A book").click()
    expect(page.get_by_label("Notes (optional)")).to_have_value("Chapter 3 first.\nThen the <appendix>.")
    page.get_by_label("Notes (optional)").evaluate("box => box.removeAttribute('maxlength')")  # as a script could
    page.get_by_label("Notes (optional)").fill("x" * 10_001)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#e-description")).to_have_text("Use at most 10,000 characters.")
    shot(page, "notes-refused")
    page.get_by_label("Notes (optional)").fill("Chapter 3 first.\n\nSkip the appendix.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.goto("/noter")
    expect(page.locator("ol.links .notes")).to_have_text("Chapter 3 first.\n\nSkip the appendix.")
    shot(page, "notes-profile")


def test_new_links_are_private_until_the_setting_says_otherwise_and_the_bookmarklet_follows_it(chromium, readify):
    site = f"http://readify.localhost:{readify.port}"
    page = open_page(chromium, site)
    sign_up(page, "keeper")
    page.goto("/add_item")
    bookmarklet = page.get_by_role("main").get_by_role("link", name="Readify", exact=True).get_attribute("href")
    assert bookmarklet
    private = page.get_by_label(re.compile("^Private"))

    page.goto("/tags")
    page.evaluate(bookmarklet.removeprefix("javascript:"))
    expect(private).to_be_checked()
    expect(page.locator("#h-private")).to_contain_text("Your settings say new links are private")
    shot(page, "private-add")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("ol.links .private")).to_have_text("private")

    page.goto("/add_item")
    page.get_by_role("link", name="change that").click()
    expect(page).to_have_url(re.compile(r"/settings#privacy$"))
    page.get_by_label("New links are private").uncheck()
    page.get_by_role("button", name="Save privacy").click()
    expect(page.get_by_role("status")).to_have_text(
        "New links are public now: they show on your profile and its feed unless you tick Private."
    )
    expect(page.get_by_label("New links are private")).not_to_be_checked()
    shot(page, "private-settings")

    page.goto("/liked")
    page.evaluate(bookmarklet.removeprefix("javascript:"))
    expect(private).not_to_be_checked()
    expect(page.locator("#h-private")).to_contain_text("Your settings say new links are public")
    page.get_by_role("button", name="Save").click()
    visitor = open_page(chromium, site)
    visitor.goto("/keeper")
    assert titles(visitor) == ["Liked · Readify"]  # the first, saved private, is not there
    shot(visitor, "private-profile")
