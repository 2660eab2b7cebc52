"""Listsurf's account routes through Mongrel2: /create, /login, /logout, /tokens, login required."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.integration.listsurf_support import (
    PASSWORD,
    Surfer,
    assert_self_contained,
    field_error,
    input_value,
    signed_up,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def listsurf(site):
    return site("listsurf")


def session_cookie(response) -> str | None:
    """The Set-Cookie header for the session, if the response sends one."""
    return next((c for c in response.raw.headers.getlist("Set-Cookie") if c.startswith("session=")), None)


def test_create_shows_a_form_and_a_post_creates_the_account_and_logs_in(listsurf):
    visitor = Surfer(listsurf.url)
    form = visitor.get("/create")
    assert form.status_code == 200
    assert {input_value(form.text, "username"), input_value(form.text, "next")} == {""}
    assert_self_contained(form.text)

    created = visitor.post_form("/create", {"username": "Alice", "password": PASSWORD})
    assert created.status_code == 302
    assert created.headers["Location"] == "/"
    assert session_cookie(created)

    home = visitor.get("/")
    assert home.status_code == 200
    assert "Nothing saved yet" in home.text
    assert '<span class="who">alice</span>' in home.text
    assert visitor.get("/create").headers["Location"] == "/"  # already signed in


def test_create_follows_next_to_a_page_of_this_site_only(listsurf):
    created = Surfer(listsurf.url).post_form("/create", {"username": "alice", "password": PASSWORD,
                                                         "next": "/add_item?u=https%3A%2F%2Fexample.com%2F"})
    assert created.headers["Location"] == "/add_item?u=https%3A%2F%2Fexample.com%2F"
    elsewhere = Surfer(listsurf.url).post_form("/create", {"username": "bob", "password": PASSWORD,
                                                           "next": "//evil.example/"})
    assert elsewhere.headers["Location"] == "/"


@pytest.mark.parametrize(("data", "field", "status"), [
    ({"username": "a", "password": PASSWORD}, "username", 400),
    ({"username": "no spaces please", "password": PASSWORD}, "username", 400),
    ({"username": "alice", "password": "short"}, "password", 400),
    ({"username": "alice", "password": PASSWORD, "email": "not-an-email"}, "email", 400),
    ({"username": "Taken", "password": PASSWORD}, "username", 409),
])
def test_create_refuses_bad_input_next_to_the_field(listsurf, data, field, status):
    signed_up(listsurf, "taken")
    visitor = Surfer(listsurf.url)
    refused = visitor.post_form("/create", data)
    assert refused.status_code == status
    assert field_error(refused.text, field)
    assert input_value(refused.text, "username") == data["username"]  # what was typed stays
    assert session_cookie(refused) is None
    assert visitor.get("/").status_code == 302


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
    assert session_cookie(wrong) is None

    target = "/add_item?u=https%3A%2F%2Fexample.com%2F&t=Example"
    right = visitor.post_form("/login", {"username": "ALICE", "password": PASSWORD, "next": target},
                              form_path="/login")
    assert right.status_code == 302
    assert right.headers["Location"] == target
    assert visitor.get(target).status_code == 200

    outside = Surfer(listsurf.url).post_form("/login", {"username": "alice", "password": PASSWORD,
                                                        "next": "https://evil.example/"})
    assert outside.headers["Location"] == "/"


@pytest.mark.parametrize("path", ["/", "/add_item?u=https%3A%2F%2Fexample.com%2F&t=A%20title", "/tokens"])
def test_pages_need_a_login_and_come_back_after_it(listsurf, path):
    signed_up(listsurf, "alice")
    visitor = Surfer(listsurf.url)
    sent_away = visitor.get(path)
    assert sent_away.status_code == 302
    assert sent_away.headers["Location"] == "/login?next=" + quote(path, safe="/")

    login_page = visitor.get(sent_away.headers["Location"])
    assert input_value(login_page.text, "next") == path
    back = visitor.post_form("/login", {"username": "alice", "password": PASSWORD, "next": path}, form_path="/login")
    assert back.headers["Location"] == path


def test_posts_without_a_login_save_and_delete_nothing(listsurf):
    alice = signed_up(listsurf, "alice")
    assert alice.add("https://example.com/kept").status_code == 303
    [kept] = alice.stored()

    visitor = Surfer(listsurf.url)
    assert visitor.post_form("/add_item", {"url": "https://example.com/new"}, form_path="/login").headers[
        "Location"] == "/login"
    assert visitor.post_form(f"/delete_item/{kept['id']}", {}, form_path="/login").headers["Location"] == "/login"
    assert alice.stored() == [kept]


def test_logout_is_a_post_that_ends_the_session(listsurf):
    alice = signed_up(listsurf, "alice")

    assert alice.get("/logout").status_code == 405  # a link or an image cannot log anyone out
    assert alice.post("/logout").status_code == 403  # nor can another site's form (no CSRF token)
    assert alice.get("/").status_code == 200

    logged_out = alice.post_form("/logout", {}, form_path="/")
    assert logged_out.status_code == 302
    assert logged_out.headers["Location"] == "/login"
    assert session_cookie(logged_out).startswith("session=;")
    assert alice.get("/").headers["Location"] == "/login?next=/"
    assert alice.api().status_code == 401


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
