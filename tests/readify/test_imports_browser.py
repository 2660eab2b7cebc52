"""Importing a bookmark file in headless Chromium, behind Mongrel2: upload it on /import, watch the progress
page (its META refresh) reach done, find the links on the reading list; with JavaScript on, then off.

Screenshots go to tests/artifacts/readify-import-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.bookmark_files import generated_file
from tests.support.bookmark_shapes import PINBOARD
from tests.support.chromium import ARTIFACTS, open_page

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - depends on the machine
    pass


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_file_uploaded_on_the_import_page_is_followed_to_done_and_its_links_are_on_the_reading_list(
    chromium, readify, tmp_path: Path, javascript: bool
):
    file = tmp_path / "bookmarks.html"
    file.write_bytes(PINBOARD.encode() if not javascript else generated_file(3_000, seed=5))
    page = open_page(chromium, f"http://readify.localhost:{readify.port}", java_script_enabled=javascript)
    page.goto("/create")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Create account").click()

    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Import bookmarks")).to_be_visible()
    page.get_by_label("Bookmark file").set_input_files(str(file))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page).to_have_url(re.compile(r"/import/[0-9a-f]{24}$"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = "javascript" if javascript else "no-javascript"
    page.screenshot(path=str(ARTIFACTS / f"readify-import-progress-{name}.png"), full_page=True)
    expect(page.get_by_role("status")).to_contain_text("Done:", timeout=60_000)  # the page reloads itself
    page.screenshot(path=str(ARTIFACTS / f"readify-import-done-{name}.png"), full_page=True)
    assert page.locator("meta[http-equiv=refresh]").count() == 0

    page.get_by_role("link", name="Your reading list").click()
    titles = page.locator("ol.links a.title").all_inner_texts()
    if javascript:
        assert len(titles) == 50
    else:
        assert titles == ["Pinboard"]  # the other two were read already (TOREAD="0"): archived
        page.get_by_role("link", name="Archived", exact=True).click()
        assert page.locator("ol.links a.title").all_inner_texts() == ["Old <page>", "Already read"]
    assert page.elsewhere == []  # type: ignore[attr-defined]
