"""Readify's pages in this process: every page and action, the isolation and privacy rules, bad input.

tests/readify/test_live.py walks the main flows through Mongrel2.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import replace
from html import unescape
from urllib.parse import quote

import pytest

from brubeck.csrf import CSRF_FIELD
from brubeck.timekeeping import curtime
from readify import links as readify_links
from readify.models import ReadifyLink
from readify.pages import PAGE_SIZE
from readify.store import profiles as stored_profiles
from readify.store import readify_links as stored_links
from shared import tokens
from shared.store import Store
from tests.readify.pages import Reader, buttons, feed_entries, notes, tag_hrefs, titles
from tests.support.pages import (
    NEW_KEY,
    PASSWORD,
    XSS,
    assert_escaped,
    assert_self_contained,
    bookmarklet,
    elements,
    field_error,
    input_value,
    text_box_value,
)

SITE = "http://readify.localhost:6767"
ACTIONS = ["like", "unlike", "archive", "unarchive", "delete", "undelete"]


def saved(store: Store, owner: str = "alice") -> list[ReadifyLink]:
    """Every link of ``owner`` out of the trash, newest first, as stored."""
    return readify_links.list_links(store, owner, limit=500).items


def add(reader: Reader, url: str, title: str = "", tags: str = "", private: bool = False, notes: str = "") -> str:
    """Add a link through the form; its id."""
    time.sleep(0.002)  # one a millisecond: lists are in the order of saving
    response = reader.add(url, title, tags, private, notes)
    assert (response.status, response.location) == (303, "/"), response.text
    return reader.ids_on("/")[0]


# -- pages need a login ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/liked", "/archived", "/trash", "/add_item?url=https%3A%2F%2Fe.com%2F", "/tags", "/settings"]
)
def test_the_readers_pages_need_a_login_and_come_back_after_it(alice, visitor, path):
    sent_away = visitor.get(path)
    assert (sent_away.status, sent_away.location) == (302, "/login?next=" + quote(path, safe="/"))
    assert visitor.log_in("alice", next_url=path).location == path


def test_posts_without_a_login_change_nothing(alice, visitor, store):
    link_id = add(alice, "https://example.com/a", "A")
    before = saved(store)
    for path in [
        f"/items/{link_id}/delete",
        f"/edit_item/{link_id}",
        "/add_item",
        "/tags/rename",
        "/settings",
    ]:
        response = visitor.post_form(path, {"url": "https://x.example/", "tag": "a", "new": "b"}, form_url="/login")
        assert response.location == "/login", path
    assert saved(store) == before


# -- adding a link ---------------------------------------------------------------------------------------


def test_the_add_form_is_prefilled_from_the_bookmarklets_url_and_shows_the_bookmarklet(alice):
    form = alice.get("/add_item?url=https%3A%2F%2Fexample.com%2Fread&title=" + quote("A page" + "x" * 600))
    assert form.status == 200
    assert input_value(form.text, "url") == "https://example.com/read"
    assert input_value(form.text, "title") == ("A page" + "x" * 600)[:500]
    assert input_value(form.text, "tags") == ""
    assert bookmarklet(form.text) == (
        f"javascript:location.href='{SITE}/add_item?url='+encodeURIComponent(location.href)"
        "+'&title='+encodeURIComponent(document.title)"
    )
    assert_self_contained(form.text)  # the bookmarklet is a link: no script on the page
    assert alice.get("/add_item", headers={"Host": "evil.example"}).text.count(f"{SITE}/add_item") == 1


def test_a_link_added_with_tags_is_listed_with_its_buttons(alice, store):
    response = alice.add("Example.org/Read", "Worth reading", "News, Python  news", private=True)
    assert (response.status, response.location) == (303, "/")
    [link] = saved(store)
    assert (link.url, link.title, link.tags, link.private) == (
        "https://example.org/Read",
        "Worth reading",
        ["news", "python"],
        True,
    )
    page = alice.get("/").text
    assert titles(page) == ["Worth reading"]
    assert '<span class="host">example.org</span> · saved <time' in page and ">just now</time>" in page
    assert tag_hrefs(page) == ["/?tag=news", "/?tag=python"]
    assert buttons(page, link.id) == ["like", "archive", "delete"]
    assert f'href="/edit_item/{link.id}?next=/"' in page
    assert_self_contained(page)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"url": ""}, "url", "Enter a URL."),
        ({"url": "javascript:alert(1)"}, "url", "Only http:// and https:// links can be saved."),
        ({"url": "https://exa mple.com/"}, "url", "A URL cannot contain spaces or control characters."),
        ({"url": "https://e.com/", "title": "x" * 501}, "title", "Use at most 500 characters."),
        (
            {"url": "https://e.com/", "tags": "a/b"},
            "tags",
            "The tag “a/b” has / in it: use letters, digits, emoji, - _ and . only.",
        ),
        (
            {"url": "https://e.com/", "tags": " ".join(f"t{n}" for n in range(21))},
            "tags",
            "Use at most 20 tags (this has 21).",
        ),
        ({"url": "https://e.com/", "tags": "y" * 51}, "tags", f"The tag “{'y' * 20}…” is longer than 50 characters."),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_saves_nothing(alice, store, data, field, message):
    refused = alice.post_form("/add_item", data)
    assert refused.status == 400
    assert field_error(refused.text, field) == message
    assert input_value(refused.text, "url") == data["url"]  # what was typed stays
    assert saved(store) == []


def test_adding_a_saved_url_again_past_20_tags_says_so(alice, store):
    add(alice, "https://example.com/a", "A", " ".join(f"t{n}" for n in range(20)))
    refused = alice.add("https://example.com/a", "", "one-more")
    assert refused.status == 400
    assert field_error(refused.text, "tags") == (
        "You have saved this URL already, and with its tags these make more than 20. Edit that link instead."
    )
    assert [len(link.tags) for link in saved(store)] == [20]


def test_adding_a_saved_url_again_updates_that_link(alice, store):
    first = add(alice, "https://example.com/a", "First", "one")
    alice.act(first, "archive")
    again = alice.add("https://example.com/a", "", "two")
    assert again.status == 303
    [link] = saved(store)
    assert (link.id, link.title, link.tags, link.archived) == (first, "First", ["one", "two"], False)


# -- the buttons -----------------------------------------------------------------------------------------


def test_like_archive_delete_and_restore_move_the_link_between_the_lists(alice):
    link_id = add(alice, "https://example.com/a", "A")
    assert alice.act(link_id, "like").location == f"/#link-{link_id}"  # back at its row
    assert alice.ids_on("/liked") == [link_id]
    assert buttons(alice.get("/liked").text, link_id) == ["unlike", "archive", "delete"]
    alice.act(link_id, "archive")
    assert alice.ids_on("/") == [] and alice.ids_on("/archived") == [link_id]
    assert buttons(alice.get("/archived").text, link_id) == ["unlike", "unarchive", "delete"]
    alice.act(link_id, "delete", "/archived", form_url="/archived")
    assert alice.ids_on("/archived") == alice.ids_on("/liked") == []
    trash = alice.get("/trash").text
    assert alice.ids_on("/trash") == [link_id] and buttons(trash, link_id) == ["undelete"]
    assert "stay in the trash for 30 days" in trash
    assert alice.act(link_id, "undelete", "/trash", form_url="/trash").location == "/trash"
    assert alice.ids_on("/trash") == [] and alice.ids_on("/archived") == [link_id]
    alice.act(link_id, "unarchive", form_url="/archived")
    alice.act(link_id, "unlike")
    assert alice.ids_on("/") == [link_id] and alice.ids_on("/liked") == []


def test_an_action_updates_the_link_time(alice, store):
    link_id = add(alice, "https://example.com/a", "A")
    before = stored_links(store).get("alice", link_id)
    time.sleep(0.002)
    alice.act(link_id, "like")
    after = stored_links(store).get("alice", link_id)
    assert after.liked and after.updated_at > before.updated_at and after.created_at == before.created_at


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        ("/archived?tag=a&before=x", "/archived?tag=a&before=x"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
    ],
)
def test_a_button_returns_only_to_a_page_of_this_site(alice, next_url, location):
    link_id = add(alice, "https://example.com/a", "A")
    assert alice.act(link_id, "like", next_url).location == f"{location}#link-{link_id}"


def flash_of(page: str) -> tuple[str, list[dict[str, str]]]:
    """The message an action left on the page (its text), and its Undo form's hidden fields."""
    found = re.search(r'<div class="notice flash" role="status">\s*<p>([^<]*)</p>(.*?)</div>', page, re.S)
    assert found, "no message on the page"
    hidden = [i for i in elements(found.group(2), "input") if i.get("type") == "hidden" and i["name"] != CSRF_FIELD]
    return unescape(found.group(1)), hidden


