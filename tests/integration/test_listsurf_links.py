"""Listsurf's pages through Mongrel2: the list, search, /add_item and its bookmarklet, /delete_item,
bad input, escaping, and static files served by Mongrel2 alone."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote

import pytest

from brubeck.timekeeping import curtime
from tests.conftest import ROOT
from tests.integration.listsurf_support import (
    XSS,
    XSS_ESCAPED,
    Surfer,
    assert_escaped,
    assert_self_contained,
    elements,
    field_error,
    input_value,
    signed_up,
    store_links,
)

pytestmark = pytest.mark.integration
MINUTE_MS = 60_000


def listed(page: str) -> list[dict[str, str]]:
    """The links on a list page: shown title, href, host and "saved ..." words, top to bottom."""
    items = re.findall(
        r'<a class="title" href="([^"]*)" rel="noopener noreferrer">([^<]*)</a>\s*'
        r'<span class="meta"><span class="host">([^<]*)</span> · saved <time datetime="[^"]+">([^<]*)</time>',
        page,
    )
    return [
        {"href": unescape(href), "title": unescape(title), "host": unescape(host), "when": when}
        for href, title, host, when in items
    ]


def bookmarklet(page: str) -> str:
    [anchor] = [a for a in elements(page, "a") if a.get("class") == "bookmarklet"]
    return anchor["href"]


# -- the list -----------------------------------------------------------------------------------------


def test_list_shows_title_or_url_host_and_time_in_words_newest_first(alice, data_dir):
    now = curtime()
    store_links(
        data_dir,
        "alice",
        [
            ("https://old.example.org/a", "Three days old", now - 3 * 24 * 60 * MINUTE_MS),
            ("https://docs.example.net/b", "", now - 5 * MINUTE_MS),
            ("https://news.example.com/c", "Two hours old", now - 2 * 60 * MINUTE_MS),
        ],
    )
    assert alice.add("http://Fresh.Example.com:80/d?x=1", "  Just   saved ").status_code == 303

    page = alice.get("/")
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert listed(page.text) == [
        {
            "href": "http://fresh.example.com/d?x=1",
            "title": "Just saved",
            "host": "fresh.example.com",
            "when": "just now",
        },
        {
            "href": "https://docs.example.net/b",
            "title": "https://docs.example.net/b",
            "host": "docs.example.net",
            "when": "5 minutes ago",
        },
        {
            "href": "https://news.example.com/c",
            "title": "Two hours old",
            "host": "news.example.com",
            "when": "2 hours ago",
        },
        {
            "href": "https://old.example.org/a",
            "title": "Three days old",
            "host": "old.example.org",
            "when": "3 days ago",
        },
    ]
    assert 'rel="next"' not in page.text and "« Newest" not in page.text  # one page only
    assert_self_contained(page.text)


def test_list_shows_only_the_users_own_links(listsurf, alice):
    bob = signed_up(listsurf, "bob")
    bob.add("https://bob.example.com/", "Bob's secret")
    alice.add("https://alice.example.com/", "Alice's link")
    assert [item["title"] for item in listed(alice.get("/").text)] == ["Alice's link"]
    assert [item["title"] for item in listed(bob.get("/").text)] == ["Bob's secret"]
    assert "Bob" not in alice.get("/?q=secret").text


def test_search_filters_by_every_word_in_title_or_url(alice):
    alice.add("https://python.org/downloads", "Get Python")
    alice.add("https://example.com/python-tips", "Tips and tricks")
    alice.add("https://example.com/rust", "Rust book")
    alice.add("https://example.com/a.b", "Dots")

    def found(q: str) -> list[str]:
        page = alice.get("/?" + f"q={quote(q)}")
        assert page.status_code == 200
        assert input_value(page.text, "q") == q
        return sorted(item["title"] for item in listed(page.text))

    assert found("python") == ["Get Python", "Tips and tricks"]  # title or URL, any case
    assert found("PYTHON tips") == ["Tips and tricks"]  # every word must match
    assert found("book rust") == ["Rust book"]
    assert found("a.b") == ["Dots"]  # words are text, not patterns
    assert found("nothing-like-this") == []
    assert "No link matches “nothing-like-this”." in alice.get("/?q=nothing-like-this").text


def test_list_times_are_machine_readable_iso_8601(alice, data_dir):
    store_links(data_dir, "alice", [("https://example.com/", "At a known time", 1_700_000_000_000)])
    assert '<time datetime="2023-11-14T22:13:20Z">' in alice.get("/").text


# -- /add_item ----------------------------------------------------------------------------------------


def test_bookmarklet_prefill_cuts_an_over_long_page_title_to_what_can_be_saved(alice):
    page = alice.get("/add_item", params={"u": "https://example.com/", "t": "x" * 700})
    assert input_value(page.text, "title") == "x" * 500
    saved = alice.post_form("/add_item", {"url": "https://example.com/", "title": input_value(page.text, "title")})
    assert saved.status_code == 303


def test_add_item_form_is_prefilled_from_the_bookmarklet_parameters(alice):
    page = alice.get("/add_item", params={"u": "https://example.com/read?id=7&x=é", "t": "Read me — later"})
    assert page.status_code == 200
    assert input_value(page.text, "url") == "https://example.com/read?id=7&x=é"
    assert input_value(page.text, "title") == "Read me — later"
    assert_self_contained(page.text)

    empty = alice.get("/add_item")
    assert (input_value(empty.text, "url"), input_value(empty.text, "title")) == ("", "")

    saved = alice.post_form(
        "/add_item", {"url": input_value(page.text, "url"), "title": input_value(page.text, "title")}
    )
    assert (saved.status_code, saved.headers["Location"]) == (303, "/")
    [link] = alice.stored()
    assert (link["url"], link["title"]) == ("https://example.com/read?id=7&x=é", "Read me — later")


def test_bookmarklet_opens_the_form_on_the_host_that_served_the_page(listsurf, alice):
    port = listsurf.url.rsplit(":", 1)[1]
    expected = (
        "javascript:location.href='{origin}/add_item?u='+encodeURIComponent(location.href)"
        "+'&t='+encodeURIComponent(document.title)"
    )
    page = alice.get("/add_item")
    assert "Surf later" in page.text
    assert bookmarklet(page.text) == expected.format(origin=f"http://127.0.0.1:{port}")

    named = alice.get_as("listsurf.localhost:6767", "/add_item")
    assert bookmarklet(named.text) == expected.format(origin="http://listsurf.localhost:6767")

    forged = alice.get_as("evil.example/'+alert(1)+'", "/add_item")  # not a host name
    assert bookmarklet(forged.text) == expected.format(origin="http://listsurf.localhost")


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("example.com", "https://example.com/"),
        ("  HTTPS://Example.COM:443  ", "https://example.com/"),
        ("HTTP://Example.com:80/Path?Q=1#Part", "http://example.com/Path?Q=1#Part"),
        ("http://example.com:8080", "http://example.com:8080/"),
    ],
)
def test_urls_are_saved_normalised(alice, typed, saved):
    assert alice.add(typed).status_code == 303
    assert [link["url"] for link in alice.stored()] == [saved]


def test_saving_a_url_again_updates_the_link_instead_of_duplicating_it(listsurf, alice):
    alice.add("https://example.com/first", "First")
    alice.add("https://Example.com:443/page", "Old title")
    alice.add("https://example.com/last", "Last")
    original = next(link for link in alice.stored() if link["url"] == "https://example.com/page")

    assert alice.add("example.com/page", "New title").status_code == 303
    links = alice.stored()
    assert len(links) == 3
    assert links[0]["id"] == original["id"]  # the same link, moved to the top
    assert links[0]["title"] == "New title"
    assert links[0]["created_at"] == original["created_at"]
    assert links[0]["updated_at"] >= original["updated_at"]

    alice.add("https://example.com/page")  # saved again without a title: the title stays
    assert [(link["url"], link["title"]) for link in alice.stored()][0] == ("https://example.com/page", "New title")
    assert len(listed(alice.get("/").text)) == 3

    bob = signed_up(listsurf, "bob")  # another user's copy of the same URL is their own link
    bob.add("https://example.com/page", "Bob's")
    assert [link["title"] for link in bob.stored()] == ["Bob's"]
    assert alice.stored()[0]["title"] == "New title"


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"title": "No URL at all"}, "url", "Enter a URL."),
        ({"url": "   ", "title": "Blank"}, "url", "Enter a URL."),
        ({"url": "javascript:alert(1)"}, "url", "Only http:// and https:// links can be saved."),
        ({"url": "JavaScript:alert(document.cookie)"}, "url", "Only http:// and https:// links can be saved."),
        ({"url": "data:text/html,<h1>hi</h1>"}, "url", "Only http:// and https:// links can be saved."),
        ({"url": "ftp://example.com/file"}, "url", "Only http:// and https:// links can be saved."),
        ({"url": "https://exa mple.com/"}, "url", "A URL cannot contain spaces or control characters."),
        ({"url": "http://"}, "url", "The URL needs a host name, like example.com."),
        ({"url": "https://example.com:99999/"}, "url", "The port is not a number between 0 and 65535."),
        ({"url": "https://user:pw@example.com/"}, "url", "Links with a user name or password in them cannot be saved."),
        ({"url": "https://example.com/" + "a" * 2100}, "url", "Use at most 2048 characters."),
        ({"url": "https://example.com/kept", "title": "x" * 501}, "title", "Use at most 500 characters."),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_changes_nothing(alice, form, field, message):
    alice.add("https://example.com/kept", "Kept as it was")
    before = alice.stored()

    refused = alice.post_form("/add_item", form)
    assert refused.status_code == 400
    assert field_error(refused.text, field) == message
    assert input_value(refused.text, "url") == form.get("url", "").strip()  # what was typed is shown again
    assert alice.stored() == before


def test_a_500_character_title_is_the_longest_accepted(alice):
    assert alice.add("https://example.com/", "x" * 500).status_code == 303
    assert alice.stored()[0]["title"] == "x" * 500


def test_add_item_without_the_csrf_token_is_refused(alice):
    refused = alice.post("/add_item", data={"url": "https://example.com/"})
    assert refused.status_code == 403
    assert alice.stored() == []


# -- /delete_item ---------------------------------------------------------------------------------------


def test_delete_removes_only_the_owners_link(listsurf, alice):
    alice.add("https://example.com/keep", "Keep")
    alice.add("https://example.com/drop", "Drop")
    [drop, keep] = alice.stored()

    deleted = alice.post_form(f"/delete_item/{drop['id']}", {}, form_path="/")
    assert (deleted.status_code, deleted.headers["Location"]) == (303, "/")
    assert alice.stored() == [keep]
    assert alice.ids_on("/") == [keep["id"]]

    again = alice.post_form(f"/delete_item/{drop['id']}", {}, form_path="/")
    assert again.status_code == 404
    assert "There is no such link in your list." in again.text


def test_deleting_someone_elses_link_is_a_404_and_it_stays(listsurf, alice):
    alice.add("https://example.com/mine", "Mine")
    [mine] = alice.stored()
    mallory = signed_up(listsurf, "mallory")
    mallory.add("https://example.com/mine", "Same URL, other owner")
    [theirs] = mallory.stored()

    for target in (mine["id"], "not-an-id", "0" * 24):
        refused = mallory.post_form(f"/delete_item/{target}", {}, form_path="/")
        assert refused.status_code == 404
        assert "There is no such link in your list." in refused.text
    assert alice.stored() == [mine]
    assert mallory.stored() == [theirs]

    assert alice.get(f"/delete_item/{mine['id']}").status_code == 405  # GET never deletes
    assert alice.post(f"/delete_item/{mine['id']}").status_code == 403  # no CSRF token
    assert alice.stored() == [mine]


# -- escaping and self-contained pages ------------------------------------------------------------------


def test_a_script_title_comes_back_escaped_on_every_page(listsurf, alice):
    assert alice.add("https://example.com/x", XSS).status_code == 303
    assert alice.add('https://example.com/"><script>alert(1)</script>').status_code == 303
    assert alice.stored()[1]["title"] == XSS  # stored as typed: escaping is the page's job
    token_page = alice.post_form("/tokens", {"name": XSS})

    pages = {
        "list": alice.get("/"),
        "search results": alice.get("/", params={"q": "alert"}),
        "search for the script": alice.get("/", params={"q": XSS}),
        "bookmarklet prefill": alice.get("/add_item", params={"u": "https://example.com/" + XSS, "t": XSS}),
        "form shown again": alice.post_form("/add_item", {"url": "javascript:" + XSS, "title": XSS}),
        "new token": token_page,
        "tokens": alice.get("/tokens"),
        "not found": alice.get("/" + XSS),
        "login": Surfer(listsurf.url).get("/login", params={"next": "/" + XSS}),
        "create": Surfer(listsurf.url).get("/create", params={"next": XSS}),
    }
    for name, page in pages.items():
        assert page.headers["Content-Type"] == "text/html; charset=utf-8", name
        assert XSS not in page.text and "<script" not in page.text.lower(), name

    for name in (
        "list",
        "search results",
        "search for the script",
        "bookmarklet prefill",
        "form shown again",
        "new token",
        "tokens",
    ):
        assert_escaped(pages[name].text)
    assert [item["title"] for item in listed(pages["list"].text)] == [
        'https://example.com/"><script>alert(1)</script>',
        XSS,
    ]
    assert [item["title"] for item in listed(pages["search results"].text)] == [
        'https://example.com/"><script>alert(1)</script>',
        XSS,
    ]
    assert 'href="https://example.com/&#34;&gt;' + XSS_ESCAPED + '"' in pages["list"].text
    assert input_value(pages["bookmarklet prefill"].text, "title") == XSS
    assert input_value(pages["login"].text, "next") == "/" + XSS


def test_no_page_loads_anything_from_another_site(listsurf, alice):
    alice.add("https://example.com/", "A link")
    pages = [alice.get(path) for path in ("/", "/add_item", "/tokens", "/?q=link", "/no-such-page")]
    pages += [Surfer(listsurf.url).get(path) for path in ("/login", "/create")]
    for page in pages:
        assert_self_contained(page.text)
        assert [link["href"] for link in elements(page.text, "link")] == ["/static/site.css"]

    css = (ROOT / "listsurf" / "static" / "site.css").read_text()
    assert "@import" not in css and "@font-face" not in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)


def test_static_files_are_served_by_mongrel2_not_python(listsurf, alice):
    css = alice.get("/static/site.css")
    assert css.status_code == 200
    assert css.headers["Content-Type"] == "text/css"
    assert css.content == (ROOT / "listsurf" / "static" / "site.css").read_bytes()
    assert "Mongrel2" in css.headers["Server"]
    assert "X-Content-Type-Options" not in css.headers  # every Brubeck response carries it
    assert "Set-Cookie" not in css.headers

    missing = alice.get("/static/nothing-here.css")
    assert missing.status_code == 404
    assert "X-Content-Type-Options" not in missing.headers

    page = alice.get("/")  # while Python's answers do carry the header
    assert page.headers["X-Content-Type-Options"] == "nosniff"

    [handler] = listsurf.processes  # with the Python process gone, Mongrel2 still serves the file
    handler.terminate()
    handler.wait(10)
    assert alice.get("/static/site.css").content == css.content
