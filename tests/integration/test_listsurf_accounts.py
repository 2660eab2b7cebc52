"""Listsurf's account pages as a visitor walks them, through Mongrel2: the forms of /create, /login and
/tokens, messages next to the fields, ``next``, and the pages that need a login.

What the pages promise beneath that (cookies, CSRF, throttling, stored data) is in test_accounts.py.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.integration.listsurf_support import (
    PASSWORD,
    Surfer,
    assert_self_contained,
    assert_signed_out,
    elements,
    field_error,
    input_value,
    set_cookies,
    signed_up,
)

pytestmark = pytest.mark.integration
USERNAME_RULE = "Use 2 to 30 characters: letters, digits, dots, dashes or underscores."


def test_create_shows_a_form_and_a_post_creates_the_account_and_logs_in(listsurf):
    visitor = Surfer(listsurf.url)
    form = visitor.get("/create")
    assert form.status_code == 200
    assert {input_value(form.text, "username"), input_value(form.text, "next")} == {""}
    assert_self_contained(form.text)

    created = visitor.post_form("/create", {"username": "Alice", "password": PASSWORD})
    assert created.status_code == 302
    assert created.headers["Location"] == "/"
    assert "session" in set_cookies(created)

    home = visitor.get("/")
    assert home.status_code == 200
    assert "Nothing saved yet" in home.text
    assert '<span class="who">alice</span>' in home.text
    assert visitor.get("/create").headers["Location"] == "/"  # already signed in


def test_create_follows_next_to_a_page_of_this_site_only(listsurf):
    created = Surfer(listsurf.url).post_form(
        "/create", {"username": "alice", "password": PASSWORD, "next": "/add_item?u=https%3A%2F%2Fexample.com%2F"}
    )
    assert created.headers["Location"] == "/add_item?u=https%3A%2F%2Fexample.com%2F"
    elsewhere = Surfer(listsurf.url).post_form(
        "/create", {"username": "bob", "password": PASSWORD, "next": "//evil.example/"}
    )
    assert elsewhere.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("data", "field", "message", "status"),
    [
        ({"username": "bob", "password": "short"}, "password", "Use at least 8 characters.", 400),
        ({"username": "bob", "password": ""}, "password", "Use at least 8 characters.", 400),
        ({"username": "b", "password": PASSWORD}, "username", USERNAME_RULE, 400),
        ({"username": "bob smith!", "password": PASSWORD}, "username", USERNAME_RULE, 400),
        ({"username": "no spaces please", "password": PASSWORD}, "username", USERNAME_RULE, 400),
        (
            {"username": "bob", "password": PASSWORD, "email": "not-an-email"},
            "email",
            "That does not look like an email address.",
            400,
        ),
        ({"username": "Taken", "password": PASSWORD}, "username", "That username is taken. Choose another.", 409),
    ],
)
def test_create_refuses_bad_input_next_to_the_field(listsurf, store, data, field, message, status):
    signed_up(listsurf, "taken")
    visitor = Surfer(listsurf.url)
    refused = visitor.post_form("/create", data)
    assert refused.status_code == status
    assert field_error(refused.text, field) == message
    assert input_value(refused.text, "username") == data["username"]  # what was typed stays
    if data["password"]:
        assert data["password"] not in refused.text
    assert "session" not in set_cookies(refused)
    assert_signed_out(visitor)
    assert store.users.count_documents({}) == 1  # only "taken"


def test_login_checks_the_password_and_honours_next(listsurf):
    signed_up(listsurf, "alice")
    visitor = Surfer(listsurf.url)
    form = visitor.get("/login?next=/add_item")
    assert form.status_code == 200
    assert input_value(form.text, "next") == "/add_item"
    assert_self_contained(form.text)

    wrong = visitor.post_form("/login", {"username": "alice", "password": "wrong password"})
    assert wrong.status_code == 401
    assert "Wrong username or password." in wrong.text
    assert input_value(wrong.text, "username") == "alice"
    assert "session" not in set_cookies(wrong)

    target = "/add_item?u=https%3A%2F%2Fexample.com%2F&t=Example"
    right = visitor.post_form("/login", {"username": "ALICE", "password": PASSWORD, "next": target}, form_path="/login")
    assert right.status_code == 302
    assert right.headers["Location"] == target
    assert visitor.get(target).status_code == 200

    outside = Surfer(listsurf.url).post_form(
        "/login", {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert outside.headers["Location"] == "/"


@pytest.mark.parametrize("path", ["/", "/add_item?u=https%3A%2F%2Fexample.com%2F&t=A%20title", "/tokens"])
def test_pages_need_a_login_and_come_back_after_it(listsurf, path):
    signed_up(listsurf, "alice")
    visitor = Surfer(listsurf.url)
    sent_away = visitor.get(path)
    assert sent_away.status_code == 302
    assert sent_away.headers["Location"] == "/login?next=" + quote(path, safe="/")

    login_page = visitor.get(sent_away.headers["Location"])
    assert {"type": "hidden", "name": "next", "value": path} in elements(login_page.text, "input")
    back = visitor.post_form("/login", {"username": "alice", "password": PASSWORD, "next": path}, form_path="/login")
    assert back.headers["Location"] == path


def test_posts_without_a_login_save_and_delete_nothing(listsurf):
    alice = signed_up(listsurf, "alice")
    assert alice.add("https://example.com/kept").status_code == 303
    [kept] = alice.stored()

    visitor = Surfer(listsurf.url)
    assert (
        visitor.post_form("/add_item", {"url": "https://example.com/new"}, form_path="/login").headers["Location"]
        == "/login"
    )
    assert visitor.post_form(f"/delete_item/{kept['id']}", {}, form_path="/login").headers["Location"] == "/login"
    assert alice.stored() == [kept]


def test_tokens_page_issues_a_key_shown_once(listsurf):
    alice = signed_up(listsurf, "alice")
    page = alice.get("/tokens")
    assert page.status_code == 200
    assert "No tokens yet." in page.text
    assert_self_contained(page.text)

    key = alice.new_token("phone")
    listed = alice.get("/tokens").text
    assert "<strong>phone</strong>" in listed
    assert f"<code>{key[:6]}…</code>" in listed
    assert key not in listed