def test_each_action_says_what_it_did_once_and_a_delete_or_archive_can_be_undone(alice, store):
    assert alice.add("https://example.com/a", "A & B").location == "/"
    assert flash_of(alice.get("/").text)[0] == "Saved."
    assert 'class="notice flash"' not in alice.get("/").text  # said once
    [link_id] = alice.ids_on("/")
    alice.act(link_id, "like")
    assert flash_of(alice.get("/").text)[0] == "Liked."
    gone = alice.act(link_id, "delete", "/?tag=x")
    assert gone.location == "/?tag=x"
    page = alice.get("/").text
    text, hidden = flash_of(page)
    assert text == "Moved to the trash: A & B." and hidden == [{"type": "hidden", "name": "next", "value": "/?tag=x"}]
    assert f'action="/items/{link_id}/undelete"' in page
    undone = alice.post_form(f"/items/{link_id}/undelete", {"next": "/?tag=x"}, form_url="/")
    assert undone.location == "/?tag=x" and alice.ids_on("/") == [link_id]
    alice.act(link_id, "archive")
    assert f'action="/items/{link_id}/unarchive"' in alice.get("/").text


def test_saving_a_url_saved_already_says_when_it_was(alice):
    add(alice, "https://example.com/a", "A")
    alice.get("/")
    alice.add("https://example.com/a", "", "more")
    [text] = re.findall(r"Already saved on \d+ \w+ \d{4}; updated\.", alice.get("/").text)
    assert text.startswith("Already saved on ")


