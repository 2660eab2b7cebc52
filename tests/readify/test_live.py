"""Readify end to end: ``python -m readify.web`` behind a real Mongrel2, one walk per promise (a link
saved through the bookmarklet's URL, liked, filtered, archived, trashed and restored; the profile and its
feed; another user's links and private ones kept apart; settings; static files from Mongrel2).
Every case of each is in tests/readify/test_pages.py, in process.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.readify.live import ReaderClient, signed_up
from tests.readify.pages import buttons, feed_entries, tag_hrefs, titles
from tests.support.pages import NEW_KEY, XSS, assert_escaped, input_value
from tests.support.servers import ROOT, Endpoint

pytestmark = pytest.mark.integration


@pytest.fixture
def alice(readify: Endpoint) -> ReaderClient:
    return signed_up(readify, "alice")


def test_a_link_goes_from_the_bookmarklet_through_like_tag_archive_trash_and_back(alice):
    form = alice.get("/add_item?url=" + quote("https://example.com/article") + "&title=" + quote("An article"))
    assert form.status_code == 200 and input_value(form.text, "title") == "An article"
    saved = alice.add("https://example.com/article", "An article", "Reading, web")
    assert (saved.status_code, saved.headers["Location"]) == (303, "/")
    [link_id] = alice.ids_on("/")
    assert tag_hrefs(alice.get("/").text) == ["/?tag=reading", "/?tag=web"]

    assert alice.act(link_id, "like").status_code == 303
    assert alice.ids_on("/liked") == [link_id]
    assert alice.ids_on("/?tag=reading&tag=web") == [link_id] and alice.ids_on("/?tag=other") == []
    assert alice.ids_on("/?q=artic") == [link_id]

    archived = alice.act(link_id, "archive", "/?tag=reading")
    assert archived.headers["Location"] == "/?tag=reading"
    assert alice.ids_on("/") == [] and alice.ids_on("/archived") == [link_id]
    alice.act(link_id, "delete", "/archived", form_url="/archived")
    assert alice.ids_on("/archived") == [] and alice.ids_on("/trash") == [link_id]
    assert buttons(alice.get("/trash").text, link_id) == ["undelete"]
    alice.act(link_id, "undelete", "/trash", form_url="/trash")
    assert alice.ids_on("/trash") == [] and alice.ids_on("/archived") == [link_id]
    assert alice.get(f"/items/{link_id}/like").status_code == 405  # nothing changes on GET


def test_the_profile_and_feed_show_public_links_only_and_others_cannot_touch_them(alice, readify):
    alice.post_form("/settings", {"display_name": "Alice A.", "bio": XSS, "website": "alice.example"})
    alice.add("https://example.com/public", XSS, "news")
    alice.add("https://example.com/private", "Private one", private=True)
    private_id = alice.ids_on("/")[0]

    visitor = ReaderClient(readify.url)
    profile = visitor.get("/alice")
    assert profile.status_code == 200 and titles(profile.text) == [XSS]
    assert_escaped(profile.text)
    assert "Private one" not in profile.text and "Save to my Readify" not in profile.text
    assert "img-src 'self' data: https:" in profile.headers["Content-Security-Policy"]
    assert "script-src 'self'" in profile.headers["Content-Security-Policy"]
    feed = visitor.get("/alice/feed")
    assert feed.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert [entry["title"] for entry in feed_entries(feed.text)[1]] == [XSS]

    bob = signed_up(readify, "bob")
    assert "Save to my Readify" in bob.get("/alice").text
    assert bob.act(private_id, "delete").status_code == 404
    assert bob.get(f"/edit_item/{private_id}").status_code == 404
    assert alice.ids_on("/")[0] == private_id and bob.ids_on("/") == []
    assert bob.post_form("/add_item", {"url": "https://example.com/public"}, form_url="/alice").status_code == 303
    assert len(bob.ids_on("/")) == 1 and len(alice.ids_on("/")) == 2


def test_settings_save_the_profile_and_the_privacy_and_show_a_new_token_once(alice):
    bad = alice.post_form("/settings", {"website": "javascript:alert(1)"})
    assert bad.status_code == 400 and "Only http:// and https:// links can be saved." in bad.text
    assert alice.post_form("/settings", {"location": "Lisbon"}).headers["Location"] == "/settings"
    assert "Your profile is saved." in alice.get("/settings").text
    assert alice.post_form("/settings/privacy", {}, form_url="/settings").headers["Location"] == "/settings"
    assert "New links are public now" in alice.get("/settings").text
    made = alice.post_form("/settings/tokens", {"name": "phone"}, form_url="/settings")
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    [key] = NEW_KEY.findall(made.text)
    assert key not in alice.get("/settings").text


def test_static_files_are_served_by_mongrel2(alice):
    css = alice.get("/static/site.css")
    assert css.status_code == 200 and css.headers["Content-Type"] == "text/css"
    assert css.content == (ROOT / "readify" / "static" / "site.css").read_bytes()
    assert "Mongrel2" in css.headers["Server"]


def test_editing_a_link_and_renaming_its_tag(alice):
    alice.add("https://example.com/a", "Old title", "py")
    [link_id] = alice.ids_on("/")
    form = alice.get(f"/edit_item/{link_id}?next=/liked")
    assert input_value(form.text, "tags") == "py"
    edited = alice.post_form(
        f"/edit_item/{link_id}",
        {"url": "https://example.com/b", "title": "New title", "tags": "py, web", "next": "/liked"},
    )
    assert (edited.status_code, edited.headers["Location"]) == (303, "/liked")
    assert titles(alice.get("/").text) == ["New title"]
    bad = alice.post_form("/tags/rename", {"tag": "py", "new": "not ok"}, form_url="/tags")
    assert bad.status_code == 400 and "The tag “not ok” has" in bad.text
    assert alice.post_form("/tags/rename", {"tag": "py", "new": "web"}, form_url="/tags").status_code == 303  # merged
    assert tag_hrefs(alice.get("/").text) == ["/?tag=web"]
    assert "1 link<" in alice.get("/tags").text
