"""Listsurf's pages, in this process: the list, search, /add_item and its bookmarklet, /delete_item,
bad input, escaping, self-contained pages.

tests/listsurf/test_live.py goes through the same pages once behind Mongrel2.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from brubeck.timekeeping import curtime
from tests.listsurf.pages import bookmarklet_for, listed, store_links
from tests.support.pages import (
    XSS,
    XSS_ESCAPED,
    assert_escaped,
    assert_self_contained,
    bookmarklet,
    elements,
    field_error,
    input_value,
    with_query,
    with_token,
)
from tests.support.servers import ROOT

MINUTE_MS = 60_000
SCHEME_MESSAGE = "Only http:// and https:// links can be saved."


# -- the list -----------------------------------------------------------------------------------------


def test_list_shows_title_or_url_host_and_time_in_words_newest_first(alice, store):
    now = curtime()
    store_links(
        store,
        "alice",
        [
            ("https://old.example.org/a", "Three days old", now - 3 * 24 * 60 * MINUTE_MS),
            ("https://docs.example.net/b", "", now - 5 * MINUTE_MS),
            ("https://news.example.com/c", "Two hours old", now - 2 * 60 * MINUTE_MS),
        ],
    )
    assert alice.add("http://Fresh.Example.com:80/d?x=1", "  Just   saved ").status == 303

    page = alice.get("/")
    assert page.status == 200
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


def test_list_shows_only_the_users_own_links(alice, signed_up):
    bob = signed_up("bob")
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
        page = alice.get(f"/?q={quote(q)}")
        assert page.status == 200
        assert input_value(page.text, "q") == q
        return sorted(item["title"] for item in listed(page.text))

    assert found("python") == ["Get Python", "Tips and tricks"]  # title or URL, any case
    assert found("PYTHON tips") == ["Tips and tricks"]  # every word must match
    assert found("book rust") == ["Rust book"]
    assert found("a.b") == ["Dots"]  # words are text, not patterns
    assert found("nothing-like-this") == []
    assert "No link matches “nothing-like-this”." in alice.get("/?q=nothing-like-this").text


def test_list_times_are_machine_readable_iso_8601(alice, store):
    store_links(store, "alice", [("https://example.com/", "At a known time", 1_700_000_000_000)])
    assert '<time datetime="2023-11-14T22:13:20Z">' in alice.get("/").text


# -- /add_item ----------------------------------------------------------------------------------------


def test_add_item_form_is_prefilled_from_the_bookmarklet_parameters(alice):
    page = alice.get(with_query("/add_item", {"u": "https://example.com/read?id=7&x=é", "t": "Read me — later"}))
    assert page.status == 200
    assert input_value(page.text, "url") == "https://example.com/read?id=7&x=é"
    assert input_value(page.text, "title") == "Read me — later"
    assert_self_contained(page.text)

    empty = alice.get("/add_item")
    assert (input_value(empty.text, "url"), input_value(empty.text, "title")) == ("", "")

    saved = alice.add(input_value(page.text, "url"), input_value(page.text, "title"))
    assert (saved.status, saved.location) == (303, "/")
    [link] = alice.stored()
    assert (link["url"], link["title"]) == ("https://example.com/read?id=7&x=é", "Read me — later")


def test_bookmarklet_prefill_cuts_an_over_long_page_title_to_what_can_be_saved(alice):
    page = alice.get(with_query("/add_item", {"u": "https://example.com/", "t": "x" * 700}))
    assert input_value(page.text, "title") == "x" * 500
    assert alice.add("https://example.com/", input_value(page.text, "title")).status == 303


@pytest.mark.parametrize(
    "host", ["listsurf.localhost:6767", "127.0.0.1:6767", "xlistsurf.localhost", "evil.example/'+alert(1)+'"]
)
def test_bookmarklet_opens_the_form_on_the_configured_site_whatever_the_host_header(alice, host):
    page = alice.get("/add_item", headers={"Host": host})
    assert "Surf later" in page.text
    assert bookmarklet(page.text) == bookmarklet_for("http://listsurf.localhost:6767")


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
    assert alice.add(typed).status == 303
    assert [link["url"] for link in alice.stored()] == [saved]


def test_saving_a_url_again_updates_the_link_instead_of_duplicating_it(alice, signed_up):
    alice.add("https://example.com/first", "First")
    alice.add("https://Example.com:443/page", "Old title")
    alice.add("https://example.com/last", "Last")
    original = next(link for link in alice.stored() if link["url"] == "https://example.com/page")

    assert alice.add("example.com/page", "New title").status == 303
    links = alice.stored()
    assert len(links) == 3
    assert links[0]["id"] == original["id"]  # the same link, moved to the top
    assert links[0]["title"] == "New title"
    assert links[0]["created_at"] == original["created_at"]
    assert links[0]["updated_at"] >= original["updated_at"]

    alice.add("https://example.com/page")  # saved again without a title: the title stays
    assert [(link["url"], link["title"]) for link in alice.stored()][0] == ("https://example.com/page", "New title")
    assert len(listed(alice.get("/").text)) == 3

    bob = signed_up("bob")  # another user's copy of the same URL is their own link
    bob.add("https://example.com/page", "Bob's")
    assert [link["title"] for link in bob.stored()] == ["Bob's"]
    assert alice.stored()[0]["title"] == "New title"


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"title": "No URL at all"}, "url", "Enter a URL."),
        ({"url": "   ", "title": "Blank"}, "url", "Enter a URL."),
        ({"url": "javascript:alert(1)"}, "url", SCHEME_MESSAGE),
        ({"url": "JavaScript:alert(document.cookie)"}, "url", SCHEME_MESSAGE),
        ({"url": "data:text/html,<h1>hi</h1>"}, "url", SCHEME_MESSAGE),
        ({"url": "ftp://example.com/file"}, "url", SCHEME_MESSAGE),
        ({"url": "https://exa mple.com/"}, "url", "A URL cannot contain spaces or control characters."),
        ({"url": "http://"}, "url", "The URL needs a host name, like example.com."),
        ({"url": "https://example.com:99999/"}, "url", "The port is not a number between 0 and 65535."),
        ({"url": "https://user:pw@example.com/"}, "url", "Links with a user name or password in them cannot be saved."),
        ({"url": "https://example.com/" + "a" * 2100}, "url", "Use at most 2,048 characters."),
        ({"url": "https://example.com/kept", "title": "x" * 501}, "title", "Use at most 500 characters."),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_changes_nothing(alice, form, field, message):
    alice.add("https://example.com/kept", "Kept as it was")
    before = alice.stored()

    refused = alice.post_form("/add_item", form)
    assert refused.status == 400
    assert field_error(refused.text, field) == message
    assert input_value(refused.text, "url") == form.get("url", "").strip()  # what was typed is shown again
    assert alice.stored() == before


def test_a_500_character_title_is_the_longest_accepted(alice):
    assert alice.add("https://example.com/", "x" * 500).status == 303
    assert alice.stored()[0]["title"] == "x" * 500


def test_add_item_without_the_csrf_token_is_refused(alice):
    assert alice.post("/add_item", data={"url": "https://example.com/"}).status == 403
    assert alice.stored() == []


def test_an_api_key_does_not_stand_in_for_the_csrf_token_on_a_page(alice):
    key = alice.new_token()
    assert alice.post("/add_item", data={"url": "https://example.com/"}, headers=with_token(key)).status == 403
    assert alice.stored() == []


# -- /delete_item ---------------------------------------------------------------------------------------


def test_delete_removes_only_the_owners_link(alice):
    alice.add("https://example.com/keep", "Keep")
    alice.add("https://example.com/drop", "Drop")
    [drop, keep] = alice.stored()

    deleted = alice.post_form(f"/delete_item/{drop['id']}", {}, form_url="/")
    assert (deleted.status, deleted.location) == (303, "/")
    assert alice.stored() == [keep]
    assert alice.ids_on("/") == [keep["id"]]

    again = alice.post_form(f"/delete_item/{drop['id']}", {}, form_url="/")
    assert again.status == 404
    assert "There is no such link in your list." in again.text


def test_each_save_and_delete_says_so_and_a_delete_can_be_undone(alice):
    alice.add("https://example.com/a", "A <b>")
    assert "<p>Saved.</p>" in alice.get("/").text
    alice.add("https://example.com/a", "")
    assert re.search(r"<p>Already saved on \d+ \w+ \d{4}; updated\.</p>", alice.get("/").text)
    [link] = alice.stored()
    alice.post_form(f"/delete_item/{link['id']}", {}, form_url="/")
    page = alice.get("/").text
    assert "<p>Deleted: A &lt;b&gt;.</p>" in page and 'action="/add_item"' in page
    assert alice.stored() == []
    undone = alice.post_form("/add_item", {"url": "https://example.com/a", "title": "A <b>"}, form_url="/")
    assert undone.status == 303 and [(x["url"], x["title"]) for x in alice.stored()] == [
        ("https://example.com/a", "A <b>")
    ]
    assert "<p>Saved.</p>" in alice.get("/").text and "<p>Saved.</p>" not in alice.get("/").text  # once


def test_deleting_someone_elses_link_is_a_404_and_it_stays(alice, signed_up):
    alice.add("https://example.com/mine", "Mine")
    [mine] = alice.stored()
    mallory = signed_up("mallory")
    mallory.add("https://example.com/mine", "Same URL, other owner")
    [theirs] = mallory.stored()

    for target in (mine["id"], "not-an-id", "0" * 24):
        refused = mallory.post_form(f"/delete_item/{target}", {}, form_url="/")
        assert refused.status == 404
        assert "There is no such link in your list." in refused.text
    assert alice.stored() == [mine]
    assert mallory.stored() == [theirs]

    assert alice.get(f"/delete_item/{mine['id']}").status == 405  # GET never deletes
    assert alice.post(f"/delete_item/{mine['id']}").status == 403  # no CSRF token
    assert alice.stored() == [mine]


# -- escaping and self-contained pages ------------------------------------------------------------------


def test_a_script_title_comes_back_escaped_on_every_page(alice, browser):
    assert alice.add("https://example.com/x", XSS).status == 303
    assert alice.add('https://example.com/"><script>alert(1)</script>').status == 303
    assert alice.stored()[1]["title"] == XSS  # stored as typed: escaping is the page's job
    token_page = alice.post_form("/tokens", {"name": XSS})

    pages = {
        "list": alice.get("/"),
        "search results": alice.get("/?q=alert"),
        "search for the script": alice.get(with_query("/", {"q": XSS})),
        "bookmarklet prefill": alice.get(with_query("/add_item", {"u": "https://example.com/" + XSS, "t": XSS})),
        "form shown again": alice.post_form("/add_item", {"url": "javascript:" + XSS, "title": XSS}),
        "new token": token_page,
        "tokens": alice.get("/tokens"),
        "not found": alice.get("/" + quote(XSS)),
        "login": browser().get(with_query("/login", {"next": "/" + XSS})),
        "create": browser().get(with_query("/create", {"next": XSS})),
    }
    for name, page in pages.items():
        assert page.headers["Content-Type"] == "text/html; charset=utf-8", name
        assert XSS not in page.text and "<script" not in page.text.lower(), name

    showing_the_title = ("list", "search results", "search for the script", "bookmarklet prefill", "form shown again")
    for name in (*showing_the_title, "new token", "tokens"):
        assert_escaped(pages[name].text)
    both = ['https://example.com/"><script>alert(1)</script>', XSS]
    assert [item["title"] for item in listed(pages["list"].text)] == both
    assert [item["title"] for item in listed(pages["search results"].text)] == both
    assert 'href="https://example.com/&#34;&gt;' + XSS_ESCAPED + '"' in pages["list"].text
    assert input_value(pages["bookmarklet prefill"].text, "title") == XSS
    assert input_value(pages["login"].text, "next") == "/" + XSS


def test_no_page_loads_anything_from_another_site(alice, browser):
    alice.add("https://example.com/", "A link")
    pages = [alice.get(path) for path in ("/", "/add_item", "/tokens", "/?q=link", "/no-such-page")]
    pages += [browser().get(path) for path in ("/login", "/create")]
    for page in pages:
        assert_self_contained(page.text)
        assert [link["href"] for link in elements(page.text, "link")] == ["/static/site.css", "/static/favicon.svg"]

    css = (ROOT / "listsurf" / "static" / "site.css").read_text()
    assert "@import" not in css and "@font-face" not in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)


def test_every_page_says_nosniff(alice):
    for path in ("/", "/add_item", "/no-such-page", "/api"):
        assert alice.get(path).headers["X-Content-Type-Options"] == "nosniff", path


def test_the_list_shows_the_ascii_host_beside_the_title(alice):
    assert (
        alice.post_form("/add_item", {"url": "https://\u0435xample.com/login", "title": "Ex\u202eample"}).status == 303
    )
    page = alice.get("/").text
    assert '<span class="host">xn--xample-2of.com</span>' in page
    assert "\u202e" not in page and "\u0435xample" not in page


def test_the_tokens_page_says_how_to_call_the_api(alice):
    assert 'curl -H "Authorization: Token YOUR_KEY" http://listsurf.localhost:6767/api' in alice.get("/tokens").text


def test_a_link_is_edited_from_the_list(alice, signed_up):
    alice.add("https://example.com/a", "A")
    alice.add("https://example.com/b", "B")
    [b, a] = alice.stored()
    assert f'href="/edit_item/{a["id"]}"' in alice.get("/").text
    form = alice.get(f"/edit_item/{a['id']}")
    assert [input_value(form.text, name) for name in ("url", "title")] == ["https://example.com/a", "A"]
    bad = alice.post_form(f"/edit_item/{a['id']}", {"url": "javascript:alert(1)", "title": "A"})
    assert bad.status == 400 and field_error(bad.text, "url") == "Only http:// and https:// links can be saved."
    taken = alice.post_form(f"/edit_item/{a['id']}", {"url": "https://example.com/b", "title": "A"})
    assert taken.status == 409 and field_error(taken.text, "url") == "You have saved this URL already: edit that link."
    done = alice.post_form(f"/edit_item/{a['id']}", {"url": "example.org/new", "title": "New"})
    assert (done.status, done.location) == (303, "/")
    assert [(x["url"], x["title"]) for x in alice.stored()] == [
        ("https://example.org/new", "New"),
        ("https://example.com/b", "B"),
    ]
    assert signed_up("mallory").get(f"/edit_item/{b['id']}").status == 404