def test_buttons_are_posts_with_a_csrf_token(alice, store):
    link_id = add(alice, "https://example.com/a", "A")
    before = saved(store)
    for action in ACTIONS:
        assert alice.get(f"/items/{link_id}/{action}").status == 405
        assert alice.post(f"/items/{link_id}/{action}", data={"next": "/"}).status == 403  # no token
    assert alice.post_form(f"/items/{link_id}/explode", {}, form_url="/").status == 404
    assert saved(store) == before


def test_another_users_link_is_not_found_and_stays_as_it_was(alice, signed_up, store):
    link_id = add(alice, "https://example.com/mine", "Mine", "secret", private=True)
    before = stored_links(store).get("alice", link_id)
    bob = signed_up("bob")
    for action in ACTIONS:
        refused = bob.act(link_id, action)
        assert refused.status == 404 and "There is no such link in your Readify." in refused.text
    assert bob.get(f"/edit_item/{link_id}").status == 404
    edit = bob.post_form(
        f"/edit_item/{link_id}", {"url": "https://bob.example/", "title": "Bob's"}, form_url="/add_item"
    )
    assert edit.status == 404 and "Mine" not in edit.text
    assert stored_links(store).get("alice", link_id) == before
    assert bob.ids_on("/") == [] and bob.get("/?tag=secret").status == 200 and bob.ids_on("/?tag=secret") == []
    assert bob.ids_on("/trash") == [] and "Mine" not in bob.get("/?q=mine").text


# -- filters, search, pages ------------------------------------------------------------------------------


def test_tags_filter_with_every_tag_and_search_covers_titles_urls_and_tags(alice):
    add(alice, "https://example.com/1", "Both", "python, web")
    add(alice, "https://example.com/2", "Python only", "python")
    add(alice, "https://garden.example/3", "Web only", "web")
    assert titles(alice.get("/?tag=python").text) == ["Python only", "Both"]
    both = alice.get("/?tag=python&tag=WEB").text
    assert titles(both) == ["Both"]
    unfilter = [(a["href"], a["aria-label"]) for a in elements(both, "a") if a.get("class") == "unfilter"]
    assert unfilter == [("/?tag=web", "Stop filtering by python"), ("/?tag=python", "Stop filtering by web")]
    narrowing = [a["href"] for a in elements(alice.get("/?tag=python&q=both").text, "a") if a.get("class") == "tag"]
    assert narrowing == ["/?tag=python&q=both&tag=python", "/?tag=python&q=both&tag=web"]  # a tag adds to the filter
    assert titles(alice.get("/?tag=python&q=both&tag=web").text) == ["Both"]
    assert {"type": "hidden", "name": "tag", "value": "python"} in elements(both, "input")  # a search keeps the filter
    assert titles(alice.get("/?q=garden").text) == ["Web only"]
    assert titles(alice.get("/?q=pyth").text) == ["Python only", "Both"]
    assert titles(alice.get("/?q=web&tag=python").text) == ["Both"]
    assert "No link matches." in alice.get("/?tag=nothing").text


def trashed_long_ago(store: Store, url: str, days: float) -> ReadifyLink:
    """One of alice's links, put in the trash ``days`` ago (stored directly)."""
    now = curtime()
    link = ReadifyLink(
        id=ReadifyLink.new_id(),
        owner="alice",
        url=url,
        title="Old",
        tags=["old"],
        created_at=now - 40 * 86_400_000,
        deleted_at=now - int(days * 86_400_000),
    )
    assert stored_links(store).add(link)
    return link


def test_the_trash_deletes_for_good_what_has_been_there_30_days(alice, store):
    expired = trashed_long_ago(store, "https://example.com/expired", 30.01)
    recent = trashed_long_ago(store, "https://example.com/recent", 29.9)
    assert alice.ids_on("/trash") == [recent.id]
    assert stored_links(store).get("alice", expired.id) is None  # gone for good, a tombstone left for sync
    assert [t.id for t in stored_links(store).tombstones("alice", 0, 10, None)] == [expired.id]
    assert stored_links(store).get("alice", recent.id) == recent


def test_a_link_30_days_in_the_trash_is_gone_before_anyone_opens_the_trash(alice, store):
    expired = trashed_long_ago(store, "https://example.com/expired", 31)
    for action in ("undelete", "like"):
        assert alice.act(expired.id, action, form_url="/").status == 404
    assert alice.get(f"/edit_item/{expired.id}").status == 404
    edit = alice.post_form(f"/edit_item/{expired.id}", {"url": "https://example.com/x"}, form_url="/")
    assert edit.status == 404
    again = add(alice, "https://example.com/expired", "New", "new")
    assert again != expired.id and stored_links(store).get("alice", expired.id) is None
    [link] = saved(store)
    assert (link.title, link.tags, link.in_trash) == ("New", ["new"], False)  # a new link, not the old restored


def test_a_bad_tag_filter_or_page_link_is_a_400_with_a_message(alice):
    bad_tag = alice.get("/?tag=a%2Fb")
    assert bad_tag.status == 400 and "The tag “a/b” has / in it" in bad_tag.text
    bad_cursor = alice.get("/liked?before=nonsense")
    assert bad_cursor.status == 400 and "That page link is broken" in bad_cursor.text


def test_lists_come_a_page_at_a_time_with_an_older_link(alice, store):
    base = curtime() - 3_600_000
    for n in range(PAGE_SIZE + 3):
        link = ReadifyLink(
            id=ReadifyLink.new_id(),
            owner="alice",
            url=f"https://e.com/{n}",
            title=f"n{n}",
            tags=["t"],
            created_at=base + n,
        )
        stored_links(store).add(link)
    pages = alice.pages("/?tag=t")
    assert [len(page) for page in pages] == [PAGE_SIZE, 3]
    assert len({i for page in pages for i in page}) == PAGE_SIZE + 3
    first = alice.get("/?tag=t").text
    assert 'rel="next"' in first and "?tag=t&amp;before=" in first
    older = [a["href"] for a in elements(first, "a") if a.get("rel") == "next"][0]
    assert '<a href="/?tag=t">« Newest</a>' in alice.get(older).text  # back to the first page, still filtered


# -- editing ---------------------------------------------------------------------------------------------


def test_the_edit_form_shows_the_link_and_saves_it(alice, store):
    link_id = add(alice, "https://example.com/a", "Old", "one, two")
    form = alice.get(f"/edit_item/{link_id}?next=/liked")
    assert form.status == 200
    assert [input_value(form.text, n) for n in ("url", "title", "tags", "next")] == [
        "https://example.com/a",
        "Old",
        "one, two",
        "/liked",
    ]
    done = alice.post_form(
        f"/edit_item/{link_id}",
        {"url": "example.org/b", "title": "New", "tags": "three", "private": "1", "next": "/liked"},
    )
    assert (done.status, done.location) == (303, "/liked")
    link = stored_links(store).get("alice", link_id)
    assert (link.url, link.title, link.tags, link.private) == ("https://example.org/b", "New", ["three"], True)


def test_notes_are_written_on_the_add_and_edit_forms_and_shown_with_their_line_breaks(alice, store):
    form = alice.get("/add_item").text
    assert '<label for="f-description">Notes (optional)</label>' in form
    assert text_box_value(form, "description") == "" and 'maxlength="10000"' in form
    link_id = add(alice, "https://example.com/a", "Noted", notes="Read <b>part two</b>\r\n\n  then \u202ethe rest ")
    [link] = saved(store)
    assert link.description == "Read <b>part two</b>\n\n  then the rest"
    page = alice.get("/").text
    assert notes(page) == [link.description]
    assert '<p class="notes">Read &lt;b&gt;part two&lt;/b&gt;\n\n  then the rest</p>' in page  # escaped, lines kept
    assert text_box_value(alice.get(f"/edit_item/{link_id}").text, "description") == link.description
    assert [titles(alice.get(f"/?q={words}").text) for words in ("part+two", "rest", "art")] == [
        ["Noted"],
        ["Noted"],
        [],
    ]
    edited = {"url": link.url, "title": "Noted", "description": "Second thoughts"}
    assert alice.post_form(f"/edit_item/{link_id}", edited).status == 303
    assert notes(alice.get("/").text) == ["Second thoughts"] and titles(alice.get("/?q=part").text) == []


def test_notes_over_the_limit_are_refused_beside_their_box_and_nothing_is_saved(alice, store):
    refused = alice.add("https://example.com/a", "Long", notes="x" * 10_001)
    assert refused.status == 400
    assert field_error(refused.text, "description") == "Use at most 10,000 characters."
    assert text_box_value(refused.text, "description") == "x" * 10_001  # what was typed stays
    assert saved(store) == []
    link_id = add(alice, "https://example.com/a", "Short", notes="Kept")
    too_long = alice.post_form(f"/edit_item/{link_id}", {"url": "https://example.com/a", "description": "y" * 10_001})
    assert too_long.status == 400 and field_error(too_long.text, "description") == "Use at most 10,000 characters."
    assert [link.description for link in saved(store)] == ["Kept"]


def test_editing_onto_a_saved_url_or_with_bad_tags_is_refused_and_changes_nothing(alice, store):
    add(alice, "https://example.com/a", "A")
    second = add(alice, "https://example.com/b", "B")
    before = stored_links(store).get("alice", second)
    taken = alice.post_form(f"/edit_item/{second}", {"url": "https://example.com/a", "title": "B"})
    assert taken.status == 409
    assert field_error(taken.text, "url") == "You have saved this URL already (“A”). Edit that link instead."
    bad = alice.post_form(f"/edit_item/{second}", {"url": "https://example.com/b", "tags": "ok, not/ok"})
    assert bad.status == 400 and field_error(bad.text, "tags").startswith("The tag “not/ok”")
    assert input_value(bad.text, "tags") == "ok, not/ok"
    assert stored_links(store).get("alice", second) == before


# -- tags ------------------------------------------------------------------------------------------------


def test_the_tags_page_counts_renames_merges_and_removes(alice, store):
    add(alice, "https://example.com/1", "1", "py, web")
    add(alice, "https://example.com/2", "2", "python")
    add(alice, "https://example.com/3", "3", "web")
    page = alice.get("/tags").text
    assert tag_hrefs(page) == ["/?tag=py", "/?tag=python", "/?tag=web"]
    assert "2 links" in page and "1 link<" in page

    assert alice.post_form("/tags/rename", {"tag": "web", "new": "Internet"}, form_url="/tags").location == "/tags"
    assert (
        alice.post_form("/tags/rename", {"tag": "py", "new": "python"}, form_url="/tags").location == "/tags"
    )  # merge
    assert readify_links.tag_counts(store, "alice") == [("internet", 2), ("python", 2)]
    assert alice.post_form("/tags/remove", {"tag": "internet"}, form_url="/tags").location == "/tags"
    assert readify_links.tag_counts(store, "alice") == [("python", 2)]


def test_a_bad_new_tag_name_is_shown_beside_that_tag_and_nothing_changes(alice, store):
    add(alice, "https://example.com/1", "1", "py")
    refused = alice.post_form("/tags/rename", {"tag": "py", "new": "no way"}, form_url="/tags")
    assert refused.status == 400
    assert '<p class="error" id="e-1">The tag “no way” has' in refused.text
    assert 'value="no way" aria-invalid="true"' in refused.text
    unknown = alice.post_form("/tags/rename", {"tag": "nothing", "new": "x"}, form_url="/tags")
    assert unknown.status == 404
    assert alice.post_form("/tags/remove", {"tag": "nothing"}, form_url="/tags").status == 404
    assert readify_links.tag_counts(store, "alice") == [("py", 1)]


def test_tags_are_the_users_own(alice, signed_up, store):
    add(alice, "https://example.com/1", "1", "secret")
    bob = signed_up("bob")
    assert "secret" not in bob.get("/tags").text
    assert bob.post_form("/tags/rename", {"tag": "secret", "new": "mine"}, form_url="/tags").status == 404
    assert bob.post_form("/tags/remove", {"tag": "secret"}, form_url="/tags").status == 404
    assert readify_links.tag_counts(store, "alice") == [("secret", 1)]


# -- settings: profile and tokens ------------------------------------------------------------------------


def test_the_settings_say_what_a_gravatar_tells_about_the_email(alice):
    page = alice.get("/settings").text
    assert "whoever guesses your email can confirm it" in page


def test_settings_save_the_profile_and_show_the_gravatar(alice, store):
    page = alice.get("/settings")
    assert page.status == 200 and page.headers["Cache-Control"] == "no-store"
    fields = {
        "display_name": "Alice A.",
        "bio": "Reads a lot.",
        "location": "Lisbon",
        "website": "alice.example",
        "email": "Alice@Example.com",
        "avatar_url": "",
    }
    done = alice.post_form("/settings", fields)
    assert (done.status, done.location) == (303, "/settings")
    shown = alice.get("/settings").text
    assert flash_of(shown)[0] == "Your profile is saved." and input_value(shown, "website") == "https://alice.example/"
    digest = hashlib.sha256(b"alice@example.com").hexdigest()
    [avatar] = [img for img in elements(shown, "img") if img.get("class") == "avatar"]
    assert avatar["src"] == f"https://www.gravatar.com/avatar/{digest}?s=160&d=identicon"
    assert "img-src 'self' data: https:;" in alice.get("/settings").headers["Content-Security-Policy"]
    alice.post_form("/settings", {**fields, "avatar_url": "https://pics.example/me.png"})
    assert 'src="https://pics.example/me.png"' in alice.get("/settings").text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("website", "javascript:alert(1)", "Only http:// and https:// links can be saved."),
        ("avatar_url", "http://pics.example/me.png", "Use an https:// address for the picture."),
        ("email", "nope", "That does not look like an email address."),
        ("display_name", "x" * 81, "Use at most 80 characters."),
        ("location", "x" * 101, "Use at most 100 characters."),
    ],
)
def test_bad_profile_fields_are_refused_beside_the_field(alice, store, field, value, message):
    alice.post_form("/settings", {"display_name": "Kept"})
    refused = alice.post_form(
        "/settings", {"display_name": "Changed", field: value} if field != "display_name" else {field: value}
    )
    assert refused.status == 400
    assert field_error(refused.text, field) == message
    assert stored_profiles(store).get("alice").display_name == "Kept"


def test_a_long_bio_is_refused_beside_its_box(alice, store):
    refused = alice.post_form("/settings", {"bio": "x" * 1001})
    assert refused.status == 400 and '<p class="error" id="e-bio">Use at most 1,000 characters.</p>' in refused.text
    assert stored_profiles(store).get("alice") is None


# -- settings: new links private or not -------------------------------------------------------------------


def private_box(page: str) -> bool:
    """Whether the add form's Private box is ticked."""
    [box] = [attrs for attrs in elements(page, "input") if attrs.get("name") == "private"]
    return "checked" in box


def test_new_links_are_private_for_a_new_account_and_the_add_form_says_so(alice, store):
    form = alice.get("/add_item?url=https%3A%2F%2Fexample.com%2Fa&title=A").text
    assert private_box(form)  # the bookmarklet's form too
    assert "Your settings say new links are private" in form and 'href="/settings#privacy"' in form
    settings = alice.get("/settings").text
    [box] = [attrs for attrs in elements(settings, "input") if attrs.get("name") == "new_links_private"]
    assert "checked" in box
    alice.add("https://example.com/a", "A", private=True)  # as the form sends it, ticked
    assert [link.private for link in saved(store)] == [True]


def test_the_setting_is_changed_on_the_settings_page_and_says_so(alice, store):
    done = alice.post_form("/settings/privacy", {}, form_url="/settings")  # the box unticked
    assert (done.status, done.location) == (303, "/settings")
    page = alice.get("/settings").text
    assert flash_of(page)[0] == (
        "New links are public now: they show on your profile and its feed unless you tick Private."
    )
    assert stored_profiles(store).get("alice").new_links_private is False
    form = alice.get("/add_item?url=https%3A%2F%2Fexample.com%2Fa").text
    assert not private_box(form) and "Your settings say new links are public" in form
    alice.post_form("/settings", {"display_name": "Alice"})  # the profile form keeps the setting
    assert stored_profiles(store).get("alice").new_links_private is False
    alice.post_form("/settings/privacy", {"new_links_private": "1"}, form_url="/settings")
    assert flash_of(alice.get("/settings").text)[0].startswith("New links are private now")
    assert stored_profiles(store).get("alice").display_name == "Alice"  # and the setting keeps the profile


def test_a_bad_setting_is_refused_beside_its_box_and_changes_nothing(alice, visitor, store):
    refused = alice.post_form("/settings/privacy", {"new_links_private": "yes"}, form_url="/settings")
    assert refused.status == 400
    assert '<p class="error check-hint" id="e-new_links_private">Tick the box, or leave it empty.</p>' in refused.text
    assert stored_profiles(store).get("alice") is None
    assert alice.post("/settings/privacy", data={}).status == 403  # no CSRF token
    assert visitor.post_form("/settings/privacy", {}, form_url="/login").location == "/login"


def test_a_saved_url_opens_the_form_with_its_own_flag_not_the_setting(alice, store):
    add(alice, "https://example.com/public", "Public")  # the box unticked
    add(alice, "https://example.com/private", "Private", private=True)
    alice.post_form("/settings/privacy", {}, form_url="/settings")
    assert not private_box(alice.get("/add_item?url=https%3A%2F%2Fexample.com%2Fpublic").text)
    assert private_box(alice.get("/add_item?url=example.com/private").text)
    assert not private_box(alice.get("/add_item?url=javascript%3Aalert(1)").text)  # no URL: the setting


def test_saving_from_a_profile_follows_the_visitors_setting(alice, signed_up, store):
    add(alice, "https://example.com/one", "One")
    add(alice, "https://example.com/two", "Two")
    bob = signed_up("bob")
    page = bob.get("/alice").text
    assert [a["value"] for a in elements(page, "input") if a.get("name") == "private"] == ["1", "1"]
    form = {"url": "https://example.com/one", "title": "One", "private": "1"}
    assert bob.post_form("/add_item", form, form_url="/alice").status == 303
    bob.post_form("/settings/privacy", {}, form_url="/settings")
    assert [a for a in elements(bob.get("/alice").text, "input") if a.get("name") == "private"] == []
    bob.post_form("/add_item", {"url": "https://example.com/two", "title": "Two"}, form_url="/alice")
    assert {link.title: link.private for link in saved(store, "bob")} == {"One": True, "Two": False}


def test_api_tokens_are_made_with_a_label_shown_once_and_revoked(alice, store):
    made = alice.post_form("/settings/tokens", {"name": "phone"}, form_url="/settings")
    assert made.status == 201 and made.headers["Cache-Control"] == "no-store"
    [key] = NEW_KEY.findall(made.text)
    assert "it is not shown again" in made.text
    [token] = tokens.list_tokens(store, "alice")
    assert token.name == "phone" and tokens.use_token(store, key, curtime()).owner == "alice"
    again = alice.get("/settings").text
    assert key not in again and "phone" in again
    revoked = alice.post_form(f"/settings/tokens/{token.id}/revoke", {}, form_url="/settings")
    assert (revoked.status, revoked.location) == (302, "/settings")
    assert tokens.list_tokens(store, "alice") == []
    too_long = alice.post_form("/settings/tokens", {"name": "x" * 81}, form_url="/settings")
    assert too_long.status == 400 and field_error(too_long.text, "name") == "Use at most 80 characters."


def test_a_token_name_loses_its_control_characters(alice, store):
    assert alice.post_form("/settings/tokens", {"name": "ph\x00one\x1b"}, form_url="/settings").status == 201
    assert [token.name for token in tokens.list_tokens(store, "alice")] == ["phone"]


def test_another_users_token_cannot_be_revoked(alice, signed_up, store):
    alice.post_form("/settings/tokens", {"name": "phone"}, form_url="/settings")
    [token] = tokens.list_tokens(store, "alice")
    bob = signed_up("bob")
    assert bob.post_form(f"/settings/tokens/{token.id}/revoke", {}, form_url="/settings").status == 404
    assert tokens.list_tokens(store, "alice") == [token]


# -- the public profile and its feed ---------------------------------------------------------------------


def test_the_profile_shows_the_person_and_public_links_only(alice, visitor, store):
    alice.post_form(
        "/settings", {"display_name": "Alice A.", "bio": "Reads.", "location": "Lisbon", "website": "alice.example"}
    )
    add(alice, "https://example.com/public", "Public one", "news")
    add(alice, "https://example.com/private", "Private one", "news", private=True)
    trashed = add(alice, "https://example.com/trashed", "Trashed one", "news")
    alice.act(trashed, "delete")
    archived = add(alice, "https://example.com/archived", "Archived one", notes="Worth\nit")
    alice.act(archived, "archive")
    add(alice, "https://example.com/secret", "Secret one", private=True, notes="Not for you")
    page = visitor.get("/alice")
    assert page.status == 200
    assert titles(page.text) == ["Archived one", "Public one"]
    assert notes(page.text) == ["Worth\nit"]  # a public link's notes; never a private one's
    for shown in ("Alice A.", "Reads.", "Lisbon", 'href="https://alice.example/"', 'href="/alice/feed"'):
        assert shown in page.text
    assert "Save to my Readify" not in page.text  # not signed in
    assert titles(visitor.get("/alice?tag=news").text) == ["Public one"]
    assert [a["href"] for a in elements(visitor.get("/alice?tag=news").text, "a") if "feed" in a["href"]] == [
        "/alice/feed?tag=news"
    ]
    assert titles(alice.get("/ALICE").text) == ["Archived one", "Public one"]
    assert "Save to my Readify" not in alice.get("/alice").text  # the owner's own
    assert visitor.get("/nobody").status == 404


def test_a_signed_in_visitor_saves_a_public_link_with_its_tags_and_stays_on_the_profile(alice, signed_up, store):
    link_id = add(alice, "https://example.com/public", "Public one", "news, long-reads")
    add(alice, "https://example.com/other", "Other one")
    bob = signed_up("bob")
    page = bob.get("/alice?tag=news").text
    assert 'aria-label="Save Public one to my Readify"' in page
    [form] = [f for f in elements(page, "input") if f.get("name") == "tags"]
    assert form["value"] == "news, long-reads"
    assert input_value(page, "next") == f"/alice?tag=news#link-{link_id}"
    fields = {"url": "https://example.com/public", "title": "Public one", "tags": "news, long-reads"}
    saved_it = bob.post_form("/add_item", {**fields, "next": f"/alice?tag=news#link-{link_id}"}, form_url="/alice")
    assert saved_it.location == f"/alice?tag=news#link-{link_id}"  # back to the same row of the profile
    [copy] = saved(store, "bob")
    assert (copy.title, copy.tags) == ("Public one", ["news", "long-reads"])
    assert len(saved(store, "alice")) == 2
    after = bob.get("/alice").text
    assert "Saved in your Readify" in after and 'aria-label="Save Public one to my Readify"' not in after
    assert 'aria-label="Save Other one to my Readify"' in after


def test_saving_anothers_public_link_keeps_ones_own_copy_private(alice, signed_up, store):
    add(alice, "https://example.com/shared", "Shared")
    bob = signed_up("bob")
    add(bob, "https://example.com/shared", "Bob's copy", private=True)
    bob.post_form("/add_item", {"url": "https://example.com/shared", "title": "Shared"}, form_url="/alice")
    [copy] = saved(store, "bob")
    assert copy.private and copy.title == "Shared"
    assert titles(signed_up("carol").get("/bob").text) == []


def test_the_profile_pages_its_links(alice, visitor, store):
    base = curtime() - 3_600_000
    for n in range(PAGE_SIZE + 2):
        stored_links(store).add(
            ReadifyLink(
                id=ReadifyLink.new_id(), owner="alice", url=f"https://e.com/{n}", title=f"n{n}", created_at=base + n
            )
        )
    assert [len(page) for page in visitor.pages("/alice", read=titles)] == [PAGE_SIZE, 2]


def test_the_feed_is_atom_of_the_public_links(alice, visitor):
    alice.post_form("/settings", {"display_name": "Alice A."})
    add(alice, "https://example.com/public", XSS, "news, python", notes=f"One\n{XSS}")
    add(alice, "https://example.com/private", "Private one", private=True, notes="Private notes")
    response = visitor.get("/alice/feed")
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root, entries = feed_entries(response.text)
    atom = "{http://www.w3.org/2005/Atom}"
    assert root.findtext(f"{atom}title") == "Alice A.’s links on Readify"
    assert root.findtext(f"{atom}id") == f"{SITE}/alice/feed"
    assert root.find(f"{atom}author/{atom}name").text == "Alice A."
    assert root.findtext(f"{atom}updated").endswith("Z")
    [entry] = entries
    assert (
        entry["title"] == XSS and entry["href"] == "https://example.com/public"
    )  # escaped in the XML, read back whole
    assert entry["tags"] == ["news", "python"] and entry["id"].startswith(f"{SITE}/alice/links/")
    assert entry["summary"] == f"One\n{XSS}" and "Private notes" not in response.text
    assert "<script>" not in response.text
    assert [e["title"] for e in feed_entries(visitor.get("/alice/feed?tag=python").text)[1]] == [XSS]
    assert visitor.get("/nobody/feed").status == 404


def test_the_feed_stays_valid_xml_with_control_characters_in_names_and_titles(alice, visitor):
    alice.post_form("/settings", {"display_name": "Al\x01ice"})
    add(alice, "https://example.com/ctl", "a\x00b\x1bc\ufffe", "news")
    root, entries = feed_entries(visitor.get("/alice/feed").text)  # a parser refuses \x00, \x01, \x1b, \ufffe
    atom = "{http://www.w3.org/2005/Atom}"
    assert root.findtext(f"{atom}title") == "Alice’s links on Readify"
    assert [entry["title"] for entry in entries] == ["abc"]


def test_control_characters_are_dropped_from_titles_and_the_profile(alice, store):
    add(alice, "https://example.com/ctl", "a\x00b\x07c\td")
    assert [link.title for link in saved(store)] == ["abc d"]
    alice.post_form("/settings", {"display_name": "Al\x01ice", "bio": "one\r\ntwo\x1b", "location": "\x0bLisbon"})
    profile = stored_profiles(store).get("alice")
    assert (profile.display_name, profile.bio, profile.location) == ("Alice", "one\ntwo", "Lisbon")


# -- escaping, accounts ----------------------------------------------------------------------------------


def test_what_was_typed_is_escaped_on_every_page(alice, signed_up, visitor):
    alice.post_form("/settings", {"display_name": XSS, "bio": XSS, "location": XSS})
    link_id = add(alice, "https://example.com/x", XSS, "ok", notes=XSS)
    for page in ("/", f"/edit_item/{link_id}", "/settings"):
        assert_escaped(alice.get(page).text)
    assert_escaped(visitor.get("/alice").text)
    assert_escaped(signed_up("bob").get("/alice").text)


def test_the_account_is_the_suites_one_listsurf_made_it(alice, settings, store):
    create_listsurf = pytest.importorskip("listsurf.app").create_app  # the other site that shares the accounts
    listsurf = Reader(create_listsurf(settings, store))
    listsurf.sign_up("carol")
    reader = Reader(alice.app)
    assert reader.log_in("carol", PASSWORD).location == "/"
    reader.assert_signed_in_as("carol")


@pytest.mark.parametrize(
    "username", ["settings", "liked", "trash", "tags", "items", "export", "favicon.ico", "Robots.txt"]
)
def test_names_of_readify_pages_cannot_be_registered(visitor, store, username):
    refused = visitor.post_form("/create", {"username": username, "password": PASSWORD})
    assert refused.status == 400 and field_error(refused.text, "username").startswith("That name is kept")
    assert store.users.count() == 0


def test_a_full_readify_says_so_and_saves_nothing_more(alice, app, store, monkeypatch):
    monkeypatch.setattr(app, "config", replace(app.config, links_per_account=1))
    add(alice, "https://example.com/a", "A")
    refused = alice.add("https://example.com/b", "B")
    assert refused.status == 403
    assert field_error(refused.text, "url") == (
        "Your Readify is full: an account keeps at most 1 links. Delete some to save more."
    )
    assert alice.add("https://example.com/a", "A again").status == 303  # a saved URL is still updated
    assert [link.title for link in saved(store)] == ["A again"]


def test_links_30_days_in_the_trash_take_no_room_in_a_full_readify(alice, app, store, monkeypatch):
    monkeypatch.setattr(app, "config", replace(app.config, links_per_account=1))
    trashed_long_ago(store, "https://example.com/old", 31)
    assert alice.add("https://example.com/new", "New").status == 303
    assert [link.title for link in saved(store)] == ["New"]


def test_the_menu_marks_the_current_page_and_a_skip_link_leads_to_the_content(alice):
    for path in ("/", "/liked", "/tags", "/add_item", "/settings", "/account", "/alice"):
        page = alice.get(path).text
        current = [link["href"] for link in elements(page, "a") if link.get("aria-current") == "page"]
        assert current == [path], path
        assert '<a class="skip" href="#content">Skip to the content</a>' in page and '<main id="content">' in page
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert not [link for link in elements(alice.get("/edit_item/" + "0" * 24).text, "a") if link.get("aria-current")]


def test_an_error_page_is_in_the_sites_layout_says_what_to_do_and_leads_back(alice, visitor):
    for browser in (alice, visitor):
        missing = browser.get("/no/such/page")
        assert missing.status == 404
        assert "<h1>Not Found</h1>" in missing.text and "There is no page at this address" in missing.text
        assert (
            '<a href="/">Back to Readify</a>' in missing.text
            and '<a class="brand" href="/">Readify</a>' in missing.text
        )


def test_the_api_is_found_from_the_tokens_part_of_the_settings_and_described_on_a_page(alice, visitor):
    settings = alice.get("/settings").text
    assert 'curl -H "Authorization: Token YOUR_KEY" http://api.readify.localhost:6767/links' in settings
    assert '<a href="/api">API reference</a>' in settings
    made = alice.post_form("/settings/tokens", {"name": "script"}, form_url="/settings").text
    [new_key] = NEW_KEY.findall(made)
    assert f'curl -H "Authorization: Token {new_key}" http://api.readify.localhost:6767/links' in made
    reference = visitor.get("/api")
    assert reference.status == 200
    for operation in ("GET /links", "POST /links/{link_id}/refresh", "PATCH /tags/{name}", "POST /tokens"):
        assert f"<code>{operation}</code>" in reference.text
    assert "<code>url</code> (required)" in reference.text  # a body's fields, from the API's own models
